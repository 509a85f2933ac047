//! Rhai reads an integer literal too big for its 64-bit `INT` as a float, without a word: the script's
//! `int(170141183460469231731687303715884105727)` would be a float's value. Such literals are refused.

/// The 1-based line and column of the first integer literal in `source` beyond `i64`, if any (strings and
/// comments skipped).
pub fn oversized_int(source: &str) -> Option<(usize, usize)> {
    let chars: Vec<char> = source.chars().collect();
    let (mut i, mut line, mut col) = (0, 1, 1);
    let advance = |i: &mut usize, line: &mut usize, col: &mut usize| {
        let Some(&c) = chars.get(*i) else { return };
        if c == '\n' {
            *line += 1;
            *col = 1;
        } else {
            *col += 1;
        }
        *i += 1;
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                advance(&mut i, &mut line, &mut col);
            }
        } else if c == '/' && next == Some('*') {
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                advance(&mut i, &mut line, &mut col);
            }
            advance(&mut i, &mut line, &mut col);
            advance(&mut i, &mut line, &mut col);
        } else if matches!(c, '"' | '`' | '\'') {
            advance(&mut i, &mut line, &mut col);
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' {
                    advance(&mut i, &mut line, &mut col);
                }
                if i < chars.len() {
                    advance(&mut i, &mut line, &mut col);
                }
            }
            advance(&mut i, &mut line, &mut col);
        } else if c.is_ascii_digit() && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')) {
            let (start, at) = (i, (line, col));
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '_') {
                advance(&mut i, &mut line, &mut col);
            }
            let float = matches!(chars.get(i), Some('.' | 'e' | 'E' | 'x' | 'o' | 'b'))
                || (chars[start] == '0' && matches!(chars.get(start + 1), Some('x' | 'o' | 'b')));
            let digits: String = chars[start..i].iter().filter(|c| **c != '_').collect();
            if !float && digits.parse::<i64>().is_err() {
                return Some(at);
            }
        } else {
            advance(&mut i, &mut line, &mut col);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn big_integer_literals_are_found_outside_strings_and_comments() {
        use super::oversized_int as find;
        assert_eq!(find("let a = 1;\nlet b = int(170141183460469231731687303715884105727);"), Some((2, 13)));
        assert_eq!(find("let a = 9223372036854775807; let f = 1.5e300; let g = 123456789012345678901.5;"), None);
        assert_eq!(find("// 99999999999999999999\nlet s = \"99999999999999999999\"; /* 99999999999999999999 */"), None);
        assert_eq!(find("let x = a99999999999999999999;"), None);
        assert_eq!(find("let s = \"unterminated"), None);
        assert_eq!(find("/* unterminated"), None);
    }
}

//! Text from a scenario (its names, narration, script lines, what it prints) is shown on the user's terminal:
//! control characters in it are shown as Python writes them in a `repr` (`\x1b`), so no file can move the
//! cursor, change the colours or retitle the window of whoever opens it.

use std::borrow::Cow;

/// `text` with every control character but tab and newline written as an escape (`\x1b`, `\x9b`).
pub fn neutralised(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.contains(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_are_shown_not_sent() {
        assert_eq!(super::neutralised("a\x1b[2Jb\u{9b}c\td\n"), "a\\x1b[2Jb\\x9bc\td\n");
        assert!(matches!(super::neutralised("plain"), std::borrow::Cow::Borrowed(_)));
    }
}

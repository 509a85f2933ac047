//! Anchors in code that moves: a lambda is lowered where it stands, then its text is taken back and placed
//! inside the expression that holds it, at a column not known yet. Its statements' anchors travel with it as
//! Rhai comments (`/*@3*/`, ignored by Rhai) and are found again once the cell's lines are final.

use super::Anchor;

/// The comment that carries anchor `id`.
pub(crate) fn placeholder(id: usize) -> String {
    format!("/*@{id}*/")
}

/// Put each anchor's placeholder into `text` at its character offset (the anchor's own column is not final),
/// numbering them from `first`; returns the anchors to find later.
pub(crate) fn carry(text: &mut String, anchors: Vec<(usize, Anchor)>, first: usize) -> Vec<(usize, Anchor)> {
    let mut out = Vec::new();
    let mut sorted: Vec<_> = anchors.into_iter().enumerate().collect();
    sorted.sort_by_key(|(_, (offset, _))| std::cmp::Reverse(*offset));
    for (k, (offset, anchor)) in sorted {
        let byte = text.char_indices().nth(offset).map_or(text.len(), |(b, _)| b);
        text.insert_str(byte, &placeholder(first + k));
        out.push((first + k, anchor));
    }
    out
}

/// The anchors carried in `lines`, at the line and column right after their placeholder.
pub(crate) fn resolve(lines: &[String], carried: Vec<(usize, Anchor)>) -> Vec<Anchor> {
    carried
        .into_iter()
        .filter_map(|(id, mut anchor)| {
            let mark = placeholder(id);
            let (l, byte) = lines.iter().enumerate().find_map(|(l, text)| text.find(&mark).map(|b| (l, b)))?;
            anchor.line = l + 1;
            anchor.rhai_column = lines[l][..byte + mark.len()].chars().count() + 1;
            Some(anchor)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_carried_anchor_is_found_where_its_text_landed() {
        let a = Anchor { line: 1, source_line: 1, rhai_column: 0, column: 5, function: Some("<lambda>".into()) };
        let mut text = "|x| { return x; () }".to_string();
        let carried = carry(&mut text, vec![(6, a)], 0);
        assert_eq!(text, "|x| { /*@0*/return x; () }");
        let lines = vec![String::new(), format!("w = f({text});")];
        let found = resolve(&lines, carried);
        assert_eq!((found[0].line, found[0].rhai_column), (2, 19));
        assert_eq!(lines[1].chars().nth(18), Some('r'));
    }
}

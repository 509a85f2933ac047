//! `# %%` cells (the VS Code / Jupytext / Spyder convention): each is a step; the comment lines right after
//! a marker are its title and narration. Without markers the whole file is one step.

/// One cell of a Python file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The step's title: the marker's text, else the first comment line after it.
    pub title: String,
    /// The remaining comment lines right after the marker.
    pub narration: String,
    /// 1-based line of the marker (the first line of the file without markers).
    pub marker_line: usize,
    /// 1-based first line of the cell (its marker, if any).
    pub first_line: usize,
    /// 1-based last line.
    pub last_line: usize,
    /// The cell's lines as written.
    pub source: String,
}

/// Whether a line is a cell marker (`# %%`, `#%%`, optionally followed by a title).
fn marker(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let rest = t.strip_prefix("# %%").or_else(|| t.strip_prefix("#%%"))?;
    (line.len() == t.len()).then(|| rest.trim())
}

/// Split a file into cells. Lines before the first marker that hold code form a cell of their own.
pub fn split_cells(source: &str) -> Vec<Cell> {
    let lines: Vec<&str> = source.lines().collect();
    let mut starts: Vec<usize> =
        lines.iter().enumerate().filter(|(_, l)| marker(l).is_some()).map(|(i, _)| i).collect();
    let preamble_has_code = starts
        .first()
        .is_none_or(|&first| lines[..first].iter().any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')));
    if preamble_has_code {
        starts.insert(0, usize::MAX);
    }
    let mut cells = Vec::new();
    for (k, &start) in starts.iter().enumerate() {
        let first = if start == usize::MAX { 0 } else { start };
        let end = starts.get(k + 1).copied().unwrap_or(lines.len());
        let (mut title, mut narration) = (String::new(), Vec::new());
        // The comment lines opening a cell (or the file, before its first marker) title and narrate it.
        let comments = if start == usize::MAX { 0 } else { start + 1 };
        if start != usize::MAX {
            title = marker(lines[start]).unwrap_or_default().to_string();
        } else if starts.len() > 1 {
            title = "Top of the file".into();
        }
        for l in &lines[comments..end] {
            let Some(text) = l.trim_start().strip_prefix('#') else { break };
            let text = text.strip_prefix(' ').unwrap_or(text).trim_end();
            if title.is_empty() {
                title = text.to_string();
            } else {
                narration.push(text);
            }
        }
        if title.is_empty() {
            title = if starts.len() == 1 { "the whole file".into() } else { format!("cell {}", k + 1) };
        }
        cells.push(Cell {
            title,
            narration: narration.join(" ").trim().to_string(),
            marker_line: first + 1,
            first_line: first + 1,
            last_line: end.max(first + 1),
            source: lines[first..end].join("\n"),
        });
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_split_steps_and_their_comments_title_them() {
        let src =
            "import gc\n# %% Make a cycle\n# two nodes\n# point at each other\na = 1\n#%%\n# Collect\ngc.collect()\n";
        let cells = split_cells(src);
        assert_eq!(cells.len(), 3);
        assert_eq!((cells[0].first_line, cells[0].last_line, &cells[0].title[..]), (1, 1, "Top of the file"));
        assert_eq!(cells[1].title, "Make a cycle");
        assert_eq!(cells[1].narration, "two nodes point at each other");
        assert_eq!((cells[1].first_line, cells[1].last_line), (2, 5));
        assert_eq!(cells[2].title, "Collect");
        assert_eq!(cells[2].source, "#%%\n# Collect\ngc.collect()");
        let described = split_cells("# Two nodes\n# in a cycle.\nimport gc\n# %% Go\ngc.collect()\n");
        assert_eq!(described[0].narration, "Two nodes in a cycle.");
    }

    #[test]
    fn a_file_without_markers_is_one_step() {
        let cells = split_cells("a = 1\nb = 2\n");
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].title, "the whole file");
        assert_eq!((cells[0].first_line, cells[0].last_line), (1, 2));
    }
}

//! One theme for every panel: colours when the terminal may use them, and a monochrome fallback (bold,
//! reversed, underlined) when `NO_COLOR` is set (<https://no-color.org>).

use ratatui::style::{Color, Modifier, Style};

/// The styles the views use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    /// Whether colours are used at all.
    pub color: bool,
}

impl Theme {
    /// Colours unless `NO_COLOR` is set to anything non-empty.
    pub fn from_env() -> Theme {
        Theme::for_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// The theme for a `NO_COLOR` value (`None`: unset).
    pub fn for_no_color(value: Option<&std::ffi::OsStr>) -> Theme {
        Theme { color: value.is_none_or(|v| v.is_empty()) }
    }

    fn pick(&self, color: Style, mono: Style) -> Style {
        if self.color { color } else { mono }
    }

    /// Ordinary text.
    pub fn text(&self) -> Style {
        Style::new()
    }

    /// Less important text (labels, units).
    pub fn dim(&self) -> Style {
        self.pick(Style::new().fg(Color::DarkGray), Style::new().add_modifier(Modifier::DIM))
    }

    /// Headings and the focused panel's border.
    pub fn title(&self) -> Style {
        self.pick(Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD), Style::new().add_modifier(Modifier::BOLD))
    }

    /// An unfocused panel's border.
    pub fn border(&self) -> Style {
        self.dim()
    }

    /// The focused panel's border.
    pub fn focus(&self) -> Style {
        self.pick(Style::new().fg(Color::Cyan), Style::new().add_modifier(Modifier::BOLD))
    }

    /// The selected row, the current line.
    pub fn selected(&self) -> Style {
        self.pick(Style::new().bg(Color::Blue).fg(Color::White), Style::new().add_modifier(Modifier::REVERSED))
    }

    /// Something to notice (the event at the cursor, a changed value).
    pub fn accent(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    /// Bytes held from the OS (the Timeline's top line, the Memory view's held parts).
    pub fn held(&self) -> Style {
        self.pick(Style::new().fg(Color::Magenta), Style::new())
    }

    /// Good news (an expectation that held).
    pub fn good(&self) -> Style {
        self.pick(Style::new().fg(Color::Green), Style::new())
    }

    /// Bad news (a failed expectation, an error, garbage).
    pub fn bad(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    /// Keys in the key bar and help.
    pub fn key(&self) -> Style {
        self.pick(Style::new().fg(Color::Black).bg(Color::Gray), Style::new().add_modifier(Modifier::REVERSED))
    }

    /// The block sizes each class colour covers in the pool map (`Theme::class`): up to 64, 128, 256, 512.
    pub const CLASS_BANDS: [u32; 4] = [64, 128, 256, 512];

    /// A pool's colour by its blocks' size (`None`: never used): the map's character says how full it is,
    /// its colour which size class it serves.
    pub fn class(&self, block_size: Option<u32>) -> Style {
        if !self.color {
            return Style::new();
        }
        let c = match block_size {
            None => Color::DarkGray,
            Some(s) if s <= Self::CLASS_BANDS[0] => Color::Cyan,
            Some(s) if s <= Self::CLASS_BANDS[1] => Color::Green,
            Some(s) if s <= Self::CLASS_BANDS[2] => Color::Yellow,
            Some(_) => Color::Magenta,
        };
        Style::new().fg(c)
    }

    /// A part of the memory ledger, in the Memory view's bar and legend: its character (distinct without
    /// colour too) and colour. Live parts are solid, what is held but unused is shaded lighter.
    pub fn part(&self, part: crate::heap::Part) -> (char, Style) {
        use crate::heap::Part;
        let (ch, c) = match part {
            Part::Live => ('█', Color::Green),
            Part::Rounding => ('▓', Color::LightGreen),
            Part::Raw => ('▆', Color::Cyan),
            Part::FreeLists => ('▒', Color::Yellow),
            Part::FreeInPools => ('░', Color::Magenta),
            Part::EmptyPools => ('▚', Color::Blue),
            Part::FreeArenas => ('▞', Color::Red),
            Part::PoolHeaders => ('▪', Color::Gray),
            Part::Quantization => (':', Color::Gray),
            Part::ArenaAlignment => ('·', Color::DarkGray),
        };
        (ch, if self.color { Style::new().fg(c) } else { Style::new() })
    }

    /// The character of a heat-map cell at `fill`: `·` empty, then `░▒▓█`.
    pub fn heat_char(fill: f64) -> char {
        match fill {
            f if f <= 0.0 => '·',
            f if f < 0.34 => '░',
            f if f < 0.67 => '▒',
            f if f < 1.0 => '▓',
            _ => '█',
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Theme;
    use ratatui::style::Modifier;

    #[test]
    fn no_color_means_no_colour_but_still_visible_selection() {
        assert!(Theme::for_no_color(None).color);
        assert!(Theme::for_no_color(Some("".as_ref())).color, "an empty NO_COLOR does not count");
        let mono = Theme::for_no_color(Some("1".as_ref()));
        assert!(!mono.color);
        assert_eq!(mono.selected().fg, None);
        assert!(mono.selected().add_modifier.contains(Modifier::REVERSED));
        assert_eq!(Theme::heat_char(0.0), '·');
        assert_eq!(Theme::heat_char(1.0), '█');
    }
}

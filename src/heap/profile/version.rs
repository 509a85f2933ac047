//! The CPython versions heapscope simulates, how users name them, and which real interpreter each was checked
//! against.
//!
//! A version is a *behaviour*, not a release: 3.14 is three of them, because the incremental collector of
//! 3.14.0 changed in 3.14.1 (the increment sizing backported by PR #140447) and was replaced by 3.13's
//! generational collector in 3.14.5 (gh-148726, PR #148720; What's New in 3.15).

use std::fmt;
use std::str::FromStr;

/// The CPython behaviours heapscope can simulate (64-bit Linux builds with pymalloc), oldest first; the order
/// is the release order, so `version >= V3_12` reads as "3.12 and later".
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Hash)]
pub enum PyVersion {
    /// CPython 3.8 (observed on 3.8.18).
    V3_8,
    /// CPython 3.9 (observed on 3.9.18).
    V3_9,
    /// CPython 3.10 (observed on 3.10.13).
    V3_10,
    /// CPython 3.11 (observed on 3.11.7).
    V3_11,
    /// CPython 3.12 (observed on 3.12.1).
    V3_12,
    /// CPython 3.13 (observed on 3.13.0).
    V3_13,
    /// CPython 3.14.0: the incremental collector as first released. From source only.
    V3_14_0,
    /// CPython 3.14.1-3.14.4: the incremental collector counting tracked objects (PR #140447). Layout-free
    /// facts observed on Pyodide's 3.14.2; sizes assumed unchanged from 3.13.
    V3_14_1,
    /// CPython 3.14.5 and later: 3.13's generational collector restored (gh-148726). From source only.
    V3_14_5,
    /// CPython 3.15: generational. Layout-free facts observed on Pyodide's 3.15.0rc1; sizes assumed as 3.14.
    V3_15,
}

/// An unknown version name; lists the ones heapscope knows.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "unknown CPython profile `{0}` (known: 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14.0, 3.14.1-3.14.4, 3.14.5+ (or 3.14), 3.15)"
)]
pub struct UnknownProfile(pub String);

impl PyVersion {
    /// All supported versions, oldest first.
    pub const ALL: [PyVersion; 10] = [
        Self::V3_8,
        Self::V3_9,
        Self::V3_10,
        Self::V3_11,
        Self::V3_12,
        Self::V3_13,
        Self::V3_14_0,
        Self::V3_14_1,
        Self::V3_14_5,
        Self::V3_15,
    ];

    /// The profile's name as `heapscope profiles` lists it, e.g. `"3.13"` or `"3.14.1-3.14.4"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V3_8 => "3.8",
            Self::V3_9 => "3.9",
            Self::V3_10 => "3.10",
            Self::V3_11 => "3.11",
            Self::V3_12 => "3.12",
            Self::V3_13 => "3.13",
            Self::V3_14_0 => "3.14.0",
            Self::V3_14_1 => "3.14.1-3.14.4",
            Self::V3_14_5 => "3.14.5+",
            Self::V3_15 => "3.15",
        }
    }

    /// `sys.version_info[:2]`: the minor series, `(3, 14)` for each 3.14 behaviour.
    pub fn version_info(self) -> (u32, u32) {
        match self {
            Self::V3_8 => (3, 8),
            Self::V3_9 => (3, 9),
            Self::V3_10 => (3, 10),
            Self::V3_11 => (3, 11),
            Self::V3_12 => (3, 12),
            Self::V3_13 => (3, 13),
            Self::V3_14_0 | Self::V3_14_1 | Self::V3_14_5 => (3, 14),
            Self::V3_15 => (3, 15),
        }
    }

    /// The series as interpreters are named (`python3.14`), e.g. `"3.14"`.
    pub fn series(self) -> String {
        let (major, minor) = self.version_info();
        format!("{major}.{minor}")
    }

    /// The profile of a release: `3.14.2` is the 3.14.1-3.14.4 behaviour, `3.15.0rc1` is 3.15; a series
    /// alone (`3.14`) means its newest behaviour. `None` for a release heapscope does not simulate.
    pub fn of_release(release: &str) -> Option<PyVersion> {
        let mut parts = release.split('.');
        let (major, minor) = (parts.next()?, parts.next()?);
        let minor: String = minor.chars().take_while(char::is_ascii_digit).collect();
        let micro: Option<u32> = parts
            .next()
            .map(|m| m.chars().take_while(char::is_ascii_digit).collect::<String>())
            .and_then(|m| m.parse().ok());
        let series = format!("{major}.{minor}");
        let newest = Self::ALL.into_iter().rev().find(|v| v.series() == series)?;
        if newest.version_info() != (3, 14) {
            return Some(newest);
        }
        Some(match micro {
            Some(0) => Self::V3_14_0,
            Some(1..=4) => Self::V3_14_1,
            _ => Self::V3_14_5,
        })
    }

    /// Whether the collector is 3.14.0-3.14.4's incremental one.
    pub fn incremental_gc(self) -> bool {
        matches!(self, Self::V3_14_0 | Self::V3_14_1)
    }

    /// What this profile's facts were checked against, as `heapscope profiles` says it.
    pub fn checked_against(self) -> &'static str {
        match self {
            Self::V3_8 => "CPython 3.8.18",
            Self::V3_9 => "CPython 3.9.18",
            Self::V3_10 => "CPython 3.10.13",
            Self::V3_11 => "CPython 3.11.7",
            Self::V3_12 => "CPython 3.12.1",
            Self::V3_13 => "CPython 3.13.0",
            Self::V3_14_0 => "source only",
            Self::V3_14_1 => "Pyodide 3.14.2 (no sizes)",
            Self::V3_14_5 => "source only",
            Self::V3_15 => "Pyodide 3.15.0rc1 (no sizes)",
        }
    }
}

impl fmt::Display for PyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PyVersion {
    type Err = UnknownProfile;
    /// Accepts a profile name as listed (`3.14.1-3.14.4`, `3.14.5+`), a series (`3.13`, `python3.13`) or a
    /// release (`3.8.18`, `3.14.2`, `3.15.0rc1`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let short = s.strip_prefix("python").unwrap_or(s);
        let named = Self::ALL.into_iter().find(|v| v.as_str() == short);
        named.or_else(|| Self::of_release(short)).ok_or_else(|| UnknownProfile(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::PyVersion::{self, *};

    #[test]
    fn parses_series_releases_and_listed_names() {
        for (name, want) in [
            ("3.13", V3_13),
            ("3.8.18", V3_8),
            ("python3.11", V3_11),
            ("3.9", V3_9),
            ("3.9.18", V3_9),
            ("3.14", V3_14_5),
            ("3.14.0", V3_14_0),
            ("3.14.2", V3_14_1),
            ("3.14.4", V3_14_1),
            ("3.14.5", V3_14_5),
            ("3.14.12", V3_14_5),
            ("3.14.1-3.14.4", V3_14_1),
            ("3.14.5+", V3_14_5),
            ("3.15.0rc1", V3_15),
            ("3.15", V3_15),
        ] {
            assert_eq!(name.parse::<PyVersion>(), Ok(want), "{name}");
        }
        for bad in ["3.1", "3.7", "3.16", "3", "", "x.y"] {
            assert!(bad.parse::<PyVersion>().is_err(), "{bad}: 3.1 must not match 3.10 or 3.11");
        }
    }

    #[test]
    fn every_listed_name_parses_back_to_itself() {
        for v in PyVersion::ALL {
            assert_eq!(v.as_str().parse::<PyVersion>(), Ok(v));
        }
    }
}

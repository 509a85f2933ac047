//! The Objects panel's filter: `type=list refcount>1 gen=2`, every term must hold.
//!
//! A term is `field op value` with `op` one of `= != > < >= <= ~` (`~`: contains); a bare word is a type name,
//! or one of the flags `tracked untracked immortal garbage named`. `arena=7` keeps the objects with a block
//! (their own or their storage: a list's item array, a dict's keys) in arena 7.

use std::fmt;

/// What a row offers the filter.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    /// The slot number (`#12`).
    pub id: u64,
    /// `type(x).__name__`.
    pub type_name: &'a str,
    /// `ob_refcnt`.
    pub refcount: u64,
    /// `sys.getsizeof`.
    pub size: u64,
    /// `0`, `1`, `2`, `frozen`, `untracked`, `immortal`, `candidate`, `young`, `old`.
    pub generation: &'a str,
    /// Weak references to it.
    pub weakrefs: u64,
    /// Names bound to it.
    pub names: &'a [&'a str],
    /// Tracked by the collector.
    pub tracked: bool,
    /// In `gc.garbage`.
    pub garbage: bool,
    /// The arenas of its pymalloc blocks: its own and its storage's (`None`: not in an arena).
    pub arenas: [Option<u32>; 2],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Contains,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Id,
    Type,
    Refcount,
    Size,
    Gen,
    Weak,
    Name,
    Arena,
}

#[derive(Clone, Debug, PartialEq)]
enum Term {
    Compare(Field, Op, String),
    Flag(&'static str),
}

/// A parsed filter.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Query {
    terms: Vec<Term>,
}

/// Why a filter does not parse, in words for the filter bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError(pub String);

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const FIELDS: &str = "type, refcount, size, gen, weak, name, id, arena";
const FLAGS: [&str; 5] = ["tracked", "untracked", "immortal", "garbage", "named"];

fn field(name: &str) -> Option<Field> {
    Some(match name.to_ascii_lowercase().as_str() {
        "id" => Field::Id,
        "type" | "t" => Field::Type,
        "refcount" | "refcnt" | "rc" | "refs" => Field::Refcount,
        "size" | "sizeof" => Field::Size,
        "gen" | "generation" => Field::Gen,
        "weak" | "weakrefs" => Field::Weak,
        "name" | "names" => Field::Name,
        "arena" => Field::Arena,
        _ => return None,
    })
}

impl Query {
    /// Parse `text`; an empty text matches everything.
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        let mut terms = Vec::new();
        for word in text.split_whitespace() {
            let at = word.find(['=', '!', '>', '<', '~']);
            let Some(at) = at else {
                let lower = word.to_ascii_lowercase();
                terms.push(match FLAGS.iter().find(|f| **f == lower) {
                    Some(f) => Term::Flag(f),
                    None => Term::Compare(Field::Type, Op::Eq, word.to_string()),
                });
                continue;
            };
            let (name, rest) = word.split_at(at);
            let (op, value) = [
                (">=", Op::Ge),
                ("<=", Op::Le),
                ("!=", Op::Ne),
                ("=", Op::Eq),
                (">", Op::Gt),
                ("<", Op::Lt),
                ("~", Op::Contains),
            ]
            .iter()
            .find_map(|(s, op)| rest.strip_prefix(s).map(|v| (*op, v)))
            .ok_or_else(|| QueryError(format!("`{word}`: expected one of = != > < >= <= ~ after `{name}`")))?;
            let f = field(name).ok_or_else(|| QueryError(format!("unknown field `{name}` (fields: {FIELDS})")))?;
            let value = value.trim_start_matches('#');
            if value.is_empty() {
                return Err(QueryError(format!("`{word}`: a value is missing after the operator")));
            }
            let numeric = matches!(f, Field::Id | Field::Refcount | Field::Size | Field::Weak | Field::Arena);
            if numeric && op != Op::Contains && value.parse::<u64>().is_err() {
                return Err(QueryError(format!("`{name}` compares numbers; `{value}` is not one")));
            }
            terms.push(Term::Compare(f, op, value.to_string()));
        }
        Ok(Query { terms })
    }

    /// No terms: everything matches.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether a row passes every term.
    pub fn matches(&self, r: &Facts) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Flag(flag) => match *flag {
                "tracked" => r.tracked,
                "untracked" => !r.tracked,
                "immortal" => r.generation == "immortal",
                "garbage" => r.garbage,
                _ => !r.names.is_empty(),
            },
            Term::Compare(f, op, v) => match f {
                Field::Id => number(r.id, *op, v),
                Field::Refcount => number(r.refcount, *op, v),
                Field::Size => number(r.size, *op, v),
                Field::Weak => number(r.weakrefs, *op, v),
                Field::Type => text(r.type_name, *op, v),
                // `gc.freeze()` puts objects in the permanent generation; the table says frozen.
                Field::Gen if v.eq_ignore_ascii_case("permanent") => text(r.generation, *op, "frozen"),
                Field::Gen => text(r.generation, *op, v),
                Field::Arena => {
                    let mut arenas = r.arenas.iter().flatten().map(|&a| u64::from(a));
                    match op {
                        Op::Ne => arenas.all(|a| number(a, Op::Ne, v)),
                        _ => arenas.any(|a| number(a, *op, v)),
                    }
                }
                Field::Name => match op {
                    Op::Ne => r.names.iter().all(|n| !text(n, Op::Eq, v)),
                    _ => r.names.iter().any(|n| text(n, *op, v)),
                },
            },
        })
    }
}

fn number(x: u64, op: Op, v: &str) -> bool {
    let Ok(v) = v.parse::<u64>() else { return op == Op::Contains && x.to_string().contains(v) };
    match op {
        Op::Eq => x == v,
        Op::Ne => x != v,
        Op::Gt => x > v,
        Op::Lt => x < v,
        Op::Ge => x >= v,
        Op::Le => x <= v,
        Op::Contains => x.to_string().contains(&v.to_string()),
    }
}

fn text(x: &str, op: Op, v: &str) -> bool {
    let (x, v) = (x.to_ascii_lowercase(), v.to_ascii_lowercase());
    match op {
        Op::Eq => x == v,
        Op::Ne => x != v,
        Op::Contains => x.contains(&v),
        Op::Gt => x > v,
        Op::Lt => x < v,
        Op::Ge => x >= v,
        Op::Le => x <= v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(names: &'a [&'a str]) -> Facts<'a> {
        Facts {
            id: 12,
            type_name: "list",
            refcount: 2,
            size: 88,
            generation: "2",
            weakrefs: 0,
            names,
            tracked: true,
            garbage: false,
            arenas: [Some(3), Some(5)],
        }
    }

    #[track_caller]
    fn case(q: &str, want: bool) {
        let r = facts(&["a", "items"]);
        assert_eq!(Query::parse(q).unwrap().matches(&r), want, "{q}");
    }

    #[test]
    fn terms_combine_and_compare_by_kind() {
        case("", true);
        case("type=list refcount>1 gen=2", true);
        case("type=list refcount>2", false);
        case("list", true);
        case("List size>=88 size<=88", true);
        case("name=items", true);
        case("name~ite weak=0", true);
        case("name!=a", false);
        case("id=#12 tracked", true);
        case("untracked", false);
        case("named", true);
        case("gen=frozen", false);
        case("gen!=frozen", true);
        case("gen=permanent", false);
        case("gen!=permanent", true);
        case("type~is", true);
        case("dict", false);
        case("arena=5", true);
        case("arena=3", true);
        case("arena=4", false);
        case("arena!=4", true);
        case("arena!=3", false);
    }

    #[test]
    fn mistakes_are_explained() {
        let err = |q| Query::parse(q).unwrap_err().0;
        assert_eq!(
            err("colour=red"),
            "unknown field `colour` (fields: type, refcount, size, gen, weak, name, id, arena)"
        );
        assert_eq!(err("refcount>many"), "`refcount` compares numbers; `many` is not one");
        assert_eq!(err("size="), "`size=`: a value is missing after the operator");
        assert_eq!(err("size!5"), "`size!5`: expected one of = != > < >= <= ~ after `size`");
    }
}

//! `str % values` (printf-style, `Objects/unicodeobject.c` `PyUnicode_Format`) and `str.format(...)`, for
//! the conversions people write; both make a new str, and anything else is refused by name.

use super::super::args::RResult;
use super::super::handle::PyObj;
use super::super::runtime::Rt;
use super::ops::items;
use super::text::{format_spec, repr, str_text};
use super::{int_value, obj};
use crate::heap::{Heap, Kind, Value};
use rhai::{Dynamic, Map};

/// The values a `%` formats: a tuple's items, or the one value.
fn values(rt: &Rt, v: &Dynamic) -> RResult<Vec<Dynamic>> {
    let ids = {
        let h = rt.heap.borrow();
        match obj(v).filter(|&id| h.get(id).is_ok_and(|o| o.kind() == Kind::Tuple)) {
            Some(id) => Some(items(&h, id)?),
            None => None,
        }
    };
    Ok(match ids {
        Some(ids) => ids.into_iter().map(|i| Dynamic::from(PyObj::borrowed(rt, i))).collect(),
        None => vec![v.clone()],
    })
}

/// `fmt % args`.
pub(crate) fn percent(rt: &Rt, fmt: &str, args: &Dynamic) -> RResult<String> {
    let mapping = obj(args).is_some_and(|id| rt.heap.borrow().get(id).is_ok_and(|o| o.kind() == Kind::Dict));
    if mapping {
        return Err("`%(name)s` formatting with a dict is not simulated yet: use an f-string".into());
    }
    let args = values(rt, args)?;
    let h = &*rt.heap.borrow();
    let mut next = args.iter();
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // %[flags][width][.precision]type
        let mut spec = String::new();
        while let Some(&f) = chars.peek().filter(|f| matches!(f, '-' | '+' | ' ' | '0' | '#')) {
            spec.push(f);
            chars.next();
        }
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit() || **d == '.') {
            spec.push(d);
            chars.next();
        }
        let ty = chars.next().ok_or("ValueError: incomplete format")?;
        if ty == '%' && spec.is_empty() {
            out.push('%');
            continue;
        }
        let v = next.next().ok_or("TypeError: not enough arguments for format string")?;
        out += &convert(h, &spec, ty, v)?;
    }
    if next.next().is_some() {
        return Err("TypeError: not all arguments converted during string formatting".into());
    }
    Ok(out)
}

/// One `%` conversion, through `format()`'s spec: `%5s` is right-aligned (`>5`), `%-5s` left.
fn convert(h: &Heap, flags: &str, ty: char, v: &Dynamic) -> RResult<String> {
    if flags.contains('#') || flags.contains('*') {
        return Err(format!("the `%` flags '{flags}' are not simulated yet").into());
    }
    let left = flags.contains('-');
    let sign = if flags.contains('+') {
        "+"
    } else if flags.contains(' ') {
        " "
    } else {
        ""
    };
    let rest = flags.trim_start_matches(['-', '+', ' ', '0']);
    let zero = flags.trim_start_matches(['-', '+', ' ']).starts_with('0') && !left;
    let align = if left { "<" } else { ">" };
    match ty {
        's' | 'r' => {
            super::text::check_text_size(h, v)?;
            let text = if ty == 's' { str_text(h, v) } else { repr(h, v) };
            let as_str = Dynamic::from(rhai::ImmutableString::from(text));
            format_spec(h, &as_str, &format!("{align}{rest}"))
        }
        'd' | 'i' | 'f' | 'F' => {
            let value = match (ty, obj(v).and_then(|id| h.value(id).ok().flatten())) {
                // `%d` of a float truncates it, as int() does.
                ('d' | 'i', Some(Value::Float(f))) => Dynamic::from(f.trunc() as i64),
                (_, Some(Value::Int(_) | Value::Float(_))) => v.clone(),
                _ if v.is_bool() || int_value(h, v).is_some() => v.clone(),
                _ => return Err(format!("TypeError: %{ty} format: a real number is required").into()),
            };
            let ty = if ty == 'i' { 'd' } else { ty.to_ascii_lowercase() };
            let zero = if zero { "0" } else { "" };
            let align = if zero.is_empty() { align } else { "" };
            format_spec(h, &value, &format!("{align}{sign}{zero}{rest}{ty}"))
        }
        other => Err(format!("the `%{other}` conversion is not simulated yet").into()),
    }
}

/// `fmt.format(*args, **kw)`: `{}`, `{0}`, `{name}`, each with `!r`/`!s` and a `:spec`; `{{` and `}}`.
pub(crate) fn format(h: &Heap, fmt: &str, args: &[Dynamic], kw: &Map) -> RResult<String> {
    let mut out = String::new();
    let mut auto = 0;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('{', Some('{')) | ('}', Some('}')) => {
                out.push(c);
                chars.next();
            }
            ('}', _) => return Err("ValueError: Single '}' encountered in format string".into()),
            ('{', _) => {
                let mut field = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    field.push(d);
                }
                let (name, spec) = field.split_once(':').unwrap_or((&field, ""));
                let (name, conv) = name.split_once('!').map_or((name, None), |(n, c)| (n, Some(c)));
                if spec.contains('{') || name.contains(['.', '[']) {
                    return Err(format!("the format field '{{{field}}}' is not simulated yet").into());
                }
                let v = if name.is_empty() {
                    auto += 1;
                    args.get(auto - 1).ok_or("IndexError: Replacement index out of range for positional args tuple")?
                } else if let Ok(i) = name.parse::<usize>() {
                    args.get(i).ok_or("IndexError: Replacement index out of range for positional args tuple")?
                } else {
                    kw.get(name).ok_or_else(|| format!("KeyError: '{name}'"))?
                };
                let text = match conv {
                    None => format_spec(h, v, spec)?,
                    Some("r") => format_spec(h, &Dynamic::from(rhai::ImmutableString::from(repr(h, v))), spec)?,
                    Some("s") => format_spec(h, &Dynamic::from(rhai::ImmutableString::from(str_text(h, v))), spec)?,
                    Some(other) => return Err(format!("the conversion '!{other}' is not simulated yet").into()),
                };
                out += &text;
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

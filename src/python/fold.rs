//! Constant folding, as CPython's AST optimizer does it (`Python/ast_opt.c`, `fold_binop`): arithmetic whose
//! operands are all constants becomes one constant of the code object, so `x = 2 ** 10` binds a constant
//! (held by the code and the parse arena), not a new int. What the optimizer folds and heapscope cannot
//! compute the same way is refused rather than computed at run time.

use ruff_python_ast::{Expr, Number, Operator, UnaryOp};

/// A folded constant.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Folded {
    Int(i128),
    Float(f64),
    Str(String),
}

/// `MAX_INT_SIZE` and `MAX_STR_SIZE` of ast_opt.c: larger results are left to run time there.
const MAX_INT_BITS: u32 = 128;
const MAX_STR_SIZE: usize = 4096;

/// Whether `e` is arithmetic over constants only, which the optimizer folds (or tries to).
pub(crate) fn is_foldable(e: &Expr) -> bool {
    match e {
        Expr::BinOp(b) => operand(&b.left) && operand(&b.right),
        _ => false,
    }
}

fn operand(e: &Expr) -> bool {
    match e {
        Expr::NumberLiteral(n) => !matches!(n.value, Number::Complex { .. }),
        Expr::StringLiteral(_) => true,
        Expr::UnaryOp(u) => matches!(u.op, UnaryOp::USub | UnaryOp::UAdd) && operand(&u.operand),
        other => is_foldable(other),
    }
}

/// The value of a foldable expression; `Err` names what is folded by CPython but not here, `Ok(None)` what
/// CPython leaves to run time too (a division by zero, a result over the optimizer's size limits).
pub(crate) fn fold(e: &Expr) -> Result<Option<Folded>, &'static str> {
    Ok(Some(match e {
        Expr::NumberLiteral(n) => match &n.value {
            Number::Int(i) => match i.to_string().replace('_', "").parse() {
                Ok(v) => Folded::Int(v),
                Err(_) => return Err("integers beyond 128 bits are not simulated yet"),
            },
            Number::Float(f) => Folded::Float(*f),
            Number::Complex { .. } => return Err("complex numbers are not simulated"),
        },
        Expr::StringLiteral(s) => Folded::Str(s.value.to_str().to_string()),
        Expr::UnaryOp(u) => match (u.op, fold(&u.operand)?) {
            (_, None) => return Ok(None),
            (UnaryOp::UAdd, Some(v @ (Folded::Int(_) | Folded::Float(_)))) => v,
            (UnaryOp::USub, Some(Folded::Int(i))) => Folded::Int(-i),
            (UnaryOp::USub, Some(Folded::Float(f))) => Folded::Float(-f),
            _ => return Ok(None),
        },
        Expr::BinOp(b) => match (fold(&b.left)?, fold(&b.right)?) {
            (Some(l), Some(r)) => return binop(b.op, l, r),
            _ => return Ok(None),
        },
        _ => return Ok(None),
    }))
}

fn bits(i: i128) -> u32 {
    128 - i.unsigned_abs().leading_zeros()
}

fn binop(op: Operator, l: Folded, r: Folded) -> Result<Option<Folded>, &'static str> {
    use Folded::{Float, Int, Str};
    let unsupported = "arithmetic on constants that CPython folds at compile time, of these types or with \
                       this operator, is not simulated yet";
    Ok(match (op, l, r) {
        (Operator::Add, Int(a), Int(b)) => a.checked_add(b).map(Int),
        (Operator::Sub, Int(a), Int(b)) => a.checked_sub(b).map(Int),
        (Operator::Mult, Int(a), Int(b)) => a.checked_mul(b).map(Int),
        (Operator::FloorDiv, Int(_), Int(0)) | (Operator::Mod, Int(_), Int(0)) => None,
        (Operator::FloorDiv, Int(a), Int(b)) => Some(Int(a.div_euclid(b) - i128::from(b < 0 && a.rem_euclid(b) != 0))),
        (Operator::Mod, Int(a), Int(b)) => {
            Some(Int(a - b * (a.div_euclid(b) - i128::from(b < 0 && a.rem_euclid(b) != 0))))
        }
        (Operator::Pow, Int(a), Int(b)) if b >= 0 => {
            // safe_power: left to run time when the result could pass MAX_INT_SIZE bits.
            let fits = a == 0 || b == 0 || u32::try_from(b).is_ok_and(|b| bits(a).saturating_mul(b) <= MAX_INT_BITS);
            if !fits {
                return Ok(None);
            }
            a.checked_pow(b as u32).map(Int)
        }
        (Operator::LShift, Int(a), Int(b)) if (0..128).contains(&b) => {
            if a != 0 && bits(a) + b as u32 > MAX_INT_BITS {
                return Ok(None);
            }
            a.checked_shl(b as u32).filter(|v| v >> b == a).map(Int)
        }
        (Operator::RShift, Int(a), Int(b)) if b >= 0 => Some(Int(if b >= 128 { a >> 127 } else { a >> b })),
        (Operator::BitAnd, Int(a), Int(b)) => Some(Int(a & b)),
        (Operator::BitOr, Int(a), Int(b)) => Some(Int(a | b)),
        (Operator::BitXor, Int(a), Int(b)) => Some(Int(a ^ b)),
        (Operator::Add, Float(a), Float(b)) => Some(Float(a + b)),
        (Operator::Sub, Float(a), Float(b)) => Some(Float(a - b)),
        (Operator::Mult, Float(a), Float(b)) => Some(Float(a * b)),
        (Operator::Div, Float(_), Float(b)) if b.abs() == 0.0 => None,
        (Operator::Div, Float(a), Float(b)) => Some(Float(a / b)),
        (op, Int(a), Float(b)) if a.unsigned_abs() < 1 << 53 => return binop(op, Float(a as f64), Float(b)),
        (op, Float(a), Int(b)) if b.unsigned_abs() < 1 << 53 => return binop(op, Float(a), Float(b as f64)),
        (Operator::Div, Int(_), Int(0)) => None,
        (Operator::Div, Int(a), Int(b)) if a.unsigned_abs() < 1 << 53 && b.unsigned_abs() < 1 << 53 => {
            Some(Float(a as f64 / b as f64))
        }
        // safe_mod: `str % values` is left to run time.
        (Operator::Mod, Str(_), _) => None,
        (Operator::Add, Str(a), Str(b)) => {
            (a.chars().count() + b.chars().count() <= MAX_STR_SIZE).then(|| Str(a + b.as_str()))
        }
        (Operator::Mult, Str(s), Int(n)) | (Operator::Mult, Int(n), Str(s)) => {
            let n = n.max(0) as usize;
            if s.chars().count().saturating_mul(n) > MAX_STR_SIZE {
                return Ok(None);
            }
            Some(Str(s.repeat(n)))
        }
        _ => return Err(unsupported),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(src: &str) -> Result<Option<Folded>, &'static str> {
        let parsed = ruff_python_parser::parse_expression(src).unwrap();
        fold(&parsed.into_expr())
    }

    #[test]
    fn arithmetic_folds_with_pythons_rules() {
        assert_eq!(folded("2 ** 10"), Ok(Some(Folded::Int(1024))));
        assert_eq!(folded("-7 // 2"), Ok(Some(Folded::Int(-4))));
        assert_eq!(folded("7 // -2"), Ok(Some(Folded::Int(-4))));
        assert_eq!(folded("-7 % 3"), Ok(Some(Folded::Int(2))));
        assert_eq!(folded("7 % -3"), Ok(Some(Folded::Int(-2))));
        assert_eq!(folded("1 / 4"), Ok(Some(Folded::Float(0.25))));
        assert_eq!(folded("'ab' * 2 + 'c'"), Ok(Some(Folded::Str("ababc".into()))));
        assert_eq!(folded("1 / 0"), Ok(None), "left to run time, which raises");
        assert_eq!(folded("2 ** 1000"), Ok(None), "over MAX_INT_SIZE: computed at run time in CPython too");
        assert!(folded("2.5 // 1.0").is_err());
        assert_eq!(folded("'%d' % 3.5"), Ok(None), "safe_mod leaves str formatting to run time");
    }
}

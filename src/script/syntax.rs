//! Custom syntax: Python's `del name`, `del obj.attr` and `del container[key]`, and the statement hook.

use super::args::{RResult, obj_arg};
use super::handle::PyObj;
use super::runtime::{Rt, Runtime, to_rhai};
use super::stepping::{HOOK, Inject, STOPPED, Statement};
use crate::heap::Kind;
use rhai::{Dynamic, Engine, EvalContext, Expression, ImmutableString, ParseError};

/// The native function that runs pending finalizers and callbacks, for code that has no call context.
pub const RUN_CALLS: &str = "__heapscope_run_calls";

/// What one hook statement costs in operations (`a_viewer_listening_does_not_change_the_operation_count`).
const HOOK_OPERATIONS: u64 = 2;

/// Register `del` and the statement hook.
pub fn register(engine: &mut Engine, rt: &Rt) {
    let r = rt.clone();
    engine
        .register_custom_syntax([HOOK, "$int$"], false, move |ctx, inputs| statement(&r, ctx, inputs))
        .expect("the hook syntax is valid");
    let r = rt.clone();
    engine.register_fn(RUN_CALLS, move |ctx: rhai::NativeCallContext| Runtime::run_calls(&r, &ctx));
    let r = rt.clone();
    engine.register_custom_syntax_with_state_raw(
        "del",
        |symbols: &[ImmutableString],
         look_ahead: &str,
         state: &mut Dynamic|
         -> Result<Option<ImmutableString>, ParseError> {
            Ok(match symbols.len() {
                1 => Some("$ident$".into()),
                2 => match look_ahead {
                    "." => {
                        *state = "attr".into();
                        Some(".".into())
                    }
                    "[" => {
                        *state = "item".into();
                        Some("[".into())
                    }
                    _ => None,
                },
                3 if symbols[2] == "." => Some("$ident$".into()),
                3 => Some("$expr$".into()),
                4 if symbols[2] == "[" => Some("]".into()),
                _ => None,
            })
        },
        true,
        move |ctx: &mut EvalContext, inputs: &[Expression], state: &Dynamic| del(&r, ctx, inputs, state),
    );
}

/// A statement boundary: tell the hook, then do what it asks.
fn statement(rt: &Rt, ctx: &mut EvalContext, inputs: &[Expression]) -> RResult<Dynamic> {
    // The hook costs two operations (its statement and its literal) that a run nobody watches does not
    // have: given back, so the budget ends a run at the same operation whether or not a viewer listens.
    rt.budget.refund(HOOK_OPERATIONS);
    // Taken out while it runs, so statements its injected actions run are not reported to it.
    let Some(mut hook) = rt.statement_hook.borrow_mut().take() else { return Ok(Dynamic::UNIT) };
    rt.flush();
    let index = inputs[0].get_literal_value::<i64>().unwrap_or(-1);
    let index = usize::try_from(index).unwrap_or(usize::MAX);
    let site = rt.sites.borrow().get(index).cloned();
    let inject =
        site.and_then(|site| hook(&Statement { index, site: &site, depth: ctx.call_level(), scope: ctx.scope() }, rt));
    let done = match inject {
        Some(Inject::Collect(generation)) => {
            let collected = rt.heap.borrow_mut().gc_collect(i64::from(generation)).map_err(to_rhai);
            collected.and_then(|_| ctx.call_fn::<Dynamic>(RUN_CALLS, ()).map(|_| ()))
        }
        Some(Inject::Stop) => Err(STOPPED.into()),
        None => Ok(()),
    };
    *rt.statement_hook.borrow_mut() = Some(hook);
    done.map(|()| Dynamic::UNIT)
}

fn del(rt: &Rt, ctx: &mut EvalContext, inputs: &[Expression], state: &Dynamic) -> RResult<Dynamic> {
    let name = inputs[0].get_string_value().unwrap_or_default().to_string();
    let form = state.clone().into_string().unwrap_or_default();
    if form.is_empty() {
        // `del name`: the binding goes, and with it the name's reference.
        if ctx.scope_mut().remove::<Dynamic>(&name).is_none() {
            return Err(format!("NameError: name '{name}' is not defined").into());
        }
    } else {
        let target =
            ctx.scope().get_value::<PyObj>(&name).ok_or_else(|| format!("NameError: name '{name}' is not defined"))?;
        let obj = target.id();
        if form == "attr" {
            let attr = inputs[1].get_string_value().unwrap_or_default().to_string();
            rt.heap.borrow_mut().del_attr(obj, &attr).map_err(to_rhai)?;
        } else {
            let key = ctx.eval_expression_tree(&inputs[1])?;
            let mut h = rt.heap.borrow_mut();
            match h.get(obj).map_err(to_rhai)?.kind() {
                Kind::Dict => {
                    let k = obj_arg(&mut h, &key)?;
                    let r = h.dict_del(obj, k.id).map_err(to_rhai);
                    k.done(&mut h);
                    r?;
                }
                _ => {
                    let i = key.as_int().map_err(|_| "TypeError: list indices must be integers")?;
                    h.list_del(obj, i).map_err(to_rhai)?;
                }
            }
        }
        drop(target);
    }
    // Finalizers and callbacks the deletion made due run now, through the hidden native entry point.
    let _ = ctx.call_fn::<Dynamic>(RUN_CALLS, ())?;
    Ok(Dynamic::UNIT)
}

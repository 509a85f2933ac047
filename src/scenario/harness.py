"""heapscope verify's harness: run a scenario's Python step by step and print what CPython observes.

Two ways to run. A twin (a Rhai scenario's `python:` steps) is read as JSON from stdin,
{"setup": str | null, "steps": [str | null, ...], "gc_enabled": bool}, and run with exec() in one frame.
A Python scenario runs as a script of its own, as `python3 f.py` runs it (its parse arena holds its literals
while it runs, one reference more than under exec): heapscope writes this file, `_HEAPSCOPE_SCRIPT = True`
before it, then the setup, `_heapscope_start()`, each step followed by `_heapscope_step_done()`, and
`_heapscope_finish()`.

Output (stdout, JSON): one entry per step, mapping each user-bound global to its observations:
  {"refcount": sys.getrefcount(value), "sizeof": ..., "tracked": ..., "value": int | bool | null,
   "alive": bool | null (weakrefs only)}. gc.get_count() is not reported: the interpreter's own allocations,
and this harness's, move it in ways no program controls. Classes are observed (their refcount counts the
descriptors that point back at them); functions and modules are not.
Every name here starts with `_`, so none is observed in a script that includes it.
"""
import gc as _gc
import io as _io
import json as _json
import sys as _sys
import types as _types
import weakref as _weakref

_SKIP = (_types.ModuleType, _types.FunctionType, _types.BuiltinFunctionType)
_results = []


def _argument_references():
    """What `sys.getrefcount(v)` of a function's local `v` counts for the argument itself: 1, or 0 from 3.14,
    where a local is passed borrowed (LOAD_FAST_BORROW). At module level the argument always counts 1."""
    o = object()
    return _sys.getrefcount(o) - 1


def _observe(g):
    out = {}
    argument = _argument_references()
    for name in list(g):
        if name.startswith("_"):
            continue
        v = g[name]
        if isinstance(v, _SKIP):
            continue
        rc = _sys.getrefcount(v)
        # Immortal objects (3.12+) report a constant that their argument does not change.
        if hasattr(_sys, "_is_immortal"):
            immortal = _sys._is_immortal(v)
        else:
            immortal = _sys.version_info >= (3, 12) and rc >= (1 << 31)
        # As `sys.getrefcount(name)` at module level prints: the local `v` stands for the argument there.
        entry = {"refcount": rc if immortal else rc - argument}
        entry["sizeof"] = _sys.getsizeof(v)
        entry["tracked"] = _gc.is_tracked(v)
        # Keep the value's text, not the object: holding it would add a reference later steps would see.
        entry["value"] = repr(v) if isinstance(v, (bool, int)) else None
        entry["alive"] = (v() is not None) if isinstance(v, _weakref.ref) else None
        out[name] = entry
    return out


def _print_results(out):
    for step in _results:
        for entry in step.values():
            text = entry["value"]
            if text is not None:
                entry["value"] = text == "True" if text in ("True", "False") else int(text)
    out.write(_json.dumps(_results) + "\n")


def _main():
    spec = _json.load(_sys.stdin)
    if not spec.get("gc_enabled", True):
        _gc.disable()
    g = {"__name__": "__main__", "gc": _gc, "sys": _sys, "weakref": _weakref}
    # The interpreter's own start-up garbage must not be found by the scenario's collections.
    g["_heapscope_start"] = _gc.collect
    g["_heapscope_step_done"] = lambda: _results.append(_observe(g))
    # One program, as the scenario is: the steps run in one frame, each followed by the observation, so no
    # frame, context manager or bound method of the harness lives and dies between them (a step's
    # gc.freeze() would freeze it, and its death lower gc.get_freeze_count()).
    parts = [spec.get("setup") or "", "_heapscope_start()"]
    for step in spec["steps"]:
        parts += [step or "", "_heapscope_step_done()"]
    code = compile("\n".join(parts) + "\n", "<scenario>", "exec")
    # What the steps print is theirs, not the harness's output.
    real, _sys.stdout = _sys.stdout, _io.StringIO()
    try:
        exec(code, g)
    finally:
        _sys.stdout = real
    _print_results(_sys.stdout)


def _heapscope_begin(gc_enabled):
    global _real_stdout
    if not gc_enabled:
        _gc.disable()
    _real_stdout, _sys.stdout = _sys.stdout, _io.StringIO()


def _heapscope_start():
    _gc.collect()


def _heapscope_step_done():
    _results.append(_observe(globals()))


def _heapscope_finish():
    _sys.stdout = _real_stdout
    _print_results(_sys.stdout)


if not globals().get("_HEAPSCOPE_SCRIPT"):
    _main()

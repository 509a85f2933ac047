"""heapscope verify's harness: run a scenario's Python twin step by step and print what CPython observes.

Input (stdin, JSON): {"setup": str | null, "steps": [str | null, ...]}.
Output (stdout, JSON): one entry per step, mapping each user-bound global to its observations:
  {"refcount": sys.getrefcount(value), "sizeof": ..., "tracked": ..., "value": int | bool | null,
   "alive": bool | null (weakrefs only)}. gc.get_count() is not reported: the interpreter's own allocations,
and this harness's, move it in ways no program controls.
Classes, functions and modules are not observed. The collector is disabled, as scenarios usually want.
"""
import contextlib
import gc
import io
import json
import sys
import types
import weakref

SKIP = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType)


def observe(g):
    out = {}
    for name in list(g):
        if name.startswith("_"):
            continue
        v = g[name]
        if isinstance(v, SKIP):
            continue
        rc = sys.getrefcount(v)
        # Immortal objects (3.12+) report a constant that their argument does not change.
        immortal = sys.version_info >= (3, 12) and rc >= (1 << 31)
        entry = {"refcount": rc if immortal else rc - 1}
        entry["sizeof"] = sys.getsizeof(v)
        entry["tracked"] = gc.is_tracked(v)
        # Keep the value's text, not the object: holding it would add a reference later steps would see.
        entry["value"] = repr(v) if isinstance(v, (bool, int)) else None
        entry["alive"] = (v() is not None) if isinstance(v, weakref.ref) else None
        out[name] = entry
    return out


def main():
    spec = json.load(sys.stdin)
    if not spec.get("gc_enabled", True):
        gc.disable()
    g = {"__name__": "__main__", "gc": gc, "sys": sys, "weakref": weakref}
    codes = [compile(s, "<step %d>" % i, "exec") if s else None for i, s in enumerate(spec["steps"], 1)]
    if spec.get("setup"):
        exec(compile(spec["setup"], "<setup>", "exec"), g)
    # Start clean: the interpreter's own start-up garbage must not be found by the scenario's collections.
    gc.collect()
    results = []
    # What the steps print is theirs, not the harness's output.
    printed = io.StringIO()
    for code in codes:
        if code is not None:
            with contextlib.redirect_stdout(printed):
                exec(code, g)
        results.append(observe(g))
    for step in results:
        for entry in step.values():
            text = entry["value"]
            if text is not None:
                entry["value"] = text == "True" if text in ("True", "False") else int(text)
    print(json.dumps(results))


main()

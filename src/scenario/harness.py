"""heapscope verify's harness: run a scenario's Python twin step by step and print what CPython observes.

Input (stdin, JSON): {"setup": str | null, "steps": [str | null, ...]}.
Output (stdout, JSON): one entry per step, mapping each user-bound global to its observations:
  {"refcount": sys.getrefcount(value), "sizeof": ..., "tracked": ..., "value": int | bool | null,
   "alive": bool | null (weakrefs only)}. gc.get_count() is not reported: the interpreter's own allocations,
and this harness's, move it in ways no program controls.
Classes, functions and modules are not observed. The collector is disabled, as scenarios usually want.
"""
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
    results = []
    g = {"__name__": "__main__", "gc": gc, "sys": sys, "weakref": weakref}
    # The interpreter's own start-up garbage must not be found by the scenario's collections.
    g["_heapscope_start"] = gc.collect
    g["_heapscope_step_done"] = lambda: results.append(observe(g))
    # One program, as the scenario is: the steps run in one frame, each followed by the observation, so no
    # frame, context manager or bound method of the harness lives and dies between them (a step's
    # gc.freeze() would freeze it, and its death lower gc.get_freeze_count()).
    parts = [spec.get("setup") or "", "_heapscope_start()"]
    for step in spec["steps"]:
        parts += [step or "", "_heapscope_step_done()"]
    code = compile("\n".join(parts) + "\n", "<scenario>", "exec")
    # What the steps print is theirs, not the harness's output.
    real, sys.stdout = sys.stdout, io.StringIO()
    try:
        exec(code, g)
    finally:
        sys.stdout = real
    for step in results:
        for entry in step.values():
            text = entry["value"]
            if text is not None:
                entry["value"] = text == "True" if text in ("True", "False") else int(text)
    print(json.dumps(results))


main()

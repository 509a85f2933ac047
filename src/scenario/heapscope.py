"""The `heapscope` module for real CPython, so a scenario that uses it runs on every interpreter.

heapscope simulates `heapscope.mallocstats()`; on a real interpreter this file gives the same dict, parsed out of
what `sys._debugmallocstats()` prints (to the C-level stderr, which is captured for the purpose):

    {"classes": [{"size": 16, "pools": 1, "used": 12, "avail": 241}, ...],   # size classes in use
     "arenas_allocated_total": 6, "arenas_reclaimed": 0, "arenas_highwater": 6, "arenas_current": 6,
     "arena_size": 1048576, "pool_size": 16384,                              # ARENA_SIZE, POOL_SIZE
     "allocated_bytes": ..., "available_bytes": ..., "unused_pools": ...,     # where the arenas' bytes are:
     "pool_header_bytes": ..., "quantization_bytes": ..., "arena_alignment_bytes": ...,  # they sum to
     # arenas_current * arena_size
     "free_lists": {"dict": 11, "float": 3, "list": 6, "tuple": 58, ...}}    # objects kept for reuse

`heapscope verify` puts this file beside the scenario it runs; to run a scenario yourself with `python3`, copy it
next to your file. A real interpreter's numbers include its own start-up objects, which heapscope does not
allocate, so they are larger than the simulation's.
"""
import os as _os
import re as _re
import sys as _sys
import tempfile as _tempfile

# The C structs `_PyObject_DebugTypeStats` names, and their Python types.
_TYPES = {
    "PyCFunctionObject": "builtin_function_or_method",
    "PyDictObject": "dict",
    "PyDictKeysObject": "dict_keys",
    "PyFloatObject": "float",
    "PyFrameObject": "frame",
    "PyListObject": "list",
    "PyMethodObject": "method",
    "PyTupleObject": "tuple",
}


def _dump():
    _sys.stderr.flush()
    with _tempfile.TemporaryFile() as f:
        saved = _os.dup(2)
        _os.dup2(f.fileno(), 2)
        try:
            _sys._debugmallocstats()
        finally:
            _os.dup2(saved, 2)
            _os.close(saved)
        f.seek(0)
        return f.read().decode()


def mallocstats():
    """What `sys._debugmallocstats()` prints, as numbers."""
    return parse(_dump())


def parse(text):
    """The numbers of one `sys._debugmallocstats()` dump."""
    classes, arenas, free, sizes = [], {}, {}, {}
    for line in text.splitlines():
        row = line.split()
        if len(row) == 5 and all(x.isdigit() for x in row):
            size, pools, used, avail = (int(x) for x in row[1:])
            classes.append({"size": size, "pools": pools, "used": used, "avail": avail})
            continue
        m = _re.match(r"# arenas (allocated total|reclaimed|highwater mark|allocated current)\s*=\s*([\d,]+)", line)
        if m:
            key = {"allocated total": "arenas_allocated_total", "reclaimed": "arenas_reclaimed",
                   "highwater mark": "arenas_highwater", "allocated current": "arenas_current"}[m.group(1)]
            arenas[key] = int(m.group(2).replace(",", ""))
            continue
        m = _re.match(r"(\d+) arenas \* (\d+) bytes/arena", line)
        if m:
            sizes["arena_size"] = int(m.group(2))
            continue
        m = _re.match(r"(\d+) unused pools \* (\d+) bytes", line)
        if m:
            sizes["unused_pools"], sizes["pool_size"] = int(m.group(1)), int(m.group(2))
            continue
        m = _re.match(r"# bytes (in allocated blocks|in available blocks|lost to pool headers|lost to quantization"
                      r"|lost to arena alignment)\s*=\s*([\d,]+)", line)
        if m:
            key = {"in allocated blocks": "allocated_bytes", "in available blocks": "available_bytes",
                   "lost to pool headers": "pool_header_bytes", "lost to quantization": "quantization_bytes",
                   "lost to arena alignment": "arena_alignment_bytes"}[m.group(1)]
            sizes[key] = int(m.group(2).replace(",", ""))
            continue
        m = _re.match(r"\s*(\d+) free (?:\d+-sized )?(\w+?)s \*", line)
        if m and m.group(2) in _TYPES:
            name = _TYPES[m.group(2)]
            free[name] = free.get(name, 0) + int(m.group(1))
    return {
        "classes": classes,
        "arenas_allocated_total": arenas.get("arenas_allocated_total", 0),
        "arenas_reclaimed": arenas.get("arenas_reclaimed", 0),
        "arenas_highwater": arenas.get("arenas_highwater", 0),
        "arenas_current": arenas.get("arenas_current", 0),
        **{k: sizes.get(k, 0) for k in ("arena_size", "pool_size", "allocated_bytes", "available_bytes",
                                          "unused_pools", "pool_header_bytes", "quantization_bytes",
                                          "arena_alignment_bytes")},
        "free_lists": free,
    }

"""Probe: what real CPython's cyclic GC reports (3.8 - 3.13, stdlib only).

Prints one JSON object per line, {"case": NAME, "value": VALUE}; the first
line is {"case": "version", "value": "3.X.Y"}.  Results are gathered first
and printed at the end, so the printing itself cannot disturb any case.

Rules every case follows (so each value is deterministic and can be
compared with the simulator):
  * every class a case uses is created up front, at import time, and is
    used by that case only: a class that dies adds ~5 objects (type, dict,
    mro tuple, getset descriptors) to whatever collection sees it;
  * the GC is disabled for the whole run (case auto_collections enables it
    for its own loop only) and the runner does a full gc.collect() before
    every case, so each case starts with every object in generation 2 and
    all counts at 0;
  * a case builds its structure, deletes its names, and its value is what
    the next full gc.collect() returns, unless the case says otherwise;
  * objects in a cycle hold only the cycle references (no extra ints etc.);
  * gc.set_debug(0) is restored after every case and gc.garbage is emptied
    by the cases that fill it (legacy tp_del objects get their cycles broken
    first, else they would reappear in gc.garbage at the next collection);
  * values are JSON: tuples print as lists, a missing feature as null.
"""
import gc
import json
import sys
import weakref

try:
    from _testcapi import with_tp_del
except Exception:       # _testcapi not built, or with_tp_del removed
    with_tp_del = None


def plain(name='A'):
    return type(name, (), {})

# ---- classes, created up front: one set per case -------------------------
A1, A2, A3, A7, A8, A10, A12, A17, A22, A24 = (plain() for _ in range(10))
A18, X18 = plain('A'), plain('X')
S4 = type('S', (), {'__slots__': ('other',)})
P11 = plain('P')
F20 = plain('F')

calls5, calls9, saved9, saved11 = [], [], [], []
cbcalls10, holder10, ran12, log13 = [], [], [], []


class D5:
    def __del__(self):
        calls5.append('del')


class R9:
    def __del__(self):
        calls9.append('del')
        saved9.append(self)


class R11:
    def __del__(self):
        saved11.append(self)


class D13:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        log13.append(('del', self.name))


if with_tp_del is not None:
    @with_tp_del
    class L19:
        def __tp_del__(self): pass
    L19.__name__ = 'L'
    P19 = plain('P')


def cb10(wr):
    cbcalls10.append(1)
    del holder10[0]          # the only other reference: wr dies after this


def cb13(wr):
    log13.append(('cb',))


def cyc(cls):
    a = cls(); b = cls(); a.other = b; b.other = a
    return a, b


CASES = []


def case(fn):
    CASES.append(fn)
    return fn

# ---- collection cases ----------------------------------------------------
@case
def cycle2_plain():
    a, b = cyc(A1); del a, b
    return gc.collect()

@case
def self_cycle():
    a = A2(); a.me = a; del a
    return gc.collect()

@case
def cycle2_touched_dict():
    a, b = cyc(A3); a.__dict__; b.__dict__; del a, b
    return gc.collect()

@case
def cycle2_slots():
    a, b = cyc(S4); del a, b
    return gc.collect()

@case
def cycle2_del():
    a, b = cyc(D5); del a, b
    n = gc.collect()
    v = [n, len(gc.garbage), len(calls5)]
    del gc.garbage[:]
    return v

@case
def list_self():
    l = []; l.append(l); del l
    return gc.collect()

@case
def cycle2_plus_list():
    a = A7(); b = A7(); lst = []
    a.x = lst; lst.append(b); b.x = a
    del a, b, lst
    return gc.collect()

@case
def cycle2_saveall():
    gc.set_debug(gc.DEBUG_SAVEALL)
    a, b = cyc(A8); del a, b
    n = gc.collect()
    gc.set_debug(0)
    v = [n, sorted(type(o).__name__ for o in gc.garbage)]
    del gc.garbage[:]        # back to cyclic trash; the next clean collect frees it
    return v

@case
def cycle2_del_resurrect():
    a, b = cyc(R9); del a, b
    n1 = gc.collect()
    k = len(saved9)
    saved9.clear()
    n2 = gc.collect()
    return [n1, k, n2, len(calls9)]

@case
def cycle2_weakref_cb():
    a, b = cyc(A10)
    holder10.append(weakref.ref(a, cb10))
    del a, b
    return [gc.collect(), len(cbcalls10)]

@case
def mixed_resurrect():
    x, y = cyc(P11); a, b = cyc(R11); del a, b, x, y
    n = gc.collect()
    saved11.clear()          # the runner's next clean collect frees them
    return n

@case
def finalize_cycle():
    a, b = cyc(A12)
    weakref.finalize(a, ran12.append, True)
    del a, b
    return [gc.collect(), bool(ran12)]

@case
def del_order():
    a = D13('a'); b = D13('b'); a.other = b; b.other = a
    wr = weakref.ref(a, cb13)
    del a, b
    gc.collect()
    del wr
    return list(log13)

# ---- counts, tracking, referents -----------------------------------------
@case
def count_sequence():
    gc.collect()
    r = [None] * 4
    gc.collect(0); r[0] = gc.get_count()
    gc.collect(0); r[1] = gc.get_count()
    gc.collect(1); r[2] = gc.get_count()
    gc.collect(2); r[3] = gc.get_count()
    return [list(c) for c in r]

@case
def tuple_untrack():
    t = tuple([1, 2, 'a'])
    before = gc.is_tracked(t)
    gc.collect()
    return [before, gc.is_tracked(t)]

@case
def dict_untrack():
    d = {'a': []}; d['a'] = 1
    gc.collect(0); r0 = gc.is_tracked(d)
    gc.collect(1); r1 = gc.is_tracked(d)
    gc.collect(2); r2 = gc.is_tracked(d)
    return [r0, r1, r2]

@case
def referents_list():
    x, y = A17(), A17()
    refs = gc.get_referents([x, y])
    return [0 if r is x else 1 if r is y else -1 for r in refs]

@case
def referents_instance():
    x, y = X18(), X18()
    o = A18(); o.a = x; o.b = y
    out = []
    for r in gc.get_referents(o):
        if r is x: out.append('x')
        elif r is y: out.append('y')
        elif r is A18: out.append('type')
        elif type(r) is dict: out.append('dict')
        else: out.append(type(r).__name__)
    return out

@case
def tpdel_cycle():
    if with_tp_del is None:
        return None
    a = L19(); b = L19(); a.o = b; b.o = a
    c = P19(); a.c = c       # plain object reachable from the legacy cycle
    del a, b, c
    n = gc.collect()
    v = [n, len(gc.garbage), sorted(type(o).__name__ for o in gc.garbage)]
    for o in gc.garbage:     # break the cycle, else it returns to gc.garbage
        o.__dict__.clear()
    del gc.garbage[:]
    return v

# ---- gc module API -------------------------------------------------------
@case
def freeze():
    gc.collect()
    keep = [F20(), F20(), F20()]
    gc.freeze()
    c = gc.get_count()
    frozen = gc.get_freeze_count() > 0
    tracked = gc.is_tracked(keep[0])
    listed = any(o is keep[0] for o in gc.get_objects())
    gc.unfreeze()
    return [list(c), frozen, tracked, listed]

@case
def stats_delta():
    s0 = gc.get_stats()
    gc.collect(0); gc.collect(1); gc.collect()
    s1 = gc.get_stats()
    return [s1[g]['collections'] - s0[g]['collections'] for g in range(3)]

@case
def callbacks():
    rec = []

    def cb(phase, info):
        rec.append([phase, info['generation'], info['collected'],
                    info['uncollectable']])
    a, b = cyc(A22); del a, b
    gc.callbacks.append(cb)
    try:
        gc.collect(1)
    finally:
        gc.callbacks.remove(cb)
    return rec

@case
def threshold():
    return list(gc.get_threshold())

@case
def auto_collections():
    stops = [0, 0, 0]

    def cb(phase, info):
        if phase == 'stop':
            stops[info['generation']] += 1
    n = 50000 if gc.get_threshold()[0] == 2000 else 17500
    keep = []
    gc.callbacks.append(cb)
    gc.enable()
    try:
        for _ in range(n):
            keep.append(A24())
    finally:
        gc.disable()
        gc.callbacks.remove(cb)
    del keep
    return [stops[0], stops[1], stops[2], n]


def main():
    results = [('version', sys.version.split()[0])]
    gc.disable()
    gc.collect()
    for fn in CASES:
        gc.collect()
        try:
            v = fn()
        finally:
            gc.set_debug(0)
            gc.disable()
        results.append((fn.__name__, v))
    for name, v in results:
        print(json.dumps({'case': name, 'value': v}))


if __name__ == '__main__':
    main()

"""Probe: what real CPython reports for object sizes (3.8 - 3.13, stdlib only).

Prints one JSON object per line.  The first line is {"case": "version", ...};
object cases look like
    {"case": NAME, "getsizeof": int, "blocks": [ints], "tracked": bool}
and a few global facts are printed as {"case": NAME, "value": ...}.

Technique for "blocks" (after cpython-probes/alloc3.py):
  * every input an object needs (keys, ints, weakref targets, fresh classes,
    ...) is built BEFORE tracing, for indices 0..N+W-1, so it is not counted;
  * the builder is warmed up W times (indices N..N+W-1, results dropped),
    then gc.collect() runs, which also empties the free lists;
  * with the GC disabled (so no collection untracks or frees anything midway)
    and tracemalloc.start(1), the object is built N times and stored in a list
    preallocated before tracing (keep = [None] * N; keep[i] = build(i)), so the
    list adds no traces;
  * a snapshot is taken; intermediates are already freed and so invisible.
    Only trace sizes seen >= 0.9*N times belong to "one object"; each is
    repeated round(count / N) times, so two blocks of 56 report [56, 56].
    The 10% slack absorbs the few objects served from a free list and stray
    one-off allocations (range iterators, dict resizes, ...).
"tracked" is gc.is_tracked() of the last object built, before any collection.
Objects that CPython caches (e.g. 3.8's empty frozenset) report blocks [].
"""
import gc
import json
import sys
import tracemalloc
import weakref
from collections import Counter

N = 200          # objects measured per case
W = 5            # throwaway warm-up builds per case
M = N + W        # size of every pre-built input table


def emit(**kw):
    print(json.dumps(kw))


def measure(name, build, size_of=sys.getsizeof):
    for j in range(W):
        build(N + j)
    keep = [None] * N
    gc.collect()
    gc.disable()
    tracemalloc.start(1)
    for i in range(N):
        keep[i] = build(i)
    snap = tracemalloc.take_snapshot()
    tracemalloc.stop()
    tracked = gc.is_tracked(keep[-1])
    gc.enable()
    own = tracemalloc.Filter(False, tracemalloc.__file__)
    snap = snap.filter_traces([own])
    counts = Counter(t.size for t in snap.traces)
    blocks = []
    for size, n in counts.items():
        if n >= 0.9 * N:
            blocks += [size] * max(1, (n + N // 10) // N)
    emit(case=name, getsizeof=size_of(keep[-1]), blocks=sorted(blocks),
         tracked=tracked)
    del keep
    gc.collect()


# ---------------------------------------------------------------- inputs
BIG = [int('1000') + k for k in range(M)]            # distinct ints > 256
SKEYS = ['k%d' % k for k in range(M)]                # distinct short str keys
for _k in SKEYS:
    hash(_k)
E30, E60, E100, TWO = int('30'), int('60'), int('100'), int('2')


def make_init(k):
    names = 'abcdefgh'[:k]
    src = 'def __init__(self):\n    pass\n' + ''.join(
        '    self.%s = None\n' % n for n in names)
    ns = {}
    exec(src, ns)
    return ns['__init__']


INITS = {k: make_init(k) for k in (0, 1, 3, 6)}


def warm_class(k):
    # 3.11+ shrink the shared keys' dk_usable by one per instance created, so
    # the values array only reaches its steady size after ~30 instances.
    cls = type('A%d' % k, (), {'__init__': INITS[k]})
    for _ in range(40):
        cls()
    return cls


def gen_fn():
    yield 1


def fn_factory():
    def f():
        return 1
    return f


def closure_factory(i):
    def f():
        return i
    return f


def literal_empty_dict():
    return {}


class WRTarget(object):
    pass


def filled(make, add, items):
    """Builder: a fresh container from make(), then add(obj, x) per item."""
    def build(i):
        obj = make()
        for x in items:
            add(obj, x)
        return obj
    return build


def shrunk(take, left):
    """Builder: a 20-item list cut down to `left` items by `take(l)` (`del l[0]` or `l.pop()`)."""
    def build(i):
        l = []
        for _ in range(20):
            l.append(None)
        while len(l) > left:
            take(l)
        return l
    return build


def del_first(l):
    del l[0]


def refilled(live):
    """Builder: a dict of 10 str keys cut down to `live` by `del`, then one more key: the insertion finds no
    room and resizes from GROWTH_RATE = live * 3."""
    def build(i):
        d = {}
        for k in SKEYS[:10]:
            d[k] = None
        for k in SKEYS[live:10]:
            del d[k]
        d[SKEYS[10]] = None
        return d
    return build


def extend_empty(src):
    """`[].extend(src)`: list_extend on an empty list (3.8/3.9 resize it, 3.10+ presize it)."""
    l = []
    l.extend(src)
    return l


def dict_set(d, k):
    d[k] = None


def dedup(seq):
    out = []
    for x in seq:
        if not out or out[-1] != x:
            out.append(x)
    return out


def growth(make, add, count=200):
    obj, seen = make(), []
    for k in range(count + 1):
        seen.append(sys.getsizeof(obj))
        if k < count:
            add(obj, k)
    return dedup(seen)


# ---------------------------------------------------------------- cases
def main():
    emit(case='version', value=sys.version.split()[0])
    emit(case='gc_threshold', value=list(gc.get_threshold()))

    measure('int_1000', lambda i: int('1000'))
    measure('int_2p30', lambda i: TWO ** E30)
    measure('int_2p60', lambda i: TWO ** E60)
    measure('int_2p100', lambda i: TWO ** E100)
    measure('float', lambda i: float('1.5') + i)

    # .upper() on ASCII always builds a fresh string (slices/chr() of length
    # 1 return cached singletons); length >= 3 strings are also unique.
    for n in (1, 3, 10, 100):
        measure('str_ascii_%d' % n,
                lambda i, n=n: format(i, '0%dd' % n)[-n:].upper())
    for tag, ch in (('latin1', '\xe9'), ('ucs2', '\u20ac'),
                    ('ucs4', '\U0001F600')):
        measure('str_%s_3' % tag, lambda i, ch=ch: ch + format(i, '02x'))
    for n in (1, 10, 100):       # bytes(n) is never a cached singleton
        measure('bytes_%d' % n, lambda i, n=n: bytes(n))

    for n in (1, 3, 20, 25):
        src = BIG[:n]
        measure('tuple_%d' % n, lambda i, src=src: tuple(src))

    measure('list_empty', lambda i: list())
    for n in list(range(1, 21)) + [30, 60, 100]:
        measure('list_append_%d' % n, filled(list, list.append, [None] * n))
    for n in (1, 2, 3, 10, 100):
        measure('list_range_%d' % n, lambda i, n=n: list(range(n)))

    for n in (1, 3, 5, 9):
        src = tuple(range(1000, 1000 + n))
        measure('list_extend_%d' % n, lambda i, src=src: extend_empty(src))
        measure('list_tuple_%d' % n, lambda i, src=src: list(src))

    for left in (0, 5, 10, 15):
        measure('list_del_to_%d' % left, shrunk(del_first, left))
        measure('list_pop_to_%d' % left, shrunk(list.pop, left))
    for live in (0, 1, 2, 3):
        measure('dict_refill_%d' % live, refilled(live))

    measure('dict_empty', lambda i: dict())
    measure('dict_literal_empty', lambda i: literal_empty_dict())
    for tag, keys in (('str', SKEYS), ('int', BIG)):
        for n in (1, 5, 6, 10, 11, 21, 22):
            measure('dict_%s_%d' % (tag, n),
                    filled(literal_empty_dict, dict_set, keys[:n]))

    for n in (0, 1, 4, 5, 8, 20, 100):
        measure('set_%d' % n, filled(set, set.add, BIG[:n]))
    measure('frozenset_empty', lambda i: frozenset())
    measure('range', lambda i: range(10, 1000))

    measure('function', lambda i: fn_factory())
    measure('closure', closure_factory)
    measure('generator', lambda i: gen_fn())
    targets = [WRTarget() for _ in range(M)]
    measure('weakref', lambda i: weakref.ref(targets[i]))
    del targets
    measure('class_plain', lambda i: type('C', (), {}))

    for k in (0, 1, 3, 6):
        cls = warm_class(k)
        measure('instance_attrs_%d' % k, lambda i, cls=cls: cls())
    for k in (1, 3):
        fresh = [type('B%d' % k, (), {'__init__': INITS[k]})
                 for _ in range(M)]
        measure('instance_cold_attrs_%d' % k, lambda i, f=fresh: f[i]())
        del fresh

    cls3 = warm_class(3)

    def materialize(i):
        o = cls3()
        o.__dict__
        return o
    measure('instance_dict_materialized_3', materialize)
    objs = [cls3() for _ in range(M)]

    def touch(i):
        objs[i].__dict__
        return objs[i]
    measure('instance_dict_materialized_3_delta', touch,
            size_of=lambda o: sys.getsizeof(o.__dict__))
    del objs

    for k in (1, 2, 3):
        names = tuple('abc'[:k])
        scls = type('S%d' % k, (), {'__slots__': names})

        def build(i, scls=scls, names=names):
            o = scls()
            for nm in names:
                setattr(o, nm, None)
            return o
        measure('slots_%d' % k, build)

    empty = sys.getsizeof([])
    emit(case='list_growth', value=dedup(
        (s - empty) // 8 for s in growth(list, lambda o, k: o.append(None))))
    emit(case='set_growth', value=growth(set, lambda o, k: o.add(BIG[k])))
    for tag, keys in (('int', BIG), ('str', SKEYS)):
        emit(case='dict_growth_' + tag, value=growth(
            literal_empty_dict, lambda o, k: dict_set(o, keys[k])))


if __name__ == '__main__':
    main()

# The article: `__slots__` replaces the per-instance `__dict__` with fixed slots.
import sys


class WithSlots:
    __slots__ = ['attribute1', 'attribute2']

    def __init__(self):
        self.attribute1 = 1
        self.attribute2 = 2


class WithDict:
    def __init__(self):
        self.attribute1 = 1
        self.attribute2 = 2


# %% One of each
s = WithSlots()
d = WithDict()
print("slots:", sys.getsizeof(s))
print("dict:", sys.getsizeof(d))
assert sys.getsizeof(s) == 48

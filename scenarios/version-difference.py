# A version difference - instance dicts double gc.collect(): the same program returns different numbers
# from gc.collect() on 3.10 and 3.11, because 3.11 stopped giving each instance its own __dict__ object.
# Run it with python3.10 and python3.11 (or heapscope's --profile 3.10 and --profile 3.11) to compare.
import gc
import sys

gc.collect()  # start from a clean heap: importing a module can leave garbage behind
gc.disable()


class A:
    pass


# %% A two-instance cycle
# On 3.10 each instance carries a separate dict holding its attributes: the garbage is two instances and two
# dicts. On 3.11 and later it is just the two instances.
a = A(); b = A()
a.other = b; b.other = a
per_instance = len(gc.get_referents(a))
print("gc.get_referents(a):", per_instance, "objects")
del a, b
n = gc.collect()
print("gc.collect() found", n)
assert n == (2 if sys.version_info >= (3, 11) else 4)
assert per_instance == 2

# Objects, names and refcounts: every name, container slot and attribute that refers to an object is one
# reference. When the count reaches zero the object is freed on the spot.
import sys

# %% One object, one name
# `a = []` creates a list and binds one name to it. sys.getrefcount(a) says 2: the name, plus the temporary
# reference held by the call's own argument.
a = []
print("a = []:", sys.getrefcount(a))
assert sys.getrefcount(a) == 2

# %% More names, same object
# Binding another name to the same object copies the reference, not the object: `b = a` makes the count 3,
# and a list slot holding it makes it 4.
b = a
print("b = a:", sys.getrefcount(a))
holder = []
holder.append(a)
print("holder.append(a):", sys.getrefcount(a))
assert sys.getrefcount(a) == 4
assert holder[0] is b

# %% Rebinding drops a reference
# Binding `b` to something else releases its reference to the list; the object stays alive as long as
# anything else refers to it.
b = {}
print("b = {}:", sys.getrefcount(a))
assert sys.getrefcount(a) == 3

# %% del removes a name, not an object
# `del a` removes the name. The list survives because `holder` still refers to it; clearing the holder drops
# the last reference and frees it at once.
del a
still_there = len(holder[0]) == 0
print("after del a, holder[0] is still", holder[0])
holder.clear()
print("after holder.clear():", len(holder), "items")
assert still_there
assert len(holder) == 0

# %% Small ints are shared
# ints from -5 to 256 are cached singletons: every 256 is the same object. 257 is not. From 3.12 these
# singletons are immortal and report a fixed, huge count (4294967295 on 3.12 and 3.13, 3221225472 on 3.14).
x = int("256")
y = int("256")
p = int("257")
q = int("257")
print("256 is 256:", x is y)
print("257 is 257:", p is q)
if sys.version_info >= (3, 12):
    print("refcount of 256:", sys.getrefcount(x))
assert x is y
assert p is not q
assert sys.version_info < (3, 12) or sys.getrefcount(x) >= 3221225472

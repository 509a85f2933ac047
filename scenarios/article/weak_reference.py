# The article: a weak reference does not keep its object alive.
import weakref


class Cache:
    pass


# %% A weak reference
obj = Cache()
ref = weakref.ref(obj)
print(ref() is obj)
assert ref() is obj

# %% The object goes
del obj
print(ref() is None)
assert ref() is None

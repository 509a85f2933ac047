# Weak references and a cache: a weak reference lets you point at an object without keeping it alive. Caches
# built on WeakValueDictionary hold their values only as long as someone else does.
import sys
import weakref


class Image:
    pass


events = []

# %% A weakref does not count
# weakref.ref(img) refers to the image without a reference count: getrefcount stays 2. Calling the weakref
# gives the object back while it lives.
img = Image()
w = weakref.ref(img, lambda wr: events.append("callback"))
print("refcount of img:", sys.getrefcount(img))
print("w() is img:", w() is img)
assert sys.getrefcount(img) == 2
assert w() is img

# %% The referent dies, the callback runs
# Deleting the last name frees the image at once; its weakrefs are cleared and their callbacks called, inside
# the del statement. The weakref now returns None.
del img
print("events:", events)
print("w():", w())
assert len(events) == 1
assert w() is None

# %% A cache that does not leak
# The cache maps names to images weakly. While a caller holds an image, the cache finds it; when the caller
# lets go, the entry disappears by itself.
cache = weakref.WeakValueDictionary()
logo = Image()
cache["logo"] = logo
hit = cache["logo"] is logo
size_before = len(cache)
print("cache hit:", hit, "- entries:", size_before)
del logo
print("after del logo, entries:", len(cache))
assert hit and size_before == 1
assert len(cache) == 0

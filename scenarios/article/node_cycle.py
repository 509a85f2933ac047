# The article's first example: two nodes that point at each other form a reference cycle. Deleting the
# names leaves both alive (each still holds the other); only the cycle collector frees them.
import gc
import sys

# %% Build the cycle
# `a.next` refers to `b` and `b.next` to `a`: each node is held by a name and by the other node.


class Node:
    def __init__(self, value):
        self.value = value
        self.next = None


gc.disable()
a = Node(1)
b = Node(2)
a.next = b
b.next = a
print("refcount of a:", sys.getrefcount(a))
assert sys.getrefcount(a) == 3

# %% Delete the names
# The names go, but each node still holds the other: reference counting alone never frees them.
del a
del b
print("names deleted; the nodes are unreachable but alive")

# %% Collect
# gc.collect() finds the two nodes (and, before 3.11, their instance dicts) and frees them.
found = gc.collect()
print("gc.collect() found", found)
assert found == (2 if sys.version_info >= (3, 11) else 4)

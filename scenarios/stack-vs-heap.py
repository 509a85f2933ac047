# Stack vs heap: names live in frames; objects live on the heap. A function call's locals hold references
# only until the function returns.
import gc
import sys


class Node:
    pass


def make_garbage(cls):
    tmp = []
    tmp.append(cls())
    return len(tmp)


def make_keeper(cls, holder):
    kept = cls()
    holder.append(kept)


# %% Locals die with their frame
# make_garbage(Node) builds a list and a Node in its frame. When it returns, the frame's references go away
# and both objects are freed: nothing else pointed at them.
before = len(gc.get_objects())
n = make_garbage(Node)
after = len(gc.get_objects())
print("make_garbage returned", n)
print("tracked objects gained:", after - before)
assert n == 1
assert after == before
del before, after  # the totals depend on the interpreter; only their difference matters

# %% What escapes survives
# make_keeper(Node, holder) stores its local in a list the caller owns. The frame's reference goes on return,
# the list's stays: the Node outlives the function that made it.
holder = []
make_keeper(Node, holder)
print("holder has", len(holder), "node; its refcount:", sys.getrefcount(holder[0]))
assert len(holder) == 1
assert sys.getrefcount(holder[0]) == 2

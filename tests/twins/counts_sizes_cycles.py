import sys, gc
gc.disable()
class Node: pass
a = Node(); l = []
r1 = sys.getrefcount(a)
l.append(a); b = a
r2 = sys.getrefcount(a)
del b; l.pop()
r3 = sys.getrefcount(a)
x = Node(); y = Node(); x.o = y; y.o = x
del x, y
gc.collect()
keep = []
for i in range(50):
    keep.append([])
c = gc.get_count()[0]
s = [sys.getsizeof(keep), sys.getsizeof(a), sys.getsizeof(keep[0])]
p = Node(); q = Node(); p.o = q; q.o = p
del p, q
n = gc.collect()
print(r1, r2, r3, c, *s, n)

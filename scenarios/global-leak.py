# A leak through a global list: reference counting and the cycle collector only free what nothing can reach.
# A global list that keeps growing keeps everything in it alive.
import gc
import sys

gc.collect()  # start from a clean heap: importing a module can leave garbage behind


class Session:
    pass


ALL_SESSIONS = []


def open_session(cls, registry):
    s = cls()
    s.data = bytes(100)
    registry.append(s)
    return s


def count_sessions():
    return len([o for o in gc.get_objects() if isinstance(o, Session)])


# %% Sessions that are never closed
# Each call registers its session in the global list "for later". The caller drops its own reference
# immediately, but the registry's remains.
for i in range(500):
    open_session(Session, ALL_SESSIONS)
live = count_sessions()
print("registered:", len(ALL_SESSIONS))
print("Session objects alive:", live)
assert len(ALL_SESSIONS) == 500

# %% A collection finds nothing
# The sessions are reachable from a name, so gc.collect() frees none of them.
found = gc.collect()
print("gc.collect() found", found)
print("Session objects alive:", count_sessions())
assert found == 0
assert count_sessions() == live

# %% Letting go of the registry
# Clearing the global drops the only references; all 500 sessions and their data go at once.
ALL_SESSIONS.clear()
print("Session objects alive:", count_sessions())
assert count_sessions() == 0

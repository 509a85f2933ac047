# Why memory did not go down after `del`: pymalloc hands an arena back to the OS only when every pool in it
# is empty, so a few survivors scattered over many arenas keep nearly all of them mapped.
# Step through it with the Memory view (`m` in the TUI), or read each step's `memory:` line in the report.
import gc
import heapscope

gc.collect()  # start from a clean heap: importing a module can leave garbage behind

N = 30000


def arena_kib():
    """ARENA_SIZE: 256 KiB before CPython 3.10, 1 MiB since."""
    return heapscope.mallocstats()["arena_size"] // 1024


def arenas():
    return heapscope.mallocstats()["arenas_current"]


def free_in_arenas():
    """Bytes of mapped arenas that no block uses: free blocks in pools, and wholly unused pools."""
    m = heapscope.mallocstats()
    return m["available_bytes"] + m["unused_pools"] * m["pool_size"]


history = [arenas()]  # arenas mapped: at the start, then after each step

# %% Thirty thousand small objects
# Each bytes(200) asks pymalloc for 233 bytes and gets a 240-byte block. 7 MB of them need several arenas:
# four times as many of 3.8's 256 KiB arenas as of the 1 MiB ones since 3.10.
records = [bytes(200) for _ in range(N)]
history.append(arenas())
print("arena size:", arena_kib(), "KiB")
print("arenas mapped:", history[0], "->", history[1])
assert (history[1] - history[0]) * arena_kib() >= 6 * 1024

# %% Keep one in a hundred, del the rest
# 99% of the objects are freed, and their bytes go back to the pools, not to the OS: a survivor sits in
# almost every arena, and an arena with one live block stays mapped. This is "memory did not go down".
survivors = [records[i] for i in range(0, N, 100)]
del records
history.append(arenas())
print("survivors:", len(survivors), "- arenas mapped:", history[2])
print("free but mapped:", free_in_arenas() // 1024, "KiB")
assert history[2] * 10 >= history[1] * 8
assert free_in_arenas() >= (N - len(survivors)) * 240 * 9 // 10

# %% The survivors go too
# Once the last block of an arena is freed its pools are all empty and the arena is unmapped. Since 3.9
# one wholly free arena is kept for the next allocation (bpo-37257); 3.8 returns them all.
del survivors
history.append(arenas())
print("arenas mapped:", history[3])
# (What else the program allocated meanwhile can pin an arena of its own, so: most go back, not all.)
assert history[3] * 2 <= history[2]

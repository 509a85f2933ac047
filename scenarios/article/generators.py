# The article: a list comprehension holds every item at once; a generator expression one at a time.
import sys

# %% The list
squares = [i * i for i in range(1000)]
print(len(squares), sum(squares))

# %% The generator
print(sum(i * i for i in range(1000)))
assert sum(squares) == 332833500

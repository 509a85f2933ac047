# The article: `del` removes a name, and the list is freed the moment its last reference goes.
import sys

# %% A list bound to a name
data = [1, 2, 3, 4, 5]
print(sys.getrefcount(data))
assert sys.getrefcount(data) == 2

# %% A second name, then del
alias = data
print(sys.getrefcount(data))
del data
print(sys.getrefcount(alias))
assert sys.getrefcount(alias) == 2

# %% The last reference goes
del alias

# The article: a local variable dies with its function; a global lives as long as the module.
import sys


class Big:
    pass


kept = []


def work():
    temp = Big()
    kept.append(Big())
    return sys.getrefcount(temp)


# %% Call the function
print("inside:", work())
print("kept:", len(kept))
assert len(kept) == 1

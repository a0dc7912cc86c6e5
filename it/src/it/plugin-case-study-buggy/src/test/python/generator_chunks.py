"""The case study: a numba nopython generator fed a boolean-mask subscript.

    python generator_chunks.py ITERATIONS partial|complete

'partial' advances each generator once and drops it: the subscript's buffer is never freed.
'complete' iterates each generator to the end: nothing leaks.
"""
import sys

import numba
import numpy as np


@numba.njit
def values(arr):
    for i in range(arr.shape[0]):
        yield arr[i]


def run(iterations, complete):
    total = 0.0
    for _ in range(iterations):
        chunk = np.arange(1000, dtype=np.float64)
        to_keep = chunk % 3 == 0
        gen = values(chunk[to_keep])  # SUBSCRIPT-LINE
        if complete:
            for v in gen:
                total += v
        else:
            total += next(gen)
    return total


if __name__ == "__main__":
    run(int(sys.argv[1]), sys.argv[2] == "complete")

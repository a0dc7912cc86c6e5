"""Boolean subscripts on 40-element arrays, nothing leaked: every result (at most 29 float64 values,
232 bytes) is under 1024 bytes, so numpy serves its buffer from its own cache, and puts it back there
when the array dies; only the first buffer of each size comes from malloc."""
import numpy as np


def subscripts():
    v = np.arange(40, dtype=np.float64)
    for i in range(2000):
        sub = v[v > i % 20 + 10.0]  # SUBSCRIPT-LINE
    return sub.size


subscripts()

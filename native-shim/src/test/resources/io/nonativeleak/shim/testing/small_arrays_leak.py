"""The same subscripts, each result kept: the leak drains numpy's small-buffer cache, and from then on
every kept buffer comes from malloc."""
import numpy as np

v = np.arange(40, dtype=np.float64)
kept = []
for i in range(200):
    kept.append(v[v > 10.0])  # LEAK-LINE

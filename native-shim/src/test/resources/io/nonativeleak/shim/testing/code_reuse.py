"""Twenty functions, each compiled, run (leaking one block) and freed before the next: CPython
reuses the freed code objects' addresses, and each leak must still name its own function."""
import gc

import leaky

for i in range(20):
    source = "def leak_%d(leaky):\n    leaky.leak(1, %d)\n" % (i, 100 + i)
    namespace = {}
    exec(compile(source, "generated_%d.py" % i, "exec"), namespace)
    namespace["leak_%d" % i](leaky)
    del namespace
    gc.collect()

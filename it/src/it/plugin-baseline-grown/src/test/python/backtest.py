import sys

import leaky

leaks = int(sys.argv[1])
extra = sys.argv[2]
leaky.churn(2)  # freed again: the gate watches something even when nothing leaks
for _ in range(leaks):
    leaky.block(1000)  # KNOWN-LEAK
if extra == "new":
    leaky.block(500)  # NEW-LEAK

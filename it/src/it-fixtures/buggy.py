import sys

import leaky

kept = []


def process(batches):
    for _ in range(batches):
        pointer = leaky.block(1000)  # LEAK-LINE
        kept.append(pointer)  # never released: the bug


process(int(sys.argv[1]) if len(sys.argv) > 1 else 5)

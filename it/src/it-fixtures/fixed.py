import sys

import leaky


def process(batches):
    for _ in range(batches):
        pointer = leaky.block(1000)
        leaky.release(pointer)  # the fix


process(int(sys.argv[1]) if len(sys.argv) > 1 else 5)

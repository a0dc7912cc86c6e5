import sys

import leaky


def process(batches):
    for _ in range(batches):
        pointer = leaky.block(1000)  # LEAK-LINE


process(int(sys.argv[1]))

"""The same backtest, fixed: every generator is iterated to completion (docs/case-study-numba.md).

    python backtest.py [DAYS]
"""
import sys

import numba
import numpy as np


@numba.njit
def signals(prices):
    for i in range(prices.shape[0]):
        yield prices[i]


def run_day(chunk):
    to_keep = chunk % 3 == 0
    sub = chunk[to_keep]
    generator = signals(sub)
    first = next(generator)
    for _ in generator:  # finish it: only then does numba release the array
        pass
    return first


def main(days):
    total = 0.0
    for _ in range(days):
        for _ in range(200):
            total += run_day(np.arange(1000, dtype=np.float64))
    print(f"total signal: {total}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)

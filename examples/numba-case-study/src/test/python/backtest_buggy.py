"""A day-by-day backtest with the case study's bug (docs/case-study-numba.md).

    python backtest_buggy.py [DAYS]

Each tick keeps every third price with a boolean mask and hands the result to a numba generator
compiled in nopython mode. Only the generator's first value is used: the generator is never
finished, and numba then never releases the array it was given. Its buffer leaks, tick after tick.
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
    return next(signals(sub))  # the generator is dropped unfinished


def main(days):
    total = 0.0
    for _ in range(days):
        for _ in range(200):
            total += run_day(np.arange(1000, dtype=np.float64))
    print(f"total signal: {total}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)

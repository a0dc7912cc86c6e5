"""Fixtures run as callables: callables:leak, callables:clean."""
import leaky


def leak(count="2"):
    leaky.leak(int(count), 1000)


def clean():
    leaky.churn(3)


_held = []


def hold_until_next_run():
    """Each call frees the block the previous call left and leaves one of its own: every run leaks one block."""
    while _held:
        leaky._lib.free_block(_held.pop())
    _held.append(leaky._lib.leak_block(1000))

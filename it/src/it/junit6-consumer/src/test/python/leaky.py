"""ctypes wrapper of target/native/libleaky.so, built by setup.groovy."""
import ctypes
import os

_lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "target", "native", "libleaky.so"))
_lib.leak_block.restype = ctypes.c_void_p
_lib.leak_block.argtypes = [ctypes.c_size_t]
_lib.free_block.argtypes = [ctypes.c_void_p]


def leak(count, size=1000):
    for _ in range(count):
        _lib.leak_block(size)


def churn(count, size=1000):
    for _ in range(count):
        _lib.free_block(_lib.leak_block(size))

"""ctypes over libleaky.so, built next to this file by the it module (it/pom.xml) from the shim's test library.

Every block it allocates has frame 0 = leak_block. Projects import it from ${nonativeleak.it.fixtures}: the
scripts there find it beside them, a project's own scripts through PYTHONPATH.
"""
import ctypes
import os

_lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(__file__)), "libleaky.so"))
_lib.leak_block.restype = ctypes.c_void_p
_lib.leak_block.argtypes = [ctypes.c_size_t]
_lib.free_block.argtypes = [ctypes.c_void_p]


def block(size):
    return _lib.leak_block(size)


def release(pointer):
    _lib.free_block(pointer)


def leak(count, size=1000):
    for _ in range(count):
        _lib.leak_block(size)


def churn(count, size=1000):
    for _ in range(count):
        _lib.free_block(_lib.leak_block(size))

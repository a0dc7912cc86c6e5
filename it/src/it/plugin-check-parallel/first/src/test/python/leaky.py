"""ctypes over target/native/libleaky.so (built by setup.groovy)."""
import ctypes
import os

_here = os.path.dirname(os.path.abspath(__file__))
_lib = ctypes.CDLL(os.path.join(_here, "..", "..", "..", "target", "native", "libleaky.so"))
_lib.leak_block.restype = ctypes.c_void_p
_lib.leak_block.argtypes = [ctypes.c_size_t]
_lib.free_block.argtypes = [ctypes.c_void_p]


def block(size):
    return _lib.leak_block(size)


def release(pointer):
    _lib.free_block(pointer)

import ctypes
import os

_lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(__file__)), "libleakycpp.so"))
_lib.leak_cpp.argtypes = [ctypes.c_int, ctypes.c_size_t]


def leak(count, size):
    _lib.leak_cpp(count, size)  # CPP-LINE


leak(4, 200)

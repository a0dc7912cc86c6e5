"""Python side of libleaky.so: native blocks with known stacks, for the tests."""
import ctypes
import os

_lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(__file__)), "libleaky.so"))
_lib.leak_block.restype = ctypes.c_void_p
_lib.leak_block.argtypes = [ctypes.c_size_t]
_lib.free_block.argtypes = [ctypes.c_void_p]
_lib.cache_once.restype = ctypes.c_void_p
_lib.cache_once.argtypes = [ctypes.c_size_t]
_lib.leak_from_native_thread.argtypes = [ctypes.c_int, ctypes.c_size_t]


def leak(count=1, size=1000):
    for _ in range(int(count)):
        _lib.leak_block(int(size))  # BLOCK-LINE


def churn(count=1, size=1000):
    for _ in range(int(count)):
        _lib.free_block(_lib.leak_block(int(size)))


def cache_once(size=4096):
    _lib.cache_once(int(size))


def leak_in_native_thread(count=1, size=1000):
    _lib.leak_from_native_thread(int(count), int(size))

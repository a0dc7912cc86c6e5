# Keeps many small blocks live: the data file must grow well past a few MiB to track them all.
import ctypes

libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
keep = [libc.malloc(16) for _ in range(200000)]
print("allocated", len(keep))

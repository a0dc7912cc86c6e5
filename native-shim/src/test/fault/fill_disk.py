# Fills the file system of FULL_DIR, then keeps allocating: the shim's data file (on the same file
# system) cannot grow any more. What the fixture prints must not change under the shim.
import ctypes, errno, os

libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
try:
    with open(os.path.join(os.environ["FULL_DIR"], "fill"), "wb") as f:
        while True:
            f.write(b"x" * 65536)
            f.flush()
except OSError as e:
    print("disk full:", e.errno == errno.ENOSPC)
keep = [libc.malloc(16) for _ in range(50000)]
print("allocated", len(keep))

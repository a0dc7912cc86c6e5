# Scale workload beside shared/bench/many_live.py: N native blocks (ctypes malloc(64)), each freed at
# once, so N allocations are tracked while hardly any is live; nothing leaks.
import ctypes, sys, time
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
malloc, free = libc.malloc, libc.free
n = int(sys.argv[1])
t0 = time.time()
for _ in range(n):
    free(malloc(64))
print(f"{n} allocated and freed in {time.time()-t0:.2f}s")

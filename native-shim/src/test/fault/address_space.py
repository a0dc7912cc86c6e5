# Allocates 300 MB under an address-space limit (ulimit -v) that it fits without the shim (redteam vm.py).
a = bytearray(150_000_000)
b = bytearray(150_000_000)
print("allocated", len(a) + len(b))

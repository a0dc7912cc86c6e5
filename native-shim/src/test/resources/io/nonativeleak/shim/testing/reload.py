import _ctypes
import ctypes
import os
import shutil
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
scratch = tempfile.mkdtemp()
# Private copies, so that dlopen really loads and dlclose really unloads them.
first = shutil.copy(os.path.join(here, "libleaky.so"), os.path.join(scratch, "libfirst.so"))
second = shutil.copy(os.path.join(here, "libother.so"), os.path.join(scratch, "libsecond.so"))

lib = ctypes.CDLL(first)
lib.leak_block.restype = ctypes.c_void_p
lib.leak_block(111)  # FIRST-LINE
_ctypes.dlclose(lib._handle)
del lib

lib = ctypes.CDLL(second)
lib.other_block.restype = ctypes.c_void_p
for _ in range(2):
    lib.other_block(222)  # SECOND-LINE
shutil.rmtree(scratch)

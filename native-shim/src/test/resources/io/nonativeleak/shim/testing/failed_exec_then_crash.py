import os
import signal
import subprocess

import leaky

leaky.leak(2, 500)
try:
    subprocess.run(["/nonexistent/binary"])  # _posixsubprocess: a vfork child whose exec fails calls _exit(255)
except FileNotFoundError:
    print("exec failed as expected")
os.kill(os.getpid(), signal.SIGSEGV)

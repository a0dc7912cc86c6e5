import os
import sys
import time

# A daemon in the classic way (fork, setsid, fork), marked in its command line, left running when the fixture
# returns, or (with "hang") when it is killed at its timeout: then only the JVM is left to find it.
marker = sys.argv[1]
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", f"import time; time.sleep(3600)  # {marker}"])
    os._exit(0)
time.sleep(0.5)
print("daemon started", flush=True)
if sys.argv[2:] == ["hang"]:
    time.sleep(3600)

import os
import time

worker = os.fork()
if worker == 0:
    # The worker starts a detached helper (double fork) that is orphaned at once, then works a while.
    if os.fork() == 0:
        if os.fork() == 0:
            os._exit(0)
        os._exit(0)
    time.sleep(0.5)
    os._exit(7)
time.sleep(0.2)
pid, status = os.wait()  # wait for "my" child
print("os.wait() returned", "the worker" if pid == worker else "a process that is not my child",
      os.waitstatus_to_exitcode(status), flush=True)

import os

import leaky

pid = os.fork()
if pid == 0:
    leaky.leak(5, 700)  # CHILD-LINE
    os._exit(0)
os.waitpid(pid, 0)
leaky.leak(1, 100)

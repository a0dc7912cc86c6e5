import os
import signal
import sys

import leaky

leaky.leak(4)
os.kill(os.getpid(), signal.SIGKILL if len(sys.argv) > 1 and sys.argv[1] == "kill" else signal.SIGSEGV)

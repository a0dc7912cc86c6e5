import os
import sys

# A child that execs a statically linked program (argv[1]): nothing can be preloaded into it.
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1]])
_, status = os.waitpid(pid, 0)
print("child exit code", os.waitstatus_to_exitcode(status), flush=True)

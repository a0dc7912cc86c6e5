"""Starts a child, a grandchild and a daemon in its own session, all marked, then hangs."""
import os
import subprocess
import sys
import time
import uuid

import leaky

marker = "nonativeleak-it-hang-" + uuid.uuid4().hex
with open(os.path.join("target", "hang-marker.txt"), "w") as f:
    f.write(marker)
leaky.block(1000)
sleeper = "import sys, time; time.sleep(3600)"
parent = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', %r, sys.argv[1]]); time.sleep(3600)" % sleeper
subprocess.Popen([sys.executable, "-c", parent, marker])
subprocess.Popen(["setsid", sys.executable, "-c", sleeper, marker])
time.sleep(1)
print("hanging with", marker, flush=True)
time.sleep(3600)

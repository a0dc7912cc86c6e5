import subprocess
import sys
import time

import leaky

leaky.leak(2)
# A child and a grandchild that would outlive us, and one that leaves our process group.
subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(3600)']); time.sleep(3600)"])
subprocess.Popen(["setsid", "sleep", "3600"])
print("hanging", flush=True)
time.sleep(3600)

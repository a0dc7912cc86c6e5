import subprocess
import sys
import time

import leaky

# Every process started here carries this marker in its command line, so a test can look for leftovers.
marker = sys.argv[1] if len(sys.argv) > 1 else "nonativeleak-hang"
leaky.leak(2)
# A child and a grandchild that would outlive us, and one that leaves our session.
subprocess.Popen([sys.executable, "-c", f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(3600)  # {marker}']); time.sleep(3600)  # {marker}"])
subprocess.Popen(["setsid", sys.executable, "-c", f"import time; time.sleep(3600)  # {marker}"])
print("hanging", flush=True)
time.sleep(3600)

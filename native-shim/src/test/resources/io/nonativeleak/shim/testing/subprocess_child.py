import subprocess
import sys

import leaky

subprocess.run([sys.executable, "-c", "import leaky\nleaky.leak(3, 800)  # SUBPROCESS-LINE"], check=True)
leaky.leak(1, 50)

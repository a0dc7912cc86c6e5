import os
import sys

import leaky

leaky.leak(2, 400)  # BEFORE-EXEC-LINE
# Replace this process image with a fresh Python that leaks on its own.
os.execv(sys.executable, [sys.executable, "-c", "import leaky; leaky.leak(3, 600)"])

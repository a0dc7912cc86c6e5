import sys

import leaky

count = int(sys.argv[1]) if len(sys.argv) > 1 else 3
size = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
leaky.leak(count, size)  # LEAK-LINE

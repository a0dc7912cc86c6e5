import sys

import leaky

days = int(sys.argv[1]) if len(sys.argv) > 1 else 3
if "--buggy" in sys.argv:
    leaky.leak(days)  # LEAK-LINE
else:
    leaky.churn(days)

import sys

import leaky

leaky.churn(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

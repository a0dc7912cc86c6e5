import multiprocessing
import sys

import leaky


def work(count):
    leaky.leak(count, 900)  # MP-LINE


if __name__ == "__main__":
    context = multiprocessing.get_context(sys.argv[1] if len(sys.argv) > 1 else "fork")
    process = context.Process(target=work, args=(4,))
    process.start()
    process.join()
    assert process.exitcode == 0, process.exitcode

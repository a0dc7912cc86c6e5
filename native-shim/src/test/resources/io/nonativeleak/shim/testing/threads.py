import threading

import leaky


def work():
    leaky.leak(2, 300)  # WORKER-LINE


worker = threading.Thread(target=work, name="leaky-worker")
worker.start()
worker.join()
leaky.leak_in_native_thread(3, 500)

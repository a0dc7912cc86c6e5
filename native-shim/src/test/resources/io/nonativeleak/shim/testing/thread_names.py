import threading

import leaky

results = []


def work():
    leaky.leak(2, 300)  # NAMED-LINE
    results.append("ran")


class NameRaises(threading.Thread):
    """A thread whose name cannot be read: the runner's hook must not care."""

    @property
    def name(self):
        raise RuntimeError("no name for you")

    @name.setter
    def name(self, value):
        self._name = value


# A thread named after an undecodable file name (surrogateescape), and one with a NUL in its name.
for thread in (threading.Thread(target=work, name=b"worker-\xff".decode("utf-8", "surrogateescape")),
               threading.Thread(target=work, name="nul\0name"),
               NameRaises(target=work)):
    thread.start()
    thread.join()
print("results:", results)
assert results == ["ran"] * 3, "a thread's target never ran"

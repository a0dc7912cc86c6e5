# A fixture that limits file sizes for itself and its children, then starts a child (redteam fsize.py):
# the child's shim must not die of SIGXFSZ growing its data file.
import resource, subprocess, sys

resource.setrlimit(resource.RLIMIT_FSIZE, (100 << 20, resource.RLIM_INFINITY))
r = subprocess.run([sys.executable, "-c", "print('child ran')"], capture_output=True, text=True)
print("child returncode", r.returncode, r.stdout.strip())

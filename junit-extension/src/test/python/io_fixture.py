"""Echoes what the fixture process was given: working directory, environment, standard input, arguments."""
import os
import sys

print("cwd=" + os.getcwd())
print("greeting=" + os.environ.get("NNL_GREETING", "<unset>"))
print("removed=" + os.environ.get("NNL_REMOVED", "<unset>"))
print("stdin=" + sys.stdin.read().strip())
print("args=" + ",".join(sys.argv[1:]))
print("to stderr", file=sys.stderr)
sys.exit(int(os.environ.get("NNL_EXIT", "0")))

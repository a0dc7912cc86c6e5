"""Runs one NoNativeLeak fixture under the shim (SPEC §4). Started by the Java side, not by users.

    python nonativeleak_runner.py SPEC.json

SPEC.json names the shim, the fixture (a script run as __main__, or a callable "pkg.mod:function"),
its arguments, the warm-up and measured run counts and where to write the result. The runner:

1. imports the fixture, then runs it `warmup` times: nothing allocated so far is judged (matches
   during warm-up are only counted);
2. tells the shim to begin measuring, then runs the fixture `runs` times (the measured runs; a
   script is executed again as __main__ each time);
3. after measured run k collects garbage and tells the shim to take checkpoint k (the last one
   freezes the shim's table; before it, recording goes on);
4. tells the shim where each phase began (import, each warm-up, run and checkpoint), for the
   report's timeline;
5. writes how it ended (status, and the traceback or the runner's error) as JSON: everything else the
   report says comes from the shim's data files (docs/design.md, "The run's channels"); at exit it kills
   whatever the fixture left running (its descendants, and every process that carries the run's
   NONATIVELEAK_RUN_DIR in its environment), so no process outlives the run.
"""
import atexit
import builtins
import ctypes
import faulthandler
import gc
import importlib
import json
import os
import signal
import sys
import threading
import time
import traceback
import types

PR_SET_PDEATHSIG = 1
EXIT_FIXTURE_FAILED = 1
EXIT_RUNNER_ERROR = 3
# enum nnl_phase (output.h)
PHASE_IMPORT, PHASE_WARMUP, PHASE_RUN, PHASE_CHECKPOINT, PHASE_END = 1, 2, 3, 4, 5


class RunnerError(Exception):
    """A problem with the run itself, not with the fixture: reported as an error, not an outcome."""


def _load_shim(path):
    shim = ctypes.PyDLL(path)  # PyDLL: calls keep the GIL, so no Python runs while the shim works
    shim.nnl_active.restype = ctypes.c_int
    shim.nnl_python_verify.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p,
                                       ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    shim.nnl_python_verify.restype = ctypes.c_int
    shim.nnl_python_boundary.argtypes = [ctypes.c_void_p]
    shim.nnl_set_thread_name.argtypes = [ctypes.c_char_p]
    shim.nnl_phase.argtypes = [ctypes.c_uint32, ctypes.c_uint32]
    shim.nnl_inactive_reason.restype = ctypes.c_char_p
    if not shim.nnl_active():
        raise RunnerError("the NoNativeLeak shim is not active in the fixture process: "
                          + shim.nnl_inactive_reason().decode(errors="replace"))
    os.environ.pop("NONATIVELEAK_AWAIT_RUNNER", None)  # this image is the runner: one it execs must not wait again
    return shim


def _verify_python_stacks(shim):
    """Lets the shim check its view of the interpreter's frames against Python's own."""
    reason = ctypes.create_string_buffer(512)
    here, caller = sys._getframe().f_code, sys._getframe(1).f_code
    result = shim.nnl_python_verify(id(here), sys._getframe().f_lineno, here.co_filename.encode(), here.co_name.encode(), id(caller), reason, len(reason))  # noqa: E501 (one line: f_lineno is this line)
    if result == 0:  # the shim keeps the verdict and its reason in the data file's header
        os.environ["NONATIVELEAK_PYTHON_VERIFIED"] = sys.version  # children of this interpreter may trust it
    else:
        os.environ.pop("NONATIVELEAK_PYTHON_VERIFIED", None)


def _c_text(text):
    """Any str as NUL-free UTF-8: what cannot be encoded (surrogates, NUL) is written as Python escapes it."""
    return str(text).encode("utf-8", "backslashreplace").replace(b"\0", b"\\x00")


def _name_threads(shim):
    """Tells the shim each Python thread's name, so that sites say which thread allocated."""
    shim.nnl_set_thread_name(_c_text(threading.current_thread().name))

    def announce(*_):
        # Runs inside the fixture's thread, before its target: whatever goes wrong here must not reach it.
        try:
            sys.setprofile(None)
            shim.nnl_set_thread_name(_c_text(threading.current_thread().name))
        except Exception:  # noqa: BLE001 (an unnamed thread keeps its system name)
            pass

    threading.setprofile(announce)


def _invoke_fixture(function, args):
    """The boundary: this frame and the runner's frames outside it never appear in Python stacks."""
    return function(*args)


def _script(path, args):
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise RunnerError(f"fixture script not found: {path}")
    with open(path, "rb") as source:
        code = compile(source.read(), path, "exec")
    sys.path[0] = os.path.dirname(path)

    def run_as_main():
        module = types.ModuleType("__main__")
        module.__file__ = path
        module.__builtins__ = builtins
        sys.modules["__main__"] = module
        sys.argv = [path, *args]
        try:
            _invoke_fixture(exec, (code, module.__dict__))
        except SystemExit as exit_request:
            if exit_request.code not in (None, 0):
                raise

    return run_as_main


def _callable(target, args):
    module_name, _, attribute = target.partition(":")
    sys.path[0] = os.getcwd()
    try:
        function = importlib.import_module(module_name)
    except ModuleNotFoundError as missing:
        if missing.name and module_name.startswith(missing.name):
            raise RunnerError(f"fixture callable not found: no module named '{missing.name}' "
                              f"(sys.path: {sys.path})") from None
        raise
    for name in attribute.split("."):
        if not hasattr(function, name):
            raise RunnerError(f"fixture callable not found: module '{module_name}' has no '{attribute}'")
        function = getattr(function, name)
    if not callable(function):
        raise RunnerError(f"fixture callable '{target}' is not callable")
    sys.argv = [target, *args]
    return lambda: _invoke_fixture(function, args)


def _leftovers(root, marker):
    """Live descendants of root, and live processes whose environment holds marker (daemons that left the tree)."""
    children, marked = {}, []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == root:
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if fields[0] in ("Z", "X"):  # exited, only waiting to be reaped
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
            with open(f"/proc/{entry}/environ", "rb") as environ:
                if marker in environ.read().split(b"\0"):
                    marked.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    found, pending = set(marked), [root]
    while pending:
        for child in children.get(pending.pop(), []):
            found.add(child)
            pending.append(child)
    return found


def _kill_leftovers():
    """Ends every process the fixture left behind, without ever being the parent of any but its own
    children: a subreaper would make the fixture's os.wait() return processes that are not its children."""
    try:
        me = os.getpid()
        marker = b"NONATIVELEAK_RUN_DIR=" + os.environb.get(b"NONATIVELEAK_RUN_DIR", b"")
        for _ in range(100):
            leftovers = _leftovers(me, marker)
            if not leftovers:
                return
            for pid in leftovers:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                while os.waitpid(-1, os.WNOHANG)[0] > 0:
                    pass
            except ChildProcessError:
                pass
            time.sleep(0.01)
    except Exception:  # noqa: BLE001 (an exit hook must not change how the fixture's process ends; Java kills what is left)
        pass


def _guard_process_tree():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # the JVM died: so do we
    atexit.register(_kill_leftovers)  # registered first, so it runs after the fixture's own handlers


def _write_result(path, status, error=None):
    """How the runner ended: "completed", "exited" (sys.exit with a code), "raised" (error: the traceback) or
    "error" (error: what kept the run from starting). Nothing else: the data files hold what was measured."""
    temporary = path + ".tmp"
    with open(temporary, "w") as out:
        json.dump({"status": status} if error is None else {"status": status, "error": error}, out)
    os.replace(temporary, path)


def main(argv):
    with open(argv[1]) as spec_file:
        spec = json.load(spec_file)
    faulthandler.enable()  # a crash prints every thread's Python stack before the process dies
    try:
        _guard_process_tree()
        shim = _load_shim(spec["shim"])
        shim.nnl_phase(PHASE_IMPORT, 0)
        _verify_python_stacks(shim)
        _name_threads(shim)
        shim.nnl_python_boundary(id(_invoke_fixture.__code__))
        target, args = spec["target"], spec.get("args", [])
        fixture = _script(target, args) if spec["kind"] == "script" else _callable(target, args)
    except RunnerError as error:
        _write_result(spec["result"], "error", str(error))
        return EXIT_RUNNER_ERROR

    status, error, exit_code = "completed", None, 0
    try:
        if spec.get("warmup", 0) > 0:
            shim.nnl_begin_warmup()  # matches are counted, so a NO_MATCH can say "matched during warm-up only"
        for warmup in range(1, spec.get("warmup", 0) + 1):
            shim.nnl_phase(PHASE_WARMUP, warmup)
            fixture()
        gc.collect()
        runs = spec.get("runs", 1)
        run = 1
        shim.nnl_begin_measuring()
        try:
            for run in range(1, runs + 1):
                shim.nnl_phase(PHASE_RUN, run)
                fixture()
                if run < runs:
                    shim.nnl_phase(PHASE_CHECKPOINT, run)
                    gc.collect()
                    shim.nnl_checkpoint_run()
        finally:  # a run that raised ends the measured runs: its checkpoint is the last
            shim.nnl_phase(PHASE_CHECKPOINT, run)
            gc.collect()
            shim.nnl_checkpoint()
            shim.nnl_phase(PHASE_END, 0)
    except SystemExit as exit_request:  # sys.exit(n) with n != 0: the process exits with n, as it would alone
        code = exit_request.code
        if not isinstance(code, int):
            sys.stderr.write(f"{code}\n")
            code = 1
        status, exit_code = "exited", code
    except BaseException as failure:  # noqa: B036 (a KeyboardInterrupt is a failure too)
        text = "".join(traceback.format_exception(type(failure), failure, failure.__traceback__))
        sys.stderr.write(text)
        status, error, exit_code = "raised", text, EXIT_FIXTURE_FAILED
    _write_result(spec["result"], status, error)
    sys.stdout.flush()
    return exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv))

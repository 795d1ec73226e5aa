"""Processes a test starts, each stopped by its PID; the test's own deadline; its work dir.

Every process started through spawn() is stopped (SIGTERM, then SIGKILL after a timeout) by the
test's `finally` blocks and again at exit; an alarm bounds the whole test below the ctest TIMEOUT.
"""

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

_procs = []  # every Popen we started


_procs = []  # every Popen we started


def say(msg):
    print(msg, flush=True)


def log(msg):
    say("[%s] %s" % (time.strftime("%H:%M:%S"), msg))


def spawn(argv, **kw):
    """Start a process and remember its PID so that it is always stopped."""
    kw.setdefault("stdin", subprocess.DEVNULL)
    p = subprocess.Popen(argv, **kw)
    _procs.append(p)
    return p


def stop_process(p, term_timeout=5.0, sig=signal.SIGTERM):
    """Stop one process by PID: `sig`, wait, then SIGKILL. Returns its exit code."""
    if p is None:
        return None
    if p.poll() is None:
        try:
            os.kill(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=term_timeout)
        except subprocess.TimeoutExpired:
            log("pid %d did not stop after %s, sending SIGKILL" % (p.pid, signal.Signals(sig).name))
            try:
                os.kill(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
    return p.returncode


def _cleanup():
    for p in list(_procs):
        if p.poll() is None:
            stop_process(p, term_timeout=3.0)


atexit.register(_cleanup)


class TestTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise TestTimeout("the test ran into its own overall time limit")


def _on_term(signum, frame):
    # ctest (or a user) stops us: clean up the children, then die.
    _cleanup()
    sys.exit(128 + signum)


def install_deadline(seconds):
    """Bound the whole test (kept below the ctest TIMEOUT so that cleanup still runs)."""
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGTERM, _on_term)
    signal.alarm(int(seconds))


# ----------------------------------------------------------------------------------------------
# command line, skipping, verdicts


def make_workdir(prefix):
    d = tempfile.mkdtemp(prefix="pbxit-%s-" % prefix)
    return d


def remove_workdir(d, keep=False, failed=False):
    if keep or failed:
        log("kept the work dir %s" % d)
        return
    shutil.rmtree(d, ignore_errors=True)

"""Processes the bench starts (tracked and stopped by PID), what /proc says of them (memory,
CPU), free ports, the open-files limit."""

import os
import random
import signal
import socket
import subprocess
import time

from sipcps.common import HOST, BenchError

class Procs:
    def __init__(self):
        self.procs = []

    def start(self, argv, logfile, cwd, env=None):
        out = open(logfile, "ab")
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT, cwd=cwd, env=env)
        out.close()
        self.procs.append(p)
        return p

    def stop(self, p, grace=5.0):
        if p is None:
            return
        kids = descendants(p.pid) if p.poll() is None else []
        if p.poll() is None and not signal_and_wait(p, p.terminate, grace):
            signal_and_wait(p, p.kill, grace)
        # children of a forking server (Kamailio) that outlived their parent
        deadline = time.time() + grace
        for k in kids:
            while pid_alive(k) and time.time() < deadline:
                time.sleep(0.1)
            if pid_alive(k):
                try:
                    os.kill(k, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if p in self.procs:
            self.procs.remove(p)

    def stop_all(self):
        for p in list(reversed(self.procs)):
            self.stop(p, grace=3.0)


def signal_and_wait(p, send, grace):
    """send() (p.terminate or p.kill), then whether p ended within grace seconds."""
    try:
        send()
    except ProcessLookupError:
        pass
    try:
        p.wait(timeout=grace)
        return True
    except subprocess.TimeoutExpired:
        return False


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def descendants(pid):
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def status_kb(pid, field="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_kb(pid, tree):
    """(RSS, PSS) in KiB of pid, or of pid and all its descendants."""
    pids = [pid] + (descendants(pid) if tree else [])
    return sum(status_kb(p) for p in pids), sum(pss_kb(p) for p in pids)


def cpu_seconds(pid, tree):
    """User + system CPU seconds of pid (all its threads), or of pid and its descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in [pid] + (descendants(pid) if tree else []):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total / tick


_taken = set()


def free_port(lo=10000, hi=19999):
    """A port free for both UDP and TCP on 127.0.0.1, outside pbxd's media range."""
    for _ in range(500):
        port = random.randint(lo, hi)
        if port in _taken:
            continue
        ok = True
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind((HOST, port))
            except OSError:
                ok = False
            finally:
                s.close()
        if ok:
            _taken.add(port)
            return port
    raise BenchError("no free port found")


def nofile_limit():
    import resource
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def raise_nofile_limit():
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass


def tail(path, n=3000):
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - n))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""

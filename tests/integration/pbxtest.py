"""Shared helpers for the pbxd integration tests (Python 3 stdlib only).

Every test script:
  * gets the pbxd binary and the testdata dir on the command line (see parse_args),
  * starts pbxd on free 127.0.0.1 ports with a generated config (Pbxd),
  * starts peers (sipp, baresip) through spawn(), which records their PIDs,
  * prints one PASS/FAIL line at the end and exits 0 / 1, or 77 (SKIP_RC) when a tool or the
    test data is missing.

Every process started here is stopped by its PID (SIGTERM, then SIGKILL after a timeout) in
`finally` blocks and again at exit; an alarm bounds the whole test below the ctest TIMEOUT.
"""

import argparse
import atexit
import datetime
import hashlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

SKIP_RC = 77

# ----------------------------------------------------------------------------------------------
# process bookkeeping

_procs = []  # every Popen we started


def _log(msg):
    print(msg, flush=True)


def log(msg):
    _log("[%s] %s" % (time.strftime("%H:%M:%S"), msg))


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


def parse_args(extra=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--pbxd", required=True, help="path of the pbxd binary")
    ap.add_argument("--testdata", default="", help="the shared testdata dir (PBX_TESTDATA)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    if extra:
        extra(ap)
    a = ap.parse_args()
    if os.environ.get("PBX_TESTDATA"):
        a.testdata = os.environ["PBX_TESTDATA"]
    if not os.access(a.pbxd, os.X_OK):
        fail_now("pbxd binary %r is missing or not executable" % a.pbxd)
    return a


def skip(reason):
    _log("")
    _log("*" * 78)
    _log("SKIPPED: %s" % reason)
    _log("*" * 78)
    sys.exit(SKIP_RC)


def require_exe(name, package):
    path = shutil.which(name)
    if not path:
        skip("'%s' is not installed (Debian package %s); this integration test did not run"
             % (name, package))
    return path


def fail_now(msg):
    _log("FAIL: %s" % msg)
    sys.exit(1)


class Checker:
    """Collects check results; prints PASS/FAIL lines."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.notes = []

    def check(self, cond, what, detail=""):
        if cond:
            log("  ok: %s" % what)
        else:
            msg = what + ((": " + detail) if detail else "")
            log("  FAILED: %s" % msg)
            self.failures.append(msg)
        return bool(cond)

    def note(self, msg):
        log("  note: %s" % msg)
        self.notes.append(msg)

    def verdict(self):
        _log("")
        for n in self.notes:
            _log("NOTE: %s" % n)
        if self.failures:
            for f in self.failures:
                _log("FAIL: %s: %s" % (self.name, f))
            _log("FAIL: %s (%d check(s) failed)" % (self.name, len(self.failures)))
            return 1
        _log("PASS: %s" % self.name)
        return 0


# ----------------------------------------------------------------------------------------------
# ports


def _port_free(port, udp=True, tcp=True):
    socks = []
    try:
        if udp:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            socks.append(s)
            s.bind(("127.0.0.1", port))
        if tcp:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


_handed_out = set()

# Fixed port blocks (media ranges) come from below the kernel's ephemeral range (32768-60999
# by default), so that no port the kernel hands out (bind port 0, a client socket) in another
# test running in parallel can take them between our check and the bind. Each kind has its
# own range: pbxd's media ranges, sipp's media ports, baresip's RTP ports.
PBXD_MEDIA_PORTS = (20000, 32000)
SIPP_MEDIA_PORTS = (10000, 15000)
BARESIP_RTP_PORTS = (15000, 20000)


def free_port(udp=True, tcp=True):
    """A port that is free on 127.0.0.1 for UDP and/or TCP (the kernel picks it: bind port 0)."""
    for _ in range(200):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port in _handed_out:
            continue
        if _port_free(port, udp, tcp):
            _handed_out.add(port)
            return port
    raise RuntimeError("no free port found")


def free_port_block(count, lo, hi):
    """`count` consecutive ports free for UDP (for pbxd's media range), chosen at random.

    Ports already handed out are avoided even when nothing is bound to them yet: sipp binds
    its SIP port (-p) only when it starts, and its media ports (-mp, -mp+2 for video) must
    not land on it."""
    rnd = random.Random(os.getpid() ^ int(time.time() * 1000))
    for _ in range(200):
        base = rnd.randrange(lo, hi - count) & ~1
        block = range(base, base + count)
        if any(p in _handed_out for p in block):
            continue
        if all(_port_free(p, udp=True, tcp=False) for p in block):
            _handed_out.update(block)
            return base
    raise RuntimeError("no free port block found")


# ----------------------------------------------------------------------------------------------
# pbxd

DEFAULT_EXTENSIONS = [("100", [("100", "demo100")]),
                      ("101", [("101", "demo101")]),
                      ("102", [("102", "demo102")]),
                      ("103", [("103", "demo103")])]


class Pbxd:
    def __init__(self, exe, workdir, extensions=None, no_answer_timeout="30s",
                 min_expires=60, max_expires=3600, default_expires=3600, log_level="info",
                 rtp_timeout="60s"):
        self.exe = exe
        self.workdir = workdir
        self.port = free_port()
        self.metrics_port = free_port(udp=False)
        self.media_min = free_port_block(200, *PBXD_MEDIA_PORTS)
        self.media_max = self.media_min + 199
        self.extensions = extensions or DEFAULT_EXTENSIONS
        self.config_path = os.path.join(workdir, "pbxd.yaml")
        self.stdout_path = os.path.join(workdir, "pbxd.stdout")
        self.stderr_path = os.path.join(workdir, "pbxd.stderr")
        self.proc = None
        self.exit_code = None
        lines = [
            "sip:",
            "  listen:",
            "    - udp:127.0.0.1:%d" % self.port,
            "    - tcp:127.0.0.1:%d" % self.port,
            "  domain: 127.0.0.1",
            "  registration:",
            "    min_expires: %d" % min_expires,
            "    max_expires: %d" % max_expires,
            "    default_expires: %d" % default_expires,
            "  no_answer_timeout: %s" % no_answer_timeout,
            "media:",
            "  address: 127.0.0.1",
            "  port_min: %d" % self.media_min,
            "  port_max: %d" % self.media_max,
            "  threads: 2",
            "  rtp_timeout: %s" % rtp_timeout,
            "metrics:",
            "  listen: 127.0.0.1:%d" % self.metrics_port,
            "log:",
            "  level: %s" % log_level,
            "extensions:",
        ]
        for number, accounts in self.extensions:
            lines.append('  - number: "%s"' % number)
            lines.append("    accounts:")
            for user, pw in accounts:
                lines.append('      - {username: "%s", password: "%s"}' % (user, pw))
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    @property
    def uri_host(self):
        return "127.0.0.1:%d" % self.port

    def start(self, ready_timeout=15.0):
        log("starting pbxd: %s -c %s (SIP 127.0.0.1:%d, metrics :%d, media %d-%d)"
            % (self.exe, self.config_path, self.port, self.metrics_port,
               self.media_min, self.media_max))
        self._out = open(self.stdout_path, "wb")
        self._err = open(self.stderr_path, "wb")
        self.proc = spawn([self.exe, "-c", self.config_path], stdout=self._out, stderr=self._err)
        deadline = time.time() + ready_timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.dump("pbxd exited before it was ready")
                raise RuntimeError("pbxd exited with %s before printing 'ready'"
                                   % self.proc.returncode)
            with open(self.stdout_path, "rb") as f:
                if b"ready" in f.read():
                    log("pbxd is ready (pid %d)" % self.proc.pid)
                    return self
            time.sleep(0.05)
        self.dump("pbxd not ready")
        raise RuntimeError("pbxd did not print 'ready' within %.0f s" % ready_timeout)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10.0):
        """SIGTERM, wait (graceful: BYE to every call), SIGKILL after `timeout`."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            log("stopping pbxd (pid %d) with SIGTERM" % self.proc.pid)
        self.exit_code = stop_process(self.proc, term_timeout=timeout)
        for f in (getattr(self, "_out", None), getattr(self, "_err", None)):
            if f:
                f.close()
        return self.exit_code

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def dump(self, why=""):
        _log("----- pbxd stderr (%s) -----" % why)
        text = self.stderr_text()
        if len(text) > 20000:
            text = "...\n" + text[-20000:]
        _log(text.rstrip())
        _log("----- end of pbxd stderr -----")

    # metrics

    def metrics_text(self, timeout=3.0):
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.metrics_port,
                                    timeout=timeout) as r:
            return r.read().decode("utf-8", "replace")

    def metrics(self):
        """{(name, frozenset(labels.items())): float}"""
        out = {}
        for line in self.metrics_text().splitlines():
            if not line or line.startswith("#"):
                continue
            m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)', line)
            if not m:
                continue
            labels = {}
            if m.group(3):
                for lm in re.finditer(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3)):
                    labels[lm.group(1)] = lm.group(2)
            try:
                out[(m.group(1), frozenset(labels.items()))] = float(m.group(4))
            except ValueError:
                pass
        return out

    def metric(self, name, **labels):
        """Value of one series (0 when absent); with no labels given: the sum over all series."""
        total = 0.0
        for (n, ls), v in self.metrics().items():
            if n != name:
                continue
            if labels:
                if frozenset(labels.items()) == ls:
                    return v
            else:
                total += v
        return total

    def wait_metric(self, name, pred, timeout, **labels):
        """Poll until pred(value) holds; returns the last value."""
        deadline = time.time() + timeout
        v = None
        while True:
            try:
                v = self.metric(name, **labels)
                if pred(v):
                    return v
            except OSError:
                pass
            if time.time() >= deadline:
                return v
            time.sleep(0.25)


# ----------------------------------------------------------------------------------------------
# a tiny raw SIP client (probes, torture messages)


def parse_status(data):
    """Status code of a SIP response (bytes), or None."""
    m = re.match(rb"SIP/2\.0 (\d{3})", data)
    return int(m.group(1)) if m else None


class UdpSip:
    def __init__(self, pbx_port):
        self.dest = ("127.0.0.1", pbx_port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendto(data, self.dest)

    def drain(self):
        self.sock.setblocking(False)
        try:
            while True:
                self.sock.recvfrom(70000)
        except (BlockingIOError, OSError):
            pass
        finally:
            self.sock.setblocking(True)

    def collect(self, duration, stop_on_final=True, call_id=None):
        """Datagrams received within `duration` s; stops early after a final response
        (matching call_id if given)."""
        got = []
        deadline = time.time() + duration
        while True:
            left = deadline - time.time()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                data, _ = self.sock.recvfrom(70000)
            except socket.timeout:
                break
            except OSError:
                break
            got.append(data)
            code = parse_status(data)
            if stop_on_final and code is not None and code >= 200:
                if call_id is None or call_id.encode() in data:
                    break
        return got

    def options(self, timeout=2.0, tries=3):
        """OPTIONS to pbxd; returns the final status code or None (no answer)."""
        for _ in range(tries):
            cid = "probe-" + uuid.uuid4().hex
            msg = ("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\n"
                   "Via: SIP/2.0/UDP 127.0.0.1:%d;rport;branch=z9hG4bK%s\r\n"
                   "Max-Forwards: 70\r\n"
                   "From: <sip:probe@127.0.0.1>;tag=%s\r\n"
                   "To: <sip:127.0.0.1:%d>\r\n"
                   "Call-ID: %s\r\n"
                   "CSeq: 1 OPTIONS\r\n"
                   "Accept: application/sdp\r\n"
                   "Content-Length: 0\r\n\r\n"
                   % (self.dest[1], self.port, uuid.uuid4().hex, uuid.uuid4().hex[:8],
                      self.dest[1], cid))
            self.send(msg.encode())
            for data in self.collect(timeout, call_id=cid):
                if cid.encode() in data:
                    code = parse_status(data)
                    if code is not None and code >= 200:
                        return code
        return None


# ----------------------------------------------------------------------------------------------
# digest credentials (RFC 2617 / RFC 3261 22.4); strings are latin-1 text, byte for byte


def md5(s):
    return hashlib.md5(s.encode("latin-1")).hexdigest()


def challenge_params(value):
    """{lower-case name: value} of a WWW-/Proxy-Authenticate value."""
    return dict((k.lower(), v) for k, v in
                re.findall(r'([A-Za-z-]+)\s*=\s*"?([^",]*)"?', value or ""))


def digest_fields(challenge, method, uri, user, password, cnonce="f00d", nc="00000001"):
    """[[name, value, quoted], ...] answering `challenge` (qop=auth when it is offered)."""
    ch = challenge_params(challenge)
    realm, nonce = ch.get("realm", ""), ch.get("nonce", "")
    fields = [["username", user, True], ["realm", realm, True], ["nonce", nonce, True],
              ["uri", uri, True]]
    qop = "auth" if "auth" in ch.get("qop", "").split(",") else ""
    fields.append(["response", digest_response(user, realm, password, method, uri, nonce,
                                               qop, nc, cnonce), True])
    fields.append(["algorithm", "MD5", False])
    if qop:
        fields += [["qop", qop, False], ["nc", nc, False], ["cnonce", cnonce, True]]
    if ch.get("opaque"):
        fields.append(["opaque", ch["opaque"], True])
    return fields


def digest_response(user, realm, password, method, uri, nonce, qop="", nc="", cnonce=""):
    """The request-digest (response=) of RFC 2617 3.2.2.1 (MD5; qop "auth" or none)."""
    ha1 = md5("%s:%s:%s" % (user, realm, password))
    ha2 = md5("%s:%s" % (method, uri))
    if qop:
        return md5("%s:%s:%s:%s:%s:%s" % (ha1, nonce, nc, cnonce, qop, ha2))
    return md5("%s:%s:%s" % (ha1, nonce, ha2))


def format_credentials(fields, scheme="Digest"):
    """An Authorization/Proxy-Authorization value from digest_fields()-style fields (a
    one-element field is written as it is)."""
    parts = []
    for f in fields:
        if len(f) == 1:
            parts.append(f[0])
        else:
            parts.append('%s="%s"' % (f[0], f[1]) if f[2] else "%s=%s" % (f[0], f[1]))
    return (scheme + " " + ", ".join(parts)).rstrip()


# ----------------------------------------------------------------------------------------------
# sipp

SIPP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sipp")


class SippRun:
    def __init__(self, name, proc, msgfile, errfile, outfile, scenario):
        self.name, self.proc, self.msgfile, self.errfile = name, proc, msgfile, errfile
        self.outfile, self.scenario = outfile, scenario
        self.rc = None

    def wait(self, timeout):
        try:
            self.rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log("sipp %s did not finish within %.0f s; killing pid %d"
                % (self.name, timeout, self.proc.pid))
            stop_process(self.proc, term_timeout=2.0)
            self.rc = "timeout"
        return self.rc

    def stop(self):
        stop_process(self.proc, term_timeout=2.0)

    def _read(self, path):
        try:
            with open(path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def messages(self):
        return self._read(self.msgfile)

    def received(self):
        """Received SIP messages (strings), in order, from the sipp message trace."""
        text = self.messages()
        parts = re.split(r"-{20,}[^\n]*\n", text)
        out = []
        for p in parts:
            m = re.match(r"\s*\w+ message received \[\d+\] bytes :\s*\n\s*\n?(.*)", p, re.S)
            if m:
                out.append(m.group(1).strip("\n"))
        return out

    def timeline(self):
        """[(seconds since the epoch, "sent" or "received", first line)] from the message trace,
        in order (sipp stamps each message it sends or receives)."""
        out = []
        for m in re.finditer(r"-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n"
                             r"\w+ message (sent|received)[^\n]*\n\s*([^\r\n]*)", self.messages()):
            when = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
            out.append((when, m.group(2), m.group(3).strip()))
        return out

    def received_codes(self):
        codes = []
        for m in self.received():
            mm = re.match(r"\s*SIP/2\.0 (\d{3})", m)
            if mm:
                codes.append(int(mm.group(1)))
        return codes

    def received_requests(self):
        out = []
        for m in self.received():
            mm = re.match(r"\s*([A-Z]+) \S+ SIP/2\.0", m)
            if mm:
                out.append(mm.group(1))
        return out

    def dump(self):
        _log("----- sipp %s (scenario %s, exit %s) -----" % (self.name, self.scenario, self.rc))
        err = self._read(self.errfile)
        if err.strip():
            _log("-- errors (-trace_err):")
            _log(err.rstrip()[-6000:])
        out = self._read(self.outfile)
        if out.strip():
            _log("-- output (tail):")
            _log(out.rstrip()[-3000:])
        msgs = self.messages()
        if msgs.strip():
            _log("-- messages (-trace_msg, tail):")
            _log(msgs.rstrip()[-8000:])
        _log("----- end of sipp %s -----" % self.name)


def sipp(workdir, name, scenario, pbx, local_port=None, service=None, auth=None,
         keys=None, timeout_s=20, extra=None, transport="u1"):
    """Start sipp (one call, -m 1) against pbxd. Returns a SippRun (call .wait())."""
    exe = shutil.which("sipp")
    scen = scenario if os.path.isabs(scenario) else os.path.join(SIPP_DIR, scenario)
    msgfile = os.path.join(workdir, "%s.messages.log" % name)
    errfile = os.path.join(workdir, "%s.errors.log" % name)
    outfile = os.path.join(workdir, "%s.out" % name)
    argv = [exe, "127.0.0.1:%d" % pbx.port, "-sf", scen, "-i", "127.0.0.1",
            "-p", str(local_port or free_port()), "-t", transport,
            "-cp", str(free_port(tcp=False)), "-mi", "127.0.0.1",
            "-mp", str(free_port_block(4, *SIPP_MEDIA_PORTS)),
            "-m", "1", "-l", "1", "-nostdin",
            "-timeout", "%ds" % timeout_s, "-timeout_error",
            "-max_retrans", "3",
            "-trace_err", "-error_file", errfile,
            "-trace_msg", "-message_file", msgfile]
    if service:
        argv += ["-s", service]
    if auth:
        argv += ["-au", auth[0], "-ap", auth[1]]
    for k, v in (keys or {}).items():
        argv += ["-key", k, str(v)]
    argv += extra or []
    log("sipp %s: %s" % (name, " ".join(argv)))
    out = open(outfile, "wb")
    p = spawn(argv, stdout=out, stderr=subprocess.STDOUT, cwd=workdir)
    out.close()
    return SippRun(name, p, msgfile, errfile, outfile, os.path.basename(scen))


def header(msg, name):
    """First value of header `name` in a SIP message string (case-insensitive), or None."""
    for line in msg.split("\n"):
        m = re.match(r"\s*([A-Za-z-]+)\s*:(.*)", line)
        if m and m.group(1).lower() == name.lower():
            return m.group(2).strip()
    return None


# ----------------------------------------------------------------------------------------------
# temp dir


def make_workdir(prefix):
    d = tempfile.mkdtemp(prefix="pbxit-%s-" % prefix)
    return d


def remove_workdir(d, keep=False, failed=False):
    if keep or failed:
        log("kept the work dir %s" % d)
        return
    shutil.rmtree(d, ignore_errors=True)

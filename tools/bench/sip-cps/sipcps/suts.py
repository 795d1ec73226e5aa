"""The systems under test: pbxd with a generated config, Kamailio from kamailio.cfg.in; and
what pbxd's /metrics say of its signaling thread during a step."""

import os
import re
import secrets
import socket
import subprocess
import time
import urllib.request

from sipcps.common import (CALLEE_USER, CALLER_USER, DOMAIN, HERE, HOST, BenchError, log)
from sipcps.events import EventClient
from sipcps.procs import cpu_seconds, free_port, memory_kb, tail

KAMAILIO = "/usr/sbin/kamailio"
KAMAILIO_MPATH_CANDIDATES = [
    "/usr/lib/x86_64-linux-gnu/kamailio/modules/",
    "/usr/lib/aarch64-linux-gnu/kamailio/modules/",
    "/usr/lib/kamailio/modules/",
]


class Sut:
    name = "?"
    tree = False

    def __init__(self, work, procs, creds):
        self.work, self.procs, self.creds = work, procs, creds
        self.proc = None
        self.port = None

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def memory(self):
        return memory_kb(self.pid, self.tree)

    def cpu(self):
        return cpu_seconds(self.pid, self.tree)

    def event_client(self, _base):
        return None  # pbxd's, with its REST API, is below

    def stop(self):
        self.procs.stop(self.proc)
        self.proc = None


class Kamailio(Sut):
    name = "Kamailio"
    tree = True

    def start(self):
        self.port = free_port()
        mpath = next((p for p in KAMAILIO_MPATH_CANDIDATES if os.path.isdir(p)), None)
        if mpath is None:
            raise BenchError("Kamailio modules directory not found")
        children = int(os.environ.get("KAMAILIO_CHILDREN", "0")) or 2 * (os.cpu_count() or 2)
        self.children = children
        subst = {
            "CHILDREN": str(children), "PORT": str(self.port), "REALM": DOMAIN,
            "MPATH": mpath, "AUTH_SECRET": secrets.token_hex(16),
            "CALLER_USER": CALLER_USER, "CALLER_PASS": self.creds[CALLER_USER],
            "CALLEE_USER": CALLEE_USER, "CALLEE_PASS": self.creds[CALLEE_USER],
        }
        with open(os.path.join(HERE, "kamailio.cfg.in")) as f:
            cfg = f.read()
        for k, v in subst.items():
            cfg = cfg.replace("@" + k + "@", v)
        if re.search(r"@[A-Z_]+@", cfg):
            raise BenchError("unreplaced placeholder in kamailio.cfg.in")
        d = os.path.join(self.work, "kamailio")
        rundir = os.path.join(d, "run")
        os.makedirs(rundir)
        cfgfile = os.path.join(d, "kamailio.cfg")
        with open(cfgfile, "w") as f:
            f.write(cfg)
        argv = [KAMAILIO, "-f", cfgfile, "-DD", "-E",
                "-x", "tlsf", "-X", "tlsf", "-m", "2048", "-M", "64",
                "-Y", rundir, "-P", os.path.join(rundir, "kamailio.pid"),
                "-w", d]
        if os.geteuid() == 0:
            # never run the proxy as root: drop to nobody, own runtime dir
            import pwd
            import grp
            try:
                uid = pwd.getpwnam("nobody").pw_uid
                gname = "nogroup"
                try:
                    gid = grp.getgrnam(gname).gr_gid
                except KeyError:
                    gname = "nobody"
                    gid = grp.getgrnam(gname).gr_gid
                for p in (d, rundir):
                    os.chown(p, uid, gid)
                os.chmod(self.work, 0o755)
                argv += ["-u", "nobody", "-g", gname]
            except KeyError:
                pass
        chk = subprocess.run([KAMAILIO, "-c", "-f", cfgfile], capture_output=True,
                             text=True, timeout=30)
        if chk.returncode != 0:
            raise BenchError("kamailio -c failed:\n" + chk.stdout + chk.stderr)
        self.log = os.path.join(d, "kamailio.log")
        self.proc = self.procs.start(argv, self.log, d)
        if not options_ping(self.port, 15.0):
            raise BenchError(f"Kamailio did not answer OPTIONS; see {self.log}")
        self.version = subprocess.run([KAMAILIO, "-v"], capture_output=True, text=True,
                                      timeout=10).stdout.split("\n")[0].replace("version:", "").strip()
        log(f"  {self.version}, pid {self.pid}, udp {HOST}:{self.port}, "
            f"children={children}, -m 2048 -M 64, tlsf")

    def metrics(self):
        return {}


class Pbxd(Sut):
    name = "pbxd"

    def __init__(self, work, procs, creds, binary, limits=(0, 0), rest=False):
        super().__init__(work, procs, creds)
        self.binary = os.path.abspath(binary)  # pbxd runs in its own work directory
        self.limits = limits  # sip.overload limits; 0 keeps pbxd's defaults
        # the REST API, for a client of its event stream (events.py): a user of this run
        self.rest = rest
        self.rest_user, self.rest_password = "bench", secrets.token_hex(12)
        self.rest_salt = secrets.token_hex(16)

    def start(self):
        if not os.access(self.binary, os.X_OK):
            raise BenchError(f"{self.binary} not found (run `make build` first)")
        self.port = free_port()
        self.metrics_port = free_port()
        self.rest_port = free_port() if self.rest else None
        d = os.path.join(self.work, "pbxd")
        os.makedirs(d)
        queue = (f"    max_receive_queue_percent: {self.limits[2]}\n"
                 if len(self.limits) > 2 else "")
        rest = (f"""
rest:
  listen: {HOST}:{self.rest_port}
  domain: default
  salt: {self.rest_salt}
  users:
    - {{username: {self.rest_user}, password: "{self.rest_password}"}}
""" if self.rest else "")
        cfg = f"""# generated by tools/bench/sip-cps/run for one bench run
sip:
  listen:
    - udp:{HOST}:{self.port}
    - tcp:{HOST}:{self.port}
  domain: {DOMAIN}
  registration:
    min_expires: 60
    max_expires: 3600
    default_expires: 3600
  no_answer_timeout: 30s
  overload:
    max_call_setups_per_second: {self.limits[0]}
    max_pending_transactions: {self.limits[1]}
{queue}    retry_after: 5s

media:
  address: {HOST}
  port_min: 20000
  port_max: 60000
  threads: 0
  rtp_timeout: 600s          # the bench phones send no RTP; held calls must stay up

metrics:
  listen: {HOST}:{self.metrics_port}
{rest}
log:
  level: warning

extensions:
  - number: "{CALLER_USER}"
    accounts: [{{username: "{CALLER_USER}", password: "{self.creds[CALLER_USER]}"}}]
  - number: "{CALLEE_USER}"
    accounts: [{{username: "{CALLEE_USER}", password: "{self.creds[CALLEE_USER]}"}}]
"""
        cfgfile = os.path.join(d, "pbxd.yaml")
        with open(cfgfile, "w") as f:
            f.write(cfg)
        self.log = os.path.join(d, "pbxd.log")
        self.proc = self.procs.start([self.binary, "-c", cfgfile], self.log, d)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"pbxd exited with {self.proc.returncode}; see {self.log}:\n"
                                 + tail(self.log))
            if "ready" in tail(self.log, 200000):
                break
            time.sleep(0.2)
        else:
            raise BenchError(f"pbxd did not print 'ready' within 30 s; see {self.log}")
        self.version = self.binary
        log(f"  pbxd pid {self.pid}, sip udp/tcp {HOST}:{self.port}, "
            f"metrics {HOST}:{self.metrics_port}, media 20000-60000, threads 0"
            + (f", REST API {HOST}:{self.rest_port}" if self.rest else ""))

    def event_client(self, base):
        """A client of /rest/events for one step (events.py); None without the REST API."""
        if not self.rest:
            return None
        return EventClient(self.procs, self.work, base, self.rest_port, self.rest_user,
                           self.rest_password, self.rest_salt)

    def metrics(self):
        """pbx_* samples from /metrics: {series: value}."""
        url = f"http://{HOST}:{self.metrics_port}/metrics"
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                text = r.read().decode("utf-8", "replace")
        except Exception as e:  # noqa: BLE001 - report, do not fail the bench
            log(f"  (metrics unavailable: {e})")
            return {}
        out = {}
        for line in text.splitlines():
            if not line.startswith("pbx_"):
                continue
            m = re.match(r"^(\S+?(?:\{[^}]*\})?)\s+(\S+)", line)
            if m:
                try:
                    out[m.group(1)] = float(m.group(2))
                except ValueError:
                    pass
        return out


def signaling_load(before, after, seconds):
    """pbxd's own load figures between two /metrics scrapes: the signaling thread's share
    of a core (and the SIP send thread's, where pbxd has one), and the bucket bound under
    which 99% of the loop-lag probes fell."""
    cpu = "pbx_signaling_thread_cpu_seconds_total"
    if cpu not in before or cpu not in after or seconds <= 0:
        return {}
    out = {"signaling_load": (after[cpu] - before[cpu]) / seconds, "lag_p99": None}
    send = "pbx_sip_send_thread_cpu_seconds_total"
    if send in before and send in after:
        out["send_load"] = (after[send] - before[send]) / seconds
    reason = re.compile(r'^pbx_overload_rejections_total\{reason="([^"]+)"\}$')
    out["refused_by"] = {m.group(1): after[k] - before.get(k, 0.0)
                         for k in after if (m := reason.match(k))}
    prefix = 'pbx_signaling_loop_lag_probe_seconds_bucket{le="'
    buckets = sorted((float(k[len(prefix):-2]), after[k] - before.get(k, 0.0))
                     for k in after if k.startswith(prefix))  # "+Inf" sorts last as inf
    if buckets and buckets[-1][1] > 0:
        out["lag_p99"] = next(le for le, n in buckets if n >= 0.99 * buckets[-1][1])
    return out


def describe_signaling_load(r):
    if r.get("signaling_load") is None:
        return ""
    p99 = r.get("lag_p99")
    lag = ("n/a" if p99 is None else "> 2500 ms" if p99 == float("inf")
           else f"<= {p99 * 1000:g} ms")
    refused = ", ".join(f"{why} {n:.0f}" for why, n in sorted(r.get("refused_by", {}).items())
                        if n)
    send = r.get("send_load")
    return (f", signaling thread {100 * r['signaling_load']:.0f}%"
            + (f" (send thread {100 * send:.0f}%)" if send is not None else "")
            + f", loop lag p99 {lag}"
            + (f", 503 by reason: {refused}" if refused else ""))


def options_ping(port, timeout):
    deadline = time.time() + timeout
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((HOST, 0))
    s.settimeout(0.5)
    lport = s.getsockname()[1]
    try:
        n = 0
        while time.time() < deadline:
            n += 1
            msg = (f"OPTIONS sip:{HOST}:{port} SIP/2.0\r\n"
                   f"Via: SIP/2.0/UDP {HOST}:{lport};branch=z9hG4bK-ping{n}-{lport};rport\r\n"
                   f"From: <sip:ping@{HOST}>;tag=p{n}\r\nTo: <sip:{HOST}:{port}>\r\n"
                   f"Call-ID: ping-{n}-{lport}@{HOST}\r\nCSeq: {n} OPTIONS\r\n"
                   "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
            s.sendto(msg.encode(), (HOST, port))
            try:
                data = s.recv(65535)
                if data.startswith(b"SIP/2.0 "):
                    return True
            except socket.timeout:
                pass
        return False
    finally:
        s.close()

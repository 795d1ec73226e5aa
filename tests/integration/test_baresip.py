#!/usr/bin/python3
"""Acceptance item 2: two baresip phones (extensions 100 and 101) register through pbxd,
100 calls 101, 101 answers automatically, pbxd relays RTP in both directions, one side hangs
up and the other side's call ends. Done twice: the caller hangs up, then the callee.

The phones are driven through baresip's ctrl_tcp module (netstring-framed JSON commands
and events on a TCP port). Audio: the ausine source (a 440 Hz tone); the player is an
aubridge device nobody reads (no sound card needed).

  test_baresip.py --pbxd PATH [--testdata DIR]
Exit codes: 0 pass, 1 fail, 77 skipped (baresip or a needed module missing).
"""

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbxtest as T  # noqa: E402

MODULE_DIR = "/usr/lib/baresip/modules"
NEEDED_MODULES = ["g711", "ausine", "aubridge", "account", "menu", "ctrl_tcp"]


class Phone:
    """One baresip process with its config dir, its ctrl_tcp connection and its events."""

    def __init__(self, workdir, user, password, pbx):
        self.user = user
        self.dir = os.path.join(workdir, "baresip-%s" % user)
        os.makedirs(self.dir)
        self.sip_port = T.free_port_pair()
        self.ctrl_port = T.free_port(udp=False)
        rtp = T.free_port_block(20, *T.BARESIP_RTP_PORTS)
        self.log_path = os.path.join(workdir, "baresip-%s.log" % user)
        cfg = [
            ("poll_method", "epoll"),
            ("sip_listen", "127.0.0.1:%d" % self.sip_port),
            ("net_interface", "127.0.0.1"),
            ("call_local_timeout", "120"),
            ("call_max_calls", "4"),
            ("audio_player", "aubridge,nobody-listens-%s" % user),
            ("audio_alert", "aubridge,nobody-listens-%s" % user),
            ("audio_source", "ausine,440"),
            # ausine produces 48 kHz stereo only; baresip resamples to the codec's 8 kHz mono
            ("ausrc_srate", "48000"),
            ("ausrc_channels", "2"),
            ("audio_level", "no"),
            ("rtp_ports", "%d-%d" % (rtp, rtp + 19)),
            ("rtcp_mux", "no"),
            ("jitter_buffer_delay", "5-10"),
            ("rtp_stats", "no"),
            ("module_path", MODULE_DIR),
            ("module", "g711.so"),
            ("module", "ausine.so"),
            ("module", "aubridge.so"),
            ("module_tmp", "account.so"),
            ("module_app", "menu.so"),
            ("module_app", "ctrl_tcp.so"),
            ("ctrl_tcp_listen", "127.0.0.1:%d" % self.ctrl_port),
        ]
        with open(os.path.join(self.dir, "config"), "w") as f:
            for k, v in cfg:
                f.write("%-24s%s\n" % (k, v))
        self.aor = "sip:%s@127.0.0.1:%d" % (user, pbx.port)
        with open(os.path.join(self.dir, "accounts"), "w") as f:
            f.write("<%s>;auth_pass=%s;regint=600;answermode=auto;audio_codecs=PCMU,PCMA;"
                    "mwi=no;ptime=20\n" % (self.aor, password))
        with open(os.path.join(self.dir, "contacts"), "w") as f:
            f.write("")
        self.proc = None
        self.sock = None
        self.events = []  # (time, dict)
        self.responses = []
        self.lock = threading.Lock()
        self.reader = None

    def start(self):
        env = dict(os.environ, HOME=self.dir)
        self._log = open(self.log_path, "wb")
        # -s: SIP trace into the log, for diagnostics
        self.proc = T.spawn(["baresip", "-f", self.dir, "-s"], stdout=self._log,
                            stderr=subprocess.STDOUT, env=env)
        T.log("baresip %s started (pid %d, SIP 127.0.0.1:%d, ctrl_tcp %d)"
              % (self.user, self.proc.pid, self.sip_port, self.ctrl_port))
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("baresip %s exited with %s at start"
                                   % (self.user, self.proc.returncode))
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        if self.sock is None:
            raise RuntimeError("baresip %s: ctrl_tcp port %d never accepted a connection"
                               % (self.user, self.ctrl_port))
        self.sock.settimeout(0.5)
        self.reader = threading.Thread(target=self._read_loop, daemon=True)
        self.reader.start()

    def _read_loop(self):
        buf = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if not data:
                return
            buf += data
            while True:  # netstrings: LEN ":" JSON ","
                m = re.match(rb"(\d+):", buf)
                if not m:
                    break
                n = int(m.group(1))
                start = m.end()
                if len(buf) < start + n + 1:
                    break
                payload = buf[start:start + n]
                buf = buf[start + n + 1:]
                try:
                    msg = json.loads(payload.decode("utf-8", "replace"))
                except ValueError:
                    continue
                with self.lock:
                    if msg.get("event"):
                        self.events.append((time.time(), msg))
                    elif msg.get("response"):
                        self.responses.append(msg)

    def command(self, cmd, params="", timeout=5.0):
        token = "%s-%d" % (cmd, time.time() * 1000)
        body = json.dumps({"command": cmd, "params": params, "token": token}).encode()
        self.sock.sendall(str(len(body)).encode() + b":" + body + b",")
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                for r in self.responses:
                    if r.get("token") == token:
                        return r
            time.sleep(0.05)
        return None

    def wait_event(self, etype, since, timeout):
        deadline = time.time() + timeout
        while True:
            with self.lock:
                for t, e in self.events:
                    if t >= since and e.get("type") == etype:
                        return e
            if time.time() >= deadline or (self.proc and self.proc.poll() is not None):
                return None
            time.sleep(0.05)

    def event_types(self, since=0):
        with self.lock:
            return [e.get("type") for t, e in self.events
                    if t >= since and e.get("type") not in ("CALL_RTCP",)]

    def stop(self):
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
        rc = T.stop_process(self.proc, term_timeout=5.0) if self.proc else None
        if getattr(self, "_log", None):
            self._log.close()
        return rc

    def dump(self):
        T.say("----- baresip %s (pid %s, exit %s), events: %s -----"
              % (self.user, self.proc.pid if self.proc else None,
                 self.proc.returncode if self.proc else None, self.event_types()))
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            text = ""
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
        if len(text) > 15000:
            text = "...\n" + text[-15000:]
        T.say(text.rstrip())
        T.say("----- end of baresip %s -----" % self.user)


def rtp(pbx):
    return (pbx.metric("pbx_rtp_packets_relayed_total", direction="caller_to_callee"),
            pbx.metric("pbx_rtp_packets_relayed_total", direction="callee_to_caller"))


def one_call(c, pbx, caller, callee, hangup_by, label):
    T.log("=== call %s: %s dials %s, %s hangs up ===" % (label, caller.user, callee.user,
                                                         hangup_by.user))
    other = callee if hangup_by is caller else caller
    t0 = time.time()
    rtp0 = rtp(pbx)
    answered0 = pbx.metric("pbx_calls_answered_total")
    r = caller.command("dial", "sip:%s@127.0.0.1:%d" % (callee.user, pbx.port))
    c.check(r is not None and r.get("ok"), "%s: ctrl_tcp 'dial' accepted" % label, "%s" % r)
    e1 = callee.wait_event("CALL_ESTABLISHED", t0, 20)
    e2 = caller.wait_event("CALL_ESTABLISHED", t0, 20)
    ok = c.check(e1 is not None, "%s: callee %s reports CALL_ESTABLISHED (auto answer)"
                 % (label, callee.user), "callee events %s" % callee.event_types(t0))
    ok &= c.check(e2 is not None, "%s: caller %s reports CALL_ESTABLISHED" % (label, caller.user),
                  "caller events %s" % caller.event_types(t0))
    if not ok:
        return False
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 1, 5)
    c.check(v == 1, "%s: pbx_calls_active is 1 during the call" % label, "%s" % v)
    v = pbx.wait_metric("pbx_calls_answered_total", lambda x: x == answered0 + 1, 5)
    c.check(v == answered0 + 1, "%s: pbx_calls_answered_total +1" % label, "%s" % v)

    # the counters are published once per second: wait until both directions moved on
    deadline = time.time() + 15
    while True:
        now = rtp(pbx)
        d = (now[0] - rtp0[0], now[1] - rtp0[1])
        if (d[0] >= 50 and d[1] >= 50) or time.time() > deadline:
            break
        time.sleep(0.5)
    T.log("%s: RTP relayed during the call: caller_to_callee %d, callee_to_caller %d"
          % (label, d[0], d[1]))
    c.check(d[0] > 0, '%s: pbx_rtp_packets_relayed_total{direction="caller_to_callee"} grew'
            % label, "delta %d" % d[0])
    c.check(d[1] > 0, '%s: pbx_rtp_packets_relayed_total{direction="callee_to_caller"} grew'
            % label, "delta %d" % d[1])

    t1 = time.time()
    r = hangup_by.command("hangup")
    c.check(r is not None and r.get("ok"), "%s: ctrl_tcp 'hangup' on %s accepted"
            % (label, hangup_by.user), "%s" % r)
    e = other.wait_event("CALL_CLOSED", t1, 15)
    c.check(e is not None, "%s: the other side (%s) reports CALL_CLOSED" % (label, other.user),
            "events %s" % other.event_types(t1))
    if e is not None:
        T.log("%s: %s's call closed: %s" % (label, other.user, e.get("param")))
    e = hangup_by.wait_event("CALL_CLOSED", t1, 5)
    c.check(e is not None, "%s: %s (who hung up) reports CALL_CLOSED" % (label, hangup_by.user),
            "events %s" % hangup_by.event_types(t1))
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 0, 10)
    c.check(v == 0, "%s: pbx_calls_active returns to 0" % label, "%s" % v)
    return True


def main():
    args = T.parse_args()
    T.require_exe("baresip", "baresip-core")
    missing = [m for m in NEEDED_MODULES
               if not os.path.exists(os.path.join(MODULE_DIR, m + ".so"))]
    if missing:
        T.skip("baresip modules missing in %s: %s" % (MODULE_DIR, ", ".join(missing)))
    T.install_deadline(170)

    c = T.Checker("baresip calls through pbxd (acceptance item 2)")
    workdir = T.make_workdir("baresip")
    pbx = T.Pbxd(args.pbxd, workdir, no_answer_timeout="30s")
    phones = []
    try:
        pbx.start()
        p100 = Phone(workdir, "100", "demo100", pbx)
        p101 = Phone(workdir, "101", "demo101", pbx)
        phones = [p100, p101]
        for p in phones:
            p.start()
        v = pbx.wait_metric("pbx_registrations", lambda x: x == 2, 20)
        if c.check(v == 2, "both phones registered (pbx_registrations is 2)", "%s" % v):
            if one_call(c, pbx, p100, p101, p100, "call 1 (caller hangs up)"):
                time.sleep(1)
                one_call(c, pbx, p100, p101, p101, "call 2 (callee hangs up)")
        for p in phones:
            c.check(p.proc.poll() is None, "baresip %s still running" % p.user,
                    "exit code %s" % p.proc.returncode)
        c.check(pbx.alive(), "pbxd is still running")
        addrs = _sdp_addresses(phones)
        c.check(addrs == {"127.0.0.1"}, "the phones' SDP used only 127.0.0.1", "%s" % addrs)
    except T.TestTimeout as e:
        c.check(False, "the test finished in time", str(e))
    except Exception as e:  # noqa: BLE001
        c.check(False, "the test ran without an exception", repr(e))
    finally:
        for p in phones:
            p.stop()
        rc = pbx.stop()
        c.check(rc == 0, "pbxd stops with exit code 0 on SIGTERM", "exit code %s" % rc)
        if c.failures:
            pbx.dump("baresip test")
            for p in phones:
                p.dump()
        T.remove_workdir(workdir, args.keep, bool(c.failures))
    sys.exit(c.verdict())


def _sdp_addresses(phones):
    out = set()
    for p in phones:
        try:
            with open(p.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
        # SDP sent by baresip: after a "127.0.0.1:<its port> ->" trace line
        for block in re.split(r"\n#\n", text):
            if ("127.0.0.1:%d ->" % p.sip_port) in block:
                out.update(re.findall(r"^c=IN IP4 (\S+)", block, re.M))
    return out


if __name__ == "__main__":
    main()

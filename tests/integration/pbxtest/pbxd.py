"""A pbxd started on free ports with a generated config, and its Prometheus metrics."""

import os
import re
import time
import urllib.request

from .ports import PBXD_MEDIA_PORTS, free_port, free_port_block
from .process import log, say, spawn, stop_process
from .sip_dump import read_dump

DEFAULT_EXTENSIONS = [("100", [("100", "demo100")]),
                      ("101", [("101", "demo101")]),
                      ("102", [("102", "demo102")]),
                      ("103", [("103", "demo103")])]


class Pbxd:
    def __init__(self, exe, workdir, extensions=None, no_answer_timeout="30s",
                 min_expires=60, max_expires=3600, default_expires=3600, log_level="info",
                 rtp_timeout="60s", sip_dump=False, rest_users=None, media_dirs=False,
                 music_on_hold=None):
        """`extensions`: [(number, [(username, password[, codecs[, more]])])], DEFAULT_EXTENSIONS
        when None; `codecs` is the account's list (pbxd's `codecs:`, e.g. ["PCMA"]; None: every
        codec), `more` a dict of further account keys written as they are ({"srtp": "off"}).
        `rest_users`: [(username, password)] turns the REST API on, on `rest_port`.
        `media_dirs`: media.prompts_dir and media.recordings_dir, `prompts_dir` and
        `recordings_dir` under `workdir` (pbxd creates them; relative in the config, which is
        in `workdir` too). `music_on_hold`: media.music_on_hold, file names in prompts_dir
        (media_dirs=True); the files must exist before start()."""
        self.exe = exe
        self.workdir = workdir
        self.port = free_port()
        self.metrics_port = free_port(udp=False)
        self.rest_port = free_port(udp=False) if rest_users else None
        self.media_min = free_port_block(200, *PBXD_MEDIA_PORTS)
        self.media_max = self.media_min + 199
        self.extensions = extensions or DEFAULT_EXTENSIONS
        self.config_path = os.path.join(workdir, "pbxd.yaml")
        self.stdout_path = os.path.join(workdir, "pbxd.stdout")
        self.stderr_path = os.path.join(workdir, "pbxd.stderr")
        # sip_dump: sofia-sip writes every SIP message pbxd sends or receives to this file
        # (its TPORT_DUMP); sip_messages() reads it back
        self.sip_dump_path = os.path.join(workdir, "pbxd.sip") if sip_dump else None
        self.prompts_dir = os.path.join(workdir, "prompts") if media_dirs else None
        self.recordings_dir = os.path.join(workdir, "recordings") if media_dirs else None
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
        ] + (["  prompts_dir: prompts", "  recordings_dir: recordings"] if media_dirs else []) + (
            ["  music_on_hold: [%s]" % ", ".join(music_on_hold)] if music_on_hold else []) + [
            "metrics:",
            "  listen: 127.0.0.1:%d" % self.metrics_port,
        ]
        if rest_users:
            lines += ["rest:",
                      "  listen: 127.0.0.1:%d" % self.rest_port,
                      "  domain: default",
                      "  users:"]
            lines += ['    - {username: "%s", password: "%s"}' % u for u in rest_users]
        lines += [
            "log:",
            "  level: %s" % log_level,
            "extensions:",
        ]
        for number, accounts in self.extensions:
            lines.append('  - number: "%s"' % number)
            lines.append("    accounts:")
            for account in accounts:  # (username, password[, codecs[, more]])
                codecs = (", codecs: [%s]" % ", ".join(account[2])
                          if len(account) > 2 and account[2] else "")
                more = "".join(", %s: %s" % kv for kv in
                               (account[3].items() if len(account) > 3 else []))
                lines.append('      - {username: "%s", password: "%s"%s%s}'
                             % (account[0], account[1], codecs, more))
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    @property
    def uri_host(self):
        return "127.0.0.1:%d" % self.port

    def start(self, ready_timeout=15.0):
        log("starting pbxd: %s -c %s (SIP 127.0.0.1:%d, metrics :%d, REST :%s, media %d-%d)"
            % (self.exe, self.config_path, self.port, self.metrics_port, self.rest_port,
               self.media_min, self.media_max))
        self._out = open(self.stdout_path, "wb")
        self._err = open(self.stderr_path, "wb")
        env = dict(os.environ, TPORT_DUMP=self.sip_dump_path) if self.sip_dump_path else None
        self.proc = spawn([self.exe, "-c", self.config_path], stdout=self._out, stderr=self._err,
                          env=env)
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

    def sip_messages(self):
        """What pbxd sent and received so far (sip_dump=True): a list of sip_dump.SipMessage."""
        return read_dump(self.sip_dump_path) if self.sip_dump_path else []

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
        say("----- pbxd stderr (%s) -----" % why)
        text = self.stderr_text()
        if len(text) > 20000:
            text = "...\n" + text[-20000:]
        say(text.rstrip())
        say("----- end of pbxd stderr -----")

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

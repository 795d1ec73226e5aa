"""A baresip phone driven through its ctrl_tcp module (netstring-framed JSON commands and
events on a TCP port), with its own config dir, SIP port and RTP ports on 127.0.0.1.

Audio: the ausine source (a 440 Hz tone, or `tone_hz`); the player is an aubridge device
nobody reads (no sound card needed). `-s` writes a SIP trace into its log, for diagnostics.

Codecs: `audio_codecs` is the account's list (baresip's `;audio_codecs=` parameter: "PCMU",
"PCMA", "G722", "opus/48000/2"); only the codec modules it names are loaded. baresip always
offers and answers telephone-event (RFC 4733) next to them, and has no setting to leave it out.
`record=True` loads the sndfile filter, which writes each call's audio into `record_dir` as
dump-<start time>-enc.wav (what the phone sent) and dump-<start time>-dec.wav (what it
received and decoded), see recordings().

SRTP: `mediaenc="srtp-mand"` (or "srtp", "srtp-mandf") loads the srtp module and sets the
account's `;mediaenc=` (SDES keys in a=crypto; srtp-mand offers RTP/SAVP).
"""

import json
import os
import re
import socket
import subprocess
import threading
import time

from .ports import BARESIP_RTP_PORTS, free_port, free_port_block, free_port_pair
from .process import log, say, spawn, stop_process
from .verdict import require_exe, skip

MODULE_DIR = "/usr/lib/baresip/modules"
NEEDED_MODULES = ["g711", "ausine", "aubridge", "account", "menu", "ctrl_tcp"]
# the codec module of each name baresip's audio_codecs takes
CODEC_MODULES = {"pcmu": "g711", "pcma": "g711", "g722": "g722", "opus": "opus"}


def codec_modules(audio_codecs):
    """The modules the codecs of an audio_codecs list ("opus/48000/2,PCMU") need, in order."""
    out = []
    for codec in audio_codecs.split(","):
        module = CODEC_MODULES[codec.split("/")[0].strip().lower()]
        if module not in out:
            out.append(module)
    return out


def require_baresip(extra_modules=()):
    """Skips the test (exit 77) unless baresip and the modules BaresipPhone loads (and
    `extra_modules`, e.g. "opus", "sndfile") are installed."""
    require_exe("baresip", "baresip-core")
    missing = [m for m in NEEDED_MODULES + list(extra_modules)
               if not os.path.exists(os.path.join(MODULE_DIR, m + ".so"))]
    if missing:
        skip("baresip modules missing in %s: %s" % (MODULE_DIR, ", ".join(missing)))


class BaresipPhone:
    """One baresip process with its config dir, its ctrl_tcp connection and its events."""

    def __init__(self, workdir, user, password, pbx, answermode="auto", audio_codecs="PCMU,PCMA",
                 tone_hz=440, record=False, mediaenc=None):
        """`answermode`: "auto" answers every incoming call at once, "manual" lets it ring
        until the `accept` command. `audio_codecs`, `tone_hz`, `record`, `mediaenc`: see the
        module's doc."""
        self.user = user
        self.dir = os.path.join(workdir, "baresip-%s" % user)
        os.makedirs(self.dir)
        self.sip_port = free_port_pair()
        self.ctrl_port = free_port(udp=False)
        rtp = free_port_block(20, *BARESIP_RTP_PORTS)
        self.log_path = os.path.join(workdir, "baresip-%s.log" % user)
        cfg = [
            ("poll_method", "epoll"),
            ("sip_listen", "127.0.0.1:%d" % self.sip_port),
            ("net_interface", "127.0.0.1"),
            ("call_local_timeout", "120"),
            ("call_max_calls", "4"),
            ("audio_player", "aubridge,nobody-listens-%s" % user),
            ("audio_alert", "aubridge,nobody-listens-%s" % user),
            ("audio_source", "ausine,%d" % tone_hz),
            # ausine produces 48 kHz stereo only; baresip resamples to the codec's 8 kHz mono
            ("ausrc_srate", "48000"),
            ("ausrc_channels", "2"),
            ("audio_level", "no"),
            ("rtp_ports", "%d-%d" % (rtp, rtp + 19)),
            ("rtcp_mux", "no"),
            ("jitter_buffer_delay", "5-10"),
            ("rtp_stats", "no"),
            ("module_path", MODULE_DIR),
        ] + [("module", m + ".so") for m in codec_modules(audio_codecs)] + [
            ("module", "ausine.so"),
            ("module", "aubridge.so"),
            ("module_tmp", "account.so"),
            ("module_app", "menu.so"),
            ("module_app", "ctrl_tcp.so"),
            ("ctrl_tcp_listen", "127.0.0.1:%d" % self.ctrl_port),
        ]
        self.record_dir = os.path.join(self.dir, "recordings") if record else None
        if record:
            os.makedirs(self.record_dir)
            cfg += [("module", "sndfile.so"), ("snd_path", self.record_dir)]
        if mediaenc:
            cfg += [("module", "srtp.so")]
        with open(os.path.join(self.dir, "config"), "w") as f:
            for k, v in cfg:
                f.write("%-24s%s\n" % (k, v))
        self.aor = "sip:%s@127.0.0.1:%d" % (user, pbx.port)
        with open(os.path.join(self.dir, "accounts"), "w") as f:
            f.write("<%s>;auth_pass=%s;regint=600;answermode=%s;audio_codecs=%s;"
                    "mwi=no;ptime=20%s\n" % (self.aor, password, answermode, audio_codecs,
                                              ";mediaenc=%s" % mediaenc if mediaenc else ""))
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
        self.proc = spawn(["baresip", "-f", self.dir, "-s"], stdout=self._log,
                            stderr=subprocess.STDOUT, env=env)
        log("baresip %s started (pid %d, SIP 127.0.0.1:%d, ctrl_tcp %d)"
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
        return self

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
        rc = stop_process(self.proc, term_timeout=5.0) if self.proc else None
        if getattr(self, "_log", None):
            self._log.close()
        return rc

    def recordings(self):
        """The sndfile filter's WAV files so far, oldest call first: [(enc path, dec path)]
        (a path is None while that file is missing). The names have a one-second resolution:
        calls of one phone must start in different seconds to get files of their own."""
        if not self.record_dir:
            return []
        calls = {}
        for name in os.listdir(self.record_dir):
            m = re.match(r"dump-(.+)-(enc|dec)\.wav$", name)
            if m:
                calls.setdefault(m.group(1), {})[m.group(2)] = os.path.join(self.record_dir, name)
        return [(calls[k].get("enc"), calls[k].get("dec")) for k in sorted(calls)]

    def received_messages(self, sender_port):
        """The SIP messages baresip received from 127.0.0.1:`sender_port`, from its -s trace
        (blocks "UDP 127.0.0.1:PORT -> 127.0.0.1:OURS", then the message)."""
        return self._traced(sender_port, self.sip_port)

    def sent_messages(self, receiver_port):
        """The SIP messages baresip sent to 127.0.0.1:`receiver_port`, from its -s trace."""
        return self._traced(self.sip_port, receiver_port)

    def _traced(self, from_port, to_port):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return []
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
        out = []
        # The arrow line may follow the call status baresip redraws with \r (no newline first);
        # the message is its head up to the blank line and Content-Length bytes of body.
        arrow = re.compile(r"127\.0\.0\.1:%d -> 127\.0\.0\.1:%d\n" % (from_port, to_port))
        for m in arrow.finditer(text):
            rest = text[m.end():]
            head, sep, after = rest.partition("\r\n\r\n")
            if not sep:
                continue
            length = re.search(r"^(?:Content-Length|l)\s*:\s*(\d+)", head, re.M | re.I)
            out.append(head + sep + after[:int(length.group(1)) if length else 0])
        return out

    def dump(self):
        say("----- baresip %s (pid %s, exit %s), events: %s -----"
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
        say(text.rstrip())
        say("----- end of baresip %s -----" % self.user)

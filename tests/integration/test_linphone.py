#!/usr/bin/python3
"""Linphone over TCP and baresip over UDP through pbxd: the findings of trying pbxd with
Linphone as a second softphone, checked with the real phones.

Linphone (linphonec, Debian package linphone-cli) registers as 100 over TCP, baresip as 101
over UDP. Two calls:
  1. Linphone calls 101, baresip answers (auto answer), Linphone hangs up: pbxd answers the
     Linphone dialog (UAS).
  2. baresip calls 100, Linphone answers (auto answer), Linphone hangs up: pbxd calls Linphone
     (UAC) at the Contact it registered over TCP.
Checked from pbxd's own transport dump (sofia-sip's TPORT_DUMP, pbxtest.Pbxd(sip_dump=True)):
  * every request of each Linphone dialog arrived at pbxd over TCP, and pbxd sent its own over
    TCP, with a Contact saying transport=tcp and a port: RFC 3261 8.1.1.8 and 12.1.1 (pbxd's
    Contact used to be <sip:127.0.0.1> and Linphone sent its ACK and BYE over UDP);
  * the SDP each phone received is pbxd's own: session name pbxkit, no a=tool, a=label, a=ssrc
    or msid, nothing naming the other phone's software (it used to carry the other phone's
    a=tool, a=label and a=ssrc ... cname:sip:101@...).

linphonec opens no SIP socket unless $HOME/.local/share/linphone exists when it starts, so it
gets a HOME of its own in the work dir. It reads commands on stdin and prints call states on
stdout; `soundcard use files` keeps it off the sound card. All addresses are 127.0.0.1.

  test_linphone.py --pbxd PATH [--testdata DIR] [--keep]
Exit codes: 0 pass, 1 fail, 77 skipped (linphonec or baresip missing).
"""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbxtest as T  # noqa: E402

# Marks of each phone's software that must not reach the other phone in pbxd's SDP.
LINPHONE_MARKS = ("linphone", "belle-sip", "mediastreamer", "liblinphone")
BARESIP_MARKS = ("baresip", "libre")


class Linphone:
    """One linphonec process: TCP to pbxd, commands on its stdin, call states from its stdout."""

    def __init__(self, workdir, user, password, pbx):
        self.user = user
        self.home = os.path.join(workdir, "linphone-%s" % user)
        os.makedirs(os.path.join(self.home, ".local", "share", "linphone"))
        self.sip_port = T.free_port()  # UDP and TCP, as a phone set up by hand would have
        rtp = T.free_port_block(6, *T.BARESIP_RTP_PORTS)
        self.config_path = os.path.join(self.home, "linphonerc")
        self.stdout_path = os.path.join(workdir, "linphone-%s.stdout" % user)
        self.log_path = os.path.join(workdir, "linphone-%s.log" % user)
        proxy = "<sip:127.0.0.1:%d;transport=tcp>" % pbx.port
        sections = [
            ("sip", [("sip_port", self.sip_port), ("sip_tcp_port", self.sip_port),
                     ("sip_tls_port", 0), ("bind_address", "127.0.0.1"),
                     ("guess_hostname", 0), ("ipv6_enabled", 0), ("default_proxy", 0),
                     ("register_only_when_network_is_up", 0),
                     ("register_only_when_upnp_is_ok", 0), ("inc_timeout", 60),
                     ("media_encryption", "none")]),
            ("net", [("ipv6_enabled", 0), ("mtu", 1300)]),
            ("rtp", [("audio_rtp_port", rtp), ("video_rtp_port", rtp + 2),
                     ("text_rtp_port", rtp + 4)]),
            ("video", [("capture", 0), ("display", 0), ("automatically_initiate", 0),
                       ("automatically_accept", 0)]),
            ("proxy_0", [("reg_proxy", proxy), ("reg_identity", "sip:%s@127.0.0.1" % user),
                         ("reg_expires", 600), ("reg_sendregister", 1), ("publish", 0),
                         ("dial_escape_plus", 0)]),
            ("auth_info_0", [("username", user), ("passwd", password), ("realm", "127.0.0.1"),
                             ("domain", "127.0.0.1")]),
            # G.711 only, as baresip: what pbxd's late-offer default offers too
            ("audio_codec_0", [("mime", "PCMU"), ("rate", 8000), ("channels", 1),
                               ("enabled", 1)]),
            ("audio_codec_1", [("mime", "PCMA"), ("rate", 8000), ("channels", 1),
                               ("enabled", 1)]),
        ]
        for i, (mime, rate, channels) in enumerate([("opus", 48000, 2), ("speex", 16000, 1),
                                                    ("speex", 8000, 1), ("G729", 8000, 1)]):
            sections.append(("audio_codec_%d" % (i + 2), [("mime", mime), ("rate", rate),
                                                          ("channels", channels),
                                                          ("enabled", 0)]))
        with open(self.config_path, "w") as f:
            for name, items in sections:
                f.write("[%s]\n" % name)
                for k, v in items:
                    f.write("%s=%s\n" % (k, v))
                f.write("\n")
        self.proc = None

    def start(self):
        env = dict(os.environ, HOME=self.home)
        self._out = open(self.stdout_path, "wb")
        # -a: answer incoming calls at once; -d 6 -l: its full log, for diagnostics
        self.proc = T.spawn(["linphonec", "-c", self.config_path, "-a", "-d", "6",
                             "-l", self.log_path],
                            stdin=subprocess.PIPE, stdout=self._out, stderr=subprocess.STDOUT,
                            env=env, cwd=self.home)
        T.log("linphonec %s started (pid %d, SIP 127.0.0.1:%d udp+tcp, registers over TCP)"
              % (self.user, self.proc.pid, self.sip_port))
        self.command("soundcard use files")

    def command(self, line):
        T.log("linphonec %s> %s" % (self.user, line))
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def output(self):
        try:
            with open(self.stdout_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_output(self, pattern, since, timeout):
        """The first match of `pattern` in what linphonec printed after offset `since`."""
        deadline = time.time() + timeout
        while True:
            m = re.search(pattern, self.output()[since:])
            if m or time.time() >= deadline or self.proc.poll() is not None:
                return m
            time.sleep(0.1)

    def received_messages(self, sender_port):
        """The SIP bytes linphonec read from 127.0.0.1:`sender_port`, one entry per read, from
        its log (belle-sip logs "received [N] new bytes from [TCP://HOST:PORT]:" and them)."""
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return []
        pattern = (r"received \[\d+\] new bytes from \[\w+://127\.0\.0\.1:%d\]:\n(.*?)"
                   r"(?=^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3} |\Z)" % sender_port)
        return re.findall(pattern, text, re.S | re.M)

    def stop(self):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.command("quit")
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        rc = T.stop_process(self.proc, term_timeout=5.0)
        if getattr(self, "_out", None):
            self._out.close()
        return rc

    def dump(self):
        T.say("----- linphonec %s (pid %s, exit %s), stdout -----"
              % (self.user, self.proc.pid if self.proc else None,
                 self.proc.returncode if self.proc else None))
        T.say(self.output()[-8000:].rstrip())
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            text = ""
        T.say("----- linphonec %s log (last 15000 characters) -----" % self.user)
        T.say(text[-15000:].rstrip())
        T.say("----- end of linphonec %s -----" % self.user)


def dialog_messages(pbx, call_id):
    return [m for m in pbx.sip_messages() if m.call_id == call_id]


def linphone_call_id(pbx, linphone, sent_by_linphone):
    """The Call-ID of the last INVITE dialog between pbxd and Linphone: one Linphone started
    (an INVITE pbxd received over TCP with its User-Agent), or one pbxd started towards it."""
    found = None
    for m in pbx.sip_messages():
        if not (m.is_request and m.method == "INVITE"):
            continue
        if sent_by_linphone and m.direction == "recv" and \
                "linphone" in (m.header("user-agent") or "").lower():
            found = m.call_id
        if not sent_by_linphone and m.direction == "sent" and \
                ("sip:%s@" % linphone.user) in m.start_line:
            found = m.call_id
    return found


def check_linphone_dialog(c, pbx, call_id, label, pbxd_sends_invite):
    """Every request of the dialog went over TCP both ways, and pbxd's Contact says tcp."""
    msgs = dialog_messages(pbx, call_id)
    T.log("%s: pbxd's side of the Linphone dialog %s:" % (label, call_id))
    for m in msgs:
        T.log("    %r" % m)
    requests_in = [m for m in msgs if m.direction == "recv" and m.is_request]
    methods_in = [m.method for m in requests_in]
    if pbxd_sends_invite:
        c.check("BYE" in methods_in, "%s: Linphone's BYE reached pbxd" % label,
                "requests pbxd received in the dialog: %s" % methods_in)
    else:
        for method in ("INVITE", "ACK", "BYE"):
            c.check(method in methods_in, "%s: Linphone's %s reached pbxd" % (label, method),
                    "requests pbxd received in the dialog: %s" % methods_in)
    not_tcp = ["%s %s over %s" % (m.direction, m.start_line.split(" sip:")[0], m.transport)
               for m in msgs if m.transport != "tcp"]
    c.check(not not_tcp, "%s: every message of the Linphone dialog went over TCP" % label,
            ", ".join(not_tcp))
    # pbxd's Contact: in its 1xx/2xx (as UAS) or its INVITE (as UAC)
    contacts = []
    for m in msgs:
        if m.direction != "sent":
            continue
        if (pbxd_sends_invite and m.is_request and m.method == "INVITE") or \
                (not pbxd_sends_invite and not m.is_request and m.method == "INVITE"
                 and 100 < m.status < 300):
            contacts += m.all_headers("contact")
    want = "<sip:127.0.0.1:%d;transport=tcp>" % pbx.port
    c.check(contacts and all(v == want for v in contacts),
            "%s: pbxd's Contact in the dialog is %s" % (label, want), "%s" % contacts)


def sdp_bodies(messages):
    """The SDP bodies in SIP messages as a phone logged them: from v=0 to the first empty line."""
    out = []
    for text in messages:
        text = text.replace("\r\n", "\n")
        at = text.find("\nv=0\n")
        if at >= 0:
            out.append(text[at + 1:].split("\n\n", 1)[0])
    return out


def check_sdp_received(c, bodies, phone_name, foreign_marks):
    """The SDP a phone received from pbxd is pbxd's own."""
    if not c.check(bodies, "%s received SDP from pbxd (in its own log)" % phone_name):
        return
    problems = []
    for body in bodies:
        for line in body.splitlines():
            if line.split(":", 1)[0] in ("a=tool", "a=label", "a=ssrc", "a=ssrc-group", "a=msid",
                                         "a=msid-semantic") or \
                    line.startswith(("i=", "u=", "e=", "p=")) or \
                    (line.startswith("s=") and line != "s=pbxkit") or \
                    (line.startswith("o=") and not line.startswith("o=pbxkit ")) or \
                    any(mark in line.lower() for mark in foreign_marks):
                problems.append(line)
    c.check(not problems, "the %d SDP bodies %s received are pbxd's own (o= and s= pbxkit, "
            "no a=tool, a=label, a=ssrc, msid, nothing of the other phone)"
            % (len(bodies), phone_name), "; ".join(problems))
    T.log("the last SDP %s received:\n%s" % (phone_name, bodies[-1].rstrip()))


def linphone_hangs_up(c, pbx, linphone, baresip, label):
    """After a moment of media (the ACK long since sent), Linphone hangs up: baresip's call
    ends and pbxd has no call left."""
    time.sleep(2)
    t1 = time.time()
    out1 = len(linphone.output())
    linphone.command("terminate")
    e = baresip.wait_event("CALL_CLOSED", t1, 15)
    c.check(e is not None, "%s: baresip's call ends when Linphone hangs up" % label,
            "baresip events %s" % baresip.event_types(t1))
    linphone.wait_output(r"Call \d+ .*(ended|terminated)", out1, 5)
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 0, 10)
    c.check(v == 0, "%s: pbx_calls_active returns to 0" % label, "%s" % v)


def call_linphone_to_baresip(c, pbx, linphone, baresip):
    label = "call 1 (Linphone calls baresip, Linphone hangs up)"
    T.log("=== %s ===" % label)
    t0 = time.time()
    out0 = len(linphone.output())
    linphone.command("call sip:%s@127.0.0.1:%d;transport=tcp" % (baresip.user, pbx.port))
    e = baresip.wait_event("CALL_ESTABLISHED", t0, 20)
    if not c.check(e is not None, "%s: baresip answers" % label,
                   "baresip events %s" % baresip.event_types(t0)):
        return
    m = linphone.wait_output(r"Call \d+ .*connected", out0, 10)
    c.check(m is not None, "%s: linphonec reports the call connected" % label,
            linphone.output()[out0:][-500:])
    v = pbx.wait_metric("pbx_calls_answered_total", lambda x: x >= 1, 5)
    c.check(v >= 1, "%s: pbxd counts the call answered" % label, "%s" % v)
    linphone_hangs_up(c, pbx, linphone, baresip, label)
    call_id = linphone_call_id(pbx, linphone, sent_by_linphone=True)
    if c.check(call_id, "%s: pbxd received Linphone's INVITE" % label):
        check_linphone_dialog(c, pbx, call_id, label, pbxd_sends_invite=False)


def call_baresip_to_linphone(c, pbx, linphone, baresip):
    label = "call 2 (baresip calls Linphone, Linphone hangs up)"
    T.log("=== %s ===" % label)
    t0 = time.time()
    out0 = len(linphone.output())
    r = baresip.command("dial", "sip:%s@127.0.0.1:%d" % (linphone.user, pbx.port))
    c.check(r is not None and r.get("ok"), "%s: ctrl_tcp 'dial' accepted" % label, "%s" % r)
    e = baresip.wait_event("CALL_ESTABLISHED", t0, 20)
    if not c.check(e is not None, "%s: Linphone answers (auto answer)" % label,
                   "baresip events %s; linphonec: %s"
                   % (baresip.event_types(t0), linphone.output()[out0:][-500:])):
        return
    linphone.wait_output(r"Call \d+ .*connected", out0, 10)
    linphone_hangs_up(c, pbx, linphone, baresip, label)
    call_id = linphone_call_id(pbx, linphone, sent_by_linphone=False)
    if c.check(call_id, "%s: pbxd sent Linphone an INVITE" % label):
        check_linphone_dialog(c, pbx, call_id, label, pbxd_sends_invite=True)


def main():
    args = T.parse_args()
    T.require_exe("linphonec", "linphone-cli")
    T.require_baresip()
    T.install_deadline(170)

    c = T.Checker("Linphone (TCP) and baresip (UDP) through pbxd")
    workdir = T.make_workdir("linphone")
    pbx = T.Pbxd(args.pbxd, workdir, sip_dump=True)
    linphone = baresip = None
    try:
        pbx.start()
        linphone = Linphone(workdir, "100", "demo100", pbx)
        baresip = T.BaresipPhone(workdir, "101", "demo101", pbx)
        linphone.start()
        baresip.start()
        v = pbx.wait_metric("pbx_registrations", lambda x: x == 2, 20)
        if c.check(v == 2, "both phones registered (pbx_registrations is 2)", "%s" % v):
            if not pbx.sip_messages():
                T.skip("pbxd's sofia-sip wrote no transport dump to %s (TPORT_DUMP): the "
                       "transports of the Linphone dialogs cannot be checked" % pbx.sip_dump_path)
            registers = [m for m in pbx.sip_messages() if m.direction == "recv"
                         and m.is_request and m.method == "REGISTER"
                         and "linphone" in (m.header("user-agent") or "").lower()]
            c.check(registers and all(m.transport == "tcp" for m in registers),
                    "Linphone registered over TCP", "%s" % registers)
            call_linphone_to_baresip(c, pbx, linphone, baresip)
            time.sleep(1)
            call_baresip_to_linphone(c, pbx, linphone, baresip)
            # what each phone received, as it logged it: the caller's 200 and the callee's
            # INVITE of each call
            check_sdp_received(c, sdp_bodies(linphone.received_messages(pbx.port)), "Linphone",
                               BARESIP_MARKS)
            check_sdp_received(c, sdp_bodies(baresip.received_messages(pbx.port)), "baresip",
                               LINPHONE_MARKS)
        c.check(linphone.proc.poll() is None, "linphonec still running",
                "exit code %s" % linphone.proc.returncode)
        c.check(baresip.proc.poll() is None, "baresip still running",
                "exit code %s" % baresip.proc.returncode)
        c.check(pbx.alive(), "pbxd is still running")
    except T.TestTimeout as e:
        c.check(False, "the test finished in time", str(e))
    except Exception as e:  # noqa: BLE001
        c.check(False, "the test ran without an exception", repr(e))
    finally:
        for phone in (linphone, baresip):
            if phone is not None:
                phone.stop()
        rc = pbx.stop()
        c.check(rc == 0, "pbxd stops with exit code 0 on SIGTERM", "exit code %s" % rc)
        if c.failures:
            pbx.dump("linphone test")
            for phone in (linphone, baresip):
                if phone is not None:
                    phone.dump()
        T.remove_workdir(workdir, args.keep, bool(c.failures))
    sys.exit(c.verdict())


if __name__ == "__main__":
    main()

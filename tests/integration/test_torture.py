#!/usr/bin/python3
"""Acceptance item 4: the RFC 4475 SIP torture messages (and RFC 5118, rfc4475-extra when
present) against a running pbxd.

The messages are read at run time from ${PBX_TESTDATA}/sip-torture/ (never copied into the
repository).

Phase 1 (one pbxd): every RFC 4475 message is sent on the transport its top Via names and
its answer is checked against the expectation listed below:
  * UDP Via: one datagram from a fresh socket. The only change made to the bytes is ";rport"
    appended to the top Via value (RFC 3581), so that the answer comes back to the test's
    socket; without it RFC 3261 18.2.2 sends the answer to the Via's sent-by port (5060 on
    127.0.0.1 for most of these messages), which is neither ours nor free to use.
  * TCP/TLS/other Via: byte-exact on a fresh TCP connection (the answer comes back on it).
    (The SIP stack drops a request whose top Via transport differs from the one it
    arrived on, so a TCP Via sent over UDP would prove nothing.)
  Then a normal call through that pbxd (sipp, as in test_sipp.py).
Phase 2 (a fresh pbxd, so nothing is taken for a retransmission of phase 1): every message
on the other transport (robustness; and the stream framing cases of RFC 4475 3.1.2.2,
3.1.2.3 and 3.3.9 over TCP), then rfc4475-extra and rfc5118 (wire and archive) over UDP and
TCP, then again a normal call.
After every single message pbxd must still run and answer an OPTIONS probe with 200.

Expectation classes (per file, below, with the RFC 4475 section):
  VALID    well-formed (3.1.1.x, 3.2, 3.4): any answer or none is fine (pbxd requires auth,
           so 401/407/404/... are expected), pbxd stays up.
  REJECT   the RFC says the element responds with an error (400 / 505 / 501): pbxd must
           answer with a final error response (>= 400); a different error code than the
           RFC's is reported as a NOTE.
  LIBERAL  invalid, but the RFC allows a liberal element to accept it ("may reject",
           "reasonable to reject", "could infer"): any answer or none.
  APP      well formed, application-level refusal (3.3.x: 416, 420, 415, 406, ...): a final
           error response (>= 400) is required; a 401/407 challenge counts, since RFC 3261
           section 8.2 has a UAS authenticate before it inspects method, headers and body.
  DROP     a response that matches no transaction (or must be discarded, 3.1.2.5/3.1.2.19/
           3.3.10): pbxd must send nothing back.

  test_torture.py --pbxd PATH --testdata DIR
Exit codes: 0 pass, 1 fail, 77 skipped (no test data; or sipp missing for the final call).
"""

import glob
import os
import re
import shutil
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbxtest as T  # noqa: E402

VALID, REJECT, LIBERAL, APP, DROP = "VALID", "REJECT", "LIBERAL", "APP", "DROP"

# file: (RFC 4475 section, title, class, the RFC's status codes, stream-transport expectation)
# stream expectation: None (robustness only), "error-or-close" (an error answer or the
# connection closed), "no-answer" (a stream parser waits for the missing body).
RFC4475 = {
    "wsinv.dat": ("3.1.1.1", "A Short Tortuous INVITE", VALID, [], None),
    "intmeth.dat": ("3.1.1.2", "Wide Range of Valid Characters", VALID, [], None),
    "esc01.dat": ("3.1.1.3", "Valid Use of the % Escaping Mechanism", VALID, [], None),
    "escnull.dat": ("3.1.1.4", "Escaped Nulls in URIs", VALID, [], None),
    "esc02.dat": ("3.1.1.5", "Use of % When It Is Not an Escape (method is unknown: 501)",
                  VALID, [501, 405], None),
    "lwsdisp.dat": ("3.1.1.6", "No LWS between Display Name and <", VALID, [], None),
    "longreq.dat": ("3.1.1.7", "Long Values in Header Fields", VALID, [], None),
    "dblreq.dat": ("3.1.1.8", "Extra Trailing Octets in a UDP Datagram", VALID, [], None),
    "semiuri.dat": ("3.1.1.9", "Semicolon-Separated Parameters in URI User Part", VALID, [], None),
    "transports.dat": ("3.1.1.10", "Varied and Unknown Transport Types", VALID, [], None),
    "mpart01.dat": ("3.1.1.11", "Multipart MIME Message", VALID, [], None),
    "unreason.dat": ("3.1.1.12", "Unusual Reason Phrase (a response)", DROP, [], None),
    "noreason.dat": ("3.1.1.13", "Empty Reason Phrase (a response)", DROP, [], None),
    "badinv01.dat": ("3.1.2.1", "Extraneous Header Field Separators", REJECT, [400], None),
    "clerr.dat": ("3.1.2.2", "Content Length Larger Than Message", REJECT, [400], "no-answer"),
    "ncl.dat": ("3.1.2.3", "Negative Content-Length", REJECT, [400], "error-or-close"),
    "scalar02.dat": ("3.1.2.4", "Request Scalar Fields with Overlarge Values", REJECT, [400], None),
    "scalarlg.dat": ("3.1.2.5", "Response Scalar Fields with Overlarge Values", DROP, [], None),
    "quotbal.dat": ("3.1.2.6", "Unterminated Quoted String in Display Name", LIBERAL, [400], None),
    "ltgtruri.dat": ("3.1.2.7", "<> Enclosing Request-URI", LIBERAL, [400], None),
    "lwsruri.dat": ("3.1.2.8", "Malformed SIP Request-URI (embedded LWS)", REJECT, [400], None),
    "lwsstart.dat": ("3.1.2.9", "Multiple SP Separating Request-Line Elements", LIBERAL, [400], None),
    "trws.dat": ("3.1.2.10", "SP Characters at End of Request-Line", LIBERAL, [400], None),
    "escruri.dat": ("3.1.2.11", "Escaped Headers in SIP Request-URI", LIBERAL, [400], None),
    "baddate.dat": ("3.1.2.12", "Invalid Time Zone in Date Header Field", LIBERAL, [400], None),
    "regbadct.dat": ("3.1.2.13", "Failure to Enclose name-addr URI in <>", LIBERAL, [400], None),
    "badaspec.dat": ("3.1.2.14", "Spaces within addr-spec", LIBERAL, [400], None),
    "baddn.dat": ("3.1.2.15", "Non-token Characters in Display Name", LIBERAL, [400], None),
    "badvers.dat": ("3.1.2.16", "Unknown Protocol Version", REJECT, [505], None),
    "mismatch01.dat": ("3.1.2.17", "Start Line and CSeq Method Mismatch", REJECT, [400], None),
    "mismatch02.dat": ("3.1.2.18", "Unknown Method with CSeq Method Mismatch", REJECT,
                       [501, 400], None),
    "bigcode.dat": ("3.1.2.19", "Overlarge Response Code (a response)", DROP, [], None),
    "badbranch.dat": ("3.2.1", "Missing Transaction Identifier", VALID, [], None),
    "insuf.dat": ("3.3.1", "Missing Required Header Fields", REJECT, [400], None),
    "unkscm.dat": ("3.3.2", "Request-URI with Unknown Scheme", APP, [416], None),
    "novelsc.dat": ("3.3.3", "Request-URI with Known but Atypical Scheme", APP, [416], None),
    "unksm2.dat": ("3.3.4", "Unknown URI Schemes in Header Fields", APP, [400, 416, 403, 404], None),
    "bext01.dat": ("3.3.5", "Proxy-Require and Require", APP, [420], None),
    "invut.dat": ("3.3.6", "Unknown Content-Type", APP, [415], None),
    "regaut01.dat": ("3.3.7", "Unknown Authorization Scheme", APP, [401], None),
    "multi01.dat": ("3.3.8", "Multiple Values in Single Value Required Fields", REJECT, [400], None),
    "mcl01.dat": ("3.3.9", "Multiple Content-Length Values", REJECT, [400], "error-or-close"),
    "bcast.dat": ("3.3.10", "200 OK with Broadcast Via Header Field Value (a response)", DROP,
                  [], None),
    "zeromf.dat": ("3.3.11", "Max-Forwards of Zero (a UAS may answer normally)", VALID,
                   [200, 483], None),
    "cparam01.dat": ("3.3.12", "REGISTER with a Contact Header Parameter", VALID, [], None),
    "cparam02.dat": ("3.3.13", "REGISTER with a url-parameter", VALID, [], None),
    "regescrt.dat": ("3.3.14", "REGISTER with a URL Escaped Header", VALID, [], None),
    "sdp01.dat": ("3.3.15", "Unacceptable Accept Offering", APP, [406], None),
    "inv2543.dat": ("3.4.1", "INVITE with RFC 2543 Syntax", VALID, [], None),
}

# Where the transport the answer is judged on is not the one the top Via names.
JUDGE_ON = {
    # the top Via is itself malformed ("192.0.2.15;;,;,," / "SIP/7.0/UDP"): over UDP an answer
    # has no route (RFC 3261 18.2.2), so pbxd may only drop it there; on a TCP connection an
    # answer goes back on the connection, so there it must answer with the error or close it.
    "badinv01.dat": "tcp",
    "badvers.dat": "tcp",
}

# Files whose answer cannot be checked here; silence is accepted with a NOTE.
SILENCE_OK = {
    "bext01.dat": "its top Via says TLS; pbxd has no TLS listener and a request whose Via "
                  "transport differs from the one it arrived on is dropped by the SIP stack, "
                  "so the 420 of RFC 4475 3.3.5 cannot be observed here",
}

# RFC 5118 (IPv6 torture): pbxd must stay up; these are only reported.
RFC5118_NOTES = {"ipv6-bad.dat": "RFC 5118 4.2: should be rejected with 400"}


def add_rport(data):
    """Append ';rport' to the top Via value (the only change made to a UDP message)."""
    end_hdr = data.find(b"\r\n\r\n")
    if end_hdr < 0:
        end_hdr = data.find(b"\n\n")
    if end_hdr < 0:
        end_hdr = len(data)
    m = re.search(rb"(?im)^(via|v)[ \t]*:", data[:end_hdr])
    if not m:
        return data
    i = m.end()
    while True:  # the header field ends at a line break not followed by SP/HT (folding)
        j = data.find(b"\n", i)
        if j < 0:
            j = len(data)
            break
        if data[j + 1:j + 2] in (b" ", b"\t"):
            i = j + 1
            continue
        break
    end = j
    if data[end - 1:end] == b"\r":
        end -= 1
    value = data[m.end():end]
    first = value.split(b",")[0]
    if b"rport" in first.lower():
        return data
    ins = m.end() + len(first)
    while ins > m.end() and data[ins - 1:ins] in (b" ", b"\t", b"\r", b"\n"):
        ins -= 1
    return data[:ins] + b";rport" + data[ins:]


def via_transport(data):
    """The transport in the top Via (UDP, TCP, TLS, ...), upper case; UDP when unreadable."""
    m = re.search(rb"(?im)^(?:via|v)[ \t]*:[ \t\r\n]*SIP[ \t\r\n]*/[ \t\r\n]*[0-9.]+"
                  rb"[ \t\r\n]*/[ \t\r\n]*([A-Za-z0-9-]+)", data)
    return m.group(1).decode().upper() if m else "UDP"


def judged_transport(data):
    """Where an answer can come back to us: UDP for a UDP Via (with ;rport added), TCP for
    a reliable one (TCP/TLS/SCTP/unknown: RFC 3261 18.2.2 answers on the connection)."""
    return "udp" if is_response(data) or via_transport(data) == "UDP" else "tcp"


def is_response(data):
    return data.startswith(b"SIP/")


def summarize(datas):
    out = []
    for d in datas:
        line = d.split(b"\r\n", 1)[0].split(b"\n", 1)[0]
        out.append(line.decode("utf-8", "replace")[:80])
    return out


def final_codes(datas):
    return [c for c in (T.parse_status(d) for d in datas) if c is not None and c >= 200]


class Torture:
    def __init__(self, c, pbx):
        self.c, self.pbx = c, pbx
        self.probe = T.UdpSip(pbx.port)
        self.table = []  # (file, transport, class, answers)

    def still_up(self, what):
        if not self.pbx.alive():
            self.c.check(False, "pbxd still running after %s" % what,
                         "pbxd exited with %s" % self.pbx.proc.returncode)
            return False
        code = self.probe.options(timeout=2.0, tries=2)
        return self.c.check(code == 200, "pbxd answers OPTIONS with 200 after %s" % what,
                            "got %s" % code)

    def send_udp(self, data, wait):
        s = T.UdpSip(self.pbx.port)
        try:
            s.send(data)
            return s.collect(wait, stop_on_final=True)
        finally:
            s.close()

    def send_tcp(self, data, wait):
        """Returns (answers, closed_by_pbxd)."""
        sock = socket.create_connection(("127.0.0.1", self.pbx.port), timeout=3)
        got, closed, buf = [], False, b""
        try:
            sock.sendall(data)
            deadline = time.time() + wait
            while time.time() < deadline:
                sock.settimeout(max(0.05, deadline - time.time()))
                try:
                    d = sock.recv(65536)
                except socket.timeout:
                    break
                except ConnectionResetError:
                    closed = True
                    break
                if not d:
                    closed = True
                    break
                buf += d
                if re.search(rb"^SIP/2\.0 [2-6]\d\d", buf, re.M):
                    break
        finally:
            sock.close()
        if buf:
            got = [x for x in re.split(rb"(?=SIP/2\.0 \d{3} )", buf) if x]
        return got, closed

    # ------------------------------------------------------------------------------------

    def run_rfc4475_judged(self, path):
        """Sends a file on the transport its top Via names and checks the expectation."""
        name = os.path.basename(path)
        sec, title, cls, codes, _ = RFC4475[name]
        with open(path, "rb") as f:
            raw = f.read()
        tr = JUDGE_ON.get(name) or judged_transport(raw)
        wait = 0.6 if cls in (VALID, LIBERAL, DROP) else 2.0
        closed = False
        if tr == "udp":
            data = raw if is_response(raw) else add_rport(raw)
            answers = self.send_udp(data, wait)
            how = "UDP (;rport added)"
        else:
            answers, closed = self.send_tcp(raw, wait)
            how = "TCP (byte-exact; its Via says %s)" % via_transport(raw)
        finals = final_codes(answers)
        self.table.append((name, tr, cls, summarize(answers) + (["(closed)"] if closed else [])))
        label = "%s (RFC 4475 %s %s) over %s" % (name, sec, title, how)
        T.log("%s [%s] -> %s%s" % (label, cls, summarize(answers) or "no answer",
                                   ", connection closed by pbxd" if closed else ""))
        if cls == DROP:
            self.c.check(not answers, "%s: a response is not answered" % label,
                         "pbxd sent %s" % summarize(answers))
        elif cls in (REJECT, APP) and not answers and name in SILENCE_OK:
            self.c.note("%s: no answer; accepted because %s" % (label, SILENCE_OK[name]))
        elif cls in (REJECT, APP):
            ok = self.c.check((finals and finals[-1] >= 400) or (closed and not finals),
                              "%s: answered with an error%s (RFC: %s)"
                              % (label, " or the connection closed" if tr == "tcp" else "",
                                 codes),
                              "got %s%s" % (summarize(answers) or "no answer",
                                            ", connection closed by pbxd" if closed else ""))
            if ok and not finals:
                self.c.note("%s: pbxd closed the connection without an answer (RFC 4475: %s)"
                            % (label, codes))
            elif ok and finals[-1] not in codes:
                if cls == APP and finals[-1] in (401, 407):
                    self.c.note("%s: challenged with %d before the RFC's %s "
                                "(acceptable: RFC 3261 8.2 authenticates first)"
                                % (label, finals[-1], codes))
                else:
                    self.c.note("%s: answered %d, RFC 4475 says %s" % (label, finals[-1], codes))
        else:
            if cls == LIBERAL and finals and finals[-1] < 400:
                self.c.note("%s: accepted liberally (answered %d; RFC 4475 allows it, %s is "
                            "the strict answer)" % (label, finals[-1], codes))
            elif codes and finals and finals[-1] not in codes and finals[-1] not in (401, 407):
                self.c.note("%s: answered %d (RFC 4475 expects %s)" % (label, finals[-1], codes))
        self.still_up("%s over %s" % (name, tr.upper()))

    def run_rfc4475_other(self, path):
        """The transport not judged above: robustness, and the stream framing cases."""
        name = os.path.basename(path)
        with open(path, "rb") as f:
            raw = f.read()
        if (JUDGE_ON.get(name) or judged_transport(raw)) == "udp":
            self.run_tcp(path, expect=RFC4475[name][4])
        else:
            answers = self.send_udp(add_rport(raw), 0.6)
            self.table.append((name, "udp", "-", summarize(answers)))
            T.log("%s (RFC 4475) over UDP (;rport added; its Via says %s) -> %s"
                  % (name, via_transport(raw), summarize(answers) or "no answer"))
            self.still_up("%s over UDP" % name)

    def run_tcp(self, path, expect=None, label_prefix="RFC 4475"):
        name = os.path.basename(path)
        with open(path, "rb") as f:
            raw = f.read()
        wait = 3.0 if expect else 0.6
        try:
            answers, closed = self.send_tcp(raw, wait)
        except OSError as e:
            self.c.check(False, "%s: TCP connection to pbxd" % name, repr(e))
            self.still_up("%s over TCP" % name)
            return
        finals = final_codes(answers)
        self.table.append((name, "tcp", expect or "-", summarize(answers)))
        label = "%s (%s) over TCP, byte-exact" % (name, label_prefix)
        T.log("%s -> %s%s" % (label, summarize(answers) or "no answer",
                              ", connection closed by pbxd" if closed else ""))
        if expect == "error-or-close":
            self.c.check((finals and finals[-1] >= 400) or closed,
                         "%s: framing error answered with an error or the connection closed"
                         % label, "got %s, closed=%s" % (summarize(answers), closed))
        elif expect == "no-answer":
            # RFC 4475 3.1.2.2: on a stream the receiver waits for the rest of the body
            self.c.check(not finals or finals[-1] >= 400,
                         "%s: the truncated body is not processed as a complete request" % label,
                         "got %s" % summarize(answers))
        if is_response(raw):
            self.c.check(not answers, "%s: a response is not answered" % label,
                         "pbxd sent %s" % summarize(answers))
        self.still_up("%s over TCP" % name)

    def run_other_udp(self, path, label_prefix):
        name = os.path.basename(path)
        with open(path, "rb") as f:
            raw = f.read()
        data = raw if is_response(raw) else add_rport(raw)
        answers = self.send_udp(data, 0.6)
        finals = final_codes(answers)
        self.table.append(("%s/%s" % (label_prefix, name), "udp", "-", summarize(answers)))
        T.log("%s %s over UDP -> %s" % (label_prefix, name, summarize(answers) or "no answer"))
        if name in RFC5118_NOTES and not (finals and finals[-1] >= 400):
            self.c.note("%s %s: %s; pbxd answered %s" % (label_prefix, name, RFC5118_NOTES[name],
                                                        summarize(answers) or "nothing"))
        self.still_up("%s %s over UDP" % (label_prefix, name))


def main():
    args = T.parse_args()
    root = os.path.join(args.testdata, "sip-torture") if args.testdata else ""
    rfc4475_dir = os.path.join(root, "rfc4475")
    if not args.testdata or not os.path.isdir(rfc4475_dir):
        T.skip("the SIP torture test data is absent (looked for %r; set PBX_TESTDATA or "
               "-DPBX_TESTDATA=... to the shared testdata dir)" % rfc4475_dir)
    files = sorted(glob.glob(os.path.join(rfc4475_dir, "*.dat")))
    T.install_deadline(280)

    c = T.Checker("RFC 4475 torture against pbxd (acceptance item 4)")
    unknown = [os.path.basename(f) for f in files if os.path.basename(f) not in RFC4475]
    missing = [n for n in RFC4475 if not os.path.exists(os.path.join(rfc4475_dir, n))]
    c.check(not unknown, "every rfc4475 file has an expectation", "%s" % unknown)
    c.check(not missing, "every expected rfc4475 file is present", "%s" % missing)

    workdir = T.make_workdir("torture")
    sipp_missing = shutil.which("sipp") is None
    tables = []
    pbxs = []
    try:
        # phase 1: every message on the transport its Via names, expectations checked
        pbx = T.Pbxd(args.pbxd, workdir, no_answer_timeout="20s")
        pbxs.append(pbx)
        pbx.start()
        t = Torture(c, pbx)
        tables.append(t.table)
        t.still_up("start")
        T.log("===== phase 1: RFC 4475, %d messages, judged =====" % len(files))
        for f in files:
            if os.path.basename(f) in RFC4475:
                t.run_rfc4475_judged(f)
            if not pbx.alive():
                break
        t.probe.close()
        final_call(c, args, pbx, workdir, sipp_missing, "phase 1")
        stop_pbx(c, pbx)

        # phase 2 (a fresh pbxd, so that no message is taken for a retransmission of
        # phase 1): the other transport, the stream framing cases, RFC 5118, the extra file
        pbx = T.Pbxd(args.pbxd, workdir, no_answer_timeout="20s")
        pbxs.append(pbx)
        pbx.start()
        t = Torture(c, pbx)
        tables.append(t.table)
        T.log("===== phase 2: RFC 4475 on the other transport =====")
        for f in files:
            if os.path.basename(f) in RFC4475:
                t.run_rfc4475_other(f)
            if not pbx.alive():
                break
        for sub, label in (("rfc4475-extra", "rfc4475-extra"), ("rfc5118/wire", "rfc5118 wire"),
                           ("rfc5118/archive", "rfc5118 archive")):
            d = os.path.join(root, sub)
            if not os.path.isdir(d) or not pbx.alive():
                if not os.path.isdir(d):
                    T.log("(no %s dir: %s)" % (label, d))
                continue
            T.log("===== phase 2: %s =====" % label)
            for f in sorted(glob.glob(os.path.join(d, "*.dat"))):
                t.run_other_udp(f, label)
                if pbx.alive():
                    t.run_tcp(f, label_prefix=label)
                if not pbx.alive():
                    break
        t.probe.close()
        final_call(c, args, pbx, workdir, sipp_missing, "phase 2")
        stop_pbx(c, pbx)
    except T.TestTimeout as e:
        c.check(False, "the test finished in time", str(e))
    except Exception as e:  # noqa: BLE001
        c.check(False, "the test ran without an exception", repr(e))
    finally:
        for pbx in pbxs:
            if pbx.exit_code is None:
                stop_pbx(c, pbx)
        if c.failures:
            for i, pbx in enumerate(pbxs):
                pbx.dump("torture phase %d" % (i + 1))
        T.remove_workdir(workdir, args.keep, bool(c.failures))

    T.say("")
    T.say("summary (file, transport, class, what pbxd answered):")
    for i, table in enumerate(tables):
        T.say(" phase %d:" % (i + 1))
        for name, tr, cls, ans in table:
            T.say("  %-34s %-4s %-14s %s" % (name, tr, cls, "; ".join(ans) or "-"))
    rc = c.verdict()
    if rc == 0 and sipp_missing:
        T.skip("the torture part passed, but sipp (sip-tester) is not installed, so the final "
               "call after the torture did not run")
    sys.exit(rc)


def stop_pbx(c, pbx):
    alive = pbx.alive()
    rc = pbx.stop()
    if alive:
        c.check(rc == 0, "pbxd stops with exit code 0 on SIGTERM", "exit code %s" % rc)
    else:
        c.check(False, "pbxd survived the torture", "it exited with %s" % rc)


def final_call(c, args, pbx, workdir, sipp_missing, phase):
    """A normal call through the pbxd that took the torture (sipp, as in test_sipp)."""
    if not pbx.alive() or sipp_missing:
        return
    T.log("===== %s: a normal call after the torture =====" % phase)
    import test_sipp
    args.case = "torture"
    ctx = test_sipp.Ctx(args, c, pbx=pbx, workdir=workdir)
    answered = pbx.metric("pbx_calls_answered_total")
    uas, uac = test_sipp.call(ctx, "callee_answer.xml", "caller_bye.xml")
    if uac is not None:
        ctx.check_sipp(uas, "%s: callee of the final call" % phase)
        ctx.check_sipp(uac, "%s: caller of the final call" % phase)
    c.check(pbx.metric("pbx_calls_answered_total") == answered + 1,
            "%s: the final call was answered" % phase)
    test_sipp.check_idle(ctx, "after the final call (%s)" % phase)


if __name__ == "__main__":
    main()

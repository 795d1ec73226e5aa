"""The sipp cases' common steps (test_sipp.py): registering a sipp callee, running a caller
against it through pbxd, and the checks several cases make of what the two saw."""

import re
import time

import pbxtest as T

SIPP_TIMEOUT = 15  # seconds, per sipp run (-timeout, -timeout_error)


def register(ctx, name, user, password, expires=3600, port=None):
    """Runs register.xml; returns (SippRun, final code, the final response text)."""
    r = T.sipp(ctx.dir, name, "register.xml", ctx.pbx, local_port=port, service=user,
               auth=(user, password), keys={"expires": expires}, timeout_s=SIPP_TIMEOUT)
    r.wait(SIPP_TIMEOUT + 10)
    msgs = r.received()
    final = None
    for m in msgs:
        mm = re.match(r"SIP/2\.0 (\d{3})", m)
        if mm and int(mm.group(1)) >= 200 and int(mm.group(1)) != 401:
            final = (int(mm.group(1)), m)
    codes = r.received_codes()
    return r, codes, final


def sdp_port(msg):
    m = re.search(r"^m=audio (\d+) ", msg, re.M)
    return int(m.group(1)) if m else None


def sdp_addr(msg):
    m = re.search(r"^c=IN IP4 (\S+)", msg, re.M)
    return m.group(1) if m else None


def first(msgs, start):
    for m in msgs:
        if m.startswith(start):
            return m
    return None


class Ctx:
    def __init__(self, args, checker, pbx=None, workdir=None, no_answer_timeout="20s"):
        self.args = args
        self.c = checker
        self.dir = workdir or T.make_workdir("sipp-" + args.case)
        self.pbx = pbx or T.Pbxd(args.pbxd, self.dir, no_answer_timeout=no_answer_timeout)

    def check_sipp(self, run, what):
        ok = self.c.check(run.rc == 0, "%s: sipp exit code 0" % what, "exit code %s" % run.rc)
        if not ok:
            run.dump()
        return ok


def register_callee(ctx, number, password):
    port = T.free_port()
    r, codes, final = register(ctx, "reg-%s" % number, number, password, 600, port)
    ctx.check_sipp(r, "callee %s registers" % number)
    ok = final is not None and final[0] == 200
    ctx.c.check(ok, "callee %s registered (401, 200)" % number, "got %s" % codes)
    return port if ok else None


def call(ctx, callee_scen, caller_scen, callee="101", callee_pw="demo101", register_it=True,
         caller_transport="u1"):
    """Registers the callee (sipp, then a sipp UAS on the same port), runs the caller (over
    UDP, or TCP with caller_transport="t1"). Returns (callee run or None, caller run)."""
    uas = None
    if register_it:
        port = register_callee(ctx, callee, callee_pw)
        if port is None:
            return None, None
        uas = T.sipp(ctx.dir, "callee", callee_scen, ctx.pbx, local_port=port, service=callee,
                     timeout_s=SIPP_TIMEOUT + 5)
        time.sleep(0.5)  # let the UAS bind its port
    uac = T.sipp(ctx.dir, "caller", caller_scen, ctx.pbx, service=callee, auth=("100", "demo100"),
                 keys={"caller": "100"}, timeout_s=SIPP_TIMEOUT, transport=caller_transport)
    uac.wait(SIPP_TIMEOUT + 10)
    if uas:
        uas.wait(SIPP_TIMEOUT + 10)
    return uas, uac


def checked_call(ctx, callee_scen, caller_scen, callee_what, caller_what, caller_transport="u1"):
    """call(), then both sipp runs checked (what each should have seen). Returns (uas, uac);
    uac is None when the callee could not register."""
    uas, uac = call(ctx, callee_scen, caller_scen, caller_transport=caller_transport)
    if uac is not None:
        ctx.check_sipp(uas, callee_what)
        ctx.check_sipp(uac, caller_what)
    return uas, uac


# pbxd sends 100 Trying only for an INVITE that has had no other response for 200 ms (RFC 3261
# 17.2.1; SofiaStack::kTryingDelay), so a callee that rings at once costs the caller no 100.
TRYING_DELAY = 0.2


def check_trying(ctx, uac, rings_late, tcp=False):
    """Checks the caller's 100 Trying against the timestamps of its message trace. Over TCP
    pbxd sends it at once (nta's own would wait T2/2 = 2 s)."""
    c = ctx.c
    line = uac.timeline()
    invites = [t for t, way, first in line if way == "sent" and first.startswith("INVITE ")]
    if not c.check(len(invites) == 2, "the caller sent its INVITE twice (then with credentials)",
                   "%s" % line):
        return
    t0 = invites[-1]
    after = [(t - t0, first) for t, way, first in line if way == "received" and t >= t0]
    trying = [dt for dt, first in after if first.startswith("SIP/2.0 100 ")]
    ringing = [dt for dt, first in after if first.startswith("SIP/2.0 18")]
    seen = ", ".join("%s at +%.0f ms" % (first, dt * 1000) for dt, first in after)
    if tcp:
        c.check(len(trying) == 1 and trying[0] < TRYING_DELAY and ringing
                and trying[0] < ringing[0],
                "caller on TCP: one 100 Trying at once, before the 180", seen)
    elif rings_late:
        c.check(len(trying) == 1 and trying[0] >= TRYING_DELAY - 0.005 and ringing
                and trying[0] < ringing[0],
                "callee rings late: the caller got one 100 Trying, 200 ms after its INVITE and "
                "before the 180", seen)
    elif ringing and ringing[0] < TRYING_DELAY - 0.01:
        # pbxd sent the 180 less than 200 ms after it got the INVITE: no 100 was due.
        c.check(not trying, "callee rings at once: no 100 Trying, the 180 came first", seen)
    else:
        T.log("note: the 180 came %s after the INVITE (a slow machine), so a 100 was allowed"
              % ("%.0f ms" % (ringing[0] * 1000) if ringing else "never"))


def check_idle(ctx, what="after the call"):
    v = ctx.pbx.wait_metric("pbx_calls_active", lambda v: v == 0, 5)
    ctx.c.check(v == 0, "pbx_calls_active is 0 %s" % what, "%s" % v)


def check_anchored(ctx, uas, uac):
    """pbxd rewrites the SDP to its own media address and ports."""
    c, pbx = ctx.c, ctx.pbx
    inv = first(uas.received(), "INVITE ")
    ok = first(uac.received(), "SIP/2.0 200 OK") if uac else None
    if c.check(inv is not None, "callee received the INVITE"):
        port = sdp_port(inv)
        c.check(sdp_addr(inv) == "127.0.0.1" and port is not None
                and pbx.media_min <= port <= pbx.media_max,
                "offer to the callee points at pbxd's media ports (%d-%d)"
                % (pbx.media_min, pbx.media_max), "c=%s m=%s" % (sdp_addr(inv), port))
    if ok is not None:
        port = sdp_port(ok)
        c.check(sdp_addr(ok) == "127.0.0.1" and port is not None
                and pbx.media_min <= port <= pbx.media_max,
                "answer to the caller points at pbxd's media ports",
                "c=%s m=%s" % (sdp_addr(ok), port))


def raw_invite(pbx, port, via_host, branch, call_id, number="999", transport="UDP", creds=None):
    """An INVITE from 100 with SDP, Via sent-by `via_host` with rport."""
    body = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            "m=audio 40000 RTP/AVP 0\r\n")
    auth = "Proxy-Authorization: %s\r\n" % creds if creds else ""
    return ("INVITE sip:%s@%s SIP/2.0\r\n"
            "Via: SIP/2.0/%s %s;branch=%s;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:100@%s>;tag=raw%s\r\n"
            "To: <sip:%s@%s>\r\n"
            "Call-ID: %s\r\n"
            "CSeq: %d INVITE\r\n"
            "Contact: <sip:100@127.0.0.1:%d>\r\n"
            "%sContent-Type: application/sdp\r\n"
            "Content-Length: %d\r\n\r\n%s"
            % (number, pbx.uri_host, transport, via_host, branch, pbx.uri_host, branch,
               number, pbx.uri_host, call_id, 2 if creds else 1, port, auth, len(body),
               body)).encode()

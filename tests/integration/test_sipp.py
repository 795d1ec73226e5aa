#!/usr/bin/python3
"""pbxd with sipp peers: registration with digest auth, calls between registered extensions,
CANCEL, BYE from either side, and the 404/480/486 failures.

  test_sipp.py --pbxd PATH [--testdata DIR] --case NAME     (NAME: see CASES, or "all")

Exit codes: 0 pass, 1 fail, 77 skipped (sipp not installed).
"""

import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbxtest as T  # noqa: E402

from sipp_calls import (SIPP_TIMEOUT, Ctx, call, check_anchored, check_idle,  # noqa: E402
                        check_trying, checked_call, first, raw_invite, register,
                        register_callee)


# ----------------------------------------------------------------------------------------------
# cases


def case_register(ctx):
    c, pbx = ctx.c, ctx.pbx
    port = T.free_port()
    r, codes, final = register(ctx, "reg-100", "100", "demo100", 3600, port)
    ctx.check_sipp(r, "REGISTER 100")
    c.check(codes[:1] == [401], "first REGISTER is challenged with 401", "got %s" % codes)
    c.check(final is not None and final[0] == 200, "authenticated REGISTER gets 200", "got %s" % codes)
    if final and final[0] == 200:
        contact = T.header(final[1], "Contact") or ""
        c.check("sip:100@127.0.0.1:%d" % port in contact,
                "200 lists our binding in Contact", "Contact: %r" % contact)
        m = re.search(r"expires=(\d+)", contact)
        exp = int(m.group(1)) if m else None
        if exp is None and T.header(final[1], "Expires"):
            exp = int(T.header(final[1], "Expires"))
        c.check(exp is not None and 3590 <= exp <= 3600,
                "granted expiry is the requested 3600 s", "Contact: %r" % contact)
    c.check(pbx.wait_metric("pbx_registrations", lambda v: v == 1, 3) == 1,
            "pbx_registrations is 1", "%s" % pbx.metric("pbx_registrations"))

    # longer than max_expires (3600): clamped
    r, codes, final = register(ctx, "reg-100-long", "100", "demo100", 7200, port)
    ctx.check_sipp(r, "REGISTER 100 with Expires 7200")
    if c.check(final is not None and final[0] == 200, "REGISTER with Expires 7200 gets 200",
               "got %s" % codes):
        contact = T.header(final[1], "Contact") or ""
        m = re.search(r"expires=(\d+)", contact)
        c.check(m and 3590 <= int(m.group(1)) <= 3600,
                "Expires 7200 is clamped to max_expires 3600", "Contact: %r" % contact)

    # shorter than min_expires (60): 423 with Min-Expires, or clamped up to 60
    r, codes, final = register(ctx, "reg-100-short", "100", "demo100", 30, port)
    ctx.check_sipp(r, "REGISTER 100 with Expires 30")
    if final and final[0] == 423:
        c.check(T.header(final[1], "Min-Expires") == "60", "423 carries Min-Expires: 60",
                "%r" % T.header(final[1], "Min-Expires"))
    elif c.check(final is not None and final[0] == 200,
                 "REGISTER with Expires 30 gets 200 (clamped) or 423", "got %s" % codes):
        contact = T.header(final[1], "Contact") or ""
        m = re.search(r"expires=(\d+)", contact)
        c.check(m and 50 <= int(m.group(1)) <= 60,
                "Expires 30 is raised to min_expires 60", "Contact: %r" % contact)
    c.check(pbx.metric("pbx_registrations") == 1, "still one registration (one location per account)",
            "%s" % pbx.metric("pbx_registrations"))

    # a second account registers
    r, codes, final = register(ctx, "reg-101", "101", "demo101", 600)
    ctx.check_sipp(r, "REGISTER 101")
    c.check(final is not None and final[0] == 200, "REGISTER 101 gets 200", "got %s" % codes)
    c.check(pbx.wait_metric("pbx_registrations", lambda v: v == 2, 3) == 2,
            "pbx_registrations is 2", "%s" % pbx.metric("pbx_registrations"))

    # unregister (Expires: 0)
    r, codes, final = register(ctx, "unreg-100", "100", "demo100", 0, port)
    ctx.check_sipp(r, "REGISTER 100 with Expires 0")
    if c.check(final is not None and final[0] == 200, "REGISTER with Expires 0 gets 200",
               "got %s" % codes):
        contact = T.header(final[1], "Contact")
        c.check(contact is None or ("127.0.0.1:%d" % port) not in contact,
                "the binding is gone from the 200", "Contact: %r" % contact)
    c.check(pbx.wait_metric("pbx_registrations", lambda v: v == 1, 3) == 1,
            "pbx_registrations back to 1", "%s" % pbx.metric("pbx_registrations"))


def case_register_wrong_password(ctx):
    c, pbx = ctx.c, ctx.pbx
    failures_before = pbx.metric("pbx_auth_failures_total")
    r, codes, final = register(ctx, "reg-badpw", "100", "not-the-password", 3600)
    ctx.check_sipp(r, "REGISTER 100 with a wrong password")
    c.check(codes == [401, 403], "401 challenge, then 403 for the wrong password",
            "got %s" % codes)
    c.check(pbx.metric("pbx_registrations") == 0, "nothing registered",
            "%s" % pbx.metric("pbx_registrations"))
    c.check(pbx.metric("pbx_auth_failures_total") >= failures_before + 1,
            "pbx_auth_failures_total counted it")
    # an unknown user is refused as well
    r, codes, final = register(ctx, "reg-unknown", "777", "whatever", 3600)
    ctx.check_sipp(r, "REGISTER of an unknown account 777")
    c.check(len(codes) >= 2 and codes[0] == 401 and codes[-1] == 403,
            "unknown account: 401, then 403", "got %s" % codes)
    c.check(pbx.metric("pbx_registrations") == 0, "still nothing registered")


def case_call_caller_hangs_up(ctx):
    c, pbx = ctx.c, ctx.pbx
    started, answered = pbx.metric("pbx_calls_started_total"), pbx.metric("pbx_calls_answered_total")
    cpu, probes = (pbx.metric("pbx_signaling_thread_cpu_seconds_total"),
                   pbx.metric("pbx_signaling_loop_lag_probe_seconds_count"))
    sent = pbx.metric("pbx_sip_send_thread_cpu_seconds_total")
    uas, uac = checked_call(ctx, "callee_answer.xml", "caller_bye.xml",
                            "callee (INVITE, 180, 200, ACK, BYE, 200)",
                            "caller (INVITE, 407, INVITE, 180, 200, ACK, BYE, 200)")
    if uac is None:
        return
    codes = [x for x in uac.received_codes() if x >= 200]
    c.check(codes and codes[0] == 407, "caller's first INVITE is challenged with 407", "%s" % codes)
    codes = uac.received_codes()
    c.check(180 in codes and 200 in codes, "caller saw 180 and 200", "%s" % codes)
    check_trying(ctx, uac, rings_late=False)
    reqs = uas.received_requests()
    c.check(reqs[:1] == ["INVITE"] and "ACK" in reqs and "BYE" in reqs,
            "callee saw INVITE, ACK and BYE", "%s" % reqs)
    check_anchored(ctx, uas, uac)
    c.check(pbx.metric("pbx_calls_started_total") == started + 1, "pbx_calls_started_total +1")
    c.check(pbx.metric("pbx_calls_answered_total") == answered + 1, "pbx_calls_answered_total +1")
    check_idle(ctx)
    # The load metrics moved with the call: the signaling thread's CPU time, and the loop-lag
    # probes (one per 100 ms) counted in the histogram, whose +Inf bucket is its count.
    c.check(pbx.metric("pbx_signaling_thread_cpu_seconds_total") > cpu,
            "pbx_signaling_thread_cpu_seconds_total grew")
    n = pbx.metric("pbx_signaling_loop_lag_probe_seconds_count")
    c.check(n > probes, "pbx_signaling_loop_lag_probe_seconds_count grew", "%s -> %s" % (probes, n))
    inf = pbx.metric("pbx_signaling_loop_lag_probe_seconds_bucket", le="+Inf")
    c.check(inf >= n, "the +Inf bucket holds every probe", "%s vs %s" % (inf, n))
    # The call's UDP went out through the send thread (sampled by the same probes), all of it.
    c.check(pbx.metric("pbx_sip_send_thread_cpu_seconds_total") > sent,
            "pbx_sip_send_thread_cpu_seconds_total grew")
    c.check(pbx.metric("pbx_sip_udp_send_dropped_total") == 0
            and pbx.metric("pbx_sip_udp_send_errors_total") == 0,
            "no SIP datagram dropped or refused on the send thread")


def case_call_callee_hangs_up(ctx):
    c, pbx = ctx.c, ctx.pbx
    uas, uac = checked_call(ctx, "callee_bye.xml", "caller_wait_bye.xml",
                            "callee (INVITE, 180 after 600 ms, 200, ACK, BYE from the callee, 200)",
                            "caller (INVITE, 407, INVITE, 100, 180, 200, ACK, BYE from pbxd, 200)")
    if uac is None:
        return
    check_trying(ctx, uac, rings_late=True)
    c.check("BYE" in uac.received_requests(), "the caller got a BYE",
            "%s" % uac.received_requests())
    c.check(200 in uas.received_codes(), "the callee's BYE got a 200", "%s" % uas.received_codes())
    check_anchored(ctx, uas, uac)
    c.check(pbx.metric("pbx_calls_answered_total") == 1, "pbx_calls_answered_total is 1")
    check_idle(ctx)


def case_call_over_tcp(ctx):
    c, pbx = ctx.c, ctx.pbx
    uas, uac = checked_call(ctx, "callee_bye.xml", "caller_wait_bye.xml",
                            "callee (INVITE, 180 after 600 ms, 200, ACK, BYE from the callee, 200)",
                            "caller over TCP (INVITE, 407, INVITE, 100, 180, 200, ACK, BYE, 200)",
                            caller_transport="t1")
    if uac is None:
        return
    check_trying(ctx, uac, rings_late=True, tcp=True)
    c.check("BYE" in uac.received_requests(), "the caller got the callee's BYE over TCP",
            "%s" % uac.received_requests())
    c.check(pbx.metric("pbx_calls_answered_total") == 1, "pbx_calls_answered_total is 1")
    check_idle(ctx)


def case_late_offer(ctx):
    c, pbx = ctx.c, ctx.pbx
    answered = pbx.metric("pbx_calls_answered_total")
    uas, uac = checked_call(ctx, "callee_answer.xml", "caller_late_offer.xml",
                            "callee (INVITE with pbxd's offer, 180, 200, ACK, BYE, 200)",
                            "late-offer caller (INVITE without SDP, 407, INVITE, 180, "
                            "200 with an offer, ACK with the answer, BYE, 200)")
    if uac is None:
        return
    inv = first(uas.received(), "INVITE ")
    c.check(inv is not None and "PCMU/8000" in inv and "PCMA/8000" in inv,
            "pbxd offered G.711 to the callee itself", "%s" % inv)
    check_anchored(ctx, uas, uac)
    c.check(pbx.metric("pbx_calls_answered_total") == answered + 1,
            "pbx_calls_answered_total +1")
    check_idle(ctx)


def case_late_offer_without_answer(ctx):
    c = ctx.c
    uas, uac = checked_call(ctx, "callee_answer.xml", "caller_late_no_answer.xml",
                            "callee of that call is sent BYE by pbxd",
                            "late-offer caller whose ACK has no answer is sent BYE by pbxd")
    if uac is None:
        return
    c.check("BYE" in uas.received_requests(), "pbxd ended the callee leg with BYE",
            "%s" % uas.received_requests())
    check_idle(ctx)


def case_cancel(ctx):
    c, pbx = ctx.c, ctx.pbx
    uas, uac = checked_call(ctx, "callee_cancel.xml", "caller_cancel.xml",
                            "callee (INVITE, 180, CANCEL, 200, 487, ACK)",
                            "caller (INVITE, 407, INVITE, 180, CANCEL, 200, 487, ACK)")
    if uac is None:
        return
    c.check(487 in uac.received_codes(), "the caller got 487 Request Terminated",
            "%s" % uac.received_codes())
    c.check("CANCEL" in uas.received_requests(), "the callee got the CANCEL",
            "%s" % uas.received_requests())
    c.check(pbx.metric("pbx_calls_answered_total") == 0, "no call was answered")
    check_idle(ctx)


def rejected(ctx, number, expected, register_busy=False, callee_scen=None):
    c, pbx = ctx.c, ctx.pbx
    if register_busy or callee_scen:
        uas, uac = call(ctx, callee_scen or "callee_busy.xml", "caller_rejected.xml",
                        callee=number, callee_pw="demo" + number)
        if uas is not None and not callee_scen:
            ctx.check_sipp(uas, "callee answering 486 (INVITE, 180, 486, ACK)")
    else:
        uas, uac = call(ctx, None, "caller_rejected.xml", callee=number, register_it=False)
    if uac is None:
        return uas, uac
    ctx.check_sipp(uac, "caller (INVITE, 407, INVITE, final %d, ACK)" % expected)
    codes = uac.received_codes()
    finals = [x for x in codes if x >= 300 and x != 407]
    c.check(finals[-1:] == [expected], "the caller's call to %s ends with %d" % (number, expected),
            "answers received: %s" % codes)
    c.check(pbx.metric("pbx_calls_answered_total") == 0, "no call was answered")
    check_idle(ctx)
    return uas, uac


def case_reject_404(ctx):
    rejected(ctx, "999", 404)


def case_reject_480(ctx):
    rejected(ctx, "102", 480)


def case_reject_486(ctx):
    rejected(ctx, "101", 486, register_busy=True)
    c, pbx = ctx.c, ctx.pbx
    v = pbx.metric("pbx_calls_failed_total", code="486")
    c.check(v >= 1, 'pbx_calls_failed_total{code="486"} counted it', "%s" % v)


def case_reject_480_no_answer(ctx):
    """The callee rings and never answers: pbxd's no_answer_timeout (3 s here) ends the call
    with 480 to the caller and CANCELs the callee."""
    t0 = time.time()
    uas, uac = rejected(ctx, "101", 480, callee_scen="callee_cancel.xml")
    if uas is not None:
        ctx.check_sipp(uas, "ringing callee is CANCELled by pbxd (INVITE, 180, CANCEL, 200, 487, ACK)")
        ctx.c.check("CANCEL" in uas.received_requests(), "the ringing callee got a CANCEL",
                    "%s" % uas.received_requests())
    took = time.time() - t0
    ctx.c.check(took < 12, "the call ended after about no_answer_timeout (3 s)", "took %.1f s" % took)


def sigterm_answered_call(ctx, callee_scen, timeout):
    """Sets up a call to 101 with `callee_scen`, SIGTERMs pbxd once it is answered and checks
    pbxd exits 0 within `timeout` s. Returns (uas, uac), or None when the call failed."""
    c, pbx = ctx.c, ctx.pbx
    port = register_callee(ctx, "101", "demo101")
    if port is None:
        return None
    uas = T.sipp(ctx.dir, "callee", callee_scen, pbx, local_port=port, service="101",
                 timeout_s=SIPP_TIMEOUT)
    time.sleep(0.5)
    uac = T.sipp(ctx.dir, "caller", "caller_wait_bye.xml", pbx, service="101",
                 auth=("100", "demo100"), keys={"caller": "100"}, timeout_s=SIPP_TIMEOUT)
    v = pbx.wait_metric("pbx_calls_answered_total", lambda x: x == 1, 10)
    if not c.check(v == 1, "the call is answered", "%s" % v):
        uas.stop()
        uac.stop()
        uas.dump()
        uac.dump()
        return None
    time.sleep(0.5)
    rc = pbx.stop(timeout=timeout)
    c.check(rc == 0, "pbxd exits with 0 within %d s of SIGTERM during a call" % timeout,
            "exit code %s" % rc)
    uac.wait(SIPP_TIMEOUT + 5)
    ctx.check_sipp(uac, "caller got a BYE from the stopping pbxd and answered 200")
    c.check("BYE" in uac.received_requests(), "caller received BYE", "%s" % uac.received_requests())
    return uas, uac


def case_sigterm_during_call(ctx):
    """SIGTERM while a call is up: pbxd sends BYE to both legs and exits with 0."""
    legs = sigterm_answered_call(ctx, "callee_answer.xml", 10)
    if legs is None:
        return
    uas = legs[0]
    uas.wait(SIPP_TIMEOUT + 5)
    ctx.check_sipp(uas, "callee got a BYE from the stopping pbxd and answered 200")
    ctx.c.check("BYE" in uas.received_requests(), "callee received BYE",
                "%s" % uas.received_requests())


def case_session_refresh(ctx):
    """UPDATE and a hold re-INVITE from the caller are answered by pbxd on the caller's leg."""
    c = ctx.c
    uas, uac = checked_call(ctx, "callee_answer.xml", "caller_refresh.xml",
                            "callee (INVITE, 180, 200, ACK, BYE, 200)",
                            "caller (INVITE, 407, INVITE, 180, 200, ACK, UPDATE 200, "
                            "re-INVITE 200 recvonly, ACK, BYE, 200)")
    if uac is None:
        return
    reqs = uas.received_requests()
    c.check(reqs == ["INVITE", "ACK", "BYE"], "the callee saw neither the UPDATE nor the re-INVITE",
            "%s" % reqs)
    check_idle(ctx)


def case_prack_session_timer(ctx):
    """A caller that requires 100rel gets the callee's 180 reliably and PRACKs it; it asks for
    a 120 s session timer it refreshes itself, which pbxd grants in its 200 and keeps on the
    refresh."""
    c = ctx.c
    uas, uac = checked_call(ctx, "callee_answer.xml", "caller_100rel_timer.xml",
                            "callee (INVITE, 180, 200, ACK, BYE, 200)",
                            "caller (INVITE, 407, INVITE, 180 with RSeq, PRACK 200, 200 with "
                            "Session-Expires: 120;refresher=uac, ACK, re-INVITE 200, ACK, BYE)")
    if uac is None:
        return
    reqs = uas.received_requests()
    c.check(reqs == ["INVITE", "ACK", "BYE"],
            "the callee saw neither the PRACK nor the refresh", "%s" % reqs)
    check_idle(ctx)


def case_session_too_small(ctx):
    """Session-Expires below pbxd's Min-SE gets 422 with Min-SE (RFC 4028 6)."""
    uac = T.sipp(ctx.dir, "caller", "caller_session_too_small.xml", ctx.pbx, service="101",
                 auth=("100", "demo100"), keys={"caller": "100"}, timeout_s=SIPP_TIMEOUT)
    uac.wait(SIPP_TIMEOUT + 10)
    ctx.check_sipp(uac, "caller (INVITE, 407, INVITE with Session-Expires: 30, 422 with Min-SE: 90)")
    check_idle(ctx)


def case_sigterm_bye_unanswered(ctx):
    """SIGTERM while the callee leaves pbxd's BYE at 100 Trying: pbxd still exits 0 in time."""
    # The shutdown grace is 5 s; a stack waiting out the BYE's Timer F (32 s) is SIGKILLed.
    legs = sigterm_answered_call(ctx, "callee_bye_proceeding.xml", 8)
    if legs is not None:
        legs[0].stop()


def case_challenge_stateless(ctx):
    """A new INVITE over UDP is challenged statelessly (lib/sip/sofia/udp_screen.h): one 407
    with a pbx. To tag, sent to the source port (rport) with received=, the same for a
    retransmission; the INVITE with credentials goes on through nua
    (404 for an unknown number). Over TCP the 407 comes from nua."""
    c, pbx = ctx.c, ctx.pbx
    udp = T.UdpSip(pbx.port)
    branch, call_id = "z9hG4bKstateless1", "stateless-1@127.0.0.1"
    invite = raw_invite(pbx, udp.port, "192.0.2.9:5099", branch, call_id)
    udp.send(invite)
    first = udp.collect(1.0, call_id=call_id)
    udp.send(invite)
    again = udp.collect(1.0, call_id=call_id)
    codes = [T.parse_status(m) for m in first]
    c.check(codes == [407], "one 407 for the INVITE, no 100", "%s" % codes)
    if codes != [407]:
        return
    r = first[0].decode("latin-1")
    to = T.header(r, "To") or ""
    tag = re.search(r";tag=([^;>\s]+)", to)
    c.check(tag is not None and tag.group(1).startswith("pbx."), "the To tag is a stateless one",
            to)
    via = T.header(r, "Via") or ""
    c.check(";rport=%d" % udp.port in via and ";received=127.0.0.1" in via,
            "the Via has rport= and received=", via)
    c.check(T.header(r, "Proxy-Authenticate") is not None, "the 407 carries Proxy-Authenticate")
    c.check([m == first[0] for m in again] == [True], "a retransmission gets the same 407",
            "%s" % [T.parse_status(m) for m in again])
    ack = ("ACK sip:999@%s SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9:5099;branch=%s;rport\r\n"
           "Max-Forwards: 70\r\nFrom: <sip:100@%s>;tag=raw%s\r\nTo: %s\r\n"
           "Call-ID: %s\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"
           % (pbx.uri_host, branch, pbx.uri_host, branch, to[to.index(":") + 1:].strip(),
              call_id)).encode()
    udp.send(ack)  # absorbed by the screen (which the unit tests check); pbxd must stay up
    creds = T.format_credentials(T.digest_fields(T.header(r, "Proxy-Authenticate"), "INVITE",
                                                 "sip:999@%s" % pbx.uri_host, "100", "demo100"))
    udp.send(raw_invite(pbx, udp.port, "127.0.0.1:%d" % udp.port, "z9hG4bKstateless2", call_id,
                        creds=creds))
    codes = [T.parse_status(m) for m in udp.collect(2.0, call_id=call_id)]
    c.check(codes[-1:] == [404], "the INVITE with credentials gets 404 for an unknown number",
            "%s" % codes)
    udp.close()
    stateless = pbx.metric("pbx_sip_stateless_responses_total", code="407")
    c.check(stateless == 2, "/metrics counts the two stateless 407s", "%s" % stateless)

    tcp = socket.create_connection(("127.0.0.1", pbx.port), timeout=3)
    port = tcp.getsockname()[1]
    tcp.sendall(raw_invite(pbx, port, "127.0.0.1:%d" % port, "z9hG4bKstateless3",
                           "stateless-tcp@127.0.0.1", transport="TCP"))
    data = b""
    deadline = time.time() + 3
    while b"\r\n\r\n" not in data and time.time() < deadline:
        data += tcp.recv(65536)
    tcp.close()
    text = data.decode("latin-1")
    c.check(T.parse_status(data) == 407 and ";tag=pbx." not in (T.header(text, "To") or ""),
            "over TCP nua answers the 407", text.split("\r\n")[0])
    check_idle(ctx)


CASES = {
    "register": case_register,
    "register_wrong_password": case_register_wrong_password,
    "call_caller_hangs_up": case_call_caller_hangs_up,
    "call_callee_hangs_up": case_call_callee_hangs_up,
    "call_over_tcp": case_call_over_tcp,
    "late_offer": case_late_offer,
    "late_offer_without_answer": case_late_offer_without_answer,
    "cancel": case_cancel,
    "reject_404": case_reject_404,
    "reject_480": case_reject_480,
    "reject_486": case_reject_486,
    "reject_480_no_answer": case_reject_480_no_answer,
    "sigterm_during_call": case_sigterm_during_call,
    "session_refresh": case_session_refresh,
    "sigterm_bye_unanswered": case_sigterm_bye_unanswered,
    "challenge_stateless": case_challenge_stateless,
    "prack_session_timer": case_prack_session_timer,
    "session_too_small": case_session_too_small,
}

CASE_PBX_OPTIONS = {"reject_480_no_answer": {"no_answer_timeout": "3s"}}


def run_case(args, name):
    checker = T.Checker("sipp %s" % name)
    args.case = name
    ctx = Ctx(args, checker, **CASE_PBX_OPTIONS.get(name, {}))
    crashed = False
    try:
        ctx.pbx.start()
        CASES[name](ctx)
        if ctx.pbx.exit_code is None:  # (a case may have stopped it on purpose)
            checker.check(ctx.pbx.alive(), "pbxd is still running")
            probe = T.UdpSip(ctx.pbx.port)
            checker.check(probe.options() == 200, "pbxd answers OPTIONS with 200")
            probe.close()
    except Exception as e:  # noqa: BLE001 -- report anything as a failure, with diagnostics
        crashed = True
        checker.check(False, "the test ran without an exception", repr(e))
    finally:
        if ctx.pbx.exit_code is None:
            rc = ctx.pbx.stop()
            checker.check(rc == 0, "pbxd stops with exit code 0 on SIGTERM", "exit code %s" % rc)
        if checker.failures or crashed:
            ctx.pbx.dump("sipp %s" % name)
        T.remove_workdir(ctx.dir, args.keep, bool(checker.failures))
    return checker.verdict()


def main():
    args = T.parse_args(lambda ap: ap.add_argument("--case", default="all",
                                                   choices=list(CASES) + ["all"]))
    T.require_exe("sipp", "sip-tester")
    T.install_deadline(25 * (len(CASES) if args.case == "all" else 2))
    names = list(CASES) if args.case == "all" else [args.case]
    rc = 0
    for n in names:
        rc |= run_case(args, n)
    sys.exit(rc)


if __name__ == "__main__":
    main()

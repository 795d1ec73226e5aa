#!/usr/bin/python3
"""Transfers, park, pickup and in-dialog requests through pbxd, against real peers: baresip
phones (driven through ctrl_tcp, a 440 Hz tone as their microphone) and sipp scenarios where
baresip lacks the feature (REFER with Replaces, INFO, INVITE with Replaces).

  test_transfers.py --pbxd PATH [--testdata DIR] --case NAME     (NAME: see CASES, or "all")

Cases:
  blind               100 calls 101, 100 transfers 101 to 102 with baresip's `transfer`
                      (REFER): 202, NOTIFYs with sipfrag 100 then 200, 102 rings and answers,
                      100 is hung up, RTP flows both ways between 101 and 102
  blind_failed        sipp (100) calls 101 and REFERs it to 103, where nothing is registered:
                      NOTIFY of 480, and the call goes on between sipp and 101
  transferor_leaves   sipp (100) calls 101, REFERs it to 102 and sends BYE right after the
                      202 (RFC 5589 6.1): 102 rings and answers all the same
  attended            sipp (100) calls 101, then 102, then REFERs the first dialog with
                      Replaces naming the second: 102 is re-INVITEd onto the first call's
                      relay, sipp gets both dialogs BYEd, 101 and 102 talk
  attended_over_tcp   the same with sipp over TCP: the 202 and NOTIFYs name pbxd's TCP Contact
  attended_abandoned  sipp holds its call with 101, calls 102, hangs that up and resumes: the
                      first call goes on
  park_pickup         100 calls 101, 101 transfers 100 to 888: 100 waits in slot 890 (pbxd's
                      log), 102 dials 890 and talks to 100 (pbxd re-INVITEs 100)
  info_dtmf           sipp (100) calls sipp (101); INFO application/dtmf-relay Signal=5 gets
                      200 and reaches 101; an INFO of an unknown type gets 415
  replaces_pickup     100 calls 101, which rings; sipp (102) sends an INVITE with Replaces
                      naming pbxd's early dialog with 101 and takes the call; an INVITE with
                      Replaces naming no dialog gets 481
  directed_pickup     100 calls 101, which rings; 102 dials **101 and gets the call
  group_pickup        the same with *9 (101 and 102 share the default pickup group)
  outside_dialog      INFO, UPDATE and REFER naming no dialog of pbxd's get 481

Exit codes: 0 pass, 1 fail, 77 skipped (baresip, a module or sipp not installed).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbxtest as T  # noqa: E402
from transfer_steps import (SIPP_TIMEOUT, Ctx, all_ended, blind_transferor,  # noqa: E402
                            call, check_rtp_both_ways, closed, dialog_with, established,
                            header_of, register_sipp, responses_to, run_in, sipfrags,
                            transferor)


# ----------------------------------------------------------------------------------------------
# cases


def case_blind(ctx):
    c, pbx = ctx.c, ctx.pbx
    p100, p101, p102 = ctx.phone("100"), ctx.phone("101"), ctx.phone("102")
    if not ctx.registered(3):
        return
    if not call(ctx, p100, p101, "call"):
        return
    check_rtp_both_ways(ctx, "100 with 101")

    t1 = time.time()
    r = p100.command("transfer", ctx.uri("102"))
    c.check(r is not None and r.get("ok"), "100 transfers the call to 102 (ctrl_tcp 'transfer')",
            "%s" % r)
    established(ctx, p102, t1, "transfer")
    closed(ctx, p100, t1, "transfer")
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 1, 5)
    c.check(v == 1, "one call left (101 with 102)", "%s" % v)
    c.check("CALL_CLOSED" not in p101.event_types(t1), "101's call goes on through the transfer",
            "events %s" % p101.event_types(t1))
    check_rtp_both_ways(ctx, "101 with 102 after the transfer")
    c.check(p102.wait_event("CALL_RTPESTAB", t1, 5) is not None,
            "102 receives RTP (baresip's CALL_RTPESTAB)", "events %s" % p102.event_types(t1))

    # What 100 heard of its REFER: 202, then NOTIFYs of the progress, 100 then 200
    got = p100.received_messages(pbx.port)
    c.check(202 in responses_to(got, "REFER"), "pbxd answered the REFER with 202",
            "%s" % responses_to(got, "REFER"))
    frags = sipfrags(got)
    c.check(frags == [100, 200],
            "pbxd NOTIFYed the transfer's progress: sipfrag 100, then 200", "%s" % frags)
    notifies = [m for m in got if m.startswith("NOTIFY ")]
    events = [header_of(m, "Event") for m in notifies]
    c.check(events and all(e and e.startswith("refer") for e in events),
            "the NOTIFYs carry the refer event", "%s" % events)
    states = [header_of(m, "Subscription-State") for m in notifies]
    c.check(len(states) == 2 and states[0].startswith("active")
            and states[-1].startswith("terminated"),
            "the first NOTIFY keeps the subscription active, the last ends it", "%s" % states)

    t2 = time.time()
    r = p102.command("hangup")
    closed(ctx, p101, t2, "hangup")
    all_ended(ctx)


def case_blind_failed(ctx):
    # sipp, not baresip: baresip 1.0.0 hangs up its own call when a transfer fails
    c, pbx = ctx.c, ctx.pbx
    p101 = ctx.phone("101")
    if not ctx.registered(1):
        return
    t0 = time.time()
    run = blind_transferor(ctx, "103", leave=False)  # nothing is registered for 103
    established(ctx, p101, t0, "call")
    m = ctx.log_has(r"transfer to 103 failed", timeout=10)
    c.check(m is not None, "pbxd logs the failed transfer")
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 1, 5)
    c.check(v == 1, "the call is still up", "%s" % v)
    # the call is the transferor's again: 101's tone comes back from sipp (-rtp_echo)
    check_rtp_both_ways(ctx, "101 with the transferor after the failed transfer", timeout=3)
    c.check("CALL_CLOSED" not in p101.event_types(t0), "101 stayed in its call",
            "events %s" % p101.event_types(t0))
    run.wait(SIPP_TIMEOUT + 10)
    ctx.check_sipp(run, "transferor (call, REFER, 202, 4 s, BYE, 200)")
    frags = sipfrags(run.received())
    c.check(frags == [100, 480], "pbxd NOTIFYed sipfrag 100, then 480 (nothing rings at 103)",
            "%s" % frags)
    last = [m for m in run.received() if m.startswith("NOTIFY ")][-1:]
    c.check(last and "SIP/2.0 480 Temporarily Unavailable" in last[0],
            "the final sipfrag has the status's standard phrase", "%s" % last)
    closed(ctx, p101, t0, "the transferor hangs up")
    all_ended(ctx)


def case_transferor_leaves(ctx):
    c, pbx = ctx.c, ctx.pbx
    p101, p102 = ctx.phone("101"), ctx.phone("102")
    if not ctx.registered(2):
        return
    t0 = time.time()
    run = blind_transferor(ctx, "102", leave=True)
    established(ctx, p101, t0, "call")
    established(ctx, p102, t0, "the transfer target answers")
    run.wait(SIPP_TIMEOUT + 10)
    ctx.check_sipp(run, "transferor (call, REFER, 202, BYE at once, 200)")
    got = run.received()
    c.check(202 in responses_to(got, "REFER") and 200 in responses_to(got, "BYE"),
            "the REFER got 202 and the BYE after it 200",
            "%s / %s" % (responses_to(got, "REFER"), responses_to(got, "BYE")))
    c.check(sipfrags(got)[:1] in ([], [100]), "what NOTIFYs reached the transferor began with 100",
            "%s" % sipfrags(got))
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 1, 5)
    c.check(v == 1, "one call: 101 with 102", "%s" % v)
    c.check("CALL_CLOSED" not in p101.event_types(t0), "101's call went on without the transferor",
            "events %s" % p101.event_types(t0))
    check_rtp_both_ways(ctx, "101 with 102 after the transfer")
    t1 = time.time()
    p102.command("hangup")
    closed(ctx, p101, t1, "hangup")
    all_ended(ctx)


def case_attended(ctx, transport="u1"):
    c, pbx = ctx.c, ctx.pbx
    p101, p102 = ctx.phone("101"), ctx.phone("102")
    if not ctx.registered(2):
        return
    t0 = time.time()
    run = transferor(ctx, "transferor", transport=transport)
    established(ctx, p101, t0, "first call")
    established(ctx, p102, t0, "consultation")
    run.wait(SIPP_TIMEOUT + 10)
    ctx.check_sipp(run, "transferor (2 calls, REFER with Replaces, 202, NOTIFYs, 2 BYEs)")

    got = run.received()
    c.check(sipfrags(got) == [100, 200], "the transferor got NOTIFYs with sipfrag 100, then 200",
            "%s" % sipfrags(got))
    if transport == "t1":
        # REFER and NOTIFY refresh the peer's target: what pbxd sends must name TCP
        contacts = [header_of(m, "Contact") for m in got
                    if m.startswith("NOTIFY ") or responses_to([m], "REFER")]
        c.check(len(contacts) == 3 and all(x and "transport=tcp" in x for x in contacts),
                "the 202 and the NOTIFYs carry pbxd's TCP Contact", "%s" % contacts)
    byes = [header_of(m, "Call-ID") for m in got if m.startswith("BYE ")]
    c.check(len(byes) == 2 and len(set(byes)) == 2, "pbxd sent BYE on both of its dialogs",
            "%s" % byes)
    c.check(ctx.log_has(r"attended transfer: 102 joins 101") is not None,
            "pbxd logs the attended transfer")
    invites = [m for m in p102.received_messages(pbx.port) if m.startswith("INVITE ")]
    c.check(len(invites) == 2, "pbxd re-INVITEd 102 onto the first call's relay",
            "%d INVITEs" % len(invites))
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 1, 5)
    c.check(v == 1, "one call left (101 with 102)", "%s" % v)
    c.check("CALL_CLOSED" not in p101.event_types(t0) and "CALL_CLOSED" not in p102.event_types(t0),
            "101 and 102 are still in their calls",
            "%s / %s" % (p101.event_types(t0), p102.event_types(t0)))
    check_rtp_both_ways(ctx, "101 with 102 after the transfer")

    t1 = time.time()
    p101.command("hangup")
    closed(ctx, p102, t1, "hangup")
    all_ended(ctx)


def case_attended_abandoned(ctx):
    c, pbx = ctx.c, ctx.pbx
    p101, p102 = ctx.phone("101"), ctx.phone("102")
    if not ctx.registered(2):
        return
    t0 = time.time()
    run = transferor(ctx, "transferor", abandon=True)
    established(ctx, p101, t0, "first call")
    established(ctx, p102, t0, "consultation")
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 2, 5)
    c.check(v == 2, "two calls while consulting", "%s" % v)
    closed(ctx, p102, t0, "the transferor hangs up the consultation")
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 1, 5)
    c.check(v == 1, "the first call is left", "%s" % v)
    # sipp resumes the call and echoes 101's tone back (-rtp_echo) for 5 s
    check_rtp_both_ways(ctx, "the resumed first call", timeout=4)
    c.check("CALL_CLOSED" not in p101.event_types(t0),
            "101's call went on while the transferor consulted",
            "events %s" % p101.event_types(t0))
    run.wait(SIPP_TIMEOUT + 10)
    ctx.check_sipp(run, "transferor (2 calls, BYE on the 2nd, resume and BYE on the 1st)")
    closed(ctx, p101, t0, "the transferor hangs up the first call")
    c.check(ctx.log_has(r"attended transfer", timeout=0) is None, "pbxd joined no calls")
    all_ended(ctx)


def case_park_pickup(ctx):
    c, pbx = ctx.c, ctx.pbx
    p100, p101, p102 = ctx.phone("100"), ctx.phone("101"), ctx.phone("102")
    if not ctx.registered(3):
        return
    if not call(ctx, p100, p101, "call"):
        return
    # The callee parks its caller: pbxd's dialog with 100 is the one it answered, so the pickup
    # re-INVITEs in a dialog pbxd did not start.
    t1 = time.time()
    r = p101.command("transfer", ctx.uri("888"))
    c.check(r is not None and r.get("ok"), "101 transfers the call to 888 (park)", "%s" % r)
    closed(ctx, p101, t1, "park")
    m = ctx.log_has(r"100 parked in (\d+) by 101")
    c.check(m is not None and m.group(1) == "890", "pbxd logs that 100 is parked in 890",
            "%s" % (m.group(0) if m else None))
    frags = sipfrags(p101.received_messages(pbx.port))
    c.check(frags[-1:] == [200], "101's REFER ended with a NOTIFY of sipfrag 200", "%s" % frags)
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 1, 5)
    c.check(v == 1, "the parked call is still up", "%s" % v)
    c.check("CALL_CLOSED" not in p100.event_types(t1), "100 waits in its call",
            "events %s" % p100.event_types(t1))

    t2 = time.time()
    r = p102.command("dial", ctx.uri("890"))
    c.check(r is not None and r.get("ok"), "102 dials 890", "%s" % r)
    if not established(ctx, p102, t2, "pickup from 890"):
        return
    c.check(ctx.log_has(r"102 joins from") is not None, "pbxd joins 102 to the parked call")
    invites = [x for x in p100.received_messages(pbx.port) if x.startswith("INVITE ")]
    c.check(len(invites) == 1, "pbxd re-INVITEd 100 with 102's media", "%d INVITEs" % len(invites))
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 1, 5)
    c.check(v == 1, "one call: 100 with 102", "%s" % v)
    check_rtp_both_ways(ctx, "100 with 102 after the pickup")

    t3 = time.time()
    p102.command("hangup")
    closed(ctx, p100, t3, "hangup")
    all_ended(ctx)


def case_info_dtmf(ctx):
    c, pbx = ctx.c, ctx.pbx
    port = register_sipp(ctx, "101")
    if port is None:
        return
    uas = ctx.sipp("callee", "callee_info.xml", local_port=port, service="101")
    time.sleep(0.5)  # let the UAS bind its port
    uac = ctx.sipp("caller", "caller_info.xml", service="101", auth=("100", "demo100"),
                   keys={"caller": "100"})
    uac.wait(SIPP_TIMEOUT + 10)
    uas.wait(SIPP_TIMEOUT + 10)
    ctx.check_sipp(uac, "caller (call, INFO dtmf-relay 200, INFO dtmf 200, INFO unknown 415, BYE)")
    ctx.check_sipp(uas, "callee (call, the two DTMF INFOs passed on, BYE)")
    c.check(responses_to(uac.received(), "INFO") == [200, 200, 415],
            "pbxd answered the INFOs 200, 200 and 415", "%s" % responses_to(uac.received(), "INFO"))
    infos = [m for m in uas.received() if m.startswith("INFO ")]
    c.check(len(infos) == 2, "pbxd passed the two DTMF INFOs to the callee, not the third",
            "%d INFOs" % len(infos))
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 0, 5)
    c.check(v == 0, "pbx_calls_active returns to 0", "%s" % v)


def case_replaces_pickup(ctx):
    c, pbx = ctx.c, ctx.pbx
    p100, p101 = ctx.phone("100"), ctx.phone("101", answermode="manual")
    if not ctx.registered(2):
        return
    t0 = time.time()
    r = p100.command("dial", ctx.uri("101"))
    c.check(r is not None and r.get("ok"), "100 dials 101", "%s" % r)
    c.check(p101.wait_event("CALL_INCOMING", t0, 10) is not None, "101 rings (answers by hand)",
            "events %s" % p101.event_types(t0))
    deadline = time.time() + 5
    dialog = None
    while dialog is None and time.time() < deadline:
        dialog = dialog_with(pbx, p101)
        time.sleep(0.1)
    if not c.check(dialog is not None, "pbxd's early dialog with 101 is in its SIP dump"):
        return
    call_id, pbx_tag, phone_tag = dialog
    T.log("pbxd's early dialog with 101: Call-ID %s, pbxd's tag %s, 101's tag %s" % dialog)

    # Replaces names the dialog as pbxd holds it: to-tag is pbxd's own tag
    t1 = time.time()
    run = ctx.sipp("picker", "caller_replaces.xml", service="101", auth=("102", "demo102"),
                   keys={"caller": "102",
                         "replaces": "%s;to-tag=%s;from-tag=%s" % (call_id, pbx_tag, phone_tag)},
                   extra=["-rtp_echo"])
    established(ctx, p100, t1, "pickup with Replaces")
    closed(ctx, p101, t1, "the ringing phone is CANCELled")
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 1, 5)
    c.check(v == 1, "one call: 100 with the picker", "%s" % v)
    check_rtp_both_ways(ctx, "100 with the picker", timeout=3.5)
    run.wait(SIPP_TIMEOUT + 10)
    ctx.check_sipp(run, "picker (INVITE with Replaces, 407, INVITE, 200, ACK, BYE)")
    c.check(200 in run.received_codes(), "the picker's INVITE with Replaces got 200",
            "%s" % run.received_codes())
    closed(ctx, p100, t1, "the picker hangs up")
    c.check(ctx.log_has(r"102 replaces 101") is not None, "pbxd logs the pickup by Replaces")

    # the same INVITE naming a dialog pbxd does not have: 481
    run = ctx.sipp("nobody", "caller_replaces.xml", service="101", auth=("102", "demo102"),
                   keys={"caller": "102",
                         "replaces": "%s;to-tag=%s;from-tag=%s" % (call_id, phone_tag, pbx_tag)})
    run.wait(SIPP_TIMEOUT + 10)
    ctx.check_sipp(run, "INVITE with Replaces of no dialog (407, INVITE, 481, ACK)")
    finals = [x for x in run.received_codes() if x >= 300 and x != 407]
    c.check(finals == [481], "an INVITE whose Replaces names no dialog gets 481", "%s" % finals)
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 0, 5)
    c.check(v == 0, "pbx_calls_active returns to 0", "%s" % v)


def pickup_by_code(ctx, code):
    """100 calls 101, which rings; 102 dials `code` and gets the call."""
    c, pbx = ctx.c, ctx.pbx
    p100, p101 = ctx.phone("100"), ctx.phone("101", answermode="manual")
    p102 = ctx.phone("102")
    if not ctx.registered(3):
        return
    t0 = time.time()
    p100.command("dial", ctx.uri("101"))
    if not c.check(p101.wait_event("CALL_INCOMING", t0, 10) is not None, "101 rings",
                   "events %s" % p101.event_types(t0)):
        return
    t1 = time.time()
    r = p102.command("dial", ctx.uri(code))
    c.check(r is not None and r.get("ok"), "102 dials %s" % code, "%s" % r)
    established(ctx, p102, t1, "pickup")
    established(ctx, p100, t0, "pickup")
    closed(ctx, p101, t1, "the ringing phone is CANCELled")
    c.check(ctx.log_has(r"102 joins from") is not None, "pbxd joins 102 to the ringing call")
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 1, 5)
    c.check(v == 1, "one call: 100 with 102", "%s" % v)
    check_rtp_both_ways(ctx, "100 with 102 after the pickup")
    t2 = time.time()
    p100.command("hangup")
    closed(ctx, p102, t2, "hangup")
    all_ended(ctx)


def case_outside_dialog(ctx):
    """In-dialog requests naming no dialog of pbxd's: 481, and pbxd goes on."""
    c, pbx = ctx.c, ctx.pbx
    udp = T.UdpSip(pbx.port)
    try:
        for n, (method, extra, to_tag) in enumerate([
                ("INFO", "Content-Type: application/dtmf-relay\r\n", ""),
                ("UPDATE", "", ""),
                ("REFER", "Refer-To: <sip:102@127.0.0.1>\r\n", ""),
                ("REFER", "Refer-To: <sip:102@127.0.0.1>\r\n", ";tag=nosuchdialog")]):
            call_id = "outside-%d-%s@127.0.0.1" % (n, method)
            udp.send(("%s sip:101@%s SIP/2.0\r\n"
                      "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKoutside%d;rport\r\n"
                      "Max-Forwards: 70\r\nFrom: <sip:100@127.0.0.1>;tag=out%d\r\n"
                      "To: <sip:101@127.0.0.1>%s\r\nCall-ID: %s\r\nCSeq: 1 %s\r\n"
                      "Contact: <sip:100@127.0.0.1:%d>\r\n%sContent-Length: 0\r\n\r\n"
                      % (method, pbx.uri_host, udp.port, n, n, to_tag, call_id, method,
                         udp.port, extra)).encode())
            got = [m for m in udp.collect(2.0, call_id=call_id) if T.parse_status(m)]
            codes = [T.parse_status(m) for m in got]
            c.check(codes[-1:] == [481], "%s outside a dialog%s gets 481"
                    % (method, " (with a To tag)" if to_tag else ""), "%s" % codes)
    finally:
        udp.close()


CASES = {
    "blind": case_blind,
    "blind_failed": case_blind_failed,
    "transferor_leaves": case_transferor_leaves,
    "attended": case_attended,
    "attended_over_tcp": lambda ctx: case_attended(ctx, transport="t1"),
    "attended_abandoned": case_attended_abandoned,
    "park_pickup": case_park_pickup,
    "info_dtmf": case_info_dtmf,
    "replaces_pickup": case_replaces_pickup,
    "directed_pickup": lambda ctx: pickup_by_code(ctx, "**101"),
    "group_pickup": lambda ctx: pickup_by_code(ctx, "*9"),
    "outside_dialog": case_outside_dialog,
}


SIPP_ONLY = {"info_dtmf", "outside_dialog"}


def run_case(args, name):
    checker = T.Checker("transfers %s" % name)
    args.case = name
    ctx = Ctx(args, checker)

    def body(ctx):
        ctx.pbx.start()
        CASES[name](ctx)
    return run_in(ctx, checker, "transfers %s" % name, body)



def main():
    args = T.parse_args(lambda ap: ap.add_argument("--case", default="all",
                                                   choices=list(CASES) + ["all"]))
    names = list(CASES) if args.case == "all" else [args.case]
    if any(n not in SIPP_ONLY for n in names):
        T.require_baresip()
    T.require_exe("sipp", "sip-tester")
    T.install_deadline(100 * len(names))
    rc = 0
    for n in names:
        rc |= run_case(args, n)
    sys.exit(rc)


if __name__ == "__main__":
    main()

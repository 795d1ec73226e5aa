#!/usr/bin/python3
"""pbxd's REST call operations (docs/rest-api.md, "Call operations") against a real pbxd and
three baresip phones (100, 101, 102; each answers automatically):

  1. 100 dials 101 and 101 answers; RTP flows both ways.
  2. POST hold/{linkedid}: each phone gets a re-INVITE with a=sendonly (read in baresip's SIP
     trace) and pbxd relays no more RTP either way (pbx_rtp_packets_relayed_total stops);
     POST unhold/{linkedid}: a re-INVITE with a=sendrecv, and RTP flows again both ways.
  3. POST dtmf/{linkedid}/1%23?to=callee: 101 receives SIP INFOs, application/dtmf-relay,
     Signal=1 and Signal=#; 100 none.
  4. POST blindTransfer/{linkedid}/102: 102 rings for 100 and answers, 101 is hung up, RTP
     flows both ways between 100 and 102.
  5. An event stream opened before the call shows pbx.call.hold (each leg), pbx.call.unhold
     (each leg) and pbx.call.transfer-succeeded, in that order.
  6. pbxctl on the same call: hold --leg callee / unhold / dtmf / transfer back to 101 / park
     (prints the slot) / unpark to 102 / hangup, with their outputs, and the exit codes of the
     refusals (1 usage, 4 no such call or destination, 5 an API error).

  test_rest_operations.py --pbxd PATH --pbxctl PATH
Exit codes: 0 pass, 1 fail, 77 skipped (baresip missing).
"""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbxtest as T  # noqa: E402

USER, PASSWORD = "admin", "it-secret"
OPS = "/rest/phoneServices/"
STREAM_TYPES = "pbx.call.hold,pbx.call.unhold,pbx.call.transfer-succeeded"


def rtp(pbx):
    return (pbx.metric("pbx_rtp_packets_relayed_total", direction="caller_to_callee"),
            pbx.metric("pbx_rtp_packets_relayed_total", direction="callee_to_caller"))


def rtp_grows(c, pbx, what, want=50, timeout=15):
    """Waits until both directions grew by `want` packets; checks that both grew. The counters
    are published once a second: the count starts after the next publication, so packets
    relayed before the change being checked (the leg before a transfer) are not counted."""
    time.sleep(1.5)
    start = rtp(pbx)
    deadline = time.time() + timeout
    while True:
        now = rtp(pbx)
        d = (now[0] - start[0], now[1] - start[1])
        if (d[0] >= want and d[1] >= want) or time.time() > deadline:
            break
        time.sleep(0.5)
    T.log("%s: RTP relayed caller_to_callee %d, callee_to_caller %d" % (what, d[0], d[1]))
    return c.check(d[0] >= want and d[1] >= want, "%s: RTP flows both ways "
                   "(pbx_rtp_packets_relayed_total grows in both directions)" % what,
                   "delta %s" % (d,))


def rtp_stopped(c, pbx, what):
    """RTP relayed in neither direction: the counters (published each second) stand still
    over 3 s once the packets in flight are counted."""
    time.sleep(2.5)
    before = rtp(pbx)
    time.sleep(3)
    after = rtp(pbx)
    d = (after[0] - before[0], after[1] - before[1])
    T.log("%s: RTP relayed over 3 s: caller_to_callee %d, callee_to_caller %d" % (what, d[0],
                                                                               d[1]))
    return c.check(d[0] <= 3 and d[1] <= 3, "%s: pbxd relays no RTP in either direction "
                   "(the counters stop growing)" % what, "delta %s over 3 s" % (d,))


def messages(phone, pbx, method, *needles):
    """The requests `method` pbxd sent `phone` (its SIP trace) that contain every needle."""
    return [m for m in phone.received_messages(pbx.port)
            if m.startswith(method + " ") and all(n in m for n in needles)]


def wait_messages(phone, pbx, count, method, *needles, timeout=5):
    """Polls the phone's SIP trace until it holds `count` such requests; returns them."""
    deadline = time.time() + timeout
    while True:
        found = messages(phone, pbx, method, *needles)
        if len(found) >= count or time.time() > deadline:
            return found
        time.sleep(0.2)


def json_error(c, reply, status, what):
    return c.check(reply.is_json_error(status), "%s: %d with a JSON error" % (what, status),
                   repr(reply))


def pbxctl(args, pbx, timeout=30):
    argv = [ARGS.pbxctl] + args + ["--url", "http://127.0.0.1:%d" % pbx.rest_port,
                                   "--password", PASSWORD]
    p = subprocess.run(argv, capture_output=True, timeout=timeout, text=True)
    T.log("$ pbxctl %s -> %d%s%s" % (" ".join(args), p.returncode,
                                     ("\n" + p.stdout.rstrip()) if p.stdout.strip() else "",
                                     ("\n  stderr: " + p.stderr.strip()) if p.stderr.strip()
                                     else ""))
    return p


def the_call(api, linkedid):
    r = api.request("GET", OPS + "activeCalls?linkedid=%s" % linkedid)
    calls = (r.json or {}).get("calls", [])
    return calls[0] if r.status == 200 and len(calls) == 1 else None


def parties(call):
    return sorted(leg["party"]["number"] for leg in call["legs"]) if call else []


def hold_and_unhold(c, pbx, api, linkedid, p100, p101):
    invites101 = len(messages(p101, pbx, "INVITE"))
    r = api.request("POST", OPS + "hold/%s" % linkedid)
    c.check(r.status == 200 and r.json == {"linkedid": linkedid},
            "POST hold/%s answers 200" % linkedid, repr(r))
    held = wait_messages(p101, pbx, 1, "INVITE", "a=sendonly")
    c.check(len(held) == 1 and len(messages(p101, pbx, "INVITE")) == invites101 + 1,
            "101 received one re-INVITE, with a=sendonly",
            "%d with sendonly, %d INVITEs in all" % (len(held),
                                                     len(messages(p101, pbx, "INVITE"))))
    c.check(len(wait_messages(p100, pbx, 1, "INVITE", "a=sendonly")) == 1,
            "so did 100 (the hold is of every leg by default)")
    call = the_call(api, linkedid)
    c.check(call and all(leg["held"] for leg in call["legs"]),
            "activeCalls shows both legs held", "%s" % call)
    rtp_stopped(c, pbx, "on hold")

    r = api.request("POST", OPS + "unhold/%s" % linkedid)
    c.check(r.status == 200 and r.json == {"linkedid": linkedid},
            "POST unhold/%s answers 200" % linkedid, repr(r))
    invites = wait_messages(p101, pbx, invites101 + 2, "INVITE")
    c.check(len(invites) == invites101 + 2 and "a=sendrecv" in invites[-1],
            "101 received a second re-INVITE, with a=sendrecv",
            "%d INVITEs" % len(messages(p101, pbx, "INVITE")))
    rtp_grows(c, pbx, "after unhold")


def dtmf(c, pbx, api, linkedid, p100, p101):
    before100 = len(messages(p100, pbx, "INFO"))
    r = api.request("POST", OPS + "dtmf/%s/1%%23?to=callee" % linkedid)
    c.check(r.status == 200 and r.json and r.json.get("linkedid") == linkedid
            and str(r.json.get("leg", "")).startswith("L"),
            "POST dtmf/%s/1%%23?to=callee answers 200 with the leg" % linkedid, repr(r))
    infos = wait_messages(p101, pbx, 2, "INFO", "application/dtmf-relay")
    signals = [re.search(r"Signal=(\S)", m).group(1) for m in infos if "Signal=" in m]
    c.check(signals == ["1", "#"], "101 received two INFOs, application/dtmf-relay, "
            "Signal=1 then Signal=#", "%s" % signals)
    c.check(len(messages(p100, pbx, "INFO")) == before100, "100 (the caller) received none")
    json_error(c, api.request("POST", OPS + "dtmf/%s/1E" % linkedid), 400,
               "DTMF digits that are not 0-9 * # A-D")
    json_error(c, api.request("POST", OPS + "dtmf/%s/1?to=nobody" % linkedid), 400,
               "DTMF to a leg that is neither caller, callee nor a leg id")


def blind_transfer(c, pbx, api, linkedid, p100, p101, p102):
    json_error(c, api.request("POST", OPS + "blindTransfer/%s/999" % linkedid), 404,
               "a blind transfer to a number nothing answers for")
    t0 = time.time()
    r = api.request("POST", OPS + "blindTransfer/%s/102" % linkedid)
    c.check(r.status == 200 and r.json == {"linkedid": linkedid},
            "POST blindTransfer/%s/102 answers 200" % linkedid, repr(r))
    e102 = p102.wait_event("CALL_ESTABLISHED", t0, 15)
    ok = c.check(e102 is not None and e102.get("direction") == "incoming"
                 and "sip:100@" in e102.get("peeruri", ""),
                 "102 is called, shown 100 (who stays), and answers",
                 "%s; events %s" % (e102, p102.event_types(t0)))
    c.check(p101.wait_event("CALL_CLOSED", t0, 15) is not None,
            "101 (the callee, transferred away) is hung up", "events %s" % p101.event_types(t0))
    c.check(p100.wait_event("CALL_CLOSED", t0, 2) is None, "100 stays in the call")
    call = the_call(api, linkedid)
    c.check(parties(call) == ["100", "102"] and call["state"] == "answered",
            "activeCalls: the call (same linkedid) is 100 with 102", "%s" % call)
    if ok:
        rtp_grows(c, pbx, "100 with 102")
    return ok


def check_events(c, stream, linkedid):
    names = []
    while True:
        e = stream.next_event()
        if e is None:
            c.check(False, "the event stream stays open", "%s" % names)
            return
        if e["data"]["linkedid"] != linkedid:
            continue
        names.append(e["event"])
        if e["event"] == "pbx.call.transfer-succeeded":
            c.check(e["data"]["party"]["number"] == "102" and e["data"]["detail"] == "102",
                    "pbx.call.transfer-succeeded names 102", "%s" % e["data"])
            break
        if len(names) > 10:
            break
    T.log("events of %s: %s" % (linkedid, names))
    c.check(names == ["pbx.call.hold"] * 2 + ["pbx.call.unhold"] * 2
            + ["pbx.call.transfer-succeeded"],
            "the stream shows pbx.call.hold (each leg), pbx.call.unhold (each leg), then "
            "pbx.call.transfer-succeeded", "%s" % names)


def pbxctl_checks(c, pbx, api, linkedid, p100, p101, p102):
    # Hold and resume the callee (102) only.
    invites102 = len(messages(p102, pbx, "INVITE"))
    invites100 = len(messages(p100, pbx, "INVITE"))
    p = pbxctl(["call", "hold", linkedid, "--leg", "callee"], pbx)
    c.check(p.returncode == 0 and p.stdout.strip() == "held %s (callee)" % linkedid,
            "pbxctl call hold --leg callee: exit 0, 'held ID (callee)'", p.stdout + p.stderr)
    c.check(len(wait_messages(p102, pbx, 1, "INVITE", "a=sendonly")) == 1
            and len(messages(p100, pbx, "INVITE")) == invites100,
            "102 got a re-INVITE with a=sendonly, 100 none")
    p = pbxctl(["call", "unhold", linkedid], pbx)
    c.check(p.returncode == 0 and p.stdout.strip() == "resumed %s" % linkedid,
            "pbxctl call unhold: exit 0", p.stdout + p.stderr)
    invites = wait_messages(p102, pbx, invites102 + 2, "INVITE")
    c.check(len(invites) == invites102 + 2 and "a=sendrecv" in invites[-1],
            "102 got a second re-INVITE, with a=sendrecv", "%d INVITEs" % len(invites))

    p = pbxctl(["call", "dtmf", linkedid, "5#"], pbx)
    c.check(p.returncode == 0 and re.match(r"^sent 5# to %s callee \(L[0-9A-F]+\)$" % linkedid,
                                           p.stdout.strip()),
            "pbxctl call dtmf: exit 0, to the callee by default", p.stdout + p.stderr)
    infos = wait_messages(p102, pbx, 2, "INFO", "application/dtmf-relay")
    signals = [re.search(r"Signal=(\S)", m).group(1) for m in infos if "Signal=" in m]
    c.check(signals == ["5", "#"], "102 received Signal=5 and Signal=#", "%s" % signals)

    # Refusals and their exit codes.
    for args, code, what in [
            (["call", "dtmf", linkedid, "5x"], 1, "DTMF digits that are not digits"),
            (["call", "hold", linkedid, "--leg", "nobody"], 1, "a leg that is no leg"),
            (["call", "hold", linkedid, "--to", "callee"], 1, "an option of another command"),
            (["call", "transfer", linkedid], 1, "a missing argument"),
            (["call", "hold", "C7FFFFF"], 4, "hold of a call that does not exist"),
            (["call", "transfer", linkedid, "999"], 4, "a transfer to a number nothing "
                                                       "answers for"),
            (["call", "attended", linkedid, linkedid], 5, "an attended transfer of a call "
                                                          "with itself (400)")]:
        p = pbxctl(args, pbx)
        c.check(p.returncode == code and p.stderr.startswith("pbxctl:"),
                "pbxctl %s: exit %d (%s)" % (" ".join(args[1:3]), code, what),
                "exit %d, stderr %r" % (p.returncode, p.stderr))

    # Transfer back to 101, then park and unpark to 102.
    t0 = time.time()
    p = pbxctl(["call", "transfer", linkedid, "101"], pbx)
    c.check(p.returncode == 0 and p.stdout.strip() == "transferring %s to 101" % linkedid,
            "pbxctl call transfer: exit 0", p.stdout + p.stderr)
    ok = c.check(p101.wait_event("CALL_ESTABLISHED", t0, 15) is not None
                 and p102.wait_event("CALL_CLOSED", t0, 15) is not None,
                 "101 answers the transfer and 102 is hung up",
                 "%s / %s" % (p101.event_types(t0), p102.event_types(t0)))
    if not ok:
        return
    c.check(parties(the_call(api, linkedid)) == ["100", "101"], "the call is 100 with 101")

    t1 = time.time()
    p = pbxctl(["call", "park", linkedid], pbx)
    slot = p.stdout.strip()
    c.check(p.returncode == 0 and slot == "890", "pbxctl call park prints the slot: 890",
            p.stdout + p.stderr)
    c.check(p101.wait_event("CALL_CLOSED", t1, 15) is not None, "101 is hung up, 100 waits")
    t2 = time.time()
    p = pbxctl(["call", "unpark", slot, "102"], pbx)
    c.check(p.returncode == 0 and p.stdout.strip() == linkedid,
            "pbxctl call unpark 890 102 prints the call's linkedid", p.stdout + p.stderr)
    c.check(p102.wait_event("CALL_ESTABLISHED", t2, 15) is not None, "102 answers the parked "
            "call", "%s" % p102.event_types(t2))
    c.check(parties(the_call(api, linkedid)) == ["100", "102"], "the call is 100 with 102 again")
    rtp_grows(c, pbx, "unparked to 102")
    p = pbxctl(["call", "unpark", slot, "102"], pbx)
    c.check(p.returncode == 4, "unpark of an empty slot: exit 4", "%d" % p.returncode)

    t3 = time.time()
    p = pbxctl(["call", "hangup", linkedid], pbx)
    c.check(p.returncode == 0, "pbxctl call hangup: exit 0", p.stderr)
    c.check(p100.wait_event("CALL_CLOSED", t3, 15) is not None
            and p102.wait_event("CALL_CLOSED", t3, 15) is not None, "both phones' calls close")
    p = pbxctl(["call", "dtmf", linkedid, "1"], pbx)
    c.check(p.returncode == 4, "dtmf to the ended call: exit 4", "%d" % p.returncode)


def run(c, pbx, api, workdir):
    phones = []
    try:
        p100, p101, p102 = (T.BaresipPhone(workdir, n, "demo" + n, pbx)
                            for n in ("100", "101", "102"))
        phones = [p100, p101, p102]
        for p in phones:
            p.start()
        v = pbx.wait_metric("pbx_registrations", lambda x: x == 3, 20)
        if not c.check(v == 3, "the three phones registered", "%s" % v):
            return phones

        stream = T.EventStream(api, query="?types=%s" % STREAM_TYPES)
        c.check(stream.status == 200, "an event stream is open before the call")

        t0 = time.time()
        r = p100.command("dial", "sip:101@127.0.0.1:%d" % pbx.port)
        c.check(r is not None and r.get("ok"), "100 dials 101", "%s" % r)
        ok = c.check(p101.wait_event("CALL_ESTABLISHED", t0, 20) is not None
                     and p100.wait_event("CALL_ESTABLISHED", t0, 20) is not None,
                     "101 answers 100's call", "%s / %s" % (p100.event_types(t0),
                                                           p101.event_types(t0)))
        if not ok:
            return phones
        r = api.request("GET", OPS + "activeCalls?extension=101")
        calls = (r.json or {}).get("calls", [])
        if not c.check(len(calls) == 1 and calls[0]["state"] == "answered",
                       "activeCalls lists the answered call", repr(r)):
            return phones
        linkedid = calls[0]["linkedid"]
        T.log("the call is %s" % linkedid)
        rtp_grows(c, pbx, "100 with 101")

        hold_and_unhold(c, pbx, api, linkedid, p100, p101)
        dtmf(c, pbx, api, linkedid, p100, p101)
        if blind_transfer(c, pbx, api, linkedid, p100, p101, p102):
            check_events(c, stream, linkedid)
            pbxctl_checks(c, pbx, api, linkedid, p100, p101, p102)
        stream.close()
        for p in phones:
            c.check(p.proc.poll() is None, "baresip %s is still running" % p.user)
        c.check(pbx.alive(), "pbxd is still running")
    finally:
        for p in phones:
            p.stop()
    return phones


def main():
    global ARGS

    def extra(ap):
        ap.add_argument("--pbxctl", required=True, help="path of the pbxctl binary")

    ARGS = T.parse_args(extra)
    T.require_baresip()
    T.install_deadline(220)
    c = T.Checker("pbxd REST call operations")
    workdir = T.make_workdir("rest-operations")
    pbx = T.Pbxd(ARGS.pbxd, workdir, rest_users=[(USER, PASSWORD)])
    phones = []
    try:
        pbx.start()
        api = T.RestClient(pbx.rest_port, USER, PASSWORD)
        phones = run(c, pbx, api, workdir)
    except T.TestTimeout as e:
        c.check(False, "the test finished in time", str(e))
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        c.check(False, "the test ran without an exception", repr(e))
    finally:
        rc = pbx.stop()
        c.check(rc == 0, "pbxd stops with exit code 0 on SIGTERM", "exit code %s" % rc)
        if c.failures:
            pbx.dump("REST operations test")
            for p in phones:
                p.dump()
        T.remove_workdir(workdir, ARGS.keep, bool(c.failures))
    sys.exit(c.verdict())


if __name__ == "__main__":
    main()

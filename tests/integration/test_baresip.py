#!/usr/bin/python3
"""Acceptance item 2: two baresip phones (extensions 100 and 101) register through pbxd,
100 calls 101, 101 answers automatically, pbxd relays RTP in both directions, one side hangs
up and the other side's call ends. Done twice: the caller hangs up, then the callee.

The phones are baresip processes driven through its ctrl_tcp module (pbxtest/baresip.py).

  test_baresip.py --pbxd PATH [--testdata DIR]
Exit codes: 0 pass, 1 fail, 77 skipped (baresip or a needed module missing).
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbxtest as T  # noqa: E402


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
    T.require_baresip()
    T.install_deadline(170)

    c = T.Checker("baresip calls through pbxd (acceptance item 2)")
    workdir = T.make_workdir("baresip")
    pbx = T.Pbxd(args.pbxd, workdir, no_answer_timeout="30s")
    phones = []
    try:
        pbx.start()
        p100 = T.Phone(workdir, "100", "demo100", pbx)
        p101 = T.Phone(workdir, "101", "demo101", pbx)
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

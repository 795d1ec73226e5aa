"""The steps test_transfers.py's cases share: a pbxd with baresip phones and sipp
transferors, waiting for the phones' events, the RTP between them, and reading the SIP
messages the peers saw (sipfrag NOTIFYs, responses, dialog tags)."""

import re
import time

import pbxtest as T

SIPP_TIMEOUT = 30  # seconds, per sipp run (-timeout, -timeout_error)


class Ctx:
    def __init__(self, args, checker, prefix="transfers", extensions=None, **pbx_kw):
        """`extensions`: pbxd's (Pbxd's argument; None: T.DEFAULT_EXTENSIONS); `pbx_kw`: more
        of Pbxd's arguments (rest_users, media_dirs, music_on_hold)."""
        self.args = args
        self.c = checker
        self.dir = T.make_workdir("%s-%s" % (prefix, args.case))
        self.pbx = T.Pbxd(args.pbxd, self.dir, extensions=extensions, no_answer_timeout="30s",
                          sip_dump=True, **pbx_kw)
        self.phones = []
        self.sipps = []

    def phone(self, user, answermode="auto", **kw):
        """A started BaresipPhone for account `user` (password "demo" + user); `kw`: its
        audio_codecs, tone_hz, record."""
        p = T.BaresipPhone(self.dir, user, "demo" + user, self.pbx, answermode=answermode, **kw)
        self.phones.append(p)
        p.start()
        return p

    def registered(self, count):
        v = self.pbx.wait_metric("pbx_registrations", lambda x: x == count, 20)
        return self.c.check(v == count, "%d phones registered (pbx_registrations)" % count,
                            "%s" % v)

    def sipp(self, name, scenario, **kw):
        kw.setdefault("timeout_s", SIPP_TIMEOUT)
        run = T.sipp(self.dir, name, scenario, self.pbx, **kw)
        self.sipps.append(run)
        return run

    def check_sipp(self, run, what):
        ok = self.c.check(run.rc == 0, "%s: sipp exit code 0" % what, "exit code %s" % run.rc)
        if not ok:
            run.dump()
        return ok

    def uri(self, number):
        return "sip:%s@127.0.0.1:%d" % (number, self.pbx.port)

    def log_has(self, pattern, timeout=5.0):
        """Waits for a line of pbxd's log matching `pattern`; returns the match or None."""
        deadline = time.time() + timeout
        while True:
            m = re.search(pattern, self.pbx.stderr_text(), re.M)
            if m or time.time() >= deadline:
                return m
            time.sleep(0.1)


def rtp(pbx):
    return (pbx.metric("pbx_rtp_packets_relayed_total", direction="caller_to_callee"),
            pbx.metric("pbx_rtp_packets_relayed_total", direction="callee_to_caller"))


def check_rtp_both_ways(ctx, what, minimum=50, timeout=15):
    """pbxd's relay counters (published once a second) grow by `minimum` in each direction."""
    start = rtp(ctx.pbx)
    deadline = time.time() + timeout
    while True:
        now = rtp(ctx.pbx)
        d = (now[0] - start[0], now[1] - start[1])
        if (d[0] >= minimum and d[1] >= minimum) or time.time() > deadline:
            break
        time.sleep(0.5)
    T.log("%s: RTP relayed: caller_to_callee +%d, callee_to_caller +%d" % (what, d[0], d[1]))
    return ctx.c.check(d[0] >= minimum and d[1] >= minimum,
                       "%s: pbxd relays RTP both ways (pbx_rtp_packets_relayed_total +%d each)"
                       % (what, minimum), "deltas %d / %d" % d)


def established(ctx, phone, since, what, timeout=20):
    e = phone.wait_event("CALL_ESTABLISHED", since, timeout)
    return ctx.c.check(e is not None, "%s: %s reports CALL_ESTABLISHED" % (what, phone.user),
                       "events %s" % phone.event_types(since))


def closed(ctx, phone, since, what, timeout=15):
    e = phone.wait_event("CALL_CLOSED", since, timeout)
    return ctx.c.check(e is not None, "%s: %s reports CALL_CLOSED" % (what, phone.user),
                       "events %s" % phone.event_types(since))


def call(ctx, caller, callee, what):
    t0 = time.time()
    r = caller.command("dial", ctx.uri(callee.user))
    ctx.c.check(r is not None and r.get("ok"), "%s: %s dials %s" % (what, caller.user, callee.user),
                "%s" % r)
    ok = established(ctx, callee, t0, what) and established(ctx, caller, t0, what)
    return ok


def sipfrags(messages):
    """The sipfrag status lines of the NOTIFYs among `messages`, in order."""
    out = []
    for m in messages:
        if m.startswith("NOTIFY "):
            body = m.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in m else m.split("\n\n", 1)[-1]
            s = re.search(r"SIP/2\.0 (\d{3})", body)
            out.append(int(s.group(1)) if s else None)
    return out


def header_of(message, name):
    m = re.search(r"^%s\s*:\s*(.*?)\r?$" % re.escape(name), message, re.M | re.I)
    return m.group(1).strip() if m else None


def responses_to(messages, method):
    """Status codes of the responses among `messages` whose CSeq names `method`."""
    out = []
    for m in messages:
        s = re.match(r"SIP/2\.0 (\d{3})", m)
        if s and re.search(r"^CSeq:\s*\d+\s+%s\s*$" % method, m, re.M | re.I):
            out.append(int(s.group(1)))
    return out


def all_ended(ctx):
    """pbxd's calls in progress go back to none."""
    v = ctx.pbx.wait_metric("pbx_calls_active", lambda x: x == 0, 10)
    ctx.c.check(v == 0, "pbx_calls_active returns to 0", "%s" % v)


def blind_transferor(ctx, target, leave):
    """sipp as 100 (digest) calling 101 and REFERring it to `target`: transferor_blind.xml."""
    return ctx.sipp("transferor", "transferor_blind.xml", service="101", auth=("100", "demo100"),
                    keys={"caller": "100", "target": target},
                    extra=["-aa", "-rtp_echo"] + (["-set", "leave", "1"] if leave else []))


def transferor(ctx, name, abandon=False, transport="u1"):
    """sipp as 100 (digest), calling 101 and then 102: transferor_attended.xml."""
    return ctx.sipp(name, "transferor_attended.xml", auth=("100", "demo100"), transport=transport,
                    keys={"caller": "100", "callee1": "101", "callee2": "102"},
                    extra=["-cid_str", "%u-%p-xfer", "-rtp_echo"]
                    + (["-set", "abandon", "1"] if abandon else []))


def register_sipp(ctx, number):
    """Registers `number` from a free port with register.xml; returns the port, or None."""
    port = T.free_port()
    r = ctx.sipp("reg-%s" % number, "register.xml", local_port=port, service=number,
                 auth=(number, "demo" + number), keys={"expires": 600}, timeout_s=15)
    r.wait(25)
    ok = ctx.check_sipp(r, "%s registers" % number) and 200 in r.received_codes()
    ctx.c.check(ok, "%s registered (401, 200)" % number, "%s" % r.received_codes())
    return port if ok else None


def dialog_with(pbx, phone):
    """pbxd's dialog with `phone` as RFC 3891's Replaces names it to pbxd: (Call-ID, pbxd's tag,
    the phone's tag), from the INVITE pbxd sent and the phone's provisional answer."""
    for m in pbx.sip_messages():
        if m.direction == "recv" and m.peer[1] == phone.sip_port and m.status in (180, 183):
            local = re.search(r"tag=([^;>\s]+)", m.header("from") or "")
            remote = re.search(r"tag=([^;>\s]+)", m.header("to") or "")
            if local and remote:
                return m.call_id, local.group(1), remote.group(1)
    return None


def run_in(ctx, checker, label, body, phones_stay=False):
    """Starts pbxd, runs body(ctx), and always stops every process the case started; a
    failure dumps pbxd's and the phones' logs under `label`. `phones_stay`: every baresip
    must still be running at the end. Returns the checker's verdict."""
    try:
        body(ctx)
        if phones_stay:
            for p in ctx.phones:
                checker.check(p.proc.poll() is None, "baresip %s still running" % p.user,
                              "exit code %s" % p.proc.returncode)
        checker.check(ctx.pbx.alive(), "pbxd is still running")
    except T.TestTimeout as e:
        checker.check(False, "the test finished in time", str(e))
    except Exception as e:  # noqa: BLE001 -- report anything as a failure, with diagnostics
        checker.check(False, "the test ran without an exception", repr(e))
    finally:
        for run in ctx.sipps:
            if run.rc is None:
                run.stop()
        for p in ctx.phones:
            p.stop()
        rc = ctx.pbx.stop()
        checker.check(rc == 0, "pbxd stops with exit code 0 on SIGTERM", "exit code %s" % rc)
        if checker.failures:
            ctx.pbx.dump(label)
            for p in ctx.phones:
                p.dump()
            for run in ctx.sipps:
                run.dump()
        T.remove_workdir(ctx.dir, ctx.args.keep, bool(checker.failures))
    return checker.verdict()

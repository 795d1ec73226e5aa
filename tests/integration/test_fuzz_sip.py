#!/usr/bin/python3
"""Structured SIP fuzzing of pbxd: real call flows with one mutated message per iteration.

This process plays every phone itself, each with its own UDP socket on 127.0.0.1: a caller
(account 100), the callee 101, a two-phone extension 102 (accounts 102a and 102b, so pbxd
forks) and 104, a spare account whose REGISTERs are fuzzed. 103 exists but never registers;
105 registers for 3 s at the start, so a binding's expiry timer fires during the run.
The callees REGISTER (401, then credentials; Contact = their socket), then a clean call checks
the harness, then come the iterations.

Each iteration draws a plan from random.Random("SEED:I") (so iteration I is the same whatever
ran before it): a scenario (a call answered, with early media, cancelled, rejected, forked,
with a late offer; a REGISTER; an out-of-dialog request), the variations of its flow
(provisionals, re-INVITE/UPDATE from either side, BYE from either side, ...), and ONE step
whose message is mutated: the SDP body (c=/m= lines, ports, codecs, addresses, sizes,
truncation, junk, Content-Type/Length), the headers of a request or of a response from the
callee (Contact, Record-Route, Via, tags, CSeq, ...), the status code or the sequence of
responses (forked 200s, 200 after CANCEL, 3xx-6xx, 1xx oddities), REGISTER Expires/Contact,
the digest credentials, or, for a small share, the bytes of the message. Messages stay valid
enough to reach pbxkit's code on top of sofia-sip most of the time.

After every iteration, whatever the mutation left open is torn down (CANCEL, ACK, BYE from
either side, every request pbxd sends is answered), and then:
  * pbxd still runs (its PID) and answers OPTIONS with 200 (also whenever a response does
    not come within --timeout),
  * no new AddressSanitizer/UBSan report (pbxd's stderr, and the log_path files named in
    ASAN_OPTIONS/UBSAN_OPTIONS for pbxd's PID),
  * every SDP pbxd sends names only its own address and media ports (media is anchored),
  * pbx_calls_active is back to its value before the iteration (lost calls are reported).
Responses that look wrong by RFC 3261 (5xx, a 401/407/405/420/423 without its mandatory
header, no To tag, no final response to a request, ...) are collected and printed as NOTEs.
At the end: a clean call (INVITE/407/INVITE/180/200/ACK/BYE) completes, pbx_calls_active
is 0, and SIGTERM makes pbxd exit 0.

  test_fuzz_sip.py --pbxd PATH [--seed S] [--iterations N] [--only I,J] [--timeout SEC]
                   [--verbose] [--pbxd-log debug] [--min-expires SEC] [--keep]
A failure prints the seed, the iteration and the last messages sent and received; replay
it with --seed S --iterations N (or just that iteration with --only I; --verbose prints
every message of every iteration). pbxd runs with min_expires 2 s, so fuzzed short
registrations expire during the run; --min-expires 3600 keeps them (long campaigns).
Exit codes: 0 pass, 1 fail.

This script parses the command line, runs the iterations and gives the verdict; the fuzzer
itself (messages, phones, mutators, plans, scenarios, checks, teardown) is the package
sipfuzz/ beside it, and the digest credentials come from pbxtest/digest.py.
"""

import sys
import time
import traceback

import pbxtest as T
from sipfuzz.accounts import EXTENSIONS
from sipfuzz.checks import Fatal
from sipfuzz.fuzzer import Fuzzer

DEFAULT_SEED = 20240611
DEFAULT_ITERATIONS = 220


def main():
    def extra(ap):
        ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
        ap.add_argument("--iterations", type=int, default=DEFAULT_ITERATIONS)
        ap.add_argument("--only", default="", help="comma-separated iteration numbers to run")
        ap.add_argument("--timeout", type=float, default=1.0,
                        help="seconds to wait for a response before checking pbxd is alive")
        ap.add_argument("--deadline", type=int, default=195,
                        help="overall time limit of the test in seconds")
        ap.add_argument("--verbose", action="store_true", help="print every message")
        ap.add_argument("--pbxd-log", default="info", help="pbxd's log level")
        ap.add_argument("--min-expires", type=int, default=2,
                        help="pbxd's sip.registration.min_expires: 2 makes fuzzed short "
                             "registrations expire during the run; 3600 keeps every one")
    args = T.parse_args(extra)
    T.install_deadline(args.deadline)
    only = set(int(x) for x in args.only.split(",") if x.strip())
    if only:
        args.iterations = max(args.iterations, max(only) + 1)
    T.log("structured SIP fuzz: seed %d, %d iterations%s (replay: --seed %d --iterations %d)"
          % (args.seed, args.iterations, " (only %s)" % sorted(only) if only else "", args.seed,
             args.iterations))
    c = T.Checker("structured SIP fuzzing of pbxd (seed %d, %d iterations)"
                  % (args.seed, args.iterations))
    workdir = T.make_workdir("fuzz-sip")
    # min_expires (default 2 s): fuzzed short registrations really expire during the run
    pbx = T.Pbxd(args.pbxd, workdir, extensions=EXTENSIONS, no_answer_timeout="20s",
                 rtp_timeout="0", log_level=args.pbxd_log, min_expires=args.min_expires)
    fz = None
    done = -1
    try:
        pbx.start(ready_timeout=30)
        fz = Fuzzer(args, pbx, c)
        fz.strict = []
        for phone in (fz.B, fz.C1, fz.C2):
            fz.register(phone)
        if args.min_expires <= 3:
            fz.register(fz.E, expires="3")  # expires while the iterations run
        c.check(not fz.strict, "the callees register (401, then 200)", "; ".join(fz.strict))
        fz.strict = []
        fz.call("101")
        fz.reap()
        c.check(not fz.strict, "a clean call before the fuzzing", "; ".join(fz.strict))
        fz.strict = None
        t0 = time.monotonic()
        for i in range(args.iterations):
            if only and i not in only:
                continue
            fz.iteration(i)
            done = i
        fz.plan = None
        fz.it = args.iterations
        T.log("%d iterations in %.0f s" % (done + 1, time.monotonic() - t0))
        c.check(pbx.alive(), "pbxd still runs after the fuzzing")
        fz.register(fz.B)
        fz.strict = []
        fz.call("101")
        fz.reap()
        c.check(not fz.strict, "a clean call after the fuzzing (INVITE/407/INVITE/180/200/ACK/"
                "BYE)", "; ".join(fz.strict))
        fz.strict = None
        v = pbx.wait_metric("pbx_calls_active", lambda v: v == 0, 8)
        c.check(v == 0, "pbx_calls_active is back to 0 after the dialogs ended", "%s; the "
                "iterations that left calls behind: %s" % (v, [x[0] for x in fz.leaks]))
    except Fatal as e:
        c.check(False, "pbxd survives the fuzzing", "%s at iteration %d: %s; replay with "
                "--seed %d --iterations %d (or --only %d)"
                % (e, fz.it, fz.plan.describe() if fz.plan else "-", args.seed, fz.it + 1,
                   fz.it))
        fz.net.dump()
    except T.TestTimeout as e:
        c.check(False, "the test finished in time", "%s (at iteration %s)"
                % (e, fz.it if fz else "-"))
    except Exception as e:  # noqa: BLE001
        c.check(False, "the test ran without an exception", repr(e))
        traceback.print_exc()
        if fz:
            fz.net.dump()
    finally:
        if fz is not None:
            for where, first in fz.sanitizer_reports():
                fz.finding("sanitizer report", "%s: %s" % (where, first))
            fz.plan, fz.it = None, args.iterations  # what follows is the end of the run
        alive = pbx.alive()
        t_stop = time.monotonic()
        rc = pbx.stop(timeout=30)
        took = time.monotonic() - t_stop
        if alive:
            c.check(rc == 0, "pbxd exits 0 on SIGTERM", "exit code %s" % rc)
            T.log("pbxd took %.1f s to exit after SIGTERM" % took)
            if took > 4.5 and fz is not None:
                fz.note("slow exit on SIGTERM", "pbxd needed %.1f s to exit with no call "
                        "left: its SIP stack did not finish shutting down (pbx.cc's 5 s grace, "
                        "then ~SofiaStack's 5 s)" % took)
        if fz is not None:
            for where, first in fz.sanitizer_reports():
                fz.finding("sanitizer report at pbxd's exit", "%s: %s" % (where, first))
            report(c, fz, args)
        if c.failures:
            pbx.dump("fuzz")
        T.remove_workdir(workdir, args.keep, bool(c.failures))
    sys.exit(c.verdict())


def report(c, fz, args):
    T.say("")
    T.say("seed %d, %d iterations" % (args.seed, args.iterations))
    if fz.notes:
        T.say("RFC oddities seen (count, first iteration: replay with --seed %d --only I):"
              % args.seed)
        for kind, (count, it, detail, plan) in fz.notes.items():
            T.say("  %4dx %-60s first at iteration %d: %s | %s" % (count, kind, it, detail[:300],
                                                                  plan))
            c.note("%s (%dx, first at iteration %d: %s)" % (kind, count, it, plan))
    for kind, (count, it, detail) in fz.findings.items():
        if 0 <= it < args.iterations:
            where = "first at iteration %d (replay: --seed %d --only %d)" % (it, args.seed, it)
        else:
            where = "at the %s of the run (replay: --seed %d --iterations %d)" % (
                "start" if it < 0 else "end", args.seed, args.iterations)
        c.check(False, "fuzzing found: %s" % kind, "%dx, %s: %s" % (count, where,
                                                                   detail[:2000]))


if __name__ == "__main__":
    main()

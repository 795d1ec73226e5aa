"""The Fuzzer: the phones, the bookkeeping of findings and notes, sending a step's message with
the plan's mutation, and one iteration (plan, scenario, teardown, checks). The checks,
scenarios and teardown are mixins (checks.py, scenarios.py, teardown.py)."""

import collections
import random
import time
import traceback

import pbxtest as T

from .checks import Checks, Fatal
from .mutators import FAMILIES, MutCtx
from .phones import Net, Phone, Txn
from .plan import Plan
from .scenarios import Scenarios
from .sipmsg import Msg, branch_of, tag_of
from .teardown import Teardown


class Fuzzer(Checks, Scenarios, Teardown):
    """Plays every phone against pbxd, one planned iteration at a time."""

    def __init__(self, args, pbx, checker):
        self.args, self.pbx, self.c = args, pbx, checker
        self.timeout = args.timeout
        self.net = Net(self)
        self.A = Phone(self.net, "caller(100)", "100", pbx.port)
        self.B = Phone(self.net, "callee(101)", "101", pbx.port)
        self.C1 = Phone(self.net, "callee(102a)", "102a", pbx.port)
        self.C2 = Phone(self.net, "callee(102b)", "102b", pbx.port)
        self.R = Phone(self.net, "spare(104)", "104", pbx.port)
        self.E = Phone(self.net, "expiring(105)", "105", pbx.port)
        self.callees = {"101": [self.B], "102": [self.C1, self.C2], "104": [self.R]}
        self.probe = T.UdpSip(pbx.port)
        self.known_pbx_media = set()
        self.old_nonce = None
        self.it = -1
        self.plan = None
        self.mutated = False
        self.mut_rng = None
        self.reaping = False
        self.uacs = []  # caller-side INVITE dialogs of this iteration: dict
        self.iter_txns = []  # the requests we sent in this iteration
        self.iter_notes = []
        self.active_before = 0
        self.findings = collections.OrderedDict()  # kind -> [count, first iteration, detail]
        self.notes = collections.OrderedDict()
        self.leaks = []  # (iteration, active before, active after)
        self.stderr_seen = 0
        self.san_files_seen = set()
        self.n = 0
        self.strict = None  # a list collecting expectation failures of a clean call
        self.outcome = []

    # ---------------------------------------------------------------- bookkeeping

    def ident(self, prefix):
        self.n += 1
        return "%s%s-%d-%d" % (prefix, self.args.seed, self.it, self.n)

    def branch(self):
        return "z9hG4bK" + self.ident("fz")

    def context(self):
        if self.plan is None:
            return "(setup)" if self.it < 0 else "(final call)"
        return "iteration %d (%s)" % (self.it, self.plan.describe())

    def finding(self, kind, detail):
        """A failure: printed with the iteration and the recent messages."""
        if kind not in self.findings:
            self.findings[kind] = [0, self.it, detail]
            T.log("  FINDING at %s: %s: %s" % (self.context(), kind, detail))
            self.net.dump(16)
        self.findings[kind][0] += 1

    def note(self, kind, detail):
        """Something that looks wrong by the RFCs, but not a failure of this test."""
        if self.strict is not None:
            self.strict.append("%s: %s" % (kind, detail))
        self.iter_notes.append(kind)
        if kind not in self.notes:
            self.notes[kind] = [0, self.it, detail,
                                self.plan.describe() if self.plan else self.context()]
            T.log("  note at %s: %s: %s" % (self.context(), kind, detail))
        self.notes[kind][0] += 1

    def expect(self, cond, what):
        if not cond and self.strict is not None:
            self.strict.append(what)
        return cond

    def step_label(self, step, mutated):
        if mutated and self.plan:
            return "%s[%s:%s]" % (step, self.plan.family, self.plan.name)
        return step

    # ---------------------------------------------------------------- sending with mutation

    def apply(self, step, phone, msg, cx=None):
        """The message(s) to send at `step`: mutated when the plan says so (once)."""
        if self.plan is None or self.mutated or step != self.plan.step:
            return [msg], False
        self.mutated = True
        if self.plan.family == "none":
            return [msg], True
        f, _ = FAMILIES[self.plan.family][self.plan.name]
        m = msg.copy()
        cx = cx or MutCtx(self, phone, step)
        try:
            out = f(m, self.mut_rng, cx)
        except Exception as e:  # noqa: BLE001 - a mutator that does not fit this message
            self.note("harness: mutator %s:%s failed" % (self.plan.family, self.plan.name),
                      repr(e))
            return [msg], True
        return ([m] if out is None else out), True

    def send_request(self, step, phone, msg, cx=None):
        outs, mutated = self.apply(step, phone, msg, cx)
        first = None
        tracked = {}
        for o in outs:
            m = o if isinstance(o, Msg) else msg
            if msg.method != "ACK" and not (isinstance(o, Msg) and o.method == "ACK"):
                key = (branch_of(m.get("via")), m.method)
                if key not in tracked:  # the same request sent again: one transaction
                    tracked[key] = phone.track(m, step, mutated)
                first = first or tracked[key]
            phone.send(o)
        if first is None:
            first = Txn(phone, msg, step, mutated)
            first.dropped = msg.method != "ACK"
        return first

    def send_response(self, step, phone, req, resp, cx=None, uas=None):
        outs, mutated = self.apply(step, phone, resp, cx)
        key = (branch_of(req.get("via")), req.method)
        sent = []
        for o in outs:
            data = o.to_bytes() if isinstance(o, Msg) else o
            phone.send(data)
            sent.append(data)
            if uas is not None and req.method == "INVITE":
                mm = o if isinstance(o, Msg) else Msg.parse(o)
                st = mm.status or 0
                if st >= 200 and uas.final is None:
                    uas.final = st
                if 100 < st < 200 and not mutated:  # one pbxd surely took
                    uas.provisional_sent = True
                if 200 <= st < 300:
                    tag = tag_of(mm.get("to"))
                    if tag not in uas.ok_tags:
                        uas.ok_tags.append(tag)
        if sent:
            phone.server[key] = sent[-1:]
        if req in phone.inbox:
            phone.inbox.remove(req)
        return mutated

    def wait_final(self, txn, timeout=None):
        if txn is None or txn.dropped:
            return None
        self.net.wait(lambda: txn.final is not None, timeout or self.timeout)
        if txn.final is None:
            self.unanswered(txn)
        return txn.final

    def unanswered(self, txn):
        self.check_alive("no final response to %s" % txn.step)
        label = self.step_label(txn.step, txn.mutated)
        if txn.mutated and self.plan and self.plan.family == "bytes":
            return  # a datagram with broken bytes may well be dropped
        if txn.responses:
            if txn.method != "INVITE":  # an INVITE may wait for the other leg
                self.note("no final response to %s" % txn.method,
                          "%s got only %s" % (label, [r.status for r in txn.responses]))
        elif txn.mutated:
            self.note("no response at all to %s" % txn.method, "to %s" % label)
        else:
            kind = "no response at all to a well-formed %s" % txn.method
            if kind not in self.findings:  # a slow machine: give it a while longer, once
                self.net.wait(lambda: txn.responses, 3.0)
                if txn.responses:
                    return
            # A well-formed request over loopback UDP: RFC 3261 8.2 / 12.2.2 want an answer
            # (at worst 481 or 500), never silence.
            self.finding(kind, "%s sent %s and got nothing within %.1f s"
                         % (txn.phone.name, label, self.timeout))

    # ---------------------------------------------------------------- one iteration

    def iteration(self, i):
        self.it = i
        self.n = 0
        self.plan = Plan(self.args.seed, i)
        self.mut_rng = random.Random(self.plan.mut_seed)
        self.mutated = False
        self.uacs = []
        self.iter_txns = []
        self.iter_notes = []
        self.outcome = []
        for p in self.net.phones:
            p.uas.clear()
        self.known_pbx_media.clear()  # (a mutator's choices depend on this iteration only)
        self.net.pump(0)
        first_msg = len(self.net.history) + self.net.dropped
        self.active_before = self.active_calls()
        p = self.plan
        t0 = time.monotonic()
        try:
            if p.scenario == "register":
                phone = self.R if p.reg_user == "104" else self.B
                self.register(phone)
                if p.reg_call:
                    self.call("104" if phone is self.R else "101")
            elif p.scenario == "ood":
                self.ood(p.ood)
            else:
                self.call(p.ext, late=p.late, ring=p.ring, outcome=p.outcome, mid=p.mid,
                          bye_from=p.bye_from, rtp=p.rtp, reject_code=p.reject_code)
        except Fatal:
            raise
        except Exception:  # noqa: BLE001 - a harness bug: report it, go on
            self.finding("harness exception", traceback.format_exc())
        settled = self.reap()
        if p.scenario == "register" and p.reg_user == "101":
            self.plan = None  # restore the callee's registration, unmutated
            self.register(self.B)
            self.plan = p
        self.check_alive("after the iteration")
        for where, first in self.sanitizer_reports():
            self.finding("sanitizer report", "%s: %s (reported while this iteration ran; a "
                         "timer of an earlier one may have fired it: see the stack)"
                         % (where, first))
        after = self.active_calls()
        if not settled:
            self.leaks.append((i, self.active_before, after, p.describe()))
            self.note("a call stays in pbx_calls_active after its dialogs ended",
                      "active %s before, %s after %s" % (self.active_before, after,
                                                         p.describe()))
        T.log("iter %d (%.1fs): %s -> %s%s%s" % (
            i, time.monotonic() - t0, p.describe(), ", ".join(self.outcome) or "-",
            "" if settled else " [ACTIVE CALLS: %s]" % after,
            " [notes: %s]" % "; ".join(sorted(set(self.iter_notes))) if self.iter_notes else ""))
        if self.args.verbose:
            self.net.dump(len(self.net.history) + self.net.dropped - first_msg)

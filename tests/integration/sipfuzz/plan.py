"""What one iteration does, drawn from random.Random("SEED:I"): the scenario, the variations
of its flow, and the one step whose message is mutated (family and mutator)."""

import random

from .mutators import FAMILIES


OOD_VARIANTS = ["options-odd", "bye", "cancel", "update", "invite-to-tag", "ack", "info",
                "message", "subscribe", "notify", "refer", "prack", "publish", "unknown",
                "register-odd-ruri", "invite-mf0", "invite-loop", "options-mf0"]


SCENARIOS = [("call", 40), ("early", 10), ("cancel", 10), ("reject", 8), ("fork", 10),
             ("late", 8), ("register", 12), ("ood", 5)]
MID_EVENTS = ["reinvite_a", "update_a", "reinvite_b", "update_b", "reinvite_a_nosdp",
              "reinvite_b_nosdp", "hold_a"]
REJECT_CODES = [300, 302, 400, 401, 403, 404, 407, 408, 415, 420, 480, 481, 486, 487, 488,
                491, 500, 501, 503, 504, 600, 603, 604, 606]

STEP_FAMILIES = {
    "invite1": [("req", 4), ("sdp", 4), ("bytes", 1)],
    "invite2": [("auth", 5), ("req", 3), ("sdp", 5), ("bytes", 1)],
    "ring": [("resp", 4), ("flow1xx", 4), ("sdp", 3), ("bytes", 1)],
    "answer": [("resp", 4), ("flow2xx", 4), ("sdp", 6), ("bytes", 1)],
    "reject": [("resp", 3), ("bytes", 1)],
    "cancel": [("cancel", 3), ("bytes", 1)],
    "cancel_reply": [("cancelreply", 4), ("resp", 1), ("bytes", 1)],
    "ack": [("ack", 3), ("sdp", 2), ("bytes", 1)],
    "reinvite_a": [("indlg", 3), ("sdp", 5), ("req", 1), ("bytes", 1)],
    "reinvite_b": [("indlg", 3), ("sdp", 5), ("req", 1), ("bytes", 1)],
    "update_a": [("indlg", 3), ("sdp", 5), ("bytes", 1)],
    "update_b": [("indlg", 3), ("sdp", 5), ("bytes", 1)],
    "reinvite_a_ack": [("ack", 3), ("sdp", 3), ("bytes", 1)],
    "reinvite_b_ack": [("ack", 3), ("sdp", 3), ("bytes", 1)],
    "bye": [("indlg", 4), ("sdp", 1), ("req", 1), ("bytes", 1)],
    "bye_reply": [("resp", 2), ("byereply", 3), ("bytes", 1)],
    "reg1": [("reg", 3), ("req", 1), ("bytes", 1)],
    "reg2": [("reg", 6), ("auth", 4), ("req", 1), ("bytes", 1)],
    "ood": [("none", 4), ("req", 1), ("bytes", 1)],
}
STEP_WEIGHTS = {"invite2": 3, "answer": 3, "ring": 2, "reg2": 3, "ack": 1.5, "cancel_reply": 2}


def weighted(r, items):
    total = sum(w for _, w in items)
    x = r.uniform(0, total)
    for item, w in items:
        x -= w
        if x <= 0:
            return item
    return items[-1][0]


class Plan:
    def __init__(self, seed, i):
        r = random.Random("%s:%d" % (seed, i))
        self.scenario = weighted(r, SCENARIOS)
        self.ext, self.late, self.ring, self.outcome = "101", False, "180", "answer"
        self.mid, self.bye_from, self.rtp, self.reject_code = [], "caller", False, 486
        self.reg_user, self.reg_call, self.ood = "104", False, None
        s = self.scenario
        if s in ("call", "early", "cancel", "reject", "fork", "late"):
            if s == "fork":
                self.ext = "102"
            elif s == "call" and r.random() < 0.15:
                self.ext = r.choice(["103", "999", "100", "104", "1010", "10"])
            self.late = s == "late"
            self.ring = "183" if s == "early" else r.choice(["180", "180", "none", "180+183"])
            self.outcome = {"cancel": "cancel", "reject": "reject"}.get(s, "answer")
            self.reject_code = r.choice(REJECT_CODES)
            if self.outcome == "answer":
                self.mid = [r.choice(MID_EVENTS) for _ in range(r.choice([0, 0, 1, 1, 2]))]
            self.bye_from = r.choice(["caller", "callee"])
            self.rtp = r.random() < 0.25
        elif s == "register":
            self.reg_user = r.choice(["104", "104", "104", "101"])
            self.reg_call = r.random() < 0.6
        else:
            self.ood = r.choice(OOD_VARIANTS)
        self.steps = self.make_steps()
        self.step = weighted(r, [(st, STEP_WEIGHTS.get(st, 1)) for st in self.steps])
        family = weighted(r, STEP_FAMILIES[self.step])
        self.family = family
        self.name = weighted(r, [(n, w) for n, (_, w) in sorted(FAMILIES[family].items())]) \
            if family != "none" else self.ood
        self.mut_seed = "%s:%d:mutation" % (seed, i)

    def make_steps(self):
        s = self.scenario
        if s == "register":
            return ["reg1", "reg2"]
        if s == "ood":
            return ["ood"]
        steps = ["invite1", "invite2"]
        if self.ext not in ("101", "102", "104"):
            return steps
        if self.ring != "none":
            steps.append("ring")
        if self.outcome == "cancel":
            return steps + ["cancel", "cancel_reply"]
        if self.outcome == "reject":
            return steps + ["reject"]
        steps.append("answer")
        if self.ext == "102":
            steps.append("cancel_reply")  # the losing phone
        steps.append("ack")
        for ev in self.mid:
            side = ev.split("_")[1]
            if ev.startswith("reinvite") or ev == "hold_a":
                steps += ["reinvite_%s" % side, "reinvite_%s_ack" % side]
            else:
                steps.append("update_%s" % side)
        return steps + ["bye", "bye_reply"]

    def describe(self):
        s = self.scenario
        if s == "register":
            what = "register %s%s" % (self.reg_user, " then call 104" if self.reg_call else "")
        elif s == "ood":
            what = "out-of-dialog %s" % self.ood
        else:
            what = "%s to %s%s, ring %s, %s" % (s, self.ext, " (late offer)" if self.late else "",
                                               self.ring, self.outcome if self.outcome != "reject"
                                               else "reject %d" % self.reject_code)
            if self.outcome == "answer":
                what += "%s, BYE from %s%s" % ((", mid " + "+".join(self.mid)) if self.mid
                                               else "", self.bye_from,
                                               ", RTP" if self.rtp else "")
        return "%s; mutate %s with %s:%s" % (what, self.step, self.family, self.name)

"""Answering pbxd and cleaning up (a mixin of the Fuzzer): automatic answers to the requests
pbxd sends that the scenario does not wait for, and the teardown after each iteration (CANCEL,
ACK, BYE from either side, until pbx_calls_active is back to its value before)."""

import time

from .mutators import MutCtx
from .phones import Uas
from .sdp import make_sdp
from .sipmsg import Msg, branch_of, cancel_for, response, set_tag, tag_of


class Teardown:
    """Fuzzer methods answering pbxd and tearing down what an iteration left open."""

    # ---------------------------------------------------------------- automatic answers

    def auto(self, phone, req):
        """Answers what pbxd sends that the running scenario does not wait for."""
        meth = req.method
        if meth == "CANCEL":
            self.on_cancel(phone, req)
        elif meth == "BYE":
            for u in phone.uas.values():
                if u.call_id == req.get("call-id"):
                    u.closed.add(tag_of(req.get("to")))
            for d in self.uacs:
                if d["call_id"] == req.get("call-id"):
                    d["closed"].add(tag_of(req.get("from")))
            self.send_response("bye_reply", phone, req, response(req, 200))
        elif meth in ("OPTIONS", "INFO", "PRACK", "MESSAGE", "NOTIFY", "SUBSCRIBE", "REFER",
                      "PUBLISH"):
            self.send_response("misc_reply", phone, req, response(req, 200))
        elif meth == "UPDATE" or (meth == "INVITE" and tag_of(req.get("to"))):
            body = make_sdp(phone.rtp_port, version=7, sess="upd") if req.body else b""
            self.send_response("misc_reply", phone, req, response(req, 200, contact=phone.contact(),
                                                                  body=body))
        elif meth == "INVITE":
            if self.reaping:
                self.reap_invite(phone, req)
            # else: the scenario takes it
        elif meth != "ACK":
            self.send_response("misc_reply", phone, req, response(req, 501))

    def on_cancel(self, phone, cancel):
        u = phone.uas.get(branch_of(cancel.get("via")))
        ok = response(cancel, 200, to_tag=u.to_tag if u else "c")
        if u is None or u.final is not None:
            self.send_response("cancel_reply_late", phone, cancel, ok)
            return
        u.cancelled = True
        r487 = response(u.invite, 487, to_tag=u.to_tag)
        outs, mutated = self.apply("cancel_reply", phone, r487, MutCtx(self, phone,
                                                                        "cancel_reply"))
        self.send_response("cancel_reply_200", phone, cancel, ok)
        phone.inbox = [m for m in phone.inbox if m is not u.invite]
        for o in outs:
            self.send_response("cancel_reply_sent", phone, u.invite,
                               o if isinstance(o, Msg) else Msg.parse(o), uas=u)

    def reap_invite(self, phone, inv):
        """An INVITE nobody waits for: take it, and refuse it."""
        u = Uas(phone, inv, self.ident("t"))
        phone.uas[u.branch] = u
        self.send_response("reap", phone, inv, response(inv, 480, to_tag=u.to_tag), uas=u)

    # ---------------------------------------------------------------- teardown

    def reap(self, limit=6.0):
        """Ends whatever the iteration left open, answering everything pbxd sends. True when
        pbx_calls_active is back to its value before the iteration."""
        self.reaping = True
        try:
            for p in self.net.phones:
                for m in list(p.inbox):
                    if m.method == "INVITE" and not tag_of(m.get("to")):
                        self.reap_invite(p, m)
            deadline = time.monotonic() + limit
            state = {"cancelled": {}, "byed": set(), "callee_byed": set(), "refused": set()}
            caller_done_since = None
            last_metric = 0.0
            while True:
                now = time.monotonic()
                caller_busy = self.reap_caller(state, now)
                pending = any(t.final is None and not t.dropped and
                              now - t.sent_at < 2 * self.timeout for t in self.iter_txns)
                if caller_busy or pending:
                    caller_done_since = None
                elif caller_done_since is None:
                    caller_done_since = now
                late = caller_done_since is not None and now - caller_done_since > 1.5
                callee_busy = self.reap_callees(state, late)
                if not (caller_busy or callee_busy or pending) and now - last_metric > 0.25:
                    last_metric = now
                    active = self.active_calls()
                    if active is not None and self.active_before is not None and \
                            active <= self.active_before:
                        return True
                if now > deadline:
                    return False
                self.net.pump(0.05)
        finally:
            self.reaping = False

    def reap_caller(self, state, now):
        busy = False
        for d in self.uacs:
            t = d["invite"]
            if t is None or t.dropped:
                continue
            if t.final is None:
                since = state["cancelled"].get(id(t))
                if since is None and t.responses:
                    state["cancelled"][id(t)] = now
                    inv = t.req
                    self.A.send(cancel_for(inv, inv.cseq()[0] or 1))
                    busy = True
                elif since is not None and now - since < 4 * self.timeout + 1:
                    busy = True  # waiting for the 487
                elif since is None and now - t.sent_at < 1.5 * self.timeout:
                    busy = True  # no response at all yet
                elif since is not None and id(t) not in state["refused"]:
                    state["refused"].add(id(t))
                    self.note("no final response to INVITE after CANCEL",
                              "%s: CANCEL sent by the teardown, no final response followed"
                              % self.step_label(t.step, t.mutated))
            for tag, ok in list(t.oks.items()):
                if tag not in t.acked:
                    ack = self.ack_for(d, ok)
                    self.A.send(ack)
                    t.acked[tag] = ack.to_bytes()
                if tag in d["closed"] or (id(t), tag) in state["byed"]:
                    continue
                bt = d["byes"].get(tag)
                if bt is not None and bt.final is not None and bt.final.status < 300:
                    continue
                if bt is not None and bt.final is None and not bt.dropped and \
                        now - bt.sent_at < 2 * self.timeout:
                    busy = True
                    continue
                state["byed"].add((id(t), tag))
                bye = self.in_dialog(d, ok, "BYE")
                d["byes"][tag] = self.A.track(bye, "teardown_bye", False)
                self.A.send(bye)
                busy = True
        return busy

    def reap_callees(self, state, late):
        """The callees' side: INVITEs pbxd should CANCEL, dialogs it should BYE. `late`: the
        caller's side is done since a while, so what is still open was forgotten."""
        busy = False
        for p in self.net.phones:
            for m in list(p.inbox):
                if m.method == "INVITE" and not tag_of(m.get("to")):
                    self.reap_invite(p, m)
            for u in list(p.uas.values()):
                if u.final is None:
                    if not late:
                        busy = True
                        continue
                    if u.provisional_sent and not u.cancelled:
                        self.note("pbxd left a fork ringing after the call ended",
                                  "%s got no CANCEL for %s (we rang)" % (p.name, u.call_id))
                    self.send_response("teardown", p, u.invite,
                                       response(u.invite, 480, to_tag=u.to_tag), uas=u)
                for tag in u.ok_tags:
                    if tag in u.closed:
                        continue
                    if not late:
                        busy = True
                        continue
                    if (id(u), tag) in state["callee_byed"]:
                        continue
                    state["callee_byed"].add((id(u), tag))
                    bye = self.uas_request(u, "BYE")
                    bye.set("From", set_tag(bye.get("from"), tag))
                    p.track(bye, "teardown_bye", False)
                    p.send(bye)
                    u.closed.add(tag)
                    self.stranded(u, tag)
                    busy = True
        return busy

    def stranded(self, u, tag):
        """pbxd never ended a callee dialog whose 2xx it ACKed (we BYE it now)."""
        if tag not in u.acked:
            return  # never ACKed: our 2xx did not match pbxd's INVITE (a mutation)
        self.note("pbxd ACKed a callee's 2xx but never BYEd that dialog",
                  "%s answered %s with a 2xx (To tag %s); pbxd sent no BYE after the call "
                  "ended" % (u.phone.name, u.call_id, tag))

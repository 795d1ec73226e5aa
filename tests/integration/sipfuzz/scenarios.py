"""The flows an iteration runs (a mixin of the Fuzzer): REGISTER with digest auth, a call
(provisionals, answer/cancel/reject, forks, re-INVITE/UPDATE, RTP, BYE from either side)
and an out-of-dialog request."""

import random

from pbxtest import challenge_params, digest_fields, format_credentials

from .accounts import ACCOUNTS, REALM
from .mutators import MutCtx
from .phones import Uas
from .sdp import make_sdp, sdp_audio_endpoint
from .sipmsg import Msg, cancel_for, request, response, set_tag, tag_of, uri_of


class Scenarios:
    """Fuzzer methods playing the scenarios."""

    # ---------------------------------------------------------------- registration

    def register(self, phone, step1="reg1", step2="reg2", expires="300", contact=None):
        call_id = self.ident("reg")
        tag = self.ident("rt")
        aor = "sip:%s@%s" % (phone.user, REALM)

        def build(cseq, auth=None):
            m = request("REGISTER", "sip:%s" % REALM, phone, "<%s>;tag=%s" % (aor, tag),
                        "<%s>" % aor, call_id, cseq, self.branch(), contact=False)
            m.add("Contact", contact or phone.contact())
            m.add("Expires", expires)
            if auth:
                m.add("Authorization", format_credentials(auth))
            return m

        t1 = self.send_request(step1, phone, build(1))
        r1 = self.wait_final(t1)
        if r1 is None or r1.status != 401:
            self.expect(False, "REGISTER of %s is challenged with 401 (got %s)"
                        % (phone.user, r1.status if r1 else None))
            return r1
        challenge = r1.get("www-authenticate") or ""
        self.old_nonce = self.old_nonce or challenge_params(challenge).get("nonce")
        fields = digest_fields(challenge, "REGISTER", "sip:%s" % REALM, phone.user,
                               phone.password, cnonce=self.ident("cn"))
        cx = MutCtx(self, phone, step2)
        cx.auth = ("Authorization", fields, "REGISTER", phone.user, phone.password, challenge)
        t2 = self.send_request(step2, phone, build(2, fields), cx)
        r2 = self.wait_final(t2)
        self.expect(r2 is not None and r2.status == 200, "REGISTER of %s with credentials gets "
                    "200 (got %s)" % (phone.user, r2.status if r2 else None))
        return r2

    # ---------------------------------------------------------------- a call

    def call(self, ext, late=False, ring="180", outcome="answer", mid=(), bye_from="caller",
             rtp=False, reject_code=486):
        A = self.A
        d = {"call_id": self.ident("call"), "tag": self.ident("a"), "cseq": 1, "closed": set(),
             "invite": None, "acked": set(), "byes": {}}
        self.uacs.append(d)
        target = "sip:%s@%s" % (ext, REALM)
        from_ = "<sip:100@%s>;tag=%s" % (REALM, d["tag"])
        offer = b"" if late else make_sdp(A.rtp_port, sess="100")

        def invite(auth=None):
            m = request("INVITE", target, A, from_, "<%s>" % target, d["call_id"], d["cseq"],
                        self.branch(), body=offer)
            if auth:
                m.add("Proxy-Authorization", format_credentials(auth))
            return m

        t1 = self.send_request("invite1", A, invite())
        d["invite"] = t1
        r1 = self.wait_final(t1)
        if r1 is None or r1.status != 407:
            self.expect(False, "the first INVITE is challenged with 407 (got %s)"
                        % (r1.status if r1 else None))
            self.outcome.append("INVITE->%s" % (r1.status if r1 else "nothing"))
            return
        challenge = r1.get("proxy-authenticate") or ""
        self.old_nonce = self.old_nonce or challenge_params(challenge).get("nonce")
        d["cseq"] += 1
        fields = digest_fields(challenge, "INVITE", target, "100", ACCOUNTS["100"],
                               cnonce=self.ident("cn"))
        cx = MutCtx(self, A, "invite2")
        cx.auth = ("Proxy-Authorization", fields, "INVITE", "100", ACCOUNTS["100"], challenge)
        t2 = self.send_request("invite2", A, invite(fields), cx)
        d["invite"] = t2
        phones = [self.B, self.C1, self.C2, self.R]

        def incoming():
            return [m for p in phones for m in p.inbox
                    if m.method == "INVITE" and not tag_of(m.get("to"))]
        got = self.net.wait(lambda: incoming() or t2.final is not None, self.timeout)
        if ext == "102" and len(incoming()) == 1 and t2.final is None:
            self.net.wait(lambda: len(incoming()) >= 2 or t2.final is not None, 0.3)
        uases = []
        for inv in incoming():
            p = next(p for p in phones if inv in p.inbox)
            p.inbox.remove(inv)
            u = Uas(p, inv, self.ident("b"))
            p.uas[u.branch] = u
            uases.append(u)
            if inv.body:
                ep = sdp_audio_endpoint(inv.body)
                if ep:
                    self.known_pbx_media.add(ep[1])
        if not uases:
            if not got:
                self.unanswered(t2)
            fin = t2.final
            self.expect(False, "the callee gets the INVITE (the caller got %s)"
                        % (fin.status if fin else None))
            self.outcome.append("INVITE+auth->%s" % (fin.status if fin else "nothing"))
            return
        self.outcome.append("%d fork(s)" % len(uases))

        # provisional responses ("none": just 100 Trying, which lets pbxd CANCEL a fork)
        if ring == "none":
            for u in uases:
                self.send_response("trying", u.phone, u.invite, response(u.invite, 100), uas=u)
        if ring != "none":
            for u in uases:
                if "180" in ring:
                    self.send_response("ring", u.phone, u.invite,
                                       response(u.invite, 180, to_tag=u.to_tag,
                                                contact=u.phone.contact()), uas=u)
                if "183" in ring:
                    self.send_response("ring", u.phone, u.invite,
                                       response(u.invite, 183, to_tag=u.to_tag,
                                                contact=u.phone.contact(),
                                                body=make_sdp(u.phone.rtp_port, sess="early")),
                                       uas=u)
            self.net.wait(lambda: t2.provisional() or t2.final is not None, self.timeout)
            self.expect(any(r.status in (180, 183) for r in t2.provisional()),
                        "the caller hears the ringing")

        if outcome == "cancel":
            inv = t2.req
            cancel = cancel_for(inv, inv.cseq()[0])
            tc = self.send_request("cancel", A, cancel)
            d["cancel"] = tc
            self.wait_final(tc)
            self.wait_final(t2)
            self.outcome.append("cancel->%s" % (t2.final.status if t2.final else "nothing"))
            return

        if outcome == "reject":
            u = uases[0]
            self.send_response("reject", u.phone, u.invite,
                               response(u.invite, reject_code, to_tag=u.to_tag), uas=u)
            self.wait_final(t2)
            self.outcome.append("reject->%s" % (t2.final.status if t2.final else "nothing"))
            return

        # answer (the first phone; with two, the second must be cancelled by pbxd)
        u = uases[0]
        body = make_sdp(u.phone.rtp_port, sess="ans")
        self.send_response("answer", u.phone, u.invite,
                           response(u.invite, 200, to_tag=u.to_tag, contact=u.phone.contact(),
                                    body=body), uas=u)
        fin = self.wait_final(t2)
        if fin is None or not 200 <= fin.status < 300:
            self.expect(False, "the caller gets 200 (got %s)" % (fin.status if fin else None))
            self.outcome.append("answer->%s" % (fin.status if fin else "nothing"))
            return
        tag = tag_of(fin.get("to"))
        ack = self.ack_for(d, fin)
        self.send_request("ack", A, ack)
        t2.acked[tag] = ack.to_bytes()
        d["acked"].add(tag)
        for other in uases[1:]:
            self.net.wait(lambda: other.final is not None, self.timeout)
            self.expect(other.cancelled, "pbxd cancels the other fork")
        self.net.wait(lambda: u.to_tag in u.acked, self.timeout)
        self.expect(u.to_tag in u.acked, "the callee gets the ACK")
        self.outcome.append("answered")
        if fin.body:
            ep = sdp_audio_endpoint(fin.body)
            if ep:
                self.known_pbx_media.add(ep[1])
        if rtp:
            self.poke_rtp(fin, u)

        for ev in mid:
            if self.pbx_dialog_gone(d, u):
                break
            self.mid_event(ev, d, fin, u)

        # BYE
        if bye_from == "caller" or self.plan is None:
            bye = self.in_dialog(d, fin, "BYE")
            tb = self.send_request("bye", A, bye)
            d["byes"][tag] = tb
            fb = self.wait_final(tb)
            self.expect(fb is not None and fb.status == 200, "the caller's BYE gets 200")
            self.net.wait(lambda: u.to_tag in u.closed, self.timeout)
            self.expect(u.to_tag in u.closed, "pbxd sends BYE to the callee")
        else:
            bye = self.uas_request(u, "BYE")
            tb = self.send_request("bye", u.phone, bye)
            u.closed.add(u.to_tag)
            self.wait_final(tb)
            self.net.wait(lambda: tag in d["closed"], self.timeout)
        self.outcome.append("bye")

    def pbx_dialog_gone(self, d, u):
        return bool(d["closed"]) or bool(u.closed)

    def ack_for(self, d, fin):
        inv = d["invite"].req
        routes = list(reversed(fin.values("record-route")))
        m = Msg("ACK %s SIP/2.0" % (uri_of(fin.get("contact")) or inv.uri), [
            ["Via", "SIP/2.0/UDP 127.0.0.1:%d;rport;branch=%s" % (self.A.port, self.branch())],
            ["Max-Forwards", "70"], ["From", inv.get("from")], ["To", fin.get("to")],
            ["Call-ID", inv.get("call-id")], ["CSeq", "%d ACK" % inv.cseq()[0]]] +
            [["Route", r] for r in routes])
        if not inv.body:  # late offer: pbxd's 2xx carries the offer, the ACK the answer
            m.add("Content-Type", "application/sdp")
            m.body = make_sdp(self.A.rtp_port, sess="100")
        return m

    def in_dialog(self, d, fin, method, body=b""):
        """A request from the caller inside the dialog of the 2xx `fin`."""
        inv = d["invite"].req
        d["cseq"] += 1
        m = request(method, uri_of(fin.get("contact")) or inv.uri, self.A, inv.get("from"),
                    fin.get("to"), d["call_id"], d["cseq"], self.branch(), body=body)
        for r in reversed(fin.values("record-route")):
            m.add("Route", r)
        return m

    def uas_request(self, u, method, body=b""):
        """A request from a callee inside the dialog pbxd's INVITE made."""
        u.cseq += 1
        inv = u.invite
        m = request(method, u.remote_target, u.phone, set_tag(inv.get("to"), u.to_tag),
                    inv.get("from"), u.call_id, u.cseq, self.branch(), body=body)
        for r in u.routes:
            m.add("Route", r)
        return m

    def mid_event(self, ev, d, fin, u):
        side = ev.split("_")[1]
        kind = "update" if ev.startswith("update") else "reinvite"
        step = "%s_%s" % (kind, side)
        method = "UPDATE" if kind == "update" else "INVITE"
        if ev.endswith("nosdp"):
            body = b""
        else:
            phone = self.A if side == "a" else u.phone
            body = make_sdp(phone.rtp_port + (2 if ev == "hold_a" else 0), version=3,
                            sess="mid", direction="sendonly" if ev == "hold_a" else "sendrecv")
        if side == "a":
            m = self.in_dialog(d, fin, method, body)
            phone = self.A
        else:
            m = self.uas_request(u, method, body)
            phone = u.phone
        t = self.send_request(step, phone, m)
        f = self.wait_final(t)
        if f is not None and f.body:
            ep = sdp_audio_endpoint(f.body)
            if ep:
                self.known_pbx_media.add(ep[1])
        if method == "INVITE" and f is not None:
            for tag, ok in list(t.oks.items()):
                ack = Msg("ACK %s SIP/2.0" % (uri_of(ok.get("contact")) or m.uri), [
                    ["Via", "SIP/2.0/UDP 127.0.0.1:%d;rport;branch=%s" % (phone.port,
                                                                         self.branch())],
                    ["Max-Forwards", "70"], ["From", m.get("from")], ["To", ok.get("to")],
                    ["Call-ID", m.get("call-id")], ["CSeq", "%d ACK" % m.cseq()[0]]] +
                    [["Route", r] for r in m.values("route")])
                if not body:  # our offerless re-INVITE: the ACK carries the answer
                    ack.add("Content-Type", "application/sdp")
                    ack.body = make_sdp(phone.rtp_port, version=4, sess="mid")
                self.send_request(step + "_ack", phone, ack)
                t.acked[tag] = ack.to_bytes()
        self.outcome.append("%s->%s" % (step, f.status if f else "nothing"))

    def poke_rtp(self, fin, u):
        """A few RTP and junk datagrams both ways through the relay."""
        a = sdp_audio_endpoint(fin.body) if fin.body else None
        b = sdp_audio_endpoint(u.invite.body) if u.invite.body else None
        pkts = [bytes([0x80, 0, 0, k, 0, 0, 0, k, 1, 2, 3, 4]) + b"\x55" * 160 for k in range(5)]
        pkts += [b"", b"\x80", b"\x00" * 1400, bytes([0x80, 200]) + b"\x00" * 30]
        for ep, phone in ((a, self.A), (b, u.phone)):
            if ep and ep[0] == "127.0.0.1" and ep[1]:
                for p in pkts:
                    try:
                        phone.rtp.sendto(p, ("127.0.0.1", ep[1]))
                    except OSError:
                        pass
        self.net.pump(0.05)

    # ---------------------------------------------------------------- out-of-dialog requests

    def ood(self, variant):
        A = self.A
        call_id = self.ident("ood")
        from_ = "<sip:100@%s>;tag=%s" % (REALM, self.ident("o"))
        to = "<sip:101@%s>" % REALM
        ruri = "sip:101@%s" % REALM
        method = {"options-odd": "OPTIONS", "bye": "BYE", "cancel": "CANCEL", "update": "UPDATE",
                  "invite-to-tag": "INVITE", "ack": "ACK", "info": "INFO", "message": "MESSAGE",
                  "subscribe": "SUBSCRIBE", "notify": "NOTIFY", "refer": "REFER",
                  "prack": "PRACK", "publish": "PUBLISH", "unknown": "FUZZ",
                  "register-odd-ruri": "REGISTER", "invite-mf0": "INVITE",
                  "invite-loop": "INVITE", "options-mf0": "OPTIONS"}[variant]
        body = make_sdp(A.rtp_port) if method in ("INVITE", "UPDATE") else b""
        if variant in ("bye", "update", "invite-to-tag", "info", "prack", "notify"):
            to = set_tag(to, "no-such-dialog")
        if variant == "options-odd":
            ruri = random.Random(call_id).choice(["sip:127.0.0.1", "sip:999@127.0.0.1",
                                                  "sip:[::1]", "sips:127.0.0.1", "tel:1"])
        if variant == "register-odd-ruri":
            ruri = "sip:101@example.com;lr"
        m = request(method, ruri, A, from_, to, call_id, 1, self.branch(), body=body)
        if variant in ("invite-mf0", "options-mf0"):
            m.set("Max-Forwards", "0")
        if variant == "invite-loop":
            m.add("Via", "SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKloop" % self.pbx.port)
        if variant == "subscribe":
            m.add("Event", "presence")
            m.add("Expires", "60")
        if variant == "notify":
            m.add("Event", "dialog")
            m.add("Subscription-State", "active")
        if variant == "refer":
            m.add("Refer-To", "<sip:102@127.0.0.1>")
        if variant == "prack":
            m.add("RAck", "1 1 INVITE")
        if variant == "message":
            m.set("Content-Type", "text/plain")
            m.body = b"hello"
        if variant == "publish":
            m.add("Event", "presence")
        t = self.send_request("ood", A, m)
        if method == "ACK":
            self.net.pump(0.2)
            return
        f = self.wait_final(t)
        self.outcome.append("%s->%s" % (method, f.status if f else "nothing"))
        if method == "INVITE" and f is not None and 200 <= f.status < 300:
            d = {"call_id": call_id, "tag": tag_of(from_), "cseq": 1, "closed": set(),
                 "invite": t, "acked": set(), "byes": {}}
            self.uacs.append(d)

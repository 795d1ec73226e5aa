"""The fuzzer's network: phones on UDP sockets (each with an RTP socket), the transactions
they run (Txn client side, Uas for an INVITE from pbxd), and Net, which pumps every socket
and keeps the message history printed on a failure."""

import collections
import re
import select
import socket
import time

import pbxtest as T

from .accounts import ACCOUNTS
from .sipmsg import Msg, ack_non2xx, branch_of, first_line_of, tag_of, text, uri_of


class Txn:
    """A request we sent and the responses to it."""

    def __init__(self, phone, req, step, mutated):
        self.phone, self.req, self.step, self.mutated = phone, req, step, mutated
        self.method = req.method
        self.branch = branch_of(req.get("via"))
        self.responses = []
        self.final = None
        self.oks = collections.OrderedDict()  # To tag -> the 2xx (INVITE)
        self.acked = {}  # To tag -> ACK bytes we sent for its 2xx
        self.dropped = False
        self.sent_at = time.monotonic()

    def provisional(self):
        return [r for r in self.responses if r.status and r.status < 200]


class Uas:
    """An initial INVITE pbxd sent to one of our callee phones, and the dialog it made."""

    def __init__(self, phone, invite, to_tag):
        self.phone, self.invite, self.to_tag = phone, invite, to_tag
        self.call_id = invite.get("call-id")
        self.branch = branch_of(invite.get("via"))
        self.final = None  # the first final status we sent
        self.ok_tags = []  # To tags we sent a 2xx with
        self.acked = set()
        self.closed = set()  # To tags whose dialog saw a BYE either way
        self.cseq = 1
        self.remote_target = uri_of(invite.get("contact")) or "sip:127.0.0.1"
        self.routes = invite.values("record-route")
        self.cancelled = False
        self.provisional_sent = False
        self.offer = invite.body


class Phone(T.UdpSip):
    def __init__(self, net, name, user, pbx_port):
        super().__init__(pbx_port)
        self.net, self.name, self.user = net, name, user
        self.password = ACCOUNTS.get(user, "")
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtp.bind(("127.0.0.1", 0))
        self.rtp_port = self.rtp.getsockname()[1]
        self.client = {}  # (branch, method) -> Txn, for the whole run (late retransmissions)
        self.server = {}  # (branch, method) -> [bytes] last response(s) sent, ditto
        self.seen = set()  # (branch, method) of every request received
        self.uas = {}  # INVITE branch -> Uas, of this iteration
        self.inbox = []  # requests nobody handled yet
        self.acks = []
        net.phones.append(self)

    def contact(self):
        return "<sip:%s@127.0.0.1:%d>" % (self.user, self.port)

    def send(self, data):
        if isinstance(data, Msg):
            data = data.to_bytes()
        try:
            self.sock.sendto(data, self.dest)
        except OSError as e:
            self.net.fuzzer.note("send", "could not send %d bytes (%s): %s"
                                 % (len(data), e, first_line_of(data)))
            return
        self.net.record(">", self.name, data)

    def track(self, req, step, mutated):
        txn = Txn(self, req, step, mutated)
        self.client[(txn.branch, txn.method)] = txn
        self.net.fuzzer.iter_txns.append(txn)
        return txn

    def receive(self, data):
        self.net.record("<", self.name, data)
        m = Msg.parse(data)
        if m.is_response:
            key = (branch_of(m.get("via")), m.method)
            txn = self.client.get(key)
            self.net.fuzzer.inspect_response(self, m, txn)
            if txn is not None:
                self.on_response(txn, m)
            return
        if not re.match(r"[A-Za-z]+ \S+ SIP/2\.0$", m.start):
            self.net.fuzzer.note("garbage", "pbxd sent something that is no SIP message: %r"
                                 % m.start[:60])
            return
        self.net.fuzzer.inspect_request(self, m)
        method = m.method
        if method == "ACK":
            self.acks.append(m)
            for u in self.uas.values():
                if u.call_id == m.get("call-id"):
                    u.acked.add(tag_of(m.get("to")))
            return
        key = (branch_of(m.get("via")), method)
        if key in self.server:  # a retransmission: answer it again
            for d in self.server[key]:
                self.send(d)
            return
        if key in self.seen:  # a retransmission of a request not answered yet
            return
        self.seen.add(key)
        self.inbox.append(m)
        self.net.fuzzer.auto(self, m)

    def on_response(self, txn, m):
        txn.responses.append(m)
        st = m.status or 0
        if st < 200:
            return
        if txn.final is None:
            txn.final = m
        if txn.method != "INVITE":
            return
        if st >= 300:
            self.send(ack_non2xx(txn.req, m))
            return
        tag = tag_of(m.get("to"))
        txn.oks.setdefault(tag, m)
        if tag in txn.acked:
            self.send(txn.acked[tag])  # a retransmitted 2xx


class Net:
    def __init__(self, fuzzer):
        self.fuzzer = fuzzer
        self.phones = []
        self.history = collections.deque(maxlen=2000 if fuzzer.args.verbose else 40)
        self.dropped = 0

    def record(self, direction, phone, data):
        if len(self.history) == self.history.maxlen:
            self.dropped += 1
        self.history.append((time.time(), direction, phone, data))

    def pump(self, timeout):
        socks = {}
        for p in self.phones:
            socks[p.sock] = p
            socks[p.rtp] = None
        try:
            ready, _, _ = select.select(list(socks), [], [], max(0.0, timeout))
        except InterruptedError:
            return
        for s in ready:
            for _ in range(100):
                try:
                    data, _ = s.recvfrom(70000, socket.MSG_DONTWAIT)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    break  # ICMP errors reported on a UDP socket
                if socks[s] is not None:
                    socks[s].receive(data)

    def wait(self, pred, timeout):
        deadline = time.monotonic() + timeout
        while True:
            v = pred()
            if v:
                return v
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.pump(min(left, 0.1))

    def dump(self, n=40):
        n = max(0, min(n, len(self.history)))
        T.say("----- the last %d messages (> sent by the test, < received from pbxd) -----"
              % min(n, len(self.history)))
        for when, direction, phone, data in list(self.history)[-n:]:
            shown = text(data)
            if len(shown) > 1500:
                shown = shown[:1500] + "\n...(%d bytes in all)" % len(data)
            T.say("%s.%03d %s %s:\n%s" % (time.strftime("%H:%M:%S", time.localtime(when)),
                                         int(when * 1000) % 1000, direction, phone,
                                         shown.rstrip()))
            T.say("")
        T.say("----- end of the messages -----")

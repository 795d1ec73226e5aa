"""The SIP messages pbxd sent and received, with the transport of each, from sofia-sip's own
transport dump: a pbxd started with TPORT_DUMP=FILE in its environment (Pbxd(sip_dump=True))
appends every message its SIP transports read or write to FILE, as records

    recv 532 bytes from tcp/[127.0.0.1]:41742 at 19:15:46.657000:
    <the bytes read>
    \\v

sofia-sip 1.12.11 writes a sent message without its body (the record says how many bytes
went out, the headers follow): the SDP pbxd sent is not in the dump, only what it received.
What pbxd's UDP screen answers by itself (the stateless 407s to new INVITEs over UDP) never
reaches sofia's transport and is not in the dump either.
"""

import re

_RECORD = re.compile(rb"^(recv|sent) (\d+) bytes (?:from|to) (\w+)/\[([^\]]*)\]:(\d+) at [^\n]*:\n",
                     re.M)
_COMPACT = {"i": "call-id", "m": "contact", "v": "via", "f": "from", "t": "to",
            "l": "content-length", "c": "content-type"}


class SipMessage:
    """One SIP message as pbxd's transport saw it."""

    def __init__(self, direction, transport, peer, text):
        self.direction = direction  # "recv" or "sent"
        self.transport = transport  # "udp" or "tcp"
        self.peer = peer            # (host, port) of the other end
        self.text = text
        head, _, self.body = text.partition("\r\n\r\n")
        lines = head.split("\r\n")
        self.start_line = lines[0]
        self.headers = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and self.headers:  # a folded line
                self.headers[-1] = (self.headers[-1][0], self.headers[-1][1] + " " + line.strip())
                continue
            name, _, value = line.partition(":")
            name = name.strip().lower()
            self.headers.append((_COMPACT.get(name, name), value.strip()))

    @property
    def is_request(self):
        return not self.start_line.startswith("SIP/2.0 ")

    @property
    def method(self):
        """The request's method, or the method a response answers (from CSeq)."""
        if self.is_request:
            return self.start_line.split(" ", 1)[0]
        cseq = self.header("cseq") or ""
        return cseq.split()[-1] if cseq.split() else ""

    @property
    def status(self):
        return None if self.is_request else int(self.start_line.split()[1])

    def header(self, name):
        """The first value of header `name` (any case, compact forms too), or None."""
        values = self.all_headers(name)
        return values[0] if values else None

    def all_headers(self, name):
        name = _COMPACT.get(name.lower(), name.lower())
        return [v for n, v in self.headers if n == name]

    @property
    def call_id(self):
        return self.header("call-id")

    def __repr__(self):
        return "%s %s %s:%s %r" % (self.direction, self.transport, self.peer[0], self.peer[1],
                                   self.start_line)


def _split_stream(data):
    """Complete SIP messages in a byte stream (TCP), and what is left of an incomplete one."""
    messages = []
    while True:
        data = data.lstrip(b"\r\n")  # keep-alive CRLFs
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return messages, data
        m = re.search(rb"\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)", data[:end + 2], re.I)
        total = end + 4 + (int(m.group(1)) if m else 0)
        if len(data) < total:
            return messages, data
        messages.append(data[:total])
        data = data[total:]


def read_dump(path):
    """The SipMessages in a TPORT_DUMP file, in the order pbxd read or wrote them."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError:
        return []
    records = list(_RECORD.finditer(raw))
    out = []
    streams = {}  # peer -> bytes received over TCP not yet a whole message
    for i, r in enumerate(records):
        direction, size, transport = r.group(1).decode(), int(r.group(2)), r.group(3).decode()
        peer = (r.group(4).decode(), int(r.group(5)))
        end = records[i + 1].start() if i + 1 < len(records) else len(raw)
        chunk = raw[r.end():min(r.end() + size, end)]
        if direction == "recv" and transport == "tcp":
            # what one read returned: part of a message, or several
            messages, streams[peer] = _split_stream(streams.get(peer, b"") + chunk)
        else:
            messages = [re.sub(rb"\v\n*\Z", b"", chunk) if direction == "sent" else chunk]
        for m in messages:
            out.append(SipMessage(direction, transport, peer, m.decode("utf-8", "replace")))
    return out

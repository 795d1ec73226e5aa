"""SIP messages for the fuzzer: a Msg (start line, ordered headers, body; latin-1 text byte for
byte), header value helpers (tags, URIs, branches), and builders of requests, responses, the
ACK of a non-2xx and a CANCEL."""

import re


COMPACT = {"i": "call-id", "f": "from", "t": "to", "v": "via", "m": "contact",
           "l": "content-length", "c": "content-type", "k": "supported", "s": "subject",
           "e": "content-encoding", "o": "event", "r": "refer-to", "x": "session-expires"}
LIST_HEADERS = ("via", "contact", "record-route", "route")


def hname(name):
    n = name.strip().lower()
    return COMPACT.get(n, n)


def text(b):
    return b.decode("latin-1")


def raw(s):
    return s.encode("latin-1")


def u8(s):
    """A str holding the UTF-8 bytes of s (messages are latin-1 text, byte for byte)."""
    return text(s.encode("utf-8"))


def split_list(value):
    """A comma-separated header value split into its elements (<...> and quotes respected)."""
    parts, cur, depth, quoted, esc = [], [], 0, False, False
    for ch in value:
        if quoted:
            cur.append(ch)
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                quoted = False
            continue
        if ch == '"':
            quoted = True
        elif ch == "<":
            depth += 1
        elif ch == ">":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def tag_of(value):
    if value is None:
        return None
    tail = value[value.rfind(">") + 1:] if "<" in value else value
    m = re.search(r";\s*tag\s*=\s*([^;,\s]*)", tail, re.I)
    return m.group(1) if m else None


def set_tag(value, tag):
    """value with its tag replaced (tag None: removed)."""
    if "<" in value:
        head, tail = value[:value.rfind(">") + 1], value[value.rfind(">") + 1:]
    else:
        head, tail = "", value
    tail = re.sub(r";\s*tag\s*=\s*[^;,\s]*", "", tail, flags=re.I)
    return head + tail + (";tag=%s" % tag if tag is not None else "")


def uri_of(value):
    if value is None:
        return None
    m = re.search(r"<([^>]*)>", value)
    if m:
        return m.group(1).strip()
    return value.split(";")[0].strip()


def branch_of(via):
    m = re.search(r";\s*branch\s*=\s*([^;,\s]+)", via or "", re.I)
    return m.group(1) if m else None


class Msg:
    """A SIP message as a start line, an ordered header list and a body (latin-1 text)."""

    def __init__(self, start, headers=(), body=b""):
        self.start = start
        self.headers = [list(h) for h in headers]
        self.body = body
        self.clen = None  # a forced Content-Length value; False: none at all

    @classmethod
    def parse(cls, data):
        head, sep, body = data.partition(b"\r\n\r\n")
        if not sep:
            head, sep, body = data.partition(b"\n\n")
        lines = text(head).replace("\r\n", "\n").split("\n")
        headers = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and headers:
                headers[-1][1] += " " + line.strip()
                continue
            name, colon, value = line.partition(":")
            if colon:
                headers.append([name.strip(), value.strip()])
        return cls(lines[0].strip(), headers, body)

    def copy(self):
        m = Msg(self.start, self.headers, self.body)
        m.clen = self.clen
        return m

    def set_status(self, status, reason=None):
        """Make this a response with `status` (its usual phrase unless `reason` is given)."""
        self.start = "SIP/2.0 %d %s" % (status, reason or REASONS.get(status, "Fuzzed"))

    @property
    def is_response(self):
        return self.start.startswith("SIP/2.0 ")

    @property
    def status(self):
        m = re.match(r"SIP/2\.0 (\d+)", self.start)
        return int(m.group(1)) if m else None

    @property
    def method(self):
        if self.is_response:
            return self.cseq()[1]
        return self.start.split(" ", 1)[0]

    @property
    def uri(self):
        parts = self.start.split(" ")
        return parts[1] if len(parts) > 2 else ""

    def cseq(self):
        m = re.match(r"\s*(\d+)\s+(\S+)", self.get("cseq") or "")
        return (int(m.group(1)), m.group(2)) if m else (None, None)

    def get(self, name):
        n = hname(name)
        for k, v in self.headers:
            if hname(k) == n:
                return split_list(v)[0] if n in LIST_HEADERS and v.strip() else v
        return None

    def values(self, name):
        n = hname(name)
        out = []
        for k, v in self.headers:
            if hname(k) == n:
                out.extend(split_list(v) if n in LIST_HEADERS else [v])
        return out

    def set(self, name, value):
        """Replaces every `name` header with one (at the first one's place, else appended)."""
        n = hname(name)
        for i, (k, _) in enumerate(self.headers):
            if hname(k) == n:
                self.headers[i] = [name, value]
                self.headers = [h for j, h in enumerate(self.headers)
                                if j == i or hname(h[0]) != n]
                return self
        return self.add(name, value)

    def add(self, name, value, top=False):
        if top:
            for i, (k, _) in enumerate(self.headers):
                if hname(k) == hname(name):
                    self.headers.insert(i, [name, value])
                    return self
        self.headers.append([name, value])
        return self

    def remove(self, name):
        self.headers = [h for h in self.headers if hname(h[0]) != hname(name)]
        return self

    def to_bytes(self):
        lines = [self.start] + ["%s: %s" % (k, v) for k, v in self.headers
                                if hname(k) != "content-length"]
        if self.clen is not False:
            lines.append("Content-Length: %s" % (self.clen if self.clen is not None
                                                  else len(self.body)))
        return raw("\r\n".join(lines) + "\r\n\r\n") + self.body

    def first_line(self):
        return self.start[:100]


def first_line_of(data):
    return text(data.split(b"\n", 1)[0]).strip()[:100]


def request(method, ruri, phone, from_, to, call_id, cseq, branch, body=b"",
            content_type="application/sdp", contact=True):
    m = Msg("%s %s SIP/2.0" % (method, ruri), [
        ["Via", "SIP/2.0/UDP 127.0.0.1:%d;rport;branch=%s" % (phone.port, branch)],
        ["Max-Forwards", "70"],
        ["From", from_],
        ["To", to],
        ["Call-ID", call_id],
        ["CSeq", "%d %s" % (cseq, method)]])
    if contact:
        m.add("Contact", phone.contact())
    m.add("User-Agent", "pbxkit-fuzz")
    if body:
        m.add("Content-Type", content_type)
        m.body = body
    return m


def response(req, status, reason=None, to_tag=None, contact=None, body=b""):
    m = Msg("")
    m.set_status(status, reason)
    for k, v in req.headers:
        if hname(k) == "via":
            m.add("Via", v)
    to = req.get("to") or ""
    if to_tag and tag_of(to) is None:
        to = set_tag(to, to_tag)
    m.add("From", req.get("from") or "")
    m.add("To", to)
    m.add("Call-ID", req.get("call-id") or "")
    m.add("CSeq", req.get("cseq") or "")
    for rr in req.values("record-route"):
        m.add("Record-Route", rr)
    if contact:
        m.add("Contact", contact)
    if body:
        m.add("Content-Type", "application/sdp")
        m.body = body
    return m


def ack_non2xx(invite, resp):
    """The ACK of RFC 3261 17.1.1.3 (same branch as the INVITE)."""
    return Msg("ACK %s SIP/2.0" % invite.uri, [
        ["Via", invite.get("via")], ["Max-Forwards", "70"], ["From", invite.get("from")],
        ["To", resp.get("to") or invite.get("to")], ["Call-ID", invite.get("call-id")],
        ["CSeq", "%d ACK" % (invite.cseq()[0] or 1)]] +
        [["Route", r] for r in invite.values("route")])


def cancel_for(invite, cseq):
    """The CANCEL of RFC 3261 9.1 for `invite` (same branch), with CSeq number `cseq`."""
    return Msg("CANCEL %s SIP/2.0" % invite.uri, [
        ["Via", invite.get("via")], ["Max-Forwards", "70"], ["From", invite.get("from")],
        ["To", invite.get("to")], ["Call-ID", invite.get("call-id")],
        ["CSeq", "%d CANCEL" % cseq]])


REASONS = {100: "Trying", 180: "Ringing", 181: "Call Is Being Forwarded", 182: "Queued",
           183: "Session Progress", 199: "Early Dialog Terminated", 200: "OK", 202: "Accepted",
           300: "Multiple Choices", 301: "Moved Permanently", 302: "Moved Temporarily",
           305: "Use Proxy", 380: "Alternative Service", 400: "Bad Request",
           401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 407: "Proxy Authentication Required",
           408: "Request Timeout", 415: "Unsupported Media Type", 420: "Bad Extension",
           423: "Interval Too Brief", 480: "Temporarily Unavailable",
           481: "Call/Transaction Does Not Exist", 482: "Loop Detected", 483: "Too Many Hops",
           486: "Busy Here", 487: "Request Terminated", 488: "Not Acceptable Here",
           491: "Request Pending", 500: "Server Internal Error", 501: "Not Implemented",
           502: "Bad Gateway", 503: "Service Unavailable", 504: "Server Time-out",
           580: "Precondition Failure", 600: "Busy Everywhere", 603: "Decline",
           604: "Does Not Exist Anywhere", 606: "Not Acceptable"}

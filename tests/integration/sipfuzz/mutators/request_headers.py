"""Mutators of generic request headers (family "req"): Max-Forwards, CSeq, tags, Call-ID,
Contact, Route, Require, display names, Via, Request-URI, duplicated/huge/compact headers,
the start line. CONTACTS/contact_value are shared with the REGISTER and response families."""

import re

from ..sipmsg import COMPACT, hname, set_tag, tag_of, u8
from .registry import mutator, set_or_remove


@mutator("req", 3)
def req_max_forwards(m, r, cx):
    set_or_remove(m, r, "Max-Forwards",
                  ["0", "0", "1", "-1", "256", "70000", "4294967296", "abc", "", "0 0"], 0.15)


@mutator("req", 2)
def req_cseq(m, r, cx):
    n, meth = m.cseq()
    n, meth = n or 1, meth or m.method
    m.set("CSeq", r.choice(["0 %s" % meth, "4294967295 %s" % meth, "4294967296 %s" % meth,
                            "2147483648 %s" % meth, "-1 %s" % meth, "abc %s" % meth, meth,
                            "%d FOO" % n, "%d BYE" % n, "%d %s" % (n, meth.lower())]))


@mutator("req", 2)
def req_tags(m, r, cx):
    how = r.choice(["from-none", "from-empty", "from-huge", "from-two", "to-tag", "to-empty"])
    if how == "from-none":
        m.set("From", set_tag(m.get("from"), None))
    elif how == "from-empty":
        m.set("From", set_tag(m.get("from"), ""))
    elif how == "from-huge":
        m.set("From", set_tag(m.get("from"), "t" * 5000))
    elif how == "from-two":
        m.set("From", m.get("from") + ";tag=second")
    elif how == "to-tag":
        m.set("To", set_tag(m.get("to"), "unknown-dialog-tag"))
    else:
        m.set("To", set_tag(m.get("to"), ""))


@mutator("req", 1)
def req_call_id(m, r, cx):
    m.set("Call-ID", r.choice(["x" * 3000, "a@b@c", "\"quoted\"", u8("ünï"), "1", "<>",
                               "%00"]))


CONTACTS = ["*", "<sips:%(u)s@127.0.0.1:%(p)d>", "<tel:+15551234567>", "tel:%(u)s",
            "<sip:%(u)s@127.0.0.1:%(p)d;transport=tcp;lr;maddr=10.0.0.1>;expires=0",
            '<sip:%(u)s@127.0.0.1:%(p)d>;+sip.instance="<urn:uuid:1>";reg-id=1;q=0.5',
            "<sip:%(u)s@[::1]:%(p)d>", "<sip:%(u)s@localhost:%(p)d>",
            "<sip:%(u)s@example.invalid>", "<sip:%(u)s@127.0.0.1:0>",
            "<sip:%(u)s@127.0.0.1:65536>", "<sip:127.0.0.1:%(p)d>", "<sip:@127.0.0.1>",
            "sip:%(u)s@127.0.0.1:%(p)d;expires=5", "<sip:%(u)s@127.0.0.1:%(p)d?X-H=1&Y=2>",
            '"%(big)s" <sip:%(u)s@127.0.0.1:%(p)d>', "<sip:%(u)s@127.0.0.1:%(p)d>, <sip:x@1.2.3.4>",
            "<http://example.com/>", "<urn:service:sos>", "<sip:%(u)s%%00@127.0.0.1:%(p)d>",
            "<sip:%(huge)s@127.0.0.1:%(p)d>", "<>", "<sip:>", "garbage"]


def contact_value(r, cx, choices=CONTACTS):
    return r.choice(choices) % {"u": cx.phone.user, "p": cx.phone.port, "big": "D" * 2000,
                                "huge": "u" * 3000}


@mutator("req", 3)
def req_contact(m, r, cx):
    how = r.random()
    if how < 0.2:
        m.remove("Contact")
    elif how < 0.3:
        for k in range(r.choice([2, 5, 40])):
            m.add("Contact", "<sip:%s-%d@127.0.0.1:%d>" % (cx.phone.user, k, cx.phone.port))
    else:
        m.set("Contact", contact_value(r, cx))


@mutator("req", 1)
def req_route(m, r, cx):
    m.add("Route", r.choice([
        "<sip:127.0.0.1:%d;lr>" % cx.pbx.port, "<sip:127.0.0.1:1;lr>", "<sip:127.0.0.1:%d>"
        % cx.pbx.port, "<sip:10.255.255.1;lr>", "<sips:127.0.0.1;lr>", "<tel:1>", "garbage",
        ", ".join(["<sip:127.0.0.1:%d;lr>" % cx.pbx.port] * 30)]), top=True)


@mutator("req", 2)
def req_require(m, r, cx):
    h, v = r.choice([("Require", "x-fuzz-ext"), ("Require", "100rel"), ("Require", "timer"),
                     ("Require", "replaces, join, x"), ("Proxy-Require", "x-fuzz"),
                     ("Supported", "x, y, z, 100rel, timer, " + "q" * 500),
                     ("Session-Expires", "1"), ("Session-Expires", "90;refresher=uac"),
                     ("Session-Expires", "4294967296;refresher=xxx"), ("Min-SE", "0"),
                     ("Require", "")])
    m.add(h, v)
    if h == "Session-Expires":
        m.add("Supported", "timer")


@mutator("req", 2)
def req_display(m, r, cx):
    hdr = r.choice(["From", "To"])
    v = m.get(hdr)
    name = r.choice(['"quo\\"ted \\\\ name"', '"' + u8("Jürgen ☎") + '"', '"' + "N" * 3000 + '"',
                     '"unbalanced', 'bare name with spaces', '"\\"', '""', '"\xff\xfe"'])
    m.set(hdr, name + " " + v[v.find("<"):] if "<" in v else name + " <" + v.split(";")[0]
          + ">" + (";tag=" + tag_of(v) if tag_of(v) else ""))


@mutator("req", 1)
def req_via(m, r, cx):
    how = r.choice(["params", "second", "received", "branch-old", "maddr", "huge-branch"])
    top = m.get("via")
    if how == "params":
        m.set("Via", top + ";ttl=1;x=y;rport;received=1.2.3.4")
    elif how == "second":
        m.add("Via", "SIP/2.0/UDP 10.1.2.3:5060;branch=z9hG4bK-second")
    elif how == "received":
        m.set("Via", top + ";received=" + r.choice(["", "::1", "junk", "127.0.0.1"]))
    elif how == "branch-old":
        m.set("Via", re.sub(r"branch=z9hG4bK", "branch=", top))
    elif how == "maddr":
        m.set("Via", top + ";maddr=224.0.0.1")
    else:
        m.set("Via", top + "x" * 4000)


@mutator("req", 3)
def req_ruri(m, r, cx):
    if m.method not in ("INVITE", "REGISTER", "OPTIONS"):
        return
    user = r.choice(["101;foo=bar", "%31%30%31", "101@x", "", "1" * 3000, "999", "103",
                     "104", "100", "+101", "101%00", "10%2", u8("１０１"), "*101", "102",
                     "101?x=y", "101 "])
    host = r.choice(["127.0.0.1", "127.0.0.1:%d" % cx.pbx.port, "example.com", "[::1]",
                     "127.0.0.1;transport=tcp", "127.0.0.1;user=phone;lr", "localhost"])
    scheme = r.choice(["sip", "sip", "sip", "sips", "tel", "SIP", "urn"])
    uri = "%s:%s@%s" % (scheme, user, host) if user else "%s:%s" % (scheme, host)
    m.start = "%s %s SIP/2.0" % (m.method, uri)
    if r.random() < 0.5 and m.method == "INVITE":
        m.set("To", "<%s>" % uri)


@mutator("req", 1)
def req_expires(m, r, cx):
    m.set("Expires", r.choice(["0", "1", "4294967295", "4294967296", "-1", "abc", ""]))


@mutator("req", 2)
def req_dup_header(m, r, cx):
    h = r.choice(["From", "To", "Call-ID", "CSeq", "Max-Forwards", "Content-Type", "Expires",
                  "Contact", "Proxy-Authorization", "Authorization"])
    v = m.get(h)
    m.add(h, r.choice([v or "x", "<sip:other@127.0.0.1>;tag=zz", "9 INVITE", "junk", "1"]))


@mutator("req", 1)
def req_huge_header(m, r, cx):
    how = r.choice(["one", "many", "ua", "folded"])
    if how == "one":
        m.add("X-Fuzz", "A" * r.choice([1000, 20000, 60000]))
    elif how == "many":
        for k in range(r.choice([100, 500])):
            m.add("X-Fuzz-%d" % k, "v%d" % k)
    elif how == "ua":
        m.set("User-Agent", "U" * 30000)
    else:
        m.add("Subject", "line one\r\n line two\r\n\tline three")


@mutator("req", 1)
def req_compact(m, r, cx):
    inv = dict((v, k) for k, v in COMPACT.items())
    for h in m.headers:
        n = hname(h[0])
        if n in inv and r.random() < 0.8:
            h[0] = inv[n]
        elif r.random() < 0.3:
            h[0] = h[0].upper() if r.random() < 0.5 else h[0].lower()


@mutator("req", 1)
def req_replaces(m, r, cx):
    m.add("Replaces", r.choice(["%s;to-tag=x;from-tag=y" % m.get("call-id"), "junk",
                                "a;early-only"]))
    m.add("Supported", "replaces")


@mutator("req", 1)
def req_accept(m, r, cx):
    m.set(r.choice(["Accept", "Accept-Encoding", "Content-Encoding", "Content-Disposition",
                    "Accept-Language"]), r.choice(["text/plain", "gzip", "x/y;q=2", "",
                                                    "session;handling=required", "*"]))


@mutator("req", 1)
def req_start_line(m, r, cx):
    parts = m.start.split(" ")
    how = r.choice(["version", "lower", "spaces"])
    if how == "version":
        parts[-1] = r.choice(["SIP/2.1", "SIP/3.0", "SIP/2.00", "sip/2.0"])
    elif how == "lower":
        parts[0] = parts[0].lower()
    else:
        m.start = "  ".join(parts)
        return
    m.start = " ".join(parts)

"""Mutators of a callee's response to pbxd (family "resp"): Contact, Record-Route, Via, To tag,
dialog identifiers, status code, reason phrase, extension headers, duplicated or dropped."""

import re

import pbxtest as T

from ..sipmsg import set_tag, tag_of, u8
from .registry import mutator
from .request_headers import contact_value


@mutator("resp", 3)
def resp_contact(m, r, cx):
    how = r.random()
    if how < 0.3:
        m.remove("Contact")
    elif how < 0.4:
        m.add("Contact", "<sip:second@127.0.0.1:%d>" % cx.phone.port)
    elif how < 0.5:
        m.set("Contact", "<sip:%s@127.0.0.1:%d>" % (cx.phone.user, T.free_port()))
    else:
        m.set("Contact", contact_value(r, cx))


@mutator("resp", 2)
def resp_record_route(m, r, cx):
    rr = r.choice(["<sip:127.0.0.1:%d;lr>" % cx.phone.port, "<sip:127.0.0.1:1;lr>",
                   "<sip:127.0.0.1:%d>" % cx.pbx.port, "<sips:127.0.0.1;lr>",
                   "<sip:10.255.255.1;lr>", "garbage", "<tel:1>", "<sip:[::1]:5060;lr>"])
    for _ in range(r.choice([1, 1, 2, 30])):
        m.add("Record-Route", rr)


@mutator("resp", 2)
def resp_via(m, r, cx):
    top = m.get("via") or ""
    how = r.choice(["branch", "extra-top", "missing", "extra-bottom", "sent-by", "rport"])
    if how == "branch":
        m.set("Via", re.sub(r"branch=([^;,\s]+)", r"branch=\1x", top))
    elif how == "extra-top":
        m.add("Via", "SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bKextra", top=True)
    elif how == "missing":
        m.remove("Via")
    elif how == "extra-bottom":
        m.add("Via", "SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bKextra")
    elif how == "sent-by":
        m.set("Via", re.sub(r"127\.0\.0\.1:\d+", "127.0.0.2:1", top))
    else:
        m.set("Via", top + ";rport=0;received=::1")


@mutator("resp", 4)
def resp_to_tag(m, r, cx):
    how = r.choice(["missing", "change", "huge", "empty", "two"])
    to = m.get("to") or ""
    if how == "missing":
        m.set("To", set_tag(to, None))
    elif how == "change":
        m.set("To", set_tag(to, "changed%d" % r.randrange(1000)))
    elif how == "huge":
        m.set("To", set_tag(to, "T" * 4000))
    elif how == "empty":
        m.set("To", set_tag(to, ""))
    else:
        m.set("To", to + ";tag=another")


@mutator("resp", 2)
def resp_ids(m, r, cx):
    how = r.choice(["from-tag", "call-id", "cseq-num", "cseq-method", "to-uri"])
    if how == "from-tag":
        m.set("From", set_tag(m.get("from") or "", "not-yours"))
    elif how == "call-id":
        m.set("Call-ID", "other-" + (m.get("call-id") or ""))
    elif how == "cseq-num":
        n, meth = m.cseq()
        m.set("CSeq", "%d %s" % ((n or 0) + 1, meth))
    elif how == "cseq-method":
        m.set("CSeq", "%d BYE" % (m.cseq()[0] or 1))
    else:
        m.set("To", set_tag("<sip:someone-else@127.0.0.1>", tag_of(m.get("to"))))


STATUS_CHOICES = [181, 182, 183, 199, 100, 202, 299, 300, 301, 302, 305, 380, 400, 401, 402,
                  403, 404, 405, 407, 408, 415, 420, 423, 480, 481, 482, 483, 486, 487, 488,
                  491, 494, 499, 500, 501, 503, 504, 580, 599, 600, 603, 604, 606, 699]


@mutator("resp", 3)
def resp_status(m, r, cx):
    st = r.choice(STATUS_CHOICES)
    m.set_status(st)
    if 300 <= st < 400 and r.random() < 0.7:
        m.set("Contact", r.choice(["<sip:103@127.0.0.1>", "<sip:101@127.0.0.1:%d>"
                                   % cx.phone.port, "<tel:+1555>", "*"]))
    if st in (401, 407) and r.random() < 0.7:
        m.add("WWW-Authenticate" if st == 401 else "Proxy-Authenticate",
              'Digest realm="callee", nonce="abc", qop="auth"')
    if st in (503, 500) and r.random() < 0.5:
        m.add("Retry-After", r.choice(["5", "0", "99999999999", "abc"]))
    if st == 423:
        m.add("Min-Expires", "3600")


@mutator("resp", 1)
def resp_reason(m, r, cx):
    st = m.status
    m.start = "SIP/2.0 %d %s" % (st, r.choice(["", "X" * 4000, u8("Ça sonne ☎"), "\xff\xfe",
                                                "OK OK OK", "\t"]))


@mutator("resp", 2)
def resp_extensions(m, r, cx):
    h, v = r.choice([("Require", "100rel"), ("Require", "x-unknown"), ("Require", "timer"),
                     ("Session-Expires", "1;refresher=uac"), ("Session-Expires", "abc"),
                     ("Allow", "JUNK, , ,"), ("Supported", "x" * 2000), ("RSeq", "0"),
                     ("Server", "S" * 20000), ("Content-Encoding", "gzip"),
                     ("Content-Disposition", "session;handling=required"),
                     ("Reason", 'SIP;cause=200;text="x"'), ("Unsupported", "everything")])
    m.add(h, v)


@mutator("resp", 1)
def resp_dup(m, r, cx):
    return [m] * r.choice([2, 3, 6])


@mutator("resp", 1)
def resp_drop(m, r, cx):
    return []

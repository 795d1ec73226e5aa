"""Mutators of the caller's CANCEL (family "cancel"), of the ACKs to pbxd's 2xx ("ack") and of
in-dialog requests (re-INVITE, UPDATE, BYE) from either phone ("indlg")."""

import re

from ..sdp import make_sdp
from ..sipmsg import set_tag
from .registry import mutator


# ---- the caller's CANCEL

@mutator("cancel", 3)
def cancel_mismatch(m, r, cx):
    how = r.choice(["branch", "cseq", "to-tag", "ruri", "call-id", "from-tag", "method"])
    if how == "branch":
        m.set("Via", re.sub(r"branch=([^;,\s]+)", r"branch=\1x", m.get("via")))
    elif how == "cseq":
        m.set("CSeq", "%d CANCEL" % ((m.cseq()[0] or 1) + 1))
    elif how == "to-tag":
        m.set("To", set_tag(m.get("to"), "cancel-tag"))
    elif how == "ruri":
        m.start = "CANCEL sip:other@127.0.0.1 SIP/2.0"
    elif how == "call-id":
        m.set("Call-ID", "x" + m.get("call-id"))
    elif how == "from-tag":
        m.set("From", set_tag(m.get("from"), "zz"))
    else:
        m.set("CSeq", "%d INVITE" % (m.cseq()[0] or 1))


@mutator("cancel", 2)
def cancel_twice(m, r, cx):
    b = m.copy()
    if r.random() < 0.5:
        b.set("Via", re.sub(r"branch=([^;,\s]+)", r"branch=\1y", m.get("via")))
    return [m, b, m]


@mutator("cancel", 1)
def cancel_with_body(m, r, cx):
    m.body = make_sdp(cx.phone.rtp_port)
    m.set("Content-Type", "application/sdp")


@mutator("cancel", 1)
def cancel_drop(m, r, cx):
    return []


# ---- ACKs (to our 2xx from pbxd)

@mutator("ack", 3)
def ack_drop(m, r, cx):
    return []


@mutator("ack", 3)
def ack_wrong(m, r, cx):
    how = r.choice(["to-tag", "from-tag", "call-id", "cseq-up", "cseq-down", "cseq-method",
                    "ruri", "no-branch", "max-forwards"])
    if how == "to-tag":
        m.set("To", set_tag(m.get("to"), "wrong"))
    elif how == "from-tag":
        m.set("From", set_tag(m.get("from"), "wrong"))
    elif how == "call-id":
        m.set("Call-ID", "wrong-" + m.get("call-id"))
    elif how == "cseq-up":
        m.set("CSeq", "%d ACK" % ((m.cseq()[0] or 1) + 1))
    elif how == "cseq-down":
        m.set("CSeq", "%d ACK" % max(0, (m.cseq()[0] or 1) - 1))
    elif how == "cseq-method":
        m.set("CSeq", "%d INVITE" % (m.cseq()[0] or 1))
    elif how == "ruri":
        m.start = "ACK sip:nobody@127.0.0.1 SIP/2.0"
    elif how == "no-branch":
        m.set("Via", "SIP/2.0/UDP 127.0.0.1:%d;rport" % cx.phone.port)
    else:
        m.set("Max-Forwards", "0")


@mutator("ack", 2)
def ack_twice(m, r, cx):
    b = m.copy()
    b.set("Via", re.sub(r"branch=([^;,\s]+)", r"branch=\1b", m.get("via")))
    return [m, b]


# ---- in-dialog requests (re-INVITE, UPDATE, BYE) from either phone

@mutator("indlg", 3)
def indlg_ids(m, r, cx):
    how = r.choice(["to-tag", "no-to-tag", "from-tag", "call-id", "ruri"])
    if how == "to-tag":
        m.set("To", set_tag(m.get("to"), "wrong-tag"))
    elif how == "no-to-tag":
        m.set("To", set_tag(m.get("to"), None))
    elif how == "from-tag":
        m.set("From", set_tag(m.get("from"), "wrong-tag"))
    elif how == "call-id":
        m.set("Call-ID", "unknown-" + m.get("call-id"))
    else:
        m.start = "%s sip:somebody@127.0.0.1:1 SIP/2.0" % m.method


@mutator("indlg", 3)
def indlg_cseq(m, r, cx):
    n, meth = m.cseq()
    v = r.choice([max(0, n - 50), max(0, n - 1), 0, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32, n])
    m.set("CSeq", "%d %s" % (v, meth))


@mutator("indlg", 2)
def indlg_dup(m, r, cx):
    b = m.copy()
    if r.random() < 0.5:  # a new transaction with the same CSeq
        b.set("Via", re.sub(r"branch=([^;,\s]+)", r"branch=\1d", m.get("via")))
    return [m, b]


@mutator("indlg", 2)
def indlg_drop(m, r, cx):
    return []


@mutator("indlg", 1)
def indlg_headers(m, r, cx):
    how = r.choice(["no-contact", "star", "mf0", "require", "route"])
    if how == "no-contact":
        m.remove("Contact")
    elif how == "star":
        m.set("Contact", "*")
    elif how == "mf0":
        m.set("Max-Forwards", "0")
    elif how == "require":
        m.add("Require", "x-fuzz")
    else:
        m.add("Route", "<sip:127.0.0.1:1;lr>", top=True)

"""Flow-level mutators of what a callee answers: its provisional responses (family "flow1xx"),
its 2xx (forks, repeated 2xx, 2xx then an error: "flow2xx"), its answer to pbxd's CANCEL
("cancelreply") and to pbxd's BYE ("byereply")."""

from ..sdp import make_sdp
from ..sipmsg import set_tag
from .registry import mutator


# ---- flow-level changes to the callee's provisional responses

@mutator("flow1xx", 3)
def flow1xx_code(m, r, cx):
    st = r.choice([181, 182, 199, 100, 101, 150, 189, 183])
    m.set_status(st)
    if st == 100 and r.random() < 0.5:
        m.set("To", set_tag(m.get("to") or "", None))


@mutator("flow1xx", 3)
def flow1xx_no_tag(m, r, cx):
    m.set("To", set_tag(m.get("to") or "", None))
    if r.random() < 0.5:
        m.start = "SIP/2.0 183 Session Progress"
        m.body = make_sdp(cx.phone.rtp_port, sess="1xx")
        m.set("Content-Type", "application/sdp")


@mutator("flow1xx", 3)
def flow1xx_reliable(m, r, cx):
    m.add("Require", "100rel")
    m.add("RSeq", r.choice(["1", "0", "4294967295", "4294967296", "abc", "1"]))
    if r.random() < 0.5:
        m.start = "SIP/2.0 183 Session Progress"
        m.body = make_sdp(cx.phone.rtp_port, sess="rel")
        m.set("Content-Type", "application/sdp")


@mutator("flow1xx", 2)
def flow1xx_many(m, r, cx):
    out = []
    for k in range(r.choice([2, 5, 30])):
        c = m.copy()
        if r.random() < 0.5:
            c.set("To", set_tag(c.get("to") or "", "early%d" % k))
        if r.random() < 0.4:
            c.start = "SIP/2.0 183 Session Progress"
            c.body = make_sdp(cx.phone.rtp_port + k % 3, version=k + 1, sess="many")
            c.set("Content-Type", "application/sdp")
        out.append(c)
    return out


@mutator("flow1xx", 2)
def flow1xx_sdp_twice(m, r, cx):
    a = m.copy()
    a.start = "SIP/2.0 183 Session Progress"
    a.body = make_sdp(cx.phone.rtp_port, sess="e1")
    a.set("Content-Type", "application/sdp")
    b = a.copy()
    b.body = make_sdp(cx.phone.rtp_port + 2, version=2, sess="e1",
                      direction=r.choice(["sendonly", "inactive", "sendrecv"]))
    if r.random() < 0.5:
        b.set("To", set_tag(b.get("to") or "", "other-early"))
    return [a, b]


@mutator("flow1xx", 1)
def flow1xx_final_error(m, r, cx):
    """A provisional, then at once the INVITE's final error (the scenario answers later)."""
    f = m.copy()
    st = r.choice([486, 603, 404, 500, 302])
    f.set_status(st)
    return [m, f]


# ---- flow-level changes to the callee's 2xx

@mutator("flow2xx", 4)
def flow2xx_fork(m, r, cx):
    """A second 2xx from another dialog (a forked answer), maybe with another SDP."""
    b = m.copy()
    b.set("To", set_tag(m.get("to") or "", "fork%d" % r.randrange(100)))
    if r.random() < 0.5:
        b.body = make_sdp(cx.phone.rtp_port + 2, version=5, sess="fork")
    out = [m, b] if r.random() < 0.7 else [b, m]
    return out + ([b.copy()] if r.random() < 0.3 else [])


@mutator("flow2xx", 2)
def flow2xx_same_tag_other_sdp(m, r, cx):
    b = m.copy()
    b.body = make_sdp(cx.phone.rtp_port + 4, version=9, sess="again", direction="inactive")
    return [m, b]


@mutator("flow2xx", 3)
def flow2xx_no_sdp(m, r, cx):
    m.body = b""
    if r.random() < 0.5:
        m.remove("Content-Type")


@mutator("flow2xx", 2)
def flow2xx_code(m, r, cx):
    st = r.choice([201, 202, 204, 250, 299])
    m.set_status(st)


@mutator("flow2xx", 3)
def flow2xx_then(m, r, cx):
    """200, then something that must not undo it: a provisional or an error."""
    b = m.copy()
    st = r.choice([180, 183, 486, 603, 500, 487])
    b.set_status(st)
    if st >= 300 or r.random() < 0.5:
        b.body = b""
        b.remove("Content-Type")
    return [m, b]


@mutator("flow2xx", 2)
def flow2xx_error_then_200(m, r, cx):
    b = m.copy()
    st = r.choice([486, 603, 500, 487, 302])
    b.set_status(st)
    b.body = b""
    b.remove("Content-Type")
    return [b, m]


# ---- a callee's answer to pbxd's CANCEL (the principal message is the 487 to the INVITE;
# the 200 to the CANCEL is sent by the handler unless the variant says otherwise)

@mutator("cancelreply", 4)
def cancelreply_crossed_200(m, r, cx):
    """The callee answers (200 with SDP) instead of 487: pbxd must ACK and BYE it."""
    m.start = "SIP/2.0 200 OK"
    m.set("Contact", cx.phone.contact())
    m.body = make_sdp(cx.phone.rtp_port, sess="crossed")
    m.set("Content-Type", "application/sdp")


@mutator("cancelreply", 2)
def cancelreply_no_487(m, r, cx):
    return []


@mutator("cancelreply", 2)
def cancelreply_other_final(m, r, cx):
    st = r.choice([486, 480, 603, 500, 408, 302, 183, 180])
    m.set_status(st)


@mutator("cancelreply", 1)
def cancelreply_dup(m, r, cx):
    return [m, m, m]


# ---- a phone's answer to pbxd's BYE

@mutator("byereply", 3)
def byereply_code(m, r, cx):
    st = r.choice([481, 500, 408, 487, 404, 603, 180, 202])
    m.set_status(st)


@mutator("byereply", 1)
def byereply_drop(m, r, cx):
    return []

"""Mutators of the SDP body (family "sdp"): c=/m= lines, ports, codecs, addresses, hold, sizes,
truncation, junk, line ends, Content-Type/Length. They apply to any message; one without SDP
gets one first."""

import re

from ..sdp import make_sdp, sdp_join, sdp_lines
from ..sipmsg import raw, u8
from .registry import mutator


def body_lines(m, cx):
    if not m.body:
        m.body = make_sdp(cx.phone.rtp_port, sess="77")
        m.set("Content-Type", "application/sdp")
    return sdp_lines(m.body)


def set_lines(m, lines, eol="\r\n"):
    m.body = sdp_join(lines, eol)


def audio_index(lines):
    for i, ln in enumerate(lines):
        if ln.startswith("m=audio"):
            return i
    return None


@mutator("sdp", 3)
def sdp_no_c(m, r, cx):
    set_lines(m, [ln for ln in body_lines(m, cx) if not ln.startswith("c=")])


@mutator("sdp", 2)
def sdp_c_media_only(m, r, cx):
    lines = [ln for ln in body_lines(m, cx) if not ln.startswith("c=")]
    i = audio_index(lines)
    if i is not None:
        lines.insert(i + 1, r.choice(["c=IN IP4 127.0.0.1", "c=IN IP6 ::1", "c=IN IP4 0.0.0.0"]))
    lines.append("m=video 5000 RTP/AVP 31")
    lines.append("c=IN IP4 127.0.0.1")
    set_lines(m, lines)


@mutator("sdp", 2)
def sdp_dup_c(m, r, cx):
    lines = body_lines(m, cx)
    out = []
    for ln in lines:
        out.append(ln)
        if ln.startswith("c=") or ln.startswith("m="):
            out.append(r.choice(["c=IN IP4 10.9.8.7", "c=IN IP4 0.0.0.0", "c=IN IP6 ::1",
                                 "c=IN IP4 127.0.0.1", "c=IN IP4 not.an.address"]))
    set_lines(m, out)


@mutator("sdp", 3)
def sdp_no_m(m, r, cx):
    lines = body_lines(m, cx)
    i = audio_index(lines)
    set_lines(m, lines[:i] if i is not None else lines)


@mutator("sdp", 2)
def sdp_not_audio(m, r, cx):
    kind = r.choice(["video", "AUDIO", "Audio", "audio2", "application", "image", "text", ""])
    set_lines(m, [("m=%s" % kind + ln[7:]) if ln.startswith("m=audio") else ln
                  for ln in body_lines(m, cx)])


@mutator("sdp", 2)
def sdp_dup_m(m, r, cx):
    lines = body_lines(m, cx)
    i = audio_index(lines)
    if i is None:
        return
    block = lines[i:]
    n = r.choice([2, 3, 10])
    extra = []
    for k in range(1, n):
        b = list(block)
        b[0] = re.sub(r"^m=audio \d+", "m=audio %d" % r.choice([0, 4000 + 2 * k, 65535, 1]),
                      b[0])
        extra += b
    set_lines(m, lines + extra if r.random() < 0.5 else lines[:i] + extra + block)


def set_audio_port(m, cx, port):
    lines = body_lines(m, cx)
    set_lines(m, [re.sub(r"^m=audio \S+", "m=audio %s" % port, ln) for ln in lines])


@mutator("sdp", 4)
def sdp_port(m, r, cx):
    set_audio_port(m, cx, r.choice([
        "0", "1", "65535", "65534", "65536", "99999", "4294967296", "99999999999999999999",
        "-1", "-0", "+4000", "4000/2", "4000/0", "4000/65535", "4000/65536", "4000/", "/2",
        "4000/2/2", "0x10", "", " ", "4 000", "04000", "4000.5", u8("４０００")]))


@mutator("sdp", 3)
def sdp_codecs(m, r, cx):
    fmts = r.choice(["96", "96 97 98", "abc", "128", "255", "-1", "999999", "0 0 0 0",
                     "t38", "* 0", " ".join(str(x) for x in range(0, 128)),
                     " ".join(str(x) for x in range(96, 400)), "101", "13", "18"])
    lines = [re.sub(r"^(m=audio \S+ \S+).*", r"\1 " + fmts, ln) for ln in body_lines(m, cx)]
    lines += r.choice([
        ["a=rtpmap:96 opus/48000/2", "a=fmtp:96 useinbandfec=1"],
        ["a=rtpmap:96 ", "a=rtpmap:97", "a=rtpmap: ", "a=fmtp:"],
        ["a=rtpmap:96 X/0", "a=rtpmap:97 /8000", "a=rtpmap:98 Y/10000001",
         "a=rtpmap:96 Z/8000/0", "a=rtpmap:96 Z/8000/256"],
        ["a=rtpmap:128 PCMU/8000", "a=rtpmap:-1 PCMU/8000", "a=rtpmap:abc PCMU/8000"],
        ["a=rtpmap:0 PCMU/8000/1/1/1", "a=rtpmap:0 PCMU//", "a=rtpmap:0 /"],
        ["a=rtpmap:%d codec%d/8000" % (k % 128, k) for k in range(300)],
        []])
    set_lines(m, lines)


@mutator("sdp", 3)
def sdp_address(m, r, cx):
    c = r.choice(["c=IN IP6 ::1", "c=IN IP6 [::1]", "c=IN IP4 ::1", "c=IN IP6 127.0.0.1",
                  "c=IN IP4 localhost", "c=IN IP4 example.invalid", "c=IN IP4 0.0.0.0",
                  "c=IN IP4 255.255.255.255", "c=IN IP4 224.2.1.1/127/3", "c=IN IP4 224.2.1.1/",
                  "c=IN IP4 /127", "c=IN IP4 1.2.3", "c=IN IP4 256.1.1.1", "c=IN IP4",
                  "c=IN", "c=", "c=IN IP4 127.0.0.1 extra fields here", "c=ATM NSAP 47.0091",
                  "c=IN IP4 " + "1" * 300, "c=IN IP6 fe80::1%lo", "c=IN IP6 ::ffff:127.0.0.1",
                  "c=IN IP4 127.0.0.1\x00", "c=IN IP4 %s" % u8("１２７.0.0.1")])
    set_lines(m, [c if ln.startswith("c=") else ln for ln in body_lines(m, cx)])


@mutator("sdp", 3)
def sdp_hold(m, r, cx):
    lines = [ln for ln in body_lines(m, cx)
             if ln not in ("a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive")]
    how = r.choice(["zero", "sendonly", "recvonly", "inactive", "both", "session", "many"])
    if how == "zero":
        lines = ["c=IN IP4 0.0.0.0" if ln.startswith("c=") else ln for ln in lines]
    elif how == "session":
        lines.insert(4, "a=" + r.choice(["sendonly", "inactive", "recvonly"]))
    elif how == "many":
        lines += ["a=sendonly", "a=recvonly", "a=inactive", "a=sendrecv", "a=sendonly:1"]
    elif how == "both":
        lines = ["c=IN IP4 0.0.0.0" if ln.startswith("c=") else ln for ln in lines]
        lines.append("a=inactive")
    else:
        lines.append("a=" + how)
    set_lines(m, lines)


@mutator("sdp", 2)
def sdp_many_m(m, r, cx):
    lines = body_lines(m, cx)
    n = r.choice([63, 64, 65, 100, 500])
    kind = r.choice(["audio", "video", "mixed"])
    extra = []
    for k in range(n):
        media = kind if kind != "mixed" else ("audio" if k % 2 else "video")
        extra += ["m=%s %d RTP/AVP 0" % (media, 10000 + 2 * k), "a=rtpmap:0 PCMU/8000"]
    set_lines(m, lines + extra)


@mutator("sdp", 2)
def sdp_many_lines(m, r, cx):
    lines = body_lines(m, cx)
    kind = r.choice(["a", "b", "t", "attr-long", "unknown"])
    n = r.choice([255, 256, 257, 1023, 1024, 1025, 2500])
    if kind == "a":
        lines += ["a=x-fuzz:%d" % k for k in range(n)]
    elif kind == "b":
        lines.insert(4, "b=AS:64")
        lines[4:4] = ["b=AS:%d" % k for k in range(min(n, 2000))]
    elif kind == "t":
        lines = [ln for ln in lines if not ln.startswith("t=")]
        lines[3:3] = ["t=%d 0" % k for k in range(min(n, 2000))]
    elif kind == "attr-long":
        lines.append("a=x-long:" + "x" * r.choice([1000, 20000, 50000]))
    else:
        lines += ["%s=%d" % (r.choice("deikpruyzXQ"), k) for k in range(min(n, 2000))]
    set_lines(m, lines)


@mutator("sdp", 3)
def sdp_truncate(m, r, cx):
    body = sdp_join(body_lines(m, cx))
    m.body = body[:r.randrange(1, len(body))]


@mutator("sdp", 2)
def sdp_junk(m, r, cx):
    how = r.choice(["binary", "zeros", "line", "noeq", "nul", "cr", "utf8", "bad-utf8", "html"])
    lines = body_lines(m, cx)
    if how == "binary":
        m.body = bytes(r.randrange(256) for _ in range(r.choice([1, 10, 200, 3000])))
        return
    if how == "zeros":
        m.body = b"\x00" * r.choice([1, 100])
        return
    if how == "html":
        m.body = b"<html><body>not sdp</body></html>\r\n"
        return
    pos = r.randrange(1, len(lines) + 1)
    junk = {"line": r.choice(["x", "=", "a", "1=2", "zz=1", "==", " v=0", "m", "c"]),
            "noeq": "this is not sdp", "nul": "a=x\x00y", "cr": "a=x\ry",
            "utf8": "s=" + u8("日本語の会議 ☎"), "bad-utf8": "s=\xff\xfe\xc3"}[how]
    lines.insert(pos, junk)
    set_lines(m, lines)


@mutator("sdp", 2)
def sdp_version_line(m, r, cx):
    lines = body_lines(m, cx)
    how = r.choice(["none", "late", "dup", "junk", "big", "origin-short", "origin-none",
                    "origin-v6", "no-s", "no-t"])
    if how == "none":
        lines = [ln for ln in lines if not ln.startswith("v=")]
    elif how == "late":
        lines = lines[1:] + ["v=0"]
    elif how == "dup":
        lines.insert(3, "v=0")
    elif how == "junk":
        lines[0] = r.choice(["v=1", "v=", "v=x", "v=-1", "v=9999999", "v=0 0"])
    elif how == "big":
        lines[0] = "v=" + "9" * 30
    elif how == "origin-short":
        lines = [r.choice(["o=- 1 1", "o=", "o=x"]) if ln.startswith("o=") else ln
                 for ln in lines]
    elif how == "origin-none":
        lines = [ln for ln in lines if not ln.startswith("o=")]
    elif how == "origin-v6":
        lines = ["o=- 1 1 IN IP6 ::1" if ln.startswith("o=") else ln for ln in lines]
    elif how == "no-s":
        lines = [ln for ln in lines if not ln.startswith("s=")]
    else:
        lines = [ln for ln in lines if not ln.startswith("t=")]
    set_lines(m, lines)


@mutator("sdp", 2)
def sdp_line_ends(m, r, cx):
    lines = body_lines(m, cx)
    how = r.choice(["lf", "cr", "trailing", "tabs", "leading", "none", "crcrlf"])
    if how == "lf":
        set_lines(m, lines, "\n")
    elif how == "cr":
        set_lines(m, lines, "\r")
    elif how == "crcrlf":
        set_lines(m, lines, "\r\r\n")
    elif how == "trailing":
        set_lines(m, [ln + "  \t" for ln in lines])
    elif how == "tabs":
        set_lines(m, [ln.replace(" ", "\t  ") for ln in lines])
    elif how == "leading":
        set_lines(m, [" " + ln for ln in lines])
    else:
        m.body = raw("\r\n".join(lines))


@mutator("sdp", 2)
def sdp_empty(m, r, cx):
    m.body = b""
    m.set("Content-Type", "application/sdp")


@mutator("sdp", 3)
def sdp_content_type(m, r, cx):
    body_lines(m, cx)
    how = r.choice(["text/plain", "application/SDP", "application/sdp;charset=utf-8",
                    "none", "multipart", "application/sdpx", "", "application/*", "junk"])
    if how == "none":
        m.remove("Content-Type")
    elif how == "multipart":
        sdp = m.body
        m.set("Content-Type", 'multipart/mixed;boundary="fz"')
        m.body = (b"--fz\r\nContent-Type: application/sdp\r\n\r\n" + sdp +
                  b"\r\n--fz\r\nContent-Type: text/plain\r\n\r\nhello\r\n--fz--\r\n")
    elif how == "junk":
        m.set("Content-Type", "\x01\x02;;;")
    else:
        m.set("Content-Type", how)


@mutator("sdp", 3)
def sdp_content_length(m, r, cx):
    body_lines(m, cx)
    n = len(m.body)
    m.clen = r.choice([str(n + 1), str(n + 100), str(max(0, n - 1)), str(n // 2), "0",
                       "-1", "4294967296", "abc", "", str(n) + " " + str(n)])


@mutator("sdp", 2)
def sdp_self_loop(m, r, cx):
    """Point the media at pbxd's own sockets (a relay port, the SIP port)."""
    ports = sorted(cx.known_pbx_media) + [cx.pbx.port, cx.pbx.media_min, cx.pbx.media_max]
    set_audio_port(m, cx, r.choice(ports))


@mutator("sdp", 1)
def sdp_ice(m, r, cx):
    lines = body_lines(m, cx)
    lines += ["a=ice-ufrag:abcd", "a=ice-pwd:" + "p" * 22, "a=ice-lite",
              "a=candidate:1 1 UDP 2130706431 10.0.0.1 4000 typ host",
              "a=rtcp:4001 IN IP4 10.0.0.1", "a=rtcp-mux", "a=rtcp:0", "a=rtcp:",
              "a=ice-options:trickle", "a=remote-candidates:1 10.0.0.1 4000",
              "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + "A" * 40]
    set_lines(m, [ln.replace("RTP/AVP", r.choice(["RTP/SAVP", "UDP/TLS/RTP/SAVPF", "RTP/AVP"]))
                  for ln in lines])

"""SDP for the fuzzer's phones: building an offer/answer body and reading one back."""

from .sipmsg import raw, text


def make_sdp(port, version=1, addr="127.0.0.1", direction="sendrecv", sess="4242"):
    lines = ["v=0", "o=fuzz %s %d IN IP4 %s" % (sess, version, addr), "s=fuzz",
             "c=IN IP4 %s" % addr, "t=0 0", "m=audio %d RTP/AVP 0 8 101" % port,
             "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
             "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=ptime:20"]
    if direction:
        lines.append("a=" + direction)
    return raw("\r\n".join(lines) + "\r\n")


def sdp_lines(body):
    return [ln for ln in text(body).replace("\r\n", "\n").split("\n") if ln != ""]


def sdp_join(lines, eol="\r\n"):
    return raw(eol.join(lines) + eol)


def sdp_audio_endpoint(body):
    """(address, port) of the first audio stream of an SDP body, or None."""
    addr, port, in_audio = None, None, False
    for ln in sdp_lines(body):
        if ln.startswith("c=") and (not in_audio or port is not None):
            f = ln[2:].split()
            if len(f) >= 3 and (port is None or in_audio):
                addr = f[2]
        if ln.startswith("m="):
            f = ln[2:].split()
            in_audio = len(f) > 1 and f[0] == "audio" and port is None
            if in_audio:
                try:
                    port = int(f[1].split("/")[0])
                except ValueError:
                    port = None
    return (addr, port) if port else None

"""Free 127.0.0.1 ports for pbxd and its peers, so that tests can run in parallel (ctest -j)."""

import os
import random
import socket
import time

_handed_out = set()  # ports given to this test, bound or not yet


def _port_free(port, udp=True, tcp=True):
    socks = []
    try:
        if udp:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            socks.append(s)
            s.bind(("127.0.0.1", port))
        if tcp:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


# Fixed port blocks (media ranges) come from below the kernel's ephemeral range (32768-60999
# by default), so that no port the kernel hands out (bind port 0, a client socket) in another
# test running in parallel can take them between our check and the bind. Each kind has its
# own range: pbxd's media ranges, sipp's media ports, the softphones' RTP ports (baresip and
# linphonec take theirs from BARESIP_RTP_PORTS).
PBXD_MEDIA_PORTS = (20000, 32000)
SIPP_MEDIA_PORTS = (10000, 15000)
BARESIP_RTP_PORTS = (15000, 20000)


def free_port(udp=True, tcp=True):
    """A port that is free on 127.0.0.1 for UDP and/or TCP (the kernel picks it: bind port 0)."""
    for _ in range(200):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port in _handed_out:
            continue
        if _port_free(port, udp, tcp):
            _handed_out.add(port)
            return port
    raise RuntimeError("no free port found")


def free_port_block(count, lo, hi):
    """`count` consecutive ports free for UDP (for pbxd's media range), chosen at random.

    Ports already handed out are avoided even when nothing is bound to them yet: sipp binds
    its SIP port (-p) only when it starts, and its media ports (-mp, -mp+2 for video) must
    not land on it."""
    rnd = random.Random(os.getpid() ^ int(time.time() * 1000))
    for _ in range(200):
        base = rnd.randrange(lo, hi - count) & ~1
        block = range(base, base + count)
        if any(p in _handed_out for p in block):
            continue
        if all(_port_free(p, udp=True, tcp=False) for p in block):
            _handed_out.update(block)
            return base
    raise RuntimeError("no free port block found")


def free_port_pair():
    """A port free for UDP and TCP whose next port is free for TCP too (baresip listens on
    PORT for UDP and TCP and on PORT+1 for TLS)."""
    for _ in range(100):
        p = free_port()
        if p < 65535 and _port_free(p + 1):
            _handed_out.add(p + 1)
            return p
    raise RuntimeError("no free port pair found")

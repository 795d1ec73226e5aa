"""A tiny raw SIP client over UDP (probes, torture messages) and SIP text helpers."""

import re
import socket
import time
import uuid

def parse_status(data):
    """Status code of a SIP response (bytes), or None."""
    m = re.match(rb"SIP/2\.0 (\d{3})", data)
    return int(m.group(1)) if m else None


class UdpSip:
    def __init__(self, pbx_port):
        self.dest = ("127.0.0.1", pbx_port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendto(data, self.dest)

    def drain(self):
        self.sock.setblocking(False)
        try:
            while True:
                self.sock.recvfrom(70000)
        except (BlockingIOError, OSError):
            pass
        finally:
            self.sock.setblocking(True)

    def collect(self, duration, stop_on_final=True, call_id=None):
        """Datagrams received within `duration` s; stops early after a final response
        (matching call_id if given)."""
        got = []
        deadline = time.time() + duration
        while True:
            left = deadline - time.time()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                data, _ = self.sock.recvfrom(70000)
            except socket.timeout:
                break
            except OSError:
                break
            got.append(data)
            code = parse_status(data)
            if stop_on_final and code is not None and code >= 200:
                if call_id is None or call_id.encode() in data:
                    break
        return got

    def options(self, timeout=2.0, tries=3):
        """OPTIONS to pbxd; returns the final status code or None (no answer)."""
        for _ in range(tries):
            cid = "probe-" + uuid.uuid4().hex
            msg = ("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\n"
                   "Via: SIP/2.0/UDP 127.0.0.1:%d;rport;branch=z9hG4bK%s\r\n"
                   "Max-Forwards: 70\r\n"
                   "From: <sip:probe@127.0.0.1>;tag=%s\r\n"
                   "To: <sip:127.0.0.1:%d>\r\n"
                   "Call-ID: %s\r\n"
                   "CSeq: 1 OPTIONS\r\n"
                   "Accept: application/sdp\r\n"
                   "Content-Length: 0\r\n\r\n"
                   % (self.dest[1], self.port, uuid.uuid4().hex, uuid.uuid4().hex[:8],
                      self.dest[1], cid))
            self.send(msg.encode())
            for data in self.collect(timeout, call_id=cid):
                if cid.encode() in data:
                    code = parse_status(data)
                    if code is not None and code >= 200:
                        return code
        return None


def header(msg, name):
    """First value of header `name` in a SIP message string (case-insensitive), or None."""
    for line in msg.split("\n"):
        m = re.match(r"\s*([A-Za-z-]+)\s*:(.*)", line)
        if m and m.group(1).lower() == name.lower():
            return m.group(2).strip()
    return None


# ----------------------------------------------------------------------------------------------

"""A phone's media end for a sipp UAS: a UDP socket on 127.0.0.1 that keeps every RTP packet
pbxd sends it and, once told where to, sends PCMU silence back every 20 ms as a phone would.

sipp's own media (-rtp_echo) only echoes; a scenario whose SDP names this socket's port
(`-key rtp_port PORT`) lets the test read exactly what the phone would have heard.

  sink = RtpSink().start()
  ... sipp answers with m=audio [rtp_port] ...
  sink.send_to(("127.0.0.1", port_from_pbxds_offer))
  samples = pcmu_decode(sink.payload(0))
  sink.stop()
"""

import socket
import struct
import threading
import time

from .ports import SIPP_MEDIA_PORTS, free_port_block


class RtpSink:
    def __init__(self):
        self.port = free_port_block(2, *SIPP_MEDIA_PORTS)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.settimeout(0.02)
        self.packets = []  # (payload type, sequence number, marker, payload)
        self.lock = threading.Lock()
        self.peer = None
        self.running = False
        self.thread = None

    def start(self):
        self.running = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        return self

    def send_to(self, addr):
        """Send PCMU silence to `addr` from now on (symmetric RTP: from our own port)."""
        self.peer = addr

    def _loop(self):
        seq, ts, ssrc = 1, 0, 0x5EED1E55
        next_send = time.time()
        while self.running:
            try:
                data = self.sock.recv(2048)
                if len(data) >= 12 and data[0] >> 6 == 2:
                    csrc = (data[0] & 0x0F) * 4
                    start = 12 + csrc
                    if data[0] & 0x10 and len(data) >= start + 4:  # header extension
                        start += 4 + 4 * struct.unpack("!H", data[start + 2:start + 4])[0]
                    end = len(data) - (data[-1] if data[0] & 0x20 else 0)  # padding
                    with self.lock:
                        self.packets.append((data[1] & 0x7F, struct.unpack("!H", data[2:4])[0],
                                             bool(data[1] & 0x80), bytes(data[start:end])))
            except socket.timeout:
                pass
            except OSError:
                return
            if self.peer and time.time() >= next_send:
                header = struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc)
                try:
                    self.sock.sendto(header + b"\xff" * 160, self.peer)
                except OSError:
                    pass
                seq, ts = seq + 1, ts + 160
                next_send += 0.02

    def count(self, payload_type=None):
        with self.lock:
            return sum(1 for p in self.packets if payload_type in (None, p[0]))

    def payload_types(self):
        with self.lock:
            return sorted({p[0] for p in self.packets})

    def payload(self, payload_type):
        """The payloads of that type, joined in arrival order (loopback keeps the order)."""
        with self.lock:
            return b"".join(p[3] for p in self.packets if p[0] == payload_type)

    def stop(self):
        self.running = False
        if self.thread:
            self.thread.join(timeout=2)
        self.sock.close()

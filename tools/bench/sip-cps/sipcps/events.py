"""pbxd's call events during a step: a client of GET /rest/events (docs/rest-api.md) that runs
as a process of its own, so that its CPU is its own and is measured, and the arithmetic that
holds what it was sent against the calls.

The client reads the stream in blocks and looks only at each event's `id:` and `event:` lines
(regular expressions over a block, no parser per event). SAMPLES_PER_S times a second, the
JSON of the last event of a block is parsed, checked against its id and name, and its `time`
gives the delivery lag. It reads at most every NAP_S: one wakeup for the events of 10 ms, not
one for each (which would cost it some 100 µs an event), for up to 10 ms more lag. A
comment other than the greeting and keep-alives is kept: pbxd writes `: disconnected: ...` to
a client that fell 2000 events behind and ends the stream; the client then resumes with
Last-Event-ID, as an EventSource would, and the ids show whether anything was lost.

  PBX_BENCH_REST_PASSWORD=... python3 events.py --port PORT --user USER --salt SALT --out FILE

It prints `connected` once its subscription is open. On SIGTERM it reads on until the stream
has been idle IDLE_S (at most DRAIN_S), writes what it counted to FILE as JSON and exits.
Standard library only.
"""

import base64
import collections
import datetime
import hashlib
import json
import os
import re
import signal
import socket
import sys
import time

HOST = "127.0.0.1"
DOMAIN = "default"
IDLE_S, DRAIN_S = 0.5, 10.0
SAMPLES_PER_S = 20
NAP_S = 0.01  # after each read: fewer wakeups (CPU), up to this much more delivery lag
# the events of one answered call of the bench, in order (docs/call-control.md)
PER_CALL = ("pbx.call.start", "pbx.extension.incomingcall", "pbx.extension.answercall",
            "pbx.call.bridged", "pbx.call.end")
ID = re.compile(rb"^id: (\d+)$", re.M)
NAME = re.compile(rb"^event: (\S+)$", re.M)
DATA = re.compile(rb"^data: (.*)$", re.M)
COMMENT = re.compile(rb"^: ?(.*)$", re.M)
QUIET = (b"keep-alive", b"pbxd call events")  # comments that say nothing about the stream


def auth_header(user, password, salt, domain=DOMAIN):
    """X-authenticate (docs/rest-api.md; tests/integration/pbxtest/rest.py)."""
    nonce = os.urandom(16).hex()
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    dp = hashlib.sha256(f"{password}{{{salt}}}".encode()).hexdigest()
    digest = base64.b64encode(hashlib.sha256(
        (nonce + dp + user + domain + created).encode()).digest()).decode()
    return (f'RestApiUsernameToken Username="{user}", Domain="{domain}", Digest="{digest}", '
            f'Nonce="{nonce}", Created="{created}"')


def epoch(iso):
    """'2026-11-24T20:00:00.123Z' -> seconds since 1970."""
    return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


class Dechunk:
    """HTTP/1.1 chunked transfer coding, fed as it arrives."""

    def __init__(self):
        self.raw, self.left, self.skip, self.done = b"", 0, 0, False

    def feed(self, data):
        self.raw += data
        out = []
        while not self.done:
            if self.left:
                take = self.raw[:self.left]
                self.raw = self.raw[len(take):]
                self.left -= len(take)
                out.append(take)
                if self.left:
                    break
                self.skip = 2  # the CRLF after the chunk
            if self.skip:
                n = min(self.skip, len(self.raw))
                self.raw, self.skip = self.raw[n:], self.skip - n
                if self.skip:
                    break
            i = self.raw.find(b"\r\n")
            if i < 0:
                break
            size = int(self.raw[:i].split(b";")[0], 16)
            self.raw = self.raw[i + 2:]
            if size == 0:
                self.done = True
            self.left = size
        return b"".join(out)


class EventCount:
    """What a client was sent: events, their ids (consecutive, or the gaps), names, comments,
    and the delivery lag of the last event of each block."""

    def __init__(self):
        self.n, self.first, self.last = 0, None, None
        self.gaps = []        # (id before, id after) where the ids jump (first 20)
        self.gap_count, self.missing = 0, 0
        self.names = collections.Counter()
        self.comments = []    # the stream's comments other than greeting and keep-alives
        self.sample_errors = []
        self.samples, self.sampled_at = 0, float("-inf")
        self.first_at = self.last_at = None  # when the first and last events arrived
        self.max_lag = 0.0                   # receipt - event time, over the sampled events
        self.pending = b""

    def feed(self, data, now):
        """SSE text as it arrives (any split); counts the complete events in it."""
        block = self.pending + data
        cut = block.rfind(b"\n\n")
        if cut < 0:
            self.pending = block
            return
        block, self.pending = block[:cut + 2], block[cut + 2:]
        if block.startswith(b":") or b"\n:" in block:
            self.comments += [c.decode("utf-8", "replace") for c in COMMENT.findall(block)
                              if c not in QUIET]
        ids = ID.findall(block)
        if not ids:
            return
        ids = [int(i) for i in ids]
        expect = ids[0] if self.last is None else self.last + 1
        if ids != list(range(expect, expect + len(ids))):
            prev = self.last
            for i in ids:
                if prev is not None and i != prev + 1:
                    self.gap_count += 1
                    self.missing += max(0, i - prev - 1)
                    if len(self.gaps) < 20:
                        self.gaps.append((prev, i))
                prev = i
        names = NAME.findall(block)
        self.names.update(names)
        self.n += len(ids)
        if self.first is None:
            self.first, self.first_at = ids[0], now
        self.last, self.last_at = ids[-1], now
        if now - self.sampled_at < 1.0 / SAMPLES_PER_S:
            return
        # the sample: the last event of the block, parsed
        self.sampled_at = now
        data_line = DATA.search(block, block.rfind(b"\nid: ") + 1)
        try:
            ev = json.loads(data_line.group(1))
            self.samples += 1
            if ev.get("sequence") != ids[-1] or ev.get("event", "").encode() != names[-1]:
                raise ValueError(f"id {ids[-1]} {names[-1]!r}: data says "
                                 f"{ev.get('sequence')} {ev.get('event')}")
            self.max_lag = max(self.max_lag, now - epoch(ev["time"]))  # pbxd's clock is ours
        except (AttributeError, IndexError, KeyError, ValueError) as e:
            if len(self.sample_errors) < 10:
                self.sample_errors.append(str(e))

    def result(self):
        return {"events": self.n, "first": self.first, "last": self.last, "gaps": self.gaps,
                "gap_count": self.gap_count, "missing": self.missing,
                "names": {k.decode(): v for k, v in self.names.items()},
                "comments": self.comments, "samples": self.samples,
                "sample_errors": self.sample_errors, "first_at": self.first_at,
                "last_at": self.last_at, "max_lag": self.max_lag}


def open_stream(port, header, since):
    """The socket of a GET /rest/events whose 200 and headers are read, and what came after."""
    s = socket.create_connection((HOST, port), timeout=10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.sendall((f"GET /rest/events HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
               f"Accept: text/event-stream\r\nX-authenticate: {header}\r\n"
               + (f"Last-Event-ID: {since}\r\n" if since is not None else "")
               + "\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        data = s.recv(65536)
        if not data:
            raise OSError("pbxd closed the connection before answering")
        head += data
    head, rest = head.split(b"\r\n\r\n", 1)
    status = head.split(b"\r\n", 1)[0].decode("latin-1")
    if " 200 " not in status + " ":
        s.close()
        raise OSError(f"GET /rest/events: {status} {rest[:200]!r}")
    if b"transfer-encoding: chunked" not in head.lower():
        s.close()
        raise OSError("GET /rest/events: not a chunked response")
    return s, rest


def consume(port, user, password, salt, out):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(time.time()))
    count = EventCount()
    res = {"connects": 0, "disconnects": 0, "error": None, "ended_by_server": None}
    t0 = time.time()
    since = None
    try:
        while True:
            sock, data = open_stream(port, auth_header(user, password, salt), since)
            data = data or None  # b"" is the end of the stream, not "nothing yet"
            res["connects"] += 1
            if res["connects"] == 1:
                res["connected_at"] = time.time()
                print("connected", flush=True)
            sock.settimeout(0.2)
            chunks = Dechunk()
            idle_since = time.time()
            while True:
                if data:
                    now = time.time()
                    count.feed(chunks.feed(data), now)
                    idle_since = now
                    time.sleep(NAP_S)  # let the next events gather: one wakeup for many
                if chunks.done or data == b"":
                    break
                if stop and time.time() - max(idle_since, stop[0]) >= IDLE_S or \
                        stop and time.time() - stop[0] >= DRAIN_S:
                    break
                try:
                    data = sock.recv(1 << 20)
                except socket.timeout:
                    data = None
            sock.close()
            if not (chunks.done or data == b""):
                break  # we stopped
            # pbxd ended the stream: it dropped us (resume from the last id) or it stops
            said = count.comments[-1] if count.comments else "closed without a comment"
            res["ended_by_server"] = said
            if not said.startswith("disconnected") or stop or count.last is None:
                break
            res["disconnects"] += 1
            since = count.last
    except OSError as e:
        res["error"] = str(e)
        print(f"error: {e}", flush=True)
    t = os.times()
    res.update(count.result(), cpu_s=t.user + t.system, wall_s=time.time() - t0)
    with open(out + ".tmp", "w") as f:
        json.dump(res, f)
    os.replace(out + ".tmp", out)


# --- the bench's side ---

class EventClient:
    """One consumer process for one step: start() returns once it is subscribed, finish()
    stops it and returns what it counted."""

    def __init__(self, procs, work, base, port, user, password, salt):
        self.procs, self.work, self.out = procs, work, base + ".events.json"
        self.log = base + ".events.log"
        self.argv = [sys.executable, os.path.abspath(__file__), "--port", str(port),
                     "--user", user, "--salt", salt, "--out", self.out]
        self.env = dict(os.environ, PBX_BENCH_REST_PASSWORD=password)
        self.proc = None

    def start(self, timeout=10.0):
        self.proc = self.procs.start(self.argv, self.log, self.work, env=self.env)
        deadline = time.time() + timeout
        while time.time() < deadline and self.proc.poll() is None:
            with open(self.log, "rb") as f:
                if b"connected" in f.read():
                    return self
            time.sleep(0.05)
        with open(self.log, "rb") as f:
            why = f.read().decode("utf-8", "replace").strip()[-300:]
        self.procs.stop(self.proc)
        raise OSError(f"the event client did not subscribe: {why or 'no output'}")

    def finish(self):
        try:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=DRAIN_S + 10)
        except Exception:  # noqa: BLE001 - it is stopped below whatever happened
            pass
        self.procs.stop(self.proc)
        try:
            with open(self.out) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {"error": f"the event client wrote no result; see {self.log}"}


def expected_events(before, after):
    """The events a step must deliver by name, from pbxd's counters between two /metrics
    scrapes: a pbx.call.start per call admitted, a pbx.call.end per call ended (admitted
    minus the change in calls active); each answered call of the bench rang first (its callee
    sends 180, then 200), answered and was bridged. {} without the counters."""
    started, answered, active = ("pbx_calls_started_total", "pbx_calls_answered_total",
                                 "pbx_calls_active")
    if any(k not in before or k not in after for k in (started, answered, active)):
        return {}

    def d(k):
        return round(after[k] - before[k])
    return {"pbx.call.start": d(started), "pbx.extension.incomingcall": d(answered),
            "pbx.extension.answercall": d(answered), "pbx.call.bridged": d(answered),
            "pbx.call.end": d(started) - d(active)}


def check_events(got, expected, completed, ended_at):
    """What a step's client counted (EventClient.finish()) against the calls: kept_up when
    it got every event pbxd published (no error, no gap in the ids, not disconnected) and
    as many of each name as pbxd's counters say (`expected`); with the rate, the figures per
    completed call, the lag and the client's CPU."""
    n = got.get("events", 0)
    names = got.get("names", {})
    span = (got["last_at"] - got["first_at"]) if n > 1 else 0.0
    wall = got.get("wall_s") or 0.0
    out = {"events": n, "per_call": n / completed if completed else None,
           "rate": n / span if span > 0 else 0.0,
           "gap_count": got.get("gap_count", 0), "missing": got.get("missing", 0),
           "gaps": got.get("gaps", []), "disconnects": got.get("disconnects", 0),
           "by_name": {k: (names.get(k, 0), expected.get(k)) for k in
                       list(PER_CALL) + sorted(set(names) - set(PER_CALL))},
           "tail": (got["last_at"] - ended_at) if n and ended_at else None,
           "max_lag": got.get("max_lag") if n else None,
           "cpu": got.get("cpu_s"), "cpu_share": got["cpu_s"] / wall if wall else None}
    why = []
    if got.get("error"):
        why.append(got["error"])
    if out["gap_count"]:
        why.append(f"{out['gap_count']} gaps in the ids ({out['missing']} events missing, "
                   f"first {out['gaps'][0][0]} -> {out['gaps'][0][1]})")
    if out["disconnects"]:
        why.append(f"disconnected {out['disconnects']} x by pbxd")
    ended = got.get("ended_by_server")
    if ended and not ended.startswith("disconnected"):
        why.append(f"the stream ended: {ended}")
    if got.get("sample_errors"):
        why.append(f"data that does not match its id or name: {got['sample_errors'][0]}")
    if not expected:
        why.append("pbxd's call counters are unavailable")
    else:
        off = [f"{k} {g}/{e}" for k, (g, e) in out["by_name"].items()
               if g != (e if e is not None else 0)]
        if off:
            why.append("delivered/expected by name: " + ", ".join(off))
    out["why"] = "; ".join(why)
    out["kept_up"] = not why
    return out


def describe_events(e, short=False):
    """One line of a step's log (or, short, a cell of the summary)."""
    if e is None:
        return "not measured"
    if e.get("skipped"):
        return e["skipped"]
    per = f" = {e['per_call']:.2f} per completed call" if e["per_call"] is not None else ""
    tail = ("" if e["tail"] is None else
            f", last one {e['tail'] * 1000:+.0f} ms from the step's end")
    lag = "" if e["max_lag"] is None else f", delivery lag <= {e['max_lag'] * 1000:.0f} ms"
    cpu = ("" if e["cpu_share"] is None else
           f"; client CPU {100 * e['cpu_share']:.0f}% of a core"
           + (f" ({1e6 * e['cpu'] / e['events']:.0f} µs an event)" if e["events"] else ""))
    names = ("" if short else "; by name (delivered/pbxd's counters): " + ", ".join(
        f"{k.replace('pbx.', '')} {g}/{'?' if x is None else x}"
        for k, (g, x) in e["by_name"].items()))
    verdict = ("kept up (ids consecutive, not disconnected, counts match)" if e["kept_up"]
               else f"DID NOT KEEP UP: {e['why']}")
    return (f"{e['events']} events{per}, {e['rate']:.0f}/s{tail}{lag}{cpu}; {verdict}"
            + names)


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--salt", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    consume(a.port, a.user, os.environ.get("PBX_BENCH_REST_PASSWORD", ""), a.salt, a.out)

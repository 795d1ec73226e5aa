#!/usr/bin/python3
"""pbxd's REST API (docs/rest-api.md) against a real pbxd on 127.0.0.1, one case per run:

  --case auth   the X-authenticate scheme (spec §4.2): a signed request passes; a replayed
                nonce, a Created more than 5 minutes off, a bad digest get 401; malformed
                headers and bodies 400, and nothing changes; then a bounded, seeded loop of
                malformed requests (request lines, headers, percent-encoding, bodies) leaves
                pbxd alive and answering.
  --case calls  click-to-call with two baresip phones: 100 rings and answers, then 101 rings
                and answers, RTP flows both ways, the API hangs up; the call's events read in
                two parts, with a disconnect in the middle and a resume by Last-Event-ID, come
                without a gap; pbxctl calls / call originate / call hangup / events with their
                outputs and exit codes; SIGTERM with an event stream open.

  test_rest_api.py --pbxd PATH --pbxctl PATH --case auth|calls
Exit codes: 0 pass, 1 fail, 77 skipped (baresip missing, for the calls case).
"""

import os
import random
import re
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbxtest as T  # noqa: E402

USER, PASSWORD = "admin", "it-secret"
ACTIVE_CALLS = "/rest/phoneServices/activeCalls"


def json_error(c, reply, status, what):
    return c.check(reply.is_json_error(status), "%s: %d with a JSON error" % (what, status),
                   repr(reply))


# ----------------------------------------------------------------------------------------------
# --case auth


def case_auth(c, pbx, api):
    r = api.request("GET", ACTIVE_CALLS)
    c.check(r.status == 200 and r.json == {"calls": []}, "a signed request passes", repr(r))

    header = api.header()
    first = api.request("GET", ACTIVE_CALLS, header=header)
    again = api.request("GET", ACTIVE_CALLS, header=header)
    c.check(first.status == 200, "a fresh nonce passes", repr(first))
    json_error(c, again, 401, "the same header again (a replayed nonce)")

    for skew in (-301, 301, -3600):
        r = api.request("GET", ACTIVE_CALLS, header=api.header(created=T.created_now(skew)))
        json_error(c, r, 401, "Created %+d s off the server's clock" % skew)
    r = api.request("GET", ACTIVE_CALLS, header=api.header(created=T.created_now(-120)))
    c.check(r.status == 200, "Created 2 minutes off still passes", repr(r))

    json_error(c, api.request("GET", ACTIVE_CALLS, header=api.header(password="wrong")), 401,
               "a digest made with a wrong password")
    good = api.header()
    digest = re.search(r'Digest="([^"]+)"', good).group(1)
    flipped = ("A" if digest[0] != "A" else "B") + digest[1:]
    json_error(c, api.request("GET", ACTIVE_CALLS, header=good.replace(digest, flipped)), 401,
               "a tampered digest")
    json_error(c, api.request("GET", ACTIVE_CALLS, header=T.auth_header(
        "nobody", PASSWORD, "default", api.salt())), 401, "an unknown user")
    json_error(c, api.request("GET", ACTIVE_CALLS, auth=False), 401, "no X-authenticate")

    for what, value in [
            ("another scheme", "Basic YWRtaW46aXQtc2VjcmV0"),
            ("a missing parameter", 'RestApiUsernameToken Username="admin", Domain="default"'),
            ("a short nonce", api.header(nonce="abc")),
            ("a Created that is no date", api.header(created="yesterday")),
            ("garbage", "\x7f\x01 ===")]:
        json_error(c, api.request("GET", ACTIVE_CALLS, header=value), 400,
                   "a malformed header (%s)" % what)

    started = pbx.metric("pbx_calls_started_total")
    c2c = "/rest/phoneServices/c2c/101/100"
    for what, body in [("not JSON", b'{"call_uuid": '), ("not an object", b"[1, 2]"),
                       ("not UTF-8", b"\xff\xfe\xfd"), ("call_uuid not a string",
                                                         b'{"call_uuid": {"a": 1}}')]:
        json_error(c, api.request("POST", c2c, body=body,
                                  headers={"Content-Type": "application/json"}), 400,
                   "click-to-call with a malformed body (%s)" % what)
    json_error(c, api.request("POST", "/rest/phoneServices/c2c/101/10%000"), 400,
               "a path parameter with a NUL")
    json_error(c, api.request("POST", "/rest/phoneServices/hangup/not-a-call"), 400,
               "hangup of a malformed linkedid")
    r = api.request("GET", ACTIVE_CALLS)
    c.check(r.status == 200 and r.json == {"calls": []}, "after all that, no call exists",
            repr(r))
    c.check(pbx.metric("pbx_calls_started_total") == started, "and none was started")

    # `curl -X POST` sends neither Content-Length nor a body: that is an empty body.
    t0 = time.time()
    status = send_raw(pbx.rest_port, ("POST /rest/phoneServices/hangup/C7 HTTP/1.1\r\n"
                                      "Host: 127.0.0.1\r\nX-authenticate: %s\r\n\r\n"
                                      % api.header()).encode(), timeout=4)
    c.check(status == 404 and time.time() - t0 < 2, "a POST without Content-Length is a POST "
            "without a body, answered at once", "status %s after %.1f s"
            % (status, time.time() - t0))

    json_error(c, api.request("GET", "/rest/nothing/here"), 404, "an unknown route")
    r = api.request("PUT", ACTIVE_CALLS)
    json_error(c, r, 405, "a method the route does not serve")
    r = api.request("GET", "/rest/salt/default", auth=False)
    c.check(r.status == 200 and r.json.get("salt") == api.salt(), "the salt is anonymous",
            repr(r))
    json_error(c, api.request("GET", "/rest/salt/nowhere", auth=False), 404,
               "the salt of an unknown domain")
    r = api.request("GET", "/api/doc.json", auth=False)
    c.check(r.status == 200 and r.json and r.json.get("openapi", "").startswith("3.")
            and "/rest/events" in r.json.get("paths", {}), "/api/doc.json is an OpenAPI 3 "
            "document, served anonymously", repr(r)[:200])

    robustness(c, pbx, api)


def malformed_requests(api, rng, count):
    """`count` requests (bytes) that pbxd must refuse without harm: hand-made ones, then
    seeded mutations of signed requests."""
    host = "Host: 127.0.0.1\r\n"
    auth = "X-authenticate: %s\r\n" % api.header()
    fixed = [
        b"\x00\xff\xfe garbage\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"FOO /rest/events HTTP/1.1\r\n\r\n",
        b"GET /rest/%zz%0/%%%% HTTP/1.1\r\n" + host.encode() + b"\r\n",
        b"GET /rest/phoneServices/c2c/%E2%82/%00 HTTP/1.1\r\n" + host.encode() + b"\r\n",
        b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n",
        b"GET /rest/" + b"%41" * 2500 + b" HTTP/1.1\r\n\r\n",
        b"GET /api/doc.json HTTP/1.1\r\nX-Long: " + b"x" * 9000 + b"\r\n\r\n",
        b"GET /api/doc.json HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(300))
        + b"\r\n",
        b"GET /api/doc.json HTTP/1.1\r\nRange: bytes=" + b"1-2," * 1900 + b"1-2\r\n\r\n",
        b"GET /api/doc.json HTTP/1.1\r\nRange: bytes=9-1\r\n\r\n",
        ("GET /rest/events?since=abc HTTP/1.1\r\n" + host + auth + "\r\n").encode(),
        ("GET /rest/events?types=%zz,,pbx.nothing HTTP/1.1\r\n" + host + auth + "\r\n").encode(),
        ("GET /rest/events HTTP/1.1\r\nLast-Event-ID: -1\r\n" + host + auth + "\r\n").encode(),
        ("POST /rest/phoneServices/c2c/101/100 HTTP/1.1\r\n" + host + auth
         + "Content-Length: 100000000\r\n\r\n{").encode(),
        ("POST /rest/phoneServices/c2c/101/100 HTTP/1.1\r\n" + host + auth
         + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n").encode(),
        ("POST /rest/phoneServices/c2c/101/100?call_uuid=%zz%ff HTTP/1.1\r\n" + host + auth
         + "Content-Length: 4\r\n\r\n[[[[").encode(),
        ("POST /rest/phoneServices/c2c/101/100 HTTP/1.1\r\n" + host + auth
         + "Content-Length: 60000\r\n\r\n").encode() + b"[" * 30000 + b"]" * 30000,
        ("DELETE /rest/phoneServices/hangup/C" + "F" * 40 + " HTTP/1.1\r\n" + host + auth
         + "\r\n").encode(),
        b"GET /rest/phoneServices/activeCalls HTTP/1.1\r\nX-authenticate: "
        + b"RestApiUsernameToken " + b'Username="\\' * 500 + b"\r\n\r\n",
        b"GET /rest/phoneServices/activeCalls HTTP/1.1\r\nX-authenticate: \xff\xfe\r\n\r\n",
    ]
    out = list(fixed)
    templates = [
        "GET %s HTTP/1.1\r\n%s%s\r\n" % (ACTIVE_CALLS + "?extension=100", host, auth),
        "POST /rest/phoneServices/c2c/101/100 HTTP/1.1\r\n%s%sContent-Type: application/json"
        "\r\nContent-Length: 21\r\n\r\n{\"call_uuid\": \"x-1\"}" % (host, auth),
        "DELETE /rest/phoneServices/hangup/C1 HTTP/1.1\r\n%s%s\r\n" % (host, auth),
        "GET /rest/events?since=1&types=pbx.call.end HTTP/1.1\r\n%s%s\r\n" % (host, auth),
        "GET /rest/salt/default HTTP/1.1\r\n%s\r\n" % host,
    ]
    junk = [b"%", b"%zz", b"\x00", b"\xff", b"\r\n", b"{", b"\"", b"\\", b"/", b"..", b"?",
            b"&", b"=", b" ", b"\t", b":", b"9" * 30, b"\r\n\r\n"]
    while len(out) < count:
        data = bytearray(rng.choice(templates).encode())
        for _ in range(rng.randint(1, 4)):
            if not data:
                break
            kind = rng.randrange(4)
            pos = rng.randrange(len(data))
            if kind == 0:
                data[pos] = rng.randrange(256)
            elif kind == 1:
                data[pos:pos] = rng.choice(junk)
            elif kind == 2:
                del data[pos:pos + rng.randint(1, 20)]
            else:
                data = data[:pos]
        if data:
            out.append(bytes(data))
    return out[:count]


def send_raw(port, data, timeout=0.5):
    """Sends `data` on a new connection; the status of the answer (0 for none within
    `timeout`, -1 when the connection was refused)."""
    try:
        # httplib listens with a backlog of 5: under load a SYN may wait for its retry (1 s).
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError:
        return -1
    answer = b""
    try:
        s.settimeout(timeout)
        s.sendall(data)
        while b"\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    except OSError:
        pass
    finally:
        s.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", answer)
    return int(m.group(1)) if m else 0


def robustness(c, pbx, api, count=240, seed=4711):
    T.log("robustness: %d malformed requests (seed %d), 8 at a time" % (count, seed))
    requests = malformed_requests(api, random.Random(seed), count)
    statuses = [None] * len(requests)
    lock = threading.Lock()
    next_index = [0]

    def worker():
        while True:
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= len(requests):
                return
            statuses[i] = send_raw(pbx.rest_port, requests[i])

    started = time.time()
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    histogram = {}
    for s in statuses:
        histogram[s] = histogram.get(s, 0) + 1
    T.log("robustness: answers by status %s in %.1f s (0: none before the client gave up)"
          % (sorted(histogram.items()), time.time() - started))
    c.check(-1 not in histogram, "pbxd accepted every connection of the loop",
            "%d refused" % histogram.get(-1, 0))
    c.check(all(s in (0, 200, 201, 400, 401, 404, 405, 409, 410, 413, 414, 416, 431, 504)
                for s in statuses), "every answer was a refusal or a success the request "
            "earned", "%s" % sorted(histogram.items()))
    c.check(pbx.alive(), "pbxd is alive after the malformed requests")
    r = api.request("GET", ACTIVE_CALLS)
    c.check(r.status == 200, "pbxd still answers a signed request", repr(r))
    r = api.request("POST", "/rest/phoneServices/c2c/101/100")
    json_error(c, r, 409, "click-to-call to unregistered phones still says 409")


# ----------------------------------------------------------------------------------------------
# --case calls


def event_index(events, name, party):
    for i, e in enumerate(events):
        if e["event"] == name and e["data"]["party"]["number"] == party:
            return i
    return None


def read_until_end(c, stream, what, limit=50):
    events = []
    while len(events) < limit:
        e = stream.next_event()
        if e is None:
            c.check(False, "%s: the stream stays open until pbx.call.end" % what,
                    "%s" % [x["event"] for x in events])
            break
        events.append(e)
        if e["event"] == "pbx.call.end":
            break
    return events


def rtp(pbx):
    return (pbx.metric("pbx_rtp_packets_relayed_total", direction="caller_to_callee"),
            pbx.metric("pbx_rtp_packets_relayed_total", direction="callee_to_caller"))


def pbxctl(args, pbx, password=PASSWORD, timeout=30):
    argv = [ARGS.pbxctl] + args + ["--url", "http://127.0.0.1:%d" % pbx.rest_port,
                                   "--password", password]
    p = subprocess.run(argv, capture_output=True, timeout=timeout, text=True)
    T.log("$ pbxctl %s -> %d%s%s" % (" ".join(args), p.returncode,
                                     ("\n" + p.stdout.rstrip()) if p.stdout.strip() else "",
                                     ("\n  stderr: " + p.stderr.strip()) if p.stderr.strip()
                                     else ""))
    return p


def click_to_call(c, pbx, api, p100, p101):
    """The seed's click-to-call: c2c/101/100 rings 100 first, then 101; events, RTP, hangup.
    Returns the call's events as the stream gave them."""
    first_stream = T.EventStream(api)
    c.check(first_stream.status == 200, "GET /rest/events opens a stream",
            "status %s" % first_stream.status)
    t0 = time.time()
    r = api.request("POST", "/rest/phoneServices/c2c/101/100", body={"call_uuid": "it-4711"})
    if not c.check(r.status == 201 and r.json and r.json.get("linkedid"),
                   "POST c2c/101/100 answers 201 with the linkedid", repr(r)):
        return None, []
    linkedid = r.json["linkedid"]
    c.check(r.json.get("call_uuid") == "it-4711", "the answer echoes call_uuid", repr(r))

    # The first part of the call's events, then a disconnect in the middle of the call.
    part1 = [first_stream.next_event(), first_stream.next_event()]
    first_stream.close()
    c.check(all(part1) and [e["event"] for e in part1] ==
            ["pbx.call.start", "pbx.extension.incomingcall"],
            "the stream carries pbx.call.start, then 100 ringing", "%s" % part1)
    if not all(part1):
        return linkedid, []
    T.log("read events %d and %d, disconnected" % (part1[0]["id"], part1[1]["id"]))

    # baresip answers at once (answermode=auto) without a CALL_INCOMING event: its
    # CALL_ESTABLISHED for an incoming call says that it was called and answered.
    e100 = p100.wait_event("CALL_ESTABLISHED", t0, 15)
    ok = c.check(e100 is not None and e100.get("direction") == "incoming"
                 and "sip:101@" in e100.get("peeruri", ""),
                 "100 (the source) is called first, shown the destination 101, and answers",
                 "%s; events %s" % (e100, p100.event_types(t0)))
    e101 = p101.wait_event("CALL_ESTABLISHED", t0, 15)
    ok &= c.check(e101 is not None and e101.get("direction") == "incoming"
                  and "sip:100@" in e101.get("peeruri", ""),
                  "then 101 (the destination) is called, from 100, and answers",
                  "%s; events %s" % (e101, p101.event_types(t0)))
    if ok:
        rtp0 = rtp(pbx)
        deadline = time.time() + 15
        while True:
            now = rtp(pbx)
            d = (now[0] - rtp0[0], now[1] - rtp0[1])
            if (d[0] >= 50 and d[1] >= 50) or time.time() > deadline:
                break
            time.sleep(0.5)
        T.log("RTP relayed: caller_to_callee %d, callee_to_caller %d" % d)
        c.check(d[0] > 0 and d[1] > 0, "RTP flows both ways between the phones "
                "(pbx_rtp_packets_relayed_total grows in both directions)", "delta %s" % (d,))

        r = api.request("GET", ACTIVE_CALLS + "?extension=101")
        calls = (r.json or {}).get("calls", [])
        c.check(r.status == 200 and len(calls) == 1 and calls[0]["linkedid"] == linkedid
                and calls[0]["state"] == "answered" and len(calls[0]["legs"]) == 2
                and calls[0]["call_uuid"] == "it-4711",
                "activeCalls lists the answered call with its two legs", repr(r))
        if calls:
            legs = calls[0]["legs"]
            c.check(all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", leg["created"])
                        for leg in legs) and all(leg["codec"] for leg in legs),
                    "legs carry ISO 8601 UTC times with milliseconds and their codec",
                    "%s" % legs)
        p = pbxctl(["calls"], pbx)
        c.check(p.returncode == 0 and re.search(r"^%s\s+answered\s+" % linkedid, p.stdout, re.M)
                and p.stdout.startswith("LINKEDID"),
                "pbxctl calls shows the call in its table", p.stdout + p.stderr)

    t1 = time.time()
    r = api.request("POST", "/rest/phoneServices/hangup/%s" % linkedid)
    c.check(r.status == 200 and r.json == {"linkedid": linkedid},
            "POST hangup/%s answers 200" % linkedid, repr(r))
    for p in (p100, p101):
        c.check(p.wait_event("CALL_CLOSED", t1, 15) is not None,
                "%s's call is closed by the API's hangup" % p.user,
                "events %s" % p.event_types(t1))
    v = pbx.wait_metric("pbx_calls_active", lambda x: x == 0, 10)
    c.check(v == 0, "pbx_calls_active returns to 0", "%s" % v)
    json_error(c, api.request("DELETE", "/rest/phoneServices/hangup/%s" % linkedid), 404,
               "hanging the ended call up again")

    # The resume: the rest of the call's events, from after the last one read.
    resumed = T.EventStream(api, last_event_id=part1[-1]["id"])
    c.check(resumed.status == 200, "a stream resumes with Last-Event-ID", "%s" % resumed.status)
    part2 = read_until_end(c, resumed, "the resumed stream")
    resumed.close()
    events = part1 + part2
    ids = [e["id"] for e in events]
    names = [e["event"] for e in events]
    T.log("the call's events: %s" % ", ".join("%d %s %s" % (e["id"], e["event"],
                                                             e["data"]["party"]["number"])
                                              for e in events))
    c.check(ids == list(range(ids[0], ids[0] + len(ids))),
            "the two parts together have consecutive ids: none missed", "%s" % ids)
    c.check(names[0] == "pbx.call.start" and names[-1] == "pbx.call.end",
            "from pbx.call.start to pbx.call.end", "%s" % names)
    c.check(all(e["data"]["linkedid"] == linkedid and e["data"]["call_uuid"] == "it-4711"
                and e["data"]["sequence"] == e["id"] for e in events),
            "every event carries the linkedid, the call_uuid and its sequence number")
    order = [event_index(events, "pbx.extension.incomingcall", "100"),
             event_index(events, "pbx.extension.answercall", "100"),
             event_index(events, "pbx.extension.incomingcall", "101"),
             event_index(events, "pbx.extension.answercall", "101")]
    c.check(None not in order and order == sorted(order),
            "100 rings and answers before 101 rings and answers", "%s in %s" % (order, names))

    # The whole history again, by ?since.
    again = T.EventStream(api, query="?since=%d" % (ids[0] - 1))
    replay = read_until_end(c, again, "the stream from ?since")
    again.close()
    c.check([e["id"] for e in replay] == ids, "?since replays the same events", "%s" % replay)
    return linkedid, events


def pbxctl_checks(c, pbx, api, p100, p101, first_events):
    # pbxctl events over what already happened: one line per event.
    first = first_events[0]["id"]
    p = pbxctl(["events", "--since", str(first - 1), "--count", str(len(first_events))], pbx)
    want = []
    for e in first_events:
        d = e["data"]
        line = "%d %s %s %s -> %s" % (e["id"], e["event"], d["linkedid"],
                                       d["caller"]["number"] or "-", d["party"]["number"] or "-")
        if d["end"]:
            line += " " + d["end"]["cause"]
        want.append(line)
    c.check(p.returncode == 0 and p.stdout.splitlines() == want,
            "pbxctl events --since prints one line per event: <seq> <name> <linkedid> "
            "<caller> -> <party> [cause]", "got %r, want %r" % (p.stdout, want))

    # A follower started before a call sees its start and end as they happen. (It starts
    # after the newest event so far: however late its stream opens, it misses nothing.)
    follower = T.spawn([ARGS.pbxctl, "events", "--since", str(first_events[-1]["id"]),
                        "--types", "pbx.call.start,pbx.call.end", "--count", "2",
                        "--url", "http://127.0.0.1:%d" % pbx.rest_port, "--password", PASSWORD],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    t0 = time.time()
    p = pbxctl(["call", "originate", "100", "101", "--uuid", "ctl-1"], pbx)
    linkedid = p.stdout.strip()
    c.check(p.returncode == 0 and re.match(r"^C[0-9A-F]+$", linkedid),
            "pbxctl call originate prints the new linkedid", p.stdout + p.stderr)
    ok = c.check(p100.wait_event("CALL_ESTABLISHED", t0, 15) is not None
                 and p101.wait_event("CALL_ESTABLISHED", t0, 15) is not None,
                 "the pbxctl click-to-call connects 100 and 101",
                 "%s / %s" % (p100.event_types(t0), p101.event_types(t0)))
    if ok:
        p = pbxctl(["calls"], pbx)
        c.check(p.returncode == 0 and re.search(r"^%s\s+answered\s+100\s+101\s+.*ctl-1$"
                                                % linkedid, p.stdout, re.M),
                "pbxctl calls shows it, with its call_uuid", p.stdout)
    t1 = time.time()
    p = pbxctl(["call", "hangup", linkedid], pbx)
    c.check(p.returncode == 0 and p.stdout.strip() == "hung up %s" % linkedid,
            "pbxctl call hangup ends it", p.stdout + p.stderr)
    c.check(p100.wait_event("CALL_CLOSED", t1, 15) is not None
            and p101.wait_event("CALL_CLOSED", t1, 15) is not None,
            "both phones' calls close")
    try:
        out, err = follower.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        T.stop_process(follower)
        out, err = follower.communicate()
    lines = out.splitlines()
    c.check(follower.returncode == 0 and len(lines) == 2
            and re.match(r"^\d+ pbx\.call\.start %s 100 -> \S+$" % linkedid, lines[0])
            and re.match(r"^\d+ pbx\.call\.end %s 100 -> \S+ NCC$" % linkedid, lines[1]),
            "pbxctl events --types follows the call live, then stops after --count",
            "exit %s, out %r, err %r" % (follower.returncode, out, err))

    # Exit codes a script relies on.
    p = pbxctl(["call", "hangup", linkedid], pbx)
    c.check(p.returncode == 4 and "no call" in p.stderr, "hangup of an ended call: exit 4",
            "%d %s" % (p.returncode, p.stderr))
    p = pbxctl(["calls"], pbx, password="wrong")
    c.check(p.returncode == 3 and p.stderr.startswith("pbxctl:"),
            "a wrong password: exit 3, the message on stderr", "%d %r" % (p.returncode, p.stderr))
    p = pbxctl(["call", "originate", "999", "101"], pbx)
    c.check(p.returncode == 4, "click-to-call from an unknown extension: exit 4",
            "%d" % p.returncode)
    p = pbxctl(["call", "originate", "100"], pbx)
    c.check(p.returncode == 1, "a missing argument: exit 1", "%d" % p.returncode)
    closed = T.free_port(udp=False)
    p = subprocess.run([ARGS.pbxctl, "calls", "--url", "http://127.0.0.1:%d" % closed,
                        "--password", PASSWORD], capture_output=True, text=True, timeout=30)
    c.check(p.returncode == 2, "nothing listening: exit 2", "%d %s" % (p.returncode, p.stderr))


def case_calls(c, pbx, api, workdir):
    phones = []
    try:
        p100 = T.BaresipPhone(workdir, "100", "demo100", pbx)
        p101 = T.BaresipPhone(workdir, "101", "demo101", pbx)
        phones = [p100, p101]
        for p in phones:
            p.start()
        v = pbx.wait_metric("pbx_registrations", lambda x: x == 2, 20)
        if not c.check(v == 2, "both phones registered", "%s" % v):
            return phones
        linkedid, events = click_to_call(c, pbx, api, p100, p101)
        if events:
            pbxctl_checks(c, pbx, api, p100, p101, events)
        for p in phones:
            p.stop()

        # SIGTERM with a stream open: the stream ends with a comment, pbxd exits promptly.
        stream = T.EventStream(api)
        c.check(stream.status == 200, "a stream is open before SIGTERM")
        t0 = time.time()
        rc = pbx.stop(timeout=10)
        took = time.time() - t0
        c.check(rc == 0 and took < 8, "pbxd exits 0 on SIGTERM with an event stream open, "
                "without waiting for its client", "exit %s after %.1f s" % (rc, took))
        c.check(stream.next_event() is None and "pbxd is stopping" in stream.comments,
                "the stream ends with the comment 'pbxd is stopping'", "%s" % stream.comments)
        stream.close()
    finally:
        for p in phones:
            p.stop()
    return phones


def main():
    global ARGS

    def extra(ap):
        ap.add_argument("--pbxctl", required=True, help="path of the pbxctl binary")
        ap.add_argument("--case", required=True, choices=["auth", "calls"])

    ARGS = T.parse_args(extra)
    if ARGS.case == "calls":
        T.require_baresip()
    T.install_deadline(220)
    c = T.Checker("pbxd REST API: %s" % ARGS.case)
    workdir = T.make_workdir("rest-%s" % ARGS.case)
    pbx = T.Pbxd(ARGS.pbxd, workdir, rest_users=[(USER, PASSWORD)])
    phones = []
    try:
        pbx.start()
        api = T.RestClient(pbx.rest_port, USER, PASSWORD)
        if ARGS.case == "auth":
            case_auth(c, pbx, api)
        else:
            phones = case_calls(c, pbx, api, workdir)
    except T.TestTimeout as e:
        c.check(False, "the test finished in time", str(e))
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        c.check(False, "the test ran without an exception", repr(e))
    finally:
        rc = pbx.stop()
        if ARGS.case == "auth":
            c.check(rc == 0, "pbxd stops with exit code 0 on SIGTERM", "exit code %s" % rc)
        if c.failures:
            pbx.dump("REST API test")
            for p in phones:
                p.dump()
        T.remove_workdir(workdir, ARGS.keep, bool(c.failures))
    sys.exit(c.verdict())


if __name__ == "__main__":
    main()

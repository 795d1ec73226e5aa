#!/usr/bin/python3
"""Media features of pbxd through real baresip phones: SRTP on one leg and plain RTP on the
other, music on hold, and the in-call feature codes #8 (park) and *1 (record) sent by RFC 4733.
The phones send tones (ausine) and record what they received (sndfile).

  test_media_features.py --pbxd PATH [--testdata DIR] --case NAME    (NAME: see CASES, or "all")

Cases:
  srtp_plain   100 (baresip mediaenc=srtp-mand, pbxd account srtp: mandatory, 1000 Hz) and 101
               (plain RTP, srtp: off, 600 Hz) call each other both ways: the SDP pbxd gives 100
               is RTP/SAVP with a=crypto, the one it gives 101 RTP/AVP without; each phone's
               recording holds the other's tone within 2%.
  moh          media.music_on_hold is a 500 Hz sine the test writes into prompts_dir. 100
               (1000 Hz) calls 101 (600 Hz); 101 puts the call on hold (baresip `hold`:
               re-INVITE sendonly), then resumes: 100's recording has 600 Hz, then seconds of
               500 Hz, then 600 Hz again.
  park_code    100 (1000 Hz) calls 101; 101 presses #8 (RFC 4733): pbx.call.parked arrives on
               /rest/events with the slot and 101's call ends; 102 (800 Hz) dials the slot:
               activeCalls shows 100 and 102 answered, 102 hears 1000 Hz, 100 hears 800 Hz.
  record_code  100 (1000 Hz) calls 101 (600 Hz) and presses *1: pbx.call.recording.start names
               a file in media.recordings_dir; after the call the stereo WAV holds 1000 Hz on
               the left (what 100 said) and 600 Hz on the right (what 100 heard).

Exit codes: 0 pass, 1 fail, 77 skipped (baresip or one of its modules not installed).
"""

import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbxtest as T  # noqa: E402
from transfer_steps import Ctx, all_ended, call, closed, established, run_in  # noqa: E402

TONE_A, TONE_B, TONE_C, MOH = 1000, 600, 800, 500  # Hz: 100, 101, 102, music on hold
REST_USER, REST_PASSWORD = "admin", "it-secret"
WINDOW_S = 0.5  # the recordings are measured in windows this long


def near(freq, want):
    return freq is not None and abs(freq - want) <= 0.02 * want


def windows(samples, rate):
    """The tone of each WINDOW_S window of `samples`: a list of Hz (None: no clean tone)."""
    n = int(WINDOW_S * rate)
    out = []
    for start in range(0, len(samples) - n + 1, n):
        f, share = T.tone_frequency(samples[start:start + n], rate, skip_s=0)
        out.append(round(f) if f is not None and share >= 0.8 else None)
    return out


def runs(tones, want):
    """[(first window, count)] of the runs of windows within 2% of `want`."""
    out = []
    for i, f in enumerate(tones):
        if near(f, want):
            if out and out[-1][0] + out[-1][1] == i:
                out[-1] = (out[-1][0], out[-1][1] + 1)
            else:
                out.append((i, 1))
    return out


def last_recording(c, phone, what):
    """(rate, samples) of what the phone received in its latest call, or None."""
    recordings = phone.recordings()
    if not c.check(recordings and recordings[-1][1], "%s: %s recorded what it received"
                   % (what, phone.user), "%s" % recordings):
        return None
    return T.read_wav(recordings[-1][1])


def check_heard(c, phone, tone, what):
    got = last_recording(c, phone, what)
    if got is None:
        return
    rate, samples = got
    freq, share = T.tone_frequency(samples, rate)
    T.log("%s: %s heard %s Hz (%.0f%% of the periods agree) in %.1f s"
          % (what, phone.user, "%.1f" % freq if freq else "no tone", share * 100,
             len(samples) / rate))
    c.check(near(freq, tone) and share >= 0.8,
            "%s: %s hears %d Hz (within 2%%)" % (what, phone.user, tone),
            "measured %s Hz, %.0f%% of the periods agree" % (freq, share * 100))


def hang_up(ctx, phone, others, what):
    t1 = time.time()
    r = phone.command("hangup")
    ctx.c.check(r is not None and r.get("ok"), "%s: %s hangs up" % (what, phone.user), "%s" % r)
    for p in [phone] + others:
        closed(ctx, p, t1, what)
    all_ended(ctx)
    time.sleep(0.5)  # sndfile closes its files as the call's audio ends


class Events:
    """A /rest/events stream read by a thread of its own, so that waits end in time (pbxd's
    keep-alive comments would keep a blocking read going forever)."""

    def __init__(self, ctx, types):
        self.api = T.RestClient(ctx.pbx.rest_port, user=REST_USER, password=REST_PASSWORD)
        self.stream = T.EventStream(self.api, query="?types=" + types)
        ctx.c.check(self.stream.status == 200, "GET /rest/events?types=%s answers 200" % types,
                    "%s" % self.stream.status)
        self.events = []
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                e = self.stream.next_event()
            except Exception:  # noqa: BLE001 -- closed under the reader: the stream is over
                return
            if e is None:
                return
            with self.lock:
                self.events.append(e)

    def wait(self, name, timeout=10.0, after=0):
        """The first event `name` after the first `after` events received, or None."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                for e in self.events[after:]:
                    if e.get("event") == name:
                        return e
            time.sleep(0.1)
        return None

    def close(self):
        # the reader thread blocks in a read holding the response's buffer: shut the socket
        # down under it first, or closing waits for pbxd's next keep-alive (15 s)
        try:
            self.stream.resp.fp.raw._sock.shutdown(socket.SHUT_RDWR)
        except (AttributeError, OSError):
            pass
        self.stream.close()


# ----------------------------------------------------------------------------------------------
# SRTP on one leg


def media_line(message):
    m = re.search(r"^m=audio \d+ (\S+) ", message, re.M)
    return m.group(1) if m else None


def check_sdp(c, message, srtp, what):
    proto, crypto = media_line(message), re.search(r"^a=crypto:", message, re.M) is not None
    if srtp:
        c.check(proto == "RTP/SAVP" and crypto, "%s is RTP/SAVP with a=crypto" % what,
                "m= proto %s, a=crypto %s\n%s" % (proto, crypto, message[-900:]))
    else:
        c.check(proto == "RTP/AVP" and not crypto, "%s is RTP/AVP without a=crypto" % what,
                "m= proto %s, a=crypto %s\n%s" % (proto, crypto, message[-900:]))


def pbx_sdps(phone, pbx):
    """The SDP bodies pbxd sent the phone: its INVITE offers and its 200 answers to INVITEs."""
    return [m for m in phone.received_messages(pbx.port)
            if "m=audio" in m and (m.startswith("INVITE ") or m.startswith("SIP/2.0 200"))]


def case_srtp_plain(ctx):
    c, pbx = ctx.c, ctx.pbx
    a = ctx.phone("100", audio_codecs="PCMU", tone_hz=TONE_A, record=True, mediaenc="srtp-mand")
    b = ctx.phone("101", audio_codecs="PCMU", tone_hz=TONE_B, record=True)
    if not ctx.registered(2):
        return
    for caller, callee, label in ((a, b, "100 calls 101"), (b, a, "101 calls 100")):
        if not call(ctx, caller, callee, label):
            return
        time.sleep(4)
        hang_up(ctx, caller, [callee], label)
        check_heard(c, a, TONE_B, label)
        check_heard(c, b, TONE_A, label)
        sdp_a, sdp_b = pbx_sdps(a, pbx), pbx_sdps(b, pbx)
        if c.check(sdp_a and sdp_b, "%s: pbxd sent both phones SDP" % label):
            check_sdp(c, sdp_a[-1], True, "%s: pbxd's SDP to 100 (%s)"
                      % (label, sdp_a[-1].split("\r\n", 1)[0]))
            check_sdp(c, sdp_b[-1], False, "%s: pbxd's SDP to 101 (%s)"
                      % (label, sdp_b[-1].split("\r\n", 1)[0]))
        time.sleep(1.0)  # the next call's recordings start in another second


# ----------------------------------------------------------------------------------------------
# music on hold


def case_moh(ctx):
    c = ctx.c
    a = ctx.phone("100", audio_codecs="PCMU", tone_hz=TONE_A, record=True)
    b = ctx.phone("101", audio_codecs="PCMU", tone_hz=TONE_B)
    if not ctx.registered(2) or not call(ctx, a, b, "100 calls 101"):
        return
    time.sleep(2.5)
    r = b.command("hold")
    c.check(r is not None and r.get("ok"), "101 puts the call on hold", "%s" % r)
    time.sleep(4)
    r = b.command("resume")
    c.check(r is not None and r.get("ok"), "101 resumes the call", "%s" % r)
    time.sleep(2.5)
    hang_up(ctx, a, [b], "after the hold")
    got = last_recording(c, a, "moh")
    if got is None:
        return
    tones = windows(got[1], got[0])
    T.log("100's recording, %.1f s windows: %s" % (WINDOW_S, tones))
    held = [r for r in runs(tones, MOH) if r[1] * WINDOW_S >= 2.5]
    if c.check(held, "100 hears the %d Hz music on hold for 2.5 s or more" % MOH,
               "runs of %d Hz (first window, count): %s" % (MOH, runs(tones, MOH))):
        start, count = held[0]
        c.check(any(near(f, TONE_B) for f in tones[:start]),
                "100 heard 101's %d Hz before the hold" % TONE_B, "%s" % tones[:start])
        c.check(any(near(f, TONE_B) for f in tones[start + count:]),
                "100 hears 101's %d Hz again after the resume" % TONE_B,
                "%s" % tones[start + count:])


# ----------------------------------------------------------------------------------------------
# feature codes


def send_code(ctx, phone, code):
    for digit in code:
        r = phone.command("sndcode", digit)
        ctx.c.check(r is not None and r.get("ok"), "%s sends %s (sndcode: RFC 4733)"
                    % (phone.user, digit), "%s" % r)
        time.sleep(0.3)


def case_park_code(ctx):
    c = ctx.c
    a = ctx.phone("100", audio_codecs="PCMU", tone_hz=TONE_A, record=True)
    b = ctx.phone("101", audio_codecs="PCMU", tone_hz=TONE_B)
    cc = ctx.phone("102", audio_codecs="PCMU", tone_hz=TONE_C, record=True)
    if not ctx.registered(3):
        return
    events = Events(ctx, "pbx.call.parked")
    try:
        if not call(ctx, a, b, "100 calls 101"):
            return
        time.sleep(1.5)
        t1 = time.time()
        send_code(ctx, b, "#8")
        e = events.wait("pbx.call.parked")
    finally:
        events.close()
    api = events.api
    T.log("event: %s" % e)
    slot = e["data"].get("detail") if e and e.get("event") == "pbx.call.parked" else None
    if not c.check(slot and re.match(r"^\d+$", slot), "pbx.call.parked arrives with a slot",
                   "%s" % e):
        return
    closed(ctx, b, t1, "101 parked 100")
    c.check(a.wait_event("CALL_CLOSED", t1, 2) is None, "100 is still in its call (parked)",
            "events %s" % a.event_types(t1))
    time.sleep(1.0)
    t2 = time.time()
    r = cc.command("dial", ctx.uri(slot))
    c.check(r is not None and r.get("ok"), "102 dials the slot %s" % slot, "%s" % r)
    if not established(ctx, cc, t2, "102 picks up"):
        return
    time.sleep(1.0)
    reply = api.request("GET", "/rest/phoneServices/activeCalls")
    calls = (reply.json or {}).get("calls", []) if reply.status == 200 else []
    parties = [sorted(leg.get("party", {}).get("number") for leg in x.get("legs", []))
               for x in calls if x.get("state") == "answered"]
    T.log("activeCalls: %s" % reply.text[:1500])
    c.check(["100", "102"] in parties, "activeCalls: 100 and 102 in an answered call",
            "answered calls' parties %s" % parties)
    time.sleep(3)
    hang_up(ctx, cc, [a], "102 hangs up")
    check_heard(c, cc, TONE_A, "after the pickup")
    got = last_recording(c, a, "park")
    if got is None:
        return
    tones = windows(got[1], got[0])
    T.log("100's recording, %.1f s windows: %s" % (WINDOW_S, tones))
    c.check(any(n * WINDOW_S >= 2.0 for _, n in runs(tones, TONE_C)),
            "100 hears 102's %d Hz for 2 s or more after the pickup" % TONE_C,
            "runs of %d Hz: %s" % (TONE_C, runs(tones, TONE_C)))


def case_record_code(ctx):
    c, pbx = ctx.c, ctx.pbx
    a = ctx.phone("100", audio_codecs="PCMU", tone_hz=TONE_A)
    b = ctx.phone("101", audio_codecs="PCMU", tone_hz=TONE_B)
    if not ctx.registered(2):
        return
    events = Events(ctx, "pbx.call.recording.start,pbx.call.recording.stop")
    try:
        if not call(ctx, a, b, "100 calls 101"):
            return
        time.sleep(1.5)
        send_code(ctx, a, "*1")
        e = events.wait("pbx.call.recording.start")
        T.log("event: %s" % e)
        path = e["data"].get("detail") if e and e.get("event") == "pbx.call.recording.start" \
            else None
        if not c.check(path and os.path.dirname(path) == os.path.realpath(pbx.recordings_dir),
                       "pbx.call.recording.start names a file in media.recordings_dir", "%s" % e):
            return
        time.sleep(4)
        hang_up(ctx, a, [b], "100 hangs up")
        e = events.wait("pbx.call.recording.stop")
        T.log("event: %s" % e)
        c.check(e and e.get("event") == "pbx.call.recording.stop"
                and e["data"].get("detail") == path, "pbx.call.recording.stop follows",
                "%s" % e)
    finally:
        events.close()
    if not c.check(os.path.isfile(path), "the recording is on disk", "%s" % os.listdir(
            pbx.recordings_dir)):
        return
    c.check(T.wav_channels(path) == 2, "the recording is stereo", "%d" % T.wav_channels(path))
    for channel, tone, what in ((0, TONE_A, "left: what 100 said"),
                                (1, TONE_B, "right: what 100 heard")):
        rate, samples = T.read_wav(path, channel)
        freq, share = T.tone_frequency(samples, rate)
        T.log("recording %s: %s Hz (%.0f%%) in %.1f s at %d Hz"
              % (what, freq, share * 100, len(samples) / rate, rate))
        c.check(len(samples) >= 3 * rate, "the recording (%s) lasts 3 s or more" % what,
                "%.1f s" % (len(samples) / rate))
        c.check(near(freq, tone) and share >= 0.8, "the recording's %s is %d Hz" % (what, tone),
                "%s Hz, %.0f%% of the periods agree" % (freq, share * 100))


SRTP_EXTENSIONS = [("100", [("100", "demo100", None, {"srtp": "mandatory"})]),
                   ("101", [("101", "demo101", None, {"srtp": "off"})])]
REST = {"rest_users": [(REST_USER, REST_PASSWORD)]}

CASES = {
    # name: (the case, Ctx's keyword arguments: extensions and Pbxd's)
    "srtp_plain": (case_srtp_plain, {"extensions": SRTP_EXTENSIONS}),
    "moh": (case_moh, {"media_dirs": True, "music_on_hold": ["moh.wav"]}),
    "park_code": (case_park_code, REST),
    "record_code": (case_record_code, dict(REST, media_dirs=True)),
}


def run_case(args, name):
    checker = T.Checker("media %s" % name)
    args.case = name
    run, kw = CASES[name]
    ctx = Ctx(args, checker, prefix="media", **kw)

    def body(ctx):
        if kw.get("music_on_hold"):
            os.makedirs(ctx.pbx.prompts_dir, exist_ok=True)
            T.write_sine_wav(os.path.join(ctx.pbx.prompts_dir, "moh.wav"), MOH, 10.0)
        ctx.pbx.start()
        run(ctx)
    return run_in(ctx, checker, "media %s" % name, body, phones_stay=True)


def main():
    args = T.parse_args(lambda ap: ap.add_argument("--case", default="all",
                                                   choices=list(CASES) + ["all"]))
    names = list(CASES) if args.case == "all" else [args.case]
    T.require_baresip(extra_modules=["sndfile", "srtp"])
    T.install_deadline(100 * len(names))
    rc = 0
    for n in names:
        rc |= run_case(args, n)
    sys.exit(rc)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""pbxd's REST media endpoints (docs/rest-api.md, "Media") against a real pbxd and two baresip
phones: 100 sends a 1000 Hz tone, 101 a 600 Hz tone (ausine), and each records what it
received (sndfile). pbxd's config has media.prompts_dir and media.recordings_dir (relative
names, which pbxd creates in its config's directory).

  1. 100 dials 101; 101 answers.
  2. Names that leave the directories are refused with 400 and nothing is written outside:
     a recording to ../, to an absolute path, through a symbolic link to a directory outside;
     a prompt ../pbxd.yaml, a prompt that is a link out. A prompt that is not there is a 404.
  3. POST record/{linkedid}?leg=caller {"file": "call-100.wav"} answers the recording's id;
     pbx.call.recording.start follows on /rest/events. Pause and resume answer 200; stop
     answers 200 and pbx.call.recording.stop follows. The WAV is in recordings_dir, stereo:
     its left channel (what 100 said) holds 1000 Hz, its right (what 100 heard) 600 Hz.
  4. The test writes an 800 Hz sine WAV into prompts_dir and plays it to 101 (?leg=callee):
     101's own recording of what it received has seconds of 800 Hz, with 100's 1000 Hz before.
  5. collectDigits on the caller's leg (a long poll) while 100 sends 1, 2, 3, # by RFC 4733:
     the answer is {"digits": "123", "reason": "terminator", "terminator": "#"}.
  6. pbxctl: call record (prints the id) and record-stop, a record whose --file leaves the
     directory (exit 5, pbxd's 400), play and play-stop, collect (prints the digits 100 sends).

  test_rest_media.py --pbxd PATH --pbxctl PATH
Exit codes: 0 pass, 1 fail, 77 skipped (baresip or its sndfile module missing).
"""

import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbxtest as T  # noqa: E402

USER, PASSWORD = "admin", "it-secret"
OPS = "/rest/phoneServices/"
TONE_100, TONE_101, PROMPT = 1000, 600, 800  # Hz
PROMPT_S = 4.0
RECORDING_EVENTS = "pbx.call.recording.start,pbx.call.recording.stop,pbx.call.recording.fail"


def near(freq, want):
    return freq is not None and abs(freq - want) <= 0.02 * want


def pbxctl(args, pbx, timeout=60):
    argv = [ARGS.pbxctl] + args + ["--url", "http://127.0.0.1:%d" % pbx.rest_port,
                                   "--password", PASSWORD]
    p = subprocess.run(argv, capture_output=True, timeout=timeout, text=True)
    T.log("$ pbxctl %s -> %d%s%s" % (" ".join(args), p.returncode,
                                     ("\n" + p.stdout.rstrip()) if p.stdout.strip() else "",
                                     ("\n  stderr: " + p.stderr.strip()) if p.stderr.strip()
                                     else ""))
    return p


def json_error(c, reply, status, what):
    return c.check(reply.is_json_error(status), "%s: %d with a JSON error" % (what, status),
                   repr(reply))


def next_event(c, stream, name, what):
    e = stream.next_event()
    ok = c.check(e is not None and e["event"] == name, "%s: %s follows" % (what, name),
                 "%s" % e)
    return e if ok else None


def send_digits(phone, digits, gap=0.3):
    for d in digits:
        phone.command("sndcode", d)
        time.sleep(gap)


def refusals(c, pbx, api, linkedid, workdir):
    outside = os.path.join(workdir, "outside")
    os.makedirs(outside)
    os.symlink(outside, os.path.join(pbx.recordings_dir, "out"))
    T.write_sine_wav(os.path.join(outside, "secret.wav"), 500, 0.2)
    os.symlink(os.path.join(outside, "secret.wav"), os.path.join(pbx.prompts_dir, "leak.wav"))
    for body, what in [({"file": "../escape.wav"}, "a recording to ../escape.wav"),
                       ({"file": os.path.join(outside, "abs.wav")}, "a recording to an "
                                                                     "absolute path"),
                       ({"file": "out/linked.wav"}, "a recording through a link to a "
                                                    "directory outside"),
                       ({"file": "call.mp3"}, "a recording that is not .wav"),
                       ({"mode": "surround"}, "an unknown recording mode")]:
        json_error(c, api.request("POST", OPS + "record/%s" % linkedid, body), 400, what)
    for files, what in [(["../pbxd.yaml"], "a prompt ../pbxd.yaml"),
                        (["/etc/passwd"], "a prompt /etc/passwd"),
                        (["leak.wav"], "a prompt that is a link out of prompts_dir")]:
        json_error(c, api.request("POST", OPS + "play/%s" % linkedid, {"files": files}), 400,
                   what)
    json_error(c, api.request("POST", OPS + "play/%s" % linkedid, {"files": ["none.wav"]}), 404,
               "a prompt that is not there")
    json_error(c, api.request("POST", OPS + "record/C7FFFFF", {}), 404,
               "a recording of a call that does not exist")
    c.check(sorted(os.listdir(outside)) == ["secret.wav"]
            and not os.path.exists(os.path.join(workdir, "escape.wav")),
            "nothing was written outside the recordings directory",
            "%s" % sorted(os.listdir(outside)))
    c.check(os.listdir(pbx.recordings_dir) == ["out"], "no recording was started",
            "%s" % os.listdir(pbx.recordings_dir))


def record(c, pbx, api, stream, linkedid):
    r = api.request("POST", OPS + "record/%s?leg=caller" % linkedid,
                    {"file": "call-100.wav", "mode": "stereo"})
    ok = c.check(r.status == 200 and r.json.get("file") == "call-100.wav"
                 and isinstance(r.json.get("recording"), int) and r.json.get("mode") == "stereo",
                 "POST record/%s?leg=caller answers the recording's id" % linkedid, repr(r))
    if not ok:
        return
    rid = r.json["recording"]
    path = os.path.join(pbx.recordings_dir, "call-100.wav")
    e = next_event(c, stream, "pbx.call.recording.start", "record")
    if e:
        c.check(e["data"]["detail"] == os.path.realpath(path),
                "its detail is the file", "%s" % e["data"])
    time.sleep(2.5)
    for verb in ("pauseRecording", "resumeRecording"):
        r = api.request("POST", OPS + "%s/%s/%d" % (verb, linkedid, rid))
        c.check(r.status == 200 and r.json == {"linkedid": linkedid, "recording": rid},
                "POST %s answers 200" % verb, repr(r))
    time.sleep(1.5)
    r = api.request("POST", OPS + "stopRecording/%s/%d" % (linkedid, rid))
    c.check(r.status == 200, "POST stopRecording answers 200", repr(r))
    next_event(c, stream, "pbx.call.recording.stop", "stopRecording")
    json_error(c, api.request("POST", OPS + "stopRecording/%s/%d" % (linkedid, rid)), 404,
               "stopping it again")
    if not c.check(os.path.isfile(path), "the WAV is in recordings_dir", "%s"
                   % os.listdir(pbx.recordings_dir)):
        return
    c.check(T.wav_channels(path) == 2, "it is stereo", "%d channels" % T.wav_channels(path))
    for channel, want, who in ((0, TONE_100, "what 100 said"), (1, TONE_101, "what 100 heard")):
        rate, samples = T.read_wav(path, channel)
        freq, share = T.tone_frequency(samples, rate)
        T.log("recording channel %d: %s Hz (%.0f%% of the periods agree), %.1f s at %d Hz"
              % (channel, freq, share * 100, len(samples) / rate, rate))
        c.check(len(samples) >= 3 * rate, "channel %d holds over 3 s" % channel,
                "%.1f s" % (len(samples) / rate))
        c.check(near(freq, want) and share >= 0.8, "channel %d (%s) holds %d Hz (within 2%%)"
                % (channel, who, want), "%s Hz, %.0f%% agree" % (freq, share * 100))


def play(c, pbx, api, linkedid):
    T.write_sine_wav(os.path.join(pbx.prompts_dir, "tone800.wav"), PROMPT, PROMPT_S)
    r = api.request("POST", OPS + "play/%s?leg=callee" % linkedid, {"files": ["tone800.wav"]})
    c.check(r.status == 200 and r.json == {"linkedid": linkedid, "files": ["tone800.wav"],
                                           "loop": False},
            "POST play/%s?leg=callee answers 200" % linkedid, repr(r))
    time.sleep(PROMPT_S + 1.5)


def windows(path, seconds=0.5):
    """The tone of each `seconds` of a WAV file's first channel: [(start s, Hz or None)]."""
    rate, samples = T.read_wav(path)
    n = int(rate * seconds)
    out = []
    for start in range(0, len(samples) - n + 1, n):
        freq, share = T.tone_frequency(samples[start:start + n], rate, skip_s=0)
        out.append((start / rate, freq if share >= 0.8 else None))
    return out


def longest_run(tones, want):
    best = run = 0
    for _, freq in tones:
        run = run + 1 if near(freq, want) else 0
        best = max(best, run)
    return best


def check_prompt_heard(c, p101):
    recordings = p101.recordings()
    if not c.check(recordings and recordings[-1][1], "101 recorded what it received",
                   "%s" % recordings):
        return
    tones = windows(recordings[-1][1])
    T.log("101 heard, per 0.5 s: %s" % " ".join("%.0f" % f if f else "-" for _, f in tones))
    c.check(longest_run(tones, PROMPT) >= 5, "101 heard the %d Hz prompt for 2.5 s or more "
            "(5 half-seconds in a row)" % PROMPT, "longest run %d" % longest_run(tones, PROMPT))
    first_prompt = next((i for i, (_, f) in enumerate(tones) if near(f, PROMPT)), len(tones))
    c.check(longest_run(tones[:first_prompt], TONE_100) >= 4,
            "before the prompt, 101 heard 100's %d Hz" % TONE_100)


def collect(c, api, linkedid, p100):
    result = {}

    def long_poll():
        result["reply"] = api.request(
            "POST", OPS + "collectDigits/%s?leg=caller" % linkedid,
            {"max_digits": 4, "first_digit_timeout_ms": 15000, "terminators": "#"})

    api_timeout, api.timeout = api.timeout, 40
    poll = threading.Thread(target=long_poll)
    poll.start()
    time.sleep(1.5)
    send_digits(p100, "123#")
    poll.join(30)
    api.timeout = api_timeout
    r = result.get("reply")
    c.check(r is not None and r.status == 200
            and r.json == {"linkedid": linkedid, "digits": "123", "reason": "terminator",
                           "terminator": "#"},
            "collectDigits answers the digits 100 sent (RFC 4733) before its #", repr(r))


def pbxctl_checks(c, pbx, linkedid, p100):
    p = pbxctl(["call", "record", linkedid, "--mode", "rx", "--file", "ctl.wav"], pbx)
    rid = p.stdout.strip()
    c.check(p.returncode == 0 and rid.isdigit(), "pbxctl call record prints the id",
            p.stdout + p.stderr)
    time.sleep(1.5)
    p = pbxctl(["call", "record-stop", linkedid, rid], pbx)
    c.check(p.returncode == 0 and p.stdout.strip() == "stopped recording %s of %s"
            % (rid, linkedid), "pbxctl call record-stop: exit 0", p.stdout + p.stderr)
    path = os.path.join(pbx.recordings_dir, "ctl.wav")
    deadline = time.time() + 5
    while not os.path.isfile(path) and time.time() < deadline:
        time.sleep(0.2)
    if c.check(os.path.isfile(path), "ctl.wav is in recordings_dir"):
        rate, samples = T.read_wav(path)
        freq, _ = T.tone_frequency(samples, rate)
        c.check(T.wav_channels(path) == 1 and near(freq, TONE_100),
                "ctl.wav (rx) is mono, 100's %d Hz" % TONE_100, "%s Hz" % freq)
    for args, code, what in [
            (["call", "record", linkedid, "--file", "../x.wav"], 5, "a file out of the "
                                                                    "directory (400)"),
            (["call", "record", linkedid, "--mode", "quad"], 1, "an unknown mode"),
            (["call", "record-stop", linkedid, "x"], 1, "an id that is not a number"),
            (["call", "play", linkedid], 1, "play without a file"),
            (["call", "play", linkedid, "none.wav"], 4, "a prompt that is not there"),
            (["call", "record", "C7FFFFF"], 4, "a call that does not exist")]:
        p = pbxctl(args, pbx)
        c.check(p.returncode == code and p.stderr.startswith("pbxctl:"),
                "pbxctl %s: exit %d (%s)" % (" ".join(args[1:2] + args[3:]), code, what),
                "exit %d, stderr %r" % (p.returncode, p.stderr))
    c.check(not os.path.exists(os.path.join(os.path.dirname(pbx.recordings_dir), "x.wav")),
            "nothing was written beside the recordings directory")

    p = pbxctl(["call", "play", linkedid, "tone800.wav", "--loop", "--leg", "callee"], pbx)
    c.check(p.returncode == 0 and p.stdout.strip() == "playing tone800.wav to %s (callee), looped"
            % linkedid, "pbxctl call play --loop: exit 0", p.stdout + p.stderr)
    p = pbxctl(["call", "play-stop", linkedid, "--leg", "callee"], pbx)
    c.check(p.returncode == 0, "pbxctl call play-stop: exit 0", p.stderr)

    out = {}
    poll = threading.Thread(target=lambda: out.update(p=pbxctl(
        ["call", "collect", linkedid, "--max", "2", "--first-timeout", "15s", "--leg",
         "caller"], pbx)))
    poll.start()
    time.sleep(1.5)
    send_digits(p100, "56")
    poll.join(30)
    p = out.get("p")
    c.check(p is not None and p.returncode == 0 and p.stdout == "56\n",
            "pbxctl call collect --max 2 prints the digits 100 sent",
            repr(p and (p.returncode, p.stdout, p.stderr)))


def run(c, pbx, api, workdir):
    phones = []
    try:
        p100 = T.BaresipPhone(workdir, "100", "demo100", pbx, tone_hz=TONE_100, record=True)
        p101 = T.BaresipPhone(workdir, "101", "demo101", pbx, tone_hz=TONE_101, record=True)
        phones = [p100, p101]
        for p in phones:
            p.start()
        v = pbx.wait_metric("pbx_registrations", lambda x: x == 2, 20)
        if not c.check(v == 2, "the two phones registered", "%s" % v):
            return phones
        c.check(os.path.isdir(pbx.prompts_dir) and os.path.isdir(pbx.recordings_dir),
                "pbxd created prompts_dir and recordings_dir (relative to its config)")
        stream = T.EventStream(api, query="?types=%s" % RECORDING_EVENTS)
        c.check(stream.status == 200, "an event stream of the recording events is open")

        t0 = time.time()
        r = p100.command("dial", "sip:101@127.0.0.1:%d" % pbx.port)
        c.check(r is not None and r.get("ok"), "100 dials 101", "%s" % r)
        if not c.check(p101.wait_event("CALL_ESTABLISHED", t0, 20) is not None
                       and p100.wait_event("CALL_ESTABLISHED", t0, 20) is not None,
                       "101 answers 100's call", "%s / %s" % (p100.event_types(t0),
                                                             p101.event_types(t0))):
            return phones
        r = api.request("GET", OPS + "activeCalls?extension=101")
        calls = (r.json or {}).get("calls", [])
        if not c.check(len(calls) == 1, "activeCalls lists the call", repr(r)):
            return phones
        linkedid = calls[0]["linkedid"]
        T.log("the call is %s" % linkedid)
        time.sleep(2.5)  # 101's recording starts with seconds of 100's tone

        refusals(c, pbx, api, linkedid, workdir)
        record(c, pbx, api, stream, linkedid)
        play(c, pbx, api, linkedid)
        collect(c, api, linkedid, p100)
        pbxctl_checks(c, pbx, linkedid, p100)
        stream.close()

        t1 = time.time()
        p100.command("hangup")
        c.check(p101.wait_event("CALL_CLOSED", t1, 15) is not None, "101's call closes")
        v = pbx.wait_metric("pbx_calls_active", lambda x: x == 0, 10)
        c.check(v == 0, "pbx_calls_active returns to 0", "%s" % v)
        time.sleep(0.5)  # sndfile closes its files as the call's audio ends
        check_prompt_heard(c, p101)
        for p in phones:
            c.check(p.proc.poll() is None, "baresip %s is still running" % p.user)
        c.check(pbx.alive(), "pbxd is still running")
    finally:
        for p in phones:
            p.stop()
    return phones


def main():
    global ARGS

    def extra(ap):
        ap.add_argument("--pbxctl", required=True, help="path of the pbxctl binary")

    ARGS = T.parse_args(extra)
    T.require_baresip(extra_modules=["sndfile"])
    T.install_deadline(220)
    c = T.Checker("pbxd REST media")
    workdir = T.make_workdir("rest-media")
    pbx = T.Pbxd(ARGS.pbxd, workdir, rest_users=[(USER, PASSWORD)], media_dirs=True)
    phones = []
    try:
        pbx.start()
        api = T.RestClient(pbx.rest_port, USER, PASSWORD)
        phones = run(c, pbx, api, workdir)
    except T.TestTimeout as e:
        c.check(False, "the test finished in time", str(e))
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        c.check(False, "the test ran without an exception", repr(e))
    finally:
        rc = pbx.stop()
        c.check(rc == 0, "pbxd stops with exit code 0 on SIGTERM", "exit code %s" % rc)
        if c.failures:
            pbx.dump("REST media test")
            for p in phones:
                p.dump()
        T.remove_workdir(workdir, ARGS.keep, bool(c.failures))
    sys.exit(c.verdict())


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Media pbxd terminates, through real phones: a call between two phones whose codecs differ
is decoded and re-encoded by pbxd's relay, and RFC 4733 digits reach a phone without
telephone-event as tones in its audio.

  test_media.py --pbxd PATH [--testdata DIR] --case NAME     (NAME: see CASES, or "all")

Cases:
  opus_pcmu            baresip 100 has only Opus (a 1000 Hz tone), baresip 101 only PCMU (a
                       600 Hz tone). 100 calls 101, then 101 calls 100: each leg's SDP answer
                       names its phone's codec, and each phone's sndfile recording of what it
                       received holds the other's tone within 2%.
  g722_pcma            the same with 100 on G.722 alone; 101's baresip has PCMU, PCMA and G.722
                       but pbxd's config gives its account `codecs: [PCMA]`: pbxd offers it
                       PCMA alone and answers its offer with PCMA.
  dtmf_4733_to_inband  baresip 100 (PCMU, telephone-event) calls 101, a sipp UAS answering
                       PCMU without telephone-event whose media is the test's own socket
                       (RtpSink); 100 sends digits with `sndcode` (RFC 4733): the PCMU pbxd
                       sends 101 holds them as DTMF tones, in order, and no event packet.

Exit codes: 0 pass, 1 fail, 77 skipped (baresip, one of its modules or sipp not installed).
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pbxtest as T  # noqa: E402
from transfer_steps import Ctx, all_ended, call, closed, register_sipp, run_in  # noqa: E402

TONE_A, TONE_B = 1000, 600  # Hz: what 100 and 101 send (ausine)
TALK_S = 4  # seconds of audio per call
STATIC_TYPES = {"0": "PCMU", "8": "PCMA", "9": "G722"}


# ----------------------------------------------------------------------------------------------
# SDP


def sdp_codecs(message):
    """The audio codecs of a SIP message's SDP, in order ("opus", "PCMU", "telephone-event")."""
    m = re.search(r"^m=audio \d+ \S+ ([\d ]+)\r?$", message, re.M)
    if not m:
        return []
    names = {pt: enc for pt, enc in re.findall(r"^a=rtpmap:(\d+) ([^/\s]+)", message, re.M)}
    return [names.get(pt, STATIC_TYPES.get(pt, pt)) for pt in m.group(1).split()]


def is_invite_ok(message):
    return (message.startswith("SIP/2.0 200") and
            re.search(r"^CSeq:\s*\d+\s+INVITE\s*$", message, re.M | re.I) is not None)


def leg_answer(phone, pbx, caller):
    """The SDP answer of the phone's latest call with pbxd: pbxd's 200 to its INVITE when it
    called, its own 200 to pbxd's INVITE when it was called."""
    messages = phone.received_messages(pbx.port) if caller else phone.sent_messages(pbx.port)
    answers = [m for m in messages if is_invite_ok(m) and "m=audio" in m]
    return answers[-1] if answers else ""


def leg_offer(phone, pbx):
    """pbxd's latest INVITE offer to the phone."""
    offers = [m for m in phone.received_messages(pbx.port)
              if m.startswith("INVITE ") and "m=audio" in m]
    return offers[-1] if offers else ""


# ----------------------------------------------------------------------------------------------
# the tone cases


def check_heard(c, phone, tone, what):
    """The phone's recording of what it received in its latest call holds `tone`."""
    recordings = phone.recordings()
    if not c.check(recordings and recordings[-1][1], "%s: %s recorded what it received"
                   % (what, phone.user), "%s" % recordings):
        return
    rate, samples = T.read_wav(recordings[-1][1])
    freq, share = T.tone_frequency(samples, rate)
    T.log("%s: %s heard %s Hz (%.0f%% of the periods agree) in %.1f s at %d Hz"
          % (what, phone.user, "%.1f" % freq if freq else "no tone", share * 100,
             len(samples) / rate, rate))
    c.check(freq is not None and abs(freq - tone) <= 0.02 * tone and share >= 0.8,
            "%s: %s hears the other phone's %d Hz tone (within 2%%)" % (what, phone.user, tone),
            "measured %s Hz, %.0f%% of the periods agree" % (freq, share * 100))


def tone_call(ctx, caller, callee, codec_of, label):
    c, pbx = ctx.c, ctx.pbx
    t0 = time.time()
    if not call(ctx, caller, callee, label):
        return False
    time.sleep(TALK_S)
    t1 = time.time()
    r = caller.command("hangup")
    c.check(r is not None and r.get("ok"), "%s: %s hangs up" % (label, caller.user), "%s" % r)
    closed(ctx, callee, t1, label)
    closed(ctx, caller, t1, label)
    all_ended(ctx)
    time.sleep(0.5)  # sndfile closes its files as the call's audio ends
    for phone, is_caller in ((caller, True), (callee, False)):
        answer = leg_answer(phone, pbx, is_caller)
        codecs = [x for x in sdp_codecs(answer) if x != "telephone-event"]
        want = codec_of[phone.user]
        c.check(codecs[:1] == [want], "%s: %s's leg negotiated %s (its SDP answer)"
                % (label, phone.user, want), "answer codecs %s" % codecs)
    check_heard(c, callee, TONE_A if caller.user == "100" else TONE_B, label)
    check_heard(c, caller, TONE_B if caller.user == "100" else TONE_A, label)
    T.log("%s took %.1f s" % (label, time.time() - t0))
    return True


def tone_case(ctx, codecs_a, codecs_b, codec_of):
    a = ctx.phone("100", audio_codecs=codecs_a, tone_hz=TONE_A, record=True)
    b = ctx.phone("101", audio_codecs=codecs_b, tone_hz=TONE_B, record=True)
    if not ctx.registered(2):
        return a, b
    if tone_call(ctx, a, b, codec_of, "100 calls 101"):
        tone_call(ctx, b, a, codec_of, "101 calls 100")
    return a, b


def case_opus_pcmu(ctx):
    tone_case(ctx, "opus/48000/2", "PCMU", {"100": "opus", "101": "PCMU"})


def case_g722_pcma(ctx):
    a, b = tone_case(ctx, "G722", "PCMU,PCMA,G722", {"100": "G722", "101": "PCMA"})
    # 101's account allows PCMA alone: pbxd offered it nothing else (telephone-event aside)
    offer = [x for x in sdp_codecs(leg_offer(b, ctx.pbx)) if x != "telephone-event"]
    ctx.c.check(offer == ["PCMA"], "pbxd offered 101 PCMA alone (its account's codecs)",
                "offer codecs %s" % offer)


# ----------------------------------------------------------------------------------------------
# DTMF


DIGITS = "159#0*"


def case_dtmf_4733_to_inband(ctx):
    c, pbx = ctx.c, ctx.pbx
    a = ctx.phone("100", audio_codecs="PCMU")
    if not ctx.registered(1):
        return
    port = register_sipp(ctx, "101")
    if port is None:
        return
    sink = T.RtpSink().start()
    try:
        uas = ctx.sipp("callee", "callee_pcmu_at.xml", local_port=port, service="101",
                       keys={"rtp_port": sink.port}, timeout_s=60)
        time.sleep(0.5)  # let the UAS bind its port
        t0 = time.time()
        r = a.command("dial", ctx.uri("101"))
        c.check(r is not None and r.get("ok"), "100 dials 101", "%s" % r)
        if not c.check(a.wait_event("CALL_ESTABLISHED", t0, 20) is not None,
                       "100 reports CALL_ESTABLISHED", "events %s" % a.event_types(t0)):
            return
        invites = [m for m in uas.received() if m.startswith("INVITE ")]
        offer = invites[-1] if invites else ""
        media = re.search(r"^m=audio (\d+) ", offer, re.M)
        addr = re.search(r"^c=IN IP4 (\S+)", offer, re.M)
        if c.check(media and addr, "pbxd's INVITE to 101 names its media address", offer[:400]):
            sink.send_to((addr.group(1), int(media.group(1))))  # 101 talks too, as phones do
        answer = leg_answer(a, pbx, caller=True)
        c.check("telephone-event" in sdp_codecs(answer) and sdp_codecs(answer)[:1] == ["PCMU"],
                "100's leg negotiated PCMU and telephone-event", "%s" % sdp_codecs(answer))
        time.sleep(1.5)
        for digit in DIGITS:
            r = a.command("sndcode", digit)
            c.check(r is not None and r.get("ok"), "100 sends %s (sndcode: RFC 4733)" % digit,
                    "%s" % r)
            time.sleep(0.4)
        time.sleep(1.0)
        t1 = time.time()
        a.command("hangup")
        closed(ctx, a, t1, "hangup")
        uas.wait(15)
        ctx.check_sipp(uas, "101 (INVITE, 180, 200 with PCMU alone, ACK, BYE, 200)")
        all_ended(ctx)
    finally:
        sink.stop()
    types = sink.payload_types()
    T.log("101's socket got %d RTP packets, payload types %s" % (sink.count(), types))
    c.check(sink.count(0) >= 100, "101 received PCMU from pbxd (payload type 0)",
            "%d packets" % sink.count(0))
    c.check(types == [0], "101 received PCMU alone, no telephone-event packets", "%s" % types)
    heard = T.dtmf_digits(T.pcmu_decode(sink.payload(0)), 8000)
    T.log("DTMF tones in 101's audio: %r" % heard)
    c.check(heard == DIGITS, "101 hears the digits %s in-band, in order" % DIGITS,
            "detected %r" % heard)


CASES = {
    # name: (the case, pbxd's extensions: None for T.DEFAULT_EXTENSIONS)
    "opus_pcmu": (case_opus_pcmu, None),
    "g722_pcma": (case_g722_pcma, [("100", [("100", "demo100")]),
                                   ("101", [("101", "demo101", ["PCMA"])])]),
    "dtmf_4733_to_inband": (case_dtmf_4733_to_inband, None),
}


def run_case(args, name):
    checker = T.Checker("media %s" % name)
    args.case = name
    run, extensions = CASES[name]
    ctx = Ctx(args, checker, prefix="media", extensions=extensions)

    def body(ctx):
        ctx.pbx.start()
        run(ctx)
    return run_in(ctx, checker, "media %s" % name, body, phones_stay=True)



def main():
    args = T.parse_args(lambda ap: ap.add_argument("--case", default="all",
                                                   choices=list(CASES) + ["all"]))
    names = list(CASES) if args.case == "all" else [args.case]
    T.require_baresip(extra_modules=["opus", "g722", "sndfile"])
    if "dtmf_4733_to_inband" in names:
        T.require_exe("sipp", "sip-tester")
    T.install_deadline(100 * len(names))
    rc = 0
    for n in names:
        rc |= run_case(args, n)
    sys.exit(rc)


if __name__ == "__main__":
    main()

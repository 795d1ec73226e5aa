#!/usr/bin/python3
"""Tests of the SIP calls-per-second bench (tools/bench/sip-cps).

Without arguments: the bench's own arithmetic, which docs/benchmarks.md quotes (the verdict
of a step, pbxd's signaling load from two /metrics scrapes, sipp's offered rate, the count of
pbxd's call events against the calls, the summary and the section it rewrites). With --smoke
--pbxd PATH: one short fixed-rate step of the real bench against that pbxd, with a client of
its event stream, which must pass and keep up (exit 77 when sipp is missing).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
TOOL = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "tools", "bench",
                                    "sip-cps"))
sys.path.insert(0, TOOL)

from sipcps import report  # noqa: E402
from sipcps import events  # noqa: E402
from sipcps.bench import Bench  # noqa: E402
from sipcps.sipp_stats import creation_seconds  # noqa: E402
from sipcps.suts import describe_signaling_load, signaling_load  # noqa: E402

CPU = "pbx_signaling_thread_cpu_seconds_total"
SEND = "pbx_sip_send_thread_cpu_seconds_total"
LAG = 'pbx_signaling_loop_lag_probe_seconds_bucket{le="%s"}'
RATE_503 = 'pbx_overload_rejections_total{reason="rate"}'
QUEUE_503 = 'pbx_overload_rejections_total{reason="receive_queue"}'


def step(**kw):
    r = {"rate": 100, "total": 3000, "rc": 0, "failed": 0, "timeouts": 0, "unexpected": 0,
         "maxretrans": 0, "r503": 0, "completed": 3000, "callee_failed": 0, "achieved": 99.0}
    r.update(kw)
    return r


class VerdictTest(unittest.TestCase):
    def test_clean_step_passes(self):
        self.assertEqual(Bench.verdict(step()), "")

    def test_every_reason_is_named(self):
        why = Bench.verdict(step(failed=3, timeouts=2, unexpected=1, r503=5, completed=2992,
                                 callee_failed=1))
        self.assertIn("3 failed (timeout 2, unexpected 1, max-retrans 0)", why)
        self.assertIn("5 x 503", why)
        self.assertIn("2992/3000 completed", why)
        self.assertIn("callee: 1 failed", why)

    def test_a_slow_load_generator_fails_the_step(self):
        # sipp that offered less than 95% of the rate did not test the rate
        self.assertIn("offered only 94/s", Bench.verdict(step(achieved=94.0)))
        self.assertEqual(Bench.verdict(step(achieved=95.0)), "")

    def test_sipp_exit_status_counts_when_nothing_else_failed(self):
        self.assertEqual(Bench.verdict(step(rc=1)), "sipp rc=1")
        self.assertEqual(Bench.verdict(step(rc=None, completed=0)), "0/3000 completed")


class RateSearchTest(unittest.TestCase):
    class Sut:
        name, log = "fake", "fake.log"

        def alive(self):
            return True

    class Args:
        quick, rates = False, None

    def search(self, edge, quick=False):
        """The rates find_best steps through, and its best, against a SUT clean up to edge."""
        args = self.Args()
        args.quick = quick
        bench = Bench(args, "/nonexistent", None)
        bench.step = lambda _sut, rate: (rate <= edge, {"rate": rate})
        best, steps = bench.find_best(self.Sut())
        return [s["rate"] for s in steps], best

    def test_doubles_then_bisects(self):
        self.assertEqual(self.search(2300),
                         ([100, 200, 400, 800, 1600, 3200, 2400, 2000, 2200], 2200))

    def test_a_failing_first_step_looks_below_it_once(self):
        self.assertEqual(self.search(30), ([100, 25, 60, 40], 25))
        self.assertEqual(self.search(5), ([100, 25], 0))

    def test_no_failure_up_to_the_top(self):
        rates, best = self.search(10**6, quick=True)
        self.assertEqual((rates, best), ([100, 200, 400], 400))


class SignalingLoadTest(unittest.TestCase):
    def test_load_lag_and_refusals_are_deltas(self):
        before = {CPU: 10.0, LAG % "0.0025": 100, LAG % "0.005": 100, LAG % "+Inf": 100,
                  RATE_503: 7}
        # 1000 probes in the step: 985 under 2.5 ms, 995 under 5 ms, all under +Inf
        after = {CPU: 16.5, LAG % "0.0025": 1085, LAG % "0.005": 1095, LAG % "+Inf": 1100,
                 RATE_503: 7, QUEUE_503: 40}
        r = signaling_load(before, after, 10.0)
        self.assertAlmostEqual(r["signaling_load"], 0.65)
        self.assertEqual(r["lag_p99"], 0.005)
        self.assertEqual(r["refused_by"], {"rate": 0.0, "receive_queue": 40.0})
        self.assertEqual(describe_signaling_load(r),
                         ", signaling thread 65%, loop lag p99 <= 5 ms, "
                         "503 by reason: receive_queue 40")

    def test_send_thread_load_where_pbxd_has_one(self):
        r = signaling_load({CPU: 10.0, SEND: 2.0}, {CPU: 16.5, SEND: 4.5}, 10.0)
        self.assertAlmostEqual(r["send_load"], 0.25)
        self.assertTrue(describe_signaling_load(r).startswith(
            ", signaling thread 65% (send thread 25%), loop lag p99"))

    def test_lag_beyond_the_last_bucket(self):
        after = {CPU: 1.0, LAG % "0.0025": 10, LAG % "2.5": 10, LAG % "+Inf": 1000}
        r = signaling_load({CPU: 0.0}, after, 1.0)
        self.assertEqual(r["lag_p99"], float("inf"))
        self.assertIn("loop lag p99 > 2500 ms", describe_signaling_load(r))

    def test_no_metrics_no_figures(self):
        # Kamailio has no /metrics; a scrape that failed returns {}
        self.assertEqual(signaling_load({}, {}, 30.0), {})
        self.assertEqual(describe_signaling_load({}), "")


class CreationSecondsTest(unittest.TestCase):
    @staticmethod
    def row(t, created):
        return {"StartTime": "d\tt\t1000.0", "CurrentTime": f"d\tt\t{t}",
                "TotalCallCreated": str(created)}

    def test_interpolates_between_samples(self):
        rows = [self.row(1000.0, 0), self.row(1001.0, 100), self.row(1002.0, 300)]
        self.assertAlmostEqual(creation_seconds(rows, 200), 1.5)
        self.assertAlmostEqual(creation_seconds(rows, 300), 2.0)

    def test_never_reached(self):
        self.assertIsNone(creation_seconds([self.row(1001.0, 10)], 20))
        self.assertIsNone(creation_seconds([], 20))


def sse(seq, name, time="2026-11-24T20:00:00.250Z"):
    data = json.dumps({"sequence": seq, "event": name, "time": time, "linkedid": "C1"},
                      separators=(",", ":"))
    return f"id: {seq}\nevent: {name}\ndata: {data}\n\n".encode()


def calls_sse(first_seq, calls):
    """The stream of `calls` bench calls, one after the other, from sequence first_seq."""
    return b"".join(sse(first_seq + i, events.PER_CALL[i % 5]) for i in range(5 * calls))


class EventCountTest(unittest.TestCase):
    T = events.epoch("2026-11-24T20:00:00.250Z")

    def feed(self, text, piece=7):
        """text fed in pieces of `piece` bytes (a block boundary anywhere), then the count."""
        c = events.EventCount()
        for i in range(0, len(text), piece):
            c.feed(text[i:i + piece], self.T + 0.004)
        return c.result()

    def test_consecutive_ids_and_names_whatever_the_split(self):
        text = b"retry: 2000\n: pbxd call events\n\n" + calls_sse(41, 20)
        for piece in (1, 7, 100, len(text)):
            r = self.feed(text, piece)
            self.assertEqual((r["events"], r["first"], r["last"]), (100, 41, 140))
            self.assertEqual((r["gap_count"], r["missing"], r["gaps"]), (0, 0, []))
            self.assertEqual(r["names"], {n: 20 for n in events.PER_CALL})
            self.assertEqual((r["comments"], r["sample_errors"]), ([], []))
            self.assertGreater(r["samples"], 0)
            self.assertAlmostEqual(r["max_lag"], 0.004, places=3)

    def test_gaps_within_a_block_and_across_blocks(self):
        c = events.EventCount()
        c.feed(b"".join(sse(i, "pbx.call.start") for i in (1, 2, 3, 5, 6)), self.T)
        c.feed(b"".join(sse(i, "pbx.call.end") for i in (10, 11)), self.T)
        r = c.result()
        self.assertEqual((r["events"], r["gap_count"], r["missing"]), (7, 2, 4))
        self.assertEqual(r["gaps"], [(3, 5), (6, 10)])

    def test_an_unfinished_event_waits_for_its_end(self):
        c = events.EventCount()
        text = calls_sse(1, 1)
        c.feed(text[:-1], self.T)
        self.assertEqual(c.result()["events"], 4)
        c.feed(text[-1:], self.T)
        self.assertEqual(c.result()["events"], 5)

    def test_a_disconnect_comment_is_kept_keep_alives_are_not(self):
        r = self.feed(sse(1, "pbx.call.start") + b": keep-alive\n\n" + sse(2, "pbx.call.end")
                      + b": disconnected: this client fell 2000 events behind; reconnect with "
                        b"Last-Event-ID: 2 to resume\n\n")
        self.assertEqual(len(r["comments"]), 1)
        self.assertTrue(r["comments"][0].startswith("disconnected: this client fell 2000"))

    def test_data_that_does_not_match_its_id(self):
        text = sse(7, "pbx.call.end").replace(b'"sequence":7', b'"sequence":8')
        self.assertIn("id 7", self.feed(text, len(text))["sample_errors"][0])

    def test_chunked_transfer_coding(self):
        body = calls_sse(1, 3)
        wire = b"".join(b"%x\r\n%s\r\n" % (len(part), part)
                        for part in (body[:100], body[100:333], body[333:])) + b"0\r\n\r\n"
        for piece in (1, 5, len(wire)):
            d, out = events.Dechunk(), b""
            for i in range(0, len(wire), piece):
                out += d.feed(wire[i:i + piece])
            self.assertEqual(out, body)
            self.assertTrue(d.done)


class EventCheckTest(unittest.TestCase):
    BEFORE = {"pbx_calls_started_total": 1000.0, "pbx_calls_answered_total": 990.0,
              "pbx_calls_active": 3.0}
    # 6000 calls admitted and answered in the step; the 3 active before it ended too
    AFTER = {"pbx_calls_started_total": 7000.0, "pbx_calls_answered_total": 6990.0,
             "pbx_calls_active": 0.0}

    @staticmethod
    def got(**kw):
        g = {"events": 30003, "first": 5001, "last": 35003, "gap_count": 0, "missing": 0,
             "gaps": [], "disconnects": 0, "error": None, "ended_by_server": None,
             "names": {"pbx.call.start": 6000, "pbx.extension.incomingcall": 6000,
                       "pbx.extension.answercall": 6000, "pbx.call.bridged": 6000,
                       "pbx.call.end": 6003},
             "sample_errors": [], "first_at": 100.0, "last_at": 106.0, "max_lag": 0.012,
             "cpu_s": 0.9, "wall_s": 9.0}
        g.update(kw)
        return g

    def test_expected_events_from_pbxds_counters(self):
        self.assertEqual(events.expected_events(self.BEFORE, self.AFTER),
                         {"pbx.call.start": 6000, "pbx.extension.incomingcall": 6000,
                          "pbx.extension.answercall": 6000, "pbx.call.bridged": 6000,
                          "pbx.call.end": 6003})
        self.assertEqual(events.expected_events({}, self.AFTER), {})

    def test_a_stream_that_kept_up(self):
        e = events.check_events(self.got(), events.expected_events(self.BEFORE, self.AFTER),
                                6000, 106.5)
        self.assertTrue(e["kept_up"], e["why"])
        self.assertAlmostEqual(e["per_call"], 5.0005)
        self.assertAlmostEqual(e["rate"], 5000.5)
        self.assertAlmostEqual(e["tail"], -0.5)
        self.assertAlmostEqual(e["cpu_share"], 0.1)
        self.assertEqual(e["by_name"]["pbx.call.end"], (6003, 6003))
        line = events.describe_events(e)
        self.assertIn("30003 events = 5.00 per completed call, 5000/s, last one -500 ms from "
                      "the step's end, delivery lag <= 12 ms; client CPU 10% of a core "
                      "(30 µs an event); kept up", line)
        self.assertIn("call.start 6000/6000", line)
        self.assertNotIn("by name", events.describe_events(e, short=True))

    def test_gaps_disconnects_and_counts_that_differ(self):
        names = dict(self.got()["names"], **{"pbx.call.end": 5990,
                                             "pbx.extension.missedcall": 2})
        e = events.check_events(
            self.got(gap_count=1, missing=13, gaps=[(20000, 20014)], disconnects=1,
                     names=names), events.expected_events(self.BEFORE, self.AFTER), 6000, 106.5)
        self.assertFalse(e["kept_up"])
        self.assertIn("1 gaps in the ids (13 events missing, first 20000 -> 20014)", e["why"])
        self.assertIn("disconnected 1 x by pbxd", e["why"])
        self.assertIn("pbx.call.end 5990/6003", e["why"])
        self.assertIn("pbx.extension.missedcall 2/None", e["why"])
        self.assertTrue(events.describe_events(e).split("; by name")[0].endswith(
            "DID NOT KEEP UP: " + e["why"]))

    def test_a_client_that_could_not_read(self):
        e = events.check_events({"error": "GET /rest/events: HTTP/1.1 401 Unauthorized"},
                                {}, 100, 1.0)
        self.assertFalse(e["kept_up"])
        self.assertEqual(e["events"], 0)
        self.assertIn("401", e["why"])


class ReportTest(unittest.TestCase):
    class FakeBench:
        quick, hold_ms, step_s, start_rate, hold_n, hold_build_s = False, 1000, 30, 100, 2000, 30
        load_before = 0.25

    @staticmethod
    def result(best, cpu_at_800, overload=None, ev=None):
        hold = {"per_call_kib": 32.5, "held": 2000, "idle_rss": 30000, "rss": 95000,
                "per_call_pss_kib": 31.7}
        steps = [{"rate": 800, "total": 24000, "completed": 24000,
                  "cpu_ms_per_call": cpu_at_800},
                 {"rate": best, "total": best * 30, "completed": best * 30,
                  "signaling_load": 0.65, "lag_p99": 0.0025, "refused_by": {}}]
        r = {"best": best, "hold": hold, "steps": steps}
        if ev:
            steps[-1]["events"] = ev
        if overload:
            r["overload"] = overload
        return r

    def test_summary_rows_and_ratio(self):
        ovl = {"goodput": 2000.0, "ratio": 0.91, "rate": 4400, "r503": 66000,
               "metrics_503": 66000.0}
        results = {"pbxd": self.result(2200, 0.525, ovl), "Kamailio": self.result(4400, 0.306)}
        results["Kamailio"]["version"] = "kamailio 5.6.3"
        table, facts, ratio = report.summary(results, self.FakeBench(), "tools/bench/sip-cps/run")
        self.assertEqual(ratio, 0.5)
        self.assertIn("| best rate with zero failed calls over 30 s | 2200 calls/s | "
                      "4400 calls/s |", table)
        self.assertIn("| 0.525 ms | 0.306 ms |", table)
        self.assertIn("signaling thread 65%, loop lag p99 <= 2.5 ms", table)
        self.assertIn("goodput 2000 calls/s = 0.91 × best at 4400 calls/s offered; 503 sent: "
                      "66000 seen by caller, 66000 by /metrics", table)
        self.assertIn("- pbxd / Kamailio best-rate ratio: 0.50", facts)
        self.assertIn("kamailio 5.6.3", facts)

    def test_event_rows_and_fact(self):
        ev = events.check_events(EventCheckTest.got(), events.expected_events(
            EventCheckTest.BEFORE, EventCheckTest.AFTER), 6000, 106.5)
        ovl = {"goodput": 2000.0, "ratio": 0.91, "rate": 4400, "r503": 66000,
               "metrics_503": 66000.0, "events": None}
        table, facts, _ = report.summary({"pbxd": self.result(2200, 0.525, ovl, ev)},
                                         self.FakeBench(), "tools/bench/sip-cps/run")
        self.assertIn("| call events on `GET /rest/events` at the best rate (one client, a "
                      "process of its own) | 30003 events = 5.00 per completed call, 5000/s", table)
        self.assertIn("| same, in the overload run | not measured | n/a |", table)
        self.assertIn("- call events: during each pbxd rate step", facts)
        # the classic run (--no-events): neither rows nor fact
        table, facts, _ = report.summary({"pbxd": self.result(2200, 0.525, ovl)},
                                         self.FakeBench(), "x")
        self.assertNotIn("/rest/events", table + facts)

    def test_a_sut_that_did_not_run(self):
        table, _, ratio = report.summary({"pbxd": self.result(1000, 0.5)}, self.FakeBench(), "x")
        self.assertIsNone(ratio)
        self.assertIn("| 1000 calls/s | not run |", table)

    def test_update_docs_replaces_only_its_section(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "benchmarks.md")
            with open(path, "w") as f:
                f.write("# Benchmarks\n\n## Fax documents\n\nfax figures\n\n"
                        f"## {report.SECTION}\n\nold figures\n\n## What limits pbxd\n\nnotes\n")
            report.update_docs("new figures\n", path)
            with open(path) as f:
                doc = f.read()
            self.assertNotIn("old figures", doc)
            self.assertEqual(doc, "# Benchmarks\n\n## Fax documents\n\nfax figures\n\n"
                             f"## {report.SECTION}\n\nnew figures\n\n"
                             "## What limits pbxd\n\nnotes\n")

    def test_update_docs_appends_a_missing_section(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "benchmarks.md")
            with open(path, "w") as f:
                f.write("# Benchmarks\n\n## Fax documents\n\nfax figures\n")
            report.update_docs("figures\n", path)
            with open(path) as f:
                self.assertEqual(f.read(), "# Benchmarks\n\n## Fax documents\n\nfax figures\n\n"
                                 f"## {report.SECTION}\n\nfigures\n")


def smoke(pbxd):
    if shutil.which("sipp") is None:
        print("SKIP: sipp is not installed (tools/install-deps installs sip-tester)")
        return 77
    argv = [sys.executable, os.path.join(TOOL, "run"), "--quick", "--sut", "pbxd", "--pbxd",
            pbxd, "--rates", "50", "--no-docs"]
    print("$ " + " ".join(argv), flush=True)
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=240)
    print(p.stdout)
    if p.returncode != 0:
        print(f"FAIL: the bench exited with {p.returncode}")
        return 1
    if "50/s x 5s: PASS  completed 250/250" not in p.stdout:
        print("FAIL: no clean 50 calls/s step in the output")
        return 1
    # the event stream's client: 5 events a call, every one delivered
    if "events: 1250 events = 5.00 per completed call" not in p.stdout or \
            "; kept up" not in p.stdout:
        print("FAIL: the event stream's client did not count 1250 events that kept up")
        return 1
    print("ok: one clean 5 s step at 50 calls/s through pbxd, its 1250 call events delivered")
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--pbxd")
    args, rest = ap.parse_known_args()
    if args.smoke:
        sys.exit(smoke(args.pbxd))
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)

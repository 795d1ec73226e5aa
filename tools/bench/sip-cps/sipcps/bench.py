"""The bench's steps against one SUT: the callee's REGISTER, one sipp caller/callee run, the
rate search, the hold test (memory per held call) and the overload run at twice the best rate."""

import os
import re
import secrets
import subprocess
import time

from sipcps.common import (BUFF, CALLEE_USER, CALLER_USER, DOMAIN, HERE, HOST, SIPP,
                           BenchError, log)
from sipcps.events import check_events, describe_events, expected_events
from sipcps.procs import free_port, nofile_limit, tail
from sipcps.sipp_stats import creation_seconds, ival, read_stat
from sipcps.suts import Pbxd, describe_signaling_load, signaling_load

class Bench:
    def __init__(self, args, work, procs):
        self.args, self.work, self.procs = args, work, procs
        self.quick = args.quick
        # seconds of calls per step, first rate, highest rate, bisection steps, held calls and
        # the seconds over which they are built up
        quick, full = (5, 100, 400, 1, 200, 5), (30, 100, 12800, 3, 2000, 30)
        (self.step_s, self.start_rate, self.max_rate, self.bisect_iters, self.hold_n,
         self.hold_build_s) = quick if self.quick else full
        self.hold_ms = int(os.environ.get("SIP_CPS_HOLD_MS", "1000"))
        self.drain_s = 35
        self.load_before = 0.0
        self.creds = {CALLER_USER: secrets.token_hex(6), CALLEE_USER: secrets.token_hex(6)}
        self.callee_port = None
        self.n = 0

    def sipp_common(self, sut, port, tag):
        self.n += 1
        base = os.path.join(self.work, f"{self.n:03d}-{sut.name}-{tag}")
        argv = [SIPP, f"{HOST}:{sut.port}", "-t", "u1", "-i", HOST, "-mi", HOST,
                "-p", str(port), "-buff_size", BUFF, "-nostdin",
                "-trace_stat", "-stf", base + ".stat.csv", "-fd", "1", "-f", "5",
                "-trace_err", "-error_file", base + ".errors.log",
                "-ringbuffer_files", "1", "-ringbuffer_size", "20000000"]
        return base, argv

    def register_callee(self, sut):
        base, argv = self.sipp_common(sut, self.callee_port, "register")
        argv += ["-sf", os.path.join(HERE, "callee-register.xml"), "-m", "1",
                 "-au", CALLEE_USER, "-ap", self.creds[CALLEE_USER],
                 "-auth_uri", DOMAIN, "-key", "user", CALLEE_USER,
                 "-key", "domain", DOMAIN, "-key", "expires", "3600",
                 "-recv_timeout", "5000", "-timeout", "20s",
                 "-trace_msg", "-message_file", base + ".messages.log"]
        p = self.procs.start(argv, base + ".out", self.work)
        try:
            rc = p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            rc = None
        self.procs.stop(p)
        if rc != 0:
            raise BenchError(f"callee REGISTER to {sut.name} failed (sipp rc={rc}); "
                             f"see {base}.messages.log")
        log(f"  callee {CALLEE_USER} registered from {HOST}:{self.callee_port} (401 then 200)")

    def calls(self, sut, rate, total, hold_ms, tag, on_running=None):
        """One sipp caller run against a fresh sipp callee; returns a result dict."""
        # The callee is not given -m: INVITEs of an earlier, failed step that
        # the SUT still retransmits would count towards it and make it quit
        # early.  It is stopped once the caller is done.
        cbase, cargv = self.sipp_common(sut, self.callee_port, tag + "-callee")
        recv_to = hold_ms + 30000
        guard = int(total / max(rate, 1)) + hold_ms // 1000 + 60
        cargv += ["-sf", os.path.join(HERE, "callee.xml"),
                  "-recv_timeout", str(recv_to), "-timeout", f"{guard + 40}s"]
        for attempt in range(3):
            callee = self.procs.start(cargv, cbase + ".out", self.work)
            time.sleep(0.5)
            if callee.poll() is None:
                break
            # lost a port race with another program: say so and try again
            log(f"       (callee sipp exited with {callee.returncode}: "
                f"{tail(cbase + '.out', 300).strip().splitlines()[-1:]}; retrying)")
            self.procs.stop(callee)
        else:
            raise BenchError(f"the callee sipp does not start; see {cbase}.out")
        # a fresh caller port per run: late responses for an earlier run's
        # calls then cannot reach this caller
        caller_port = free_port()
        base, argv = self.sipp_common(sut, caller_port, tag + "-caller")
        # sipp's own concurrency cap; it warns above the open-files limit
        limit = min(int(rate * (hold_ms / 1000.0 + 10)) + 100, nofile_limit() - 1000)
        argv += ["-sf", os.path.join(HERE, "caller.xml"),
                 "-s", CALLEE_USER, "-au", CALLER_USER, "-ap", self.creds[CALLER_USER],
                 "-auth_uri", f"{CALLEE_USER}@{DOMAIN}",
                 "-key", "caller", CALLER_USER, "-key", "domain", DOMAIN,
                 "-r", str(rate), "-rp", "1000", "-m", str(total), "-l", str(limit),
                 "-d", str(hold_ms), "-recv_timeout", "10000",
                 "-timeout", f"{guard}s"]
        caller = self.procs.start(argv, base + ".out", self.work)
        time.sleep(0.5)
        if caller.poll() is not None and caller.returncode != 0:
            # e.g. its port was taken in between: one more try on another port
            log(f"       (caller sipp exited with {caller.returncode}; retrying)")
            self.procs.stop(caller)
            argv[argv.index("-p") + 1] = str(free_port())
            caller = self.procs.start(argv, base + ".out", self.work)
        extra = None
        try:
            if on_running is not None:
                extra = on_running(base + ".stat.csv", caller)
            try:
                rc = caller.wait(timeout=guard + 30)
            except subprocess.TimeoutExpired:
                rc = None
            ended_at = time.time()  # the caller saw its last call end
        finally:
            self.procs.stop(caller)
            # the caller has seen every call end: let the callee's statistics
            # (written each second) catch up, then stop it
            time.sleep(2.5)
            self.procs.stop(callee)
        rows = read_stat(base + ".stat.csv")
        crow = read_stat(cbase + ".stat.csv")
        last = rows[-1] if rows else {}
        clast = crow[-1] if crow else {}
        created_s = creation_seconds(rows, total)
        res = {
            "rate": rate, "total": total, "rc": rc,
            "created": ival(last, "TotalCallCreated"),
            "ok": ival(last, "SuccessfulCall(C)"),
            "failed": ival(last, "FailedCall(C)"),
            "timeouts": ival(last, "FailedTimeoutOnRecv(C)"),
            "unexpected": ival(last, "FailedUnexpectedMessage(C)"),
            "maxretrans": ival(last, "FailedMaxUDPRetrans(C)"),
            "retrans": ival(last, "Retransmissions(C)"),
            "r503": ival(last, "rejected503(C)"),
            "answered": ival(last, "answered(C)"),
            "completed": ival(last, "completed(C)"),
            "callee_ok": ival(clast, "SuccessfulCall(C)"),
            "callee_failed": ival(clast, "FailedCall(C)"),
            "created_s": created_s,
            "setup_ms": last.get("ResponseTimesetup(C)", ""),
            "base": base, "extra": extra, "ended_at": ended_at,
        }
        res["achieved"] = (total / created_s) if created_s else 0.0
        return res

    @staticmethod
    def verdict(r):
        """'' when the step is clean, else why not."""
        why = []
        if r["failed"]:
            why.append(f"{r['failed']} failed (timeout {r['timeouts']}, unexpected "
                       f"{r['unexpected']}, max-retrans {r['maxretrans']})")
        if r["r503"]:
            why.append(f"{r['r503']} x 503")
        if r["completed"] != r["total"]:
            why.append(f"{r['completed']}/{r['total']} completed")
        if r["callee_failed"]:
            why.append(f"callee: {r['callee_failed']} failed")
        if r["achieved"] < 0.95 * r["rate"]:
            why.append(f"offered only {r['achieved']:.0f}/s (load generator or SUT too slow)")
        if r["rc"] not in (0,) and not why:
            why.append(f"sipp rc={r['rc']}")
        return "; ".join(why)

    def events_start(self, sut, tag):
        """A client of pbxd's event stream for one step, subscribed (None: none asked for)."""
        client = sut.event_client(os.path.join(self.work, f"{self.n + 1:03d}-{sut.name}-{tag}"))
        try:
            return client and client.start()
        except OSError as e:
            log(f"       (no event client: {e})")
            return None

    @staticmethod
    def events_finish(client, before, after, r):
        """What the step's client was sent, against pbxd's counters and the calls."""
        if client is None:
            return None
        return check_events(client.finish(), expected_events(before, after), r["completed"],
                            r.get("ended_at"))

    def step(self, sut, rate):
        total = rate * self.step_s
        events = self.events_start(sut, f"r{rate}")
        cpu_before, metrics_before, t0 = sut.cpu(), sut.metrics(), time.monotonic()
        r = self.calls(sut, rate, total, self.hold_ms, f"r{rate}")
        # everything the SUT did for this step's calls, retransmissions and 503s included
        r["cpu_ms_per_call"] = ((sut.cpu() - cpu_before) * 1000.0 / r["completed"]
                                if r["completed"] else None)
        metrics_after = sut.metrics()
        r.update(signaling_load(metrics_before, metrics_after, time.monotonic() - t0))
        r["events"] = self.events_finish(events, metrics_before, metrics_after, r)
        why = self.verdict(r)
        if not sut.alive():
            why = (why + "; " if why else "") + "SUT DIED"
        log(f"    {rate:>6}/s x {self.step_s}s: {'PASS' if not why else 'FAIL'}  "
            f"completed {r['completed']}/{total}, offered {r['achieved']:.0f}/s, "
            f"retrans {r['retrans']}, setup(avg) {r['setup_ms']}"
            + (f", CPU {r['cpu_ms_per_call']:.3f} ms/call" if r["cpu_ms_per_call"] else "")
            + describe_signaling_load(r)
            + (f"  -- {why}" if why else ""))
        if r["events"]:
            log(f"       events: {describe_events(r['events'])}")
        if why and r["failed"]:
            log(f"       sipp error log: {r['base']}.errors.log")
        # let the SUT drain between steps; after a failed step it may still
        # retransmit INVITEs (timer B/C, 32 s) that must not reach the next one
        time.sleep(2 if not why else self.drain_s)
        r["passed"] = not why
        return not why, r

    def find_best(self, sut):
        log(f"  rate steps ({self.step_s} s of calls each, hold {self.hold_ms} ms):")
        lo, hi, steps = 0, None, []

        def probe(rate):
            ok, r = self.step(sut, rate)
            steps.append(r)
            if not sut.alive():
                raise BenchError(f"{sut.name} died at {rate}/s; see {sut.log}")
            return ok

        rate = self.start_rate
        while rate <= self.max_rate:
            if not probe(rate):
                hi = rate
                break
            lo = rate
            rate *= 2
        if hi is None:
            log(f"  (no failure up to {lo}/s: best is at least {lo}/s)")
            return lo, steps
        if lo == 0:
            # even the first step failed: look below it once
            lo_try = max(10, hi // 4)
            if not probe(lo_try):
                return 0, steps
            lo = lo_try
        for _ in range(self.bisect_iters):
            if hi - lo <= max(25, lo // 10):
                break
            mid = (lo + hi) // 2
            mid = max(lo + 1, int(round(mid / 10.0)) * 10)
            if probe(mid):
                lo = mid
            else:
                hi = mid
        return lo, steps

    def hold_test(self, sut):
        n = self.hold_n
        rate = max(1, -(-n // self.hold_build_s))
        hold_ms = (self.hold_build_s + 20) * 1000
        # warm up: a few calls so that lazily built state is not counted per call
        self.calls(sut, 20, 40, 100, "warmup")
        time.sleep(6)   # Kamailio keeps finished transactions ~5 s (wt_timer)
        idle_rss, idle_pss = sut.memory()
        log(f"  hold test: {n} calls at {rate}/s, each held {hold_ms // 1000} s; "
            f"idle RSS {idle_rss} KiB")
        samples = {}

        def sample_when_held(statfile, caller):
            deadline = time.time() + self.hold_build_s * 2 + 30
            held = 0
            while time.time() < deadline and caller.poll() is None:
                rows = read_stat(statfile)
                if rows:
                    last = rows[-1]
                    held = ival(last, "CurrentCall")
                    if ival(last, "TotalCallCreated") >= n and ival(last, "answered(C)") >= n:
                        break
                time.sleep(0.5)
            time.sleep(2)
            rss, pss = [], []
            for _ in range(3):
                a, b = sut.memory()
                rss.append(a)
                pss.append(b)
                time.sleep(0.5)
            rows = read_stat(statfile)
            samples["held"] = ival(rows[-1], "CurrentCall") if rows else held
            samples["rss"] = max(rss)
            samples["pss"] = max(pss)
            return samples

        r = self.calls(sut, rate, n, hold_ms, "hold", on_running=sample_when_held)
        held = samples.get("held", 0)
        rss = samples.get("rss", 0)
        pss = samples.get("pss", 0)
        per_call = (rss - idle_rss) / n
        per_call_pss = (pss - idle_pss) / n
        why = self.verdict(r)
        log(f"    held {held} calls: RSS {rss} KiB (+{rss - idle_rss}), "
            f"{per_call:.2f} KiB/call (PSS: {per_call_pss:.2f} KiB/call)"
            + (f"  -- {why}" if why else ""))
        time.sleep(2)
        return {"n": n, "held": held, "idle_rss": idle_rss, "rss": rss,
                "per_call_kib": per_call, "per_call_pss_kib": per_call_pss,
                "idle_pss": idle_pss, "pss": pss, "clean": not why, "why": why}

    def overload(self, sut, best):
        rate = 2 * best
        events = self.events_start(sut, f"overload{rate}")
        before = sut.metrics()
        total = rate * self.step_s
        log(f"  overload: {rate}/s (2 x best) for {self.step_s} s")
        r = self.calls(sut, rate, total, self.hold_ms, f"overload{rate}")
        time.sleep(1)
        after = sut.metrics()
        ev = self.events_finish(events, before, after, r)
        dur = r["created_s"] or float(self.step_s)
        goodput = r["completed"] / dur
        ratio = goodput / best if best else 0.0
        deltas = {k: v - before.get(k, 0.0) for k, v in after.items()}
        m503 = None
        for k, v in deltas.items():
            if re.search(r"overload|503|reject", k):
                m503 = (m503 or 0) + v
        log(f"    offered {r['achieved']:.0f}/s, completed {r['completed']}/{total} "
            f"-> goodput {goodput:.0f}/s = {ratio:.2f} x best; 503 seen by caller "
            f"{r['r503']}, other failures {r['failed']}"
            + (f"; 503 per /metrics {m503:.0f}" if m503 is not None else ""))
        if ev:
            log(f"    events: {describe_events(ev)}")
        if after:
            log("    pbx_* metrics after the overload run (value, change during it):")
            for k in sorted(after):
                log(f"      {k} {after[k]:g} ({deltas[k]:+g})")
        return {"rate": rate, "goodput": goodput, "ratio": ratio, "r503": r["r503"],
                "metrics_503": m503, "failed": r["failed"], "completed": r["completed"],
                "total": total, "metrics": after, "events": ev}

    def run_sut(self, sut):
        log(f"== {sut.name}")
        self.callee_port = free_port()
        sut.start()
        try:
            self.register_callee(sut)
            res = {"name": sut.name}
            if self.args.rates:
                # fixed steps only (tuning and profiling): no hold test, no overload
                log(f"  fixed rate steps ({self.step_s} s of calls each):")
                steps = [self.step(sut, rate)[1] for rate in self.args.rates]
                if self.args.linger:
                    # idle afterwards: memory profilers see what outlives the calls
                    log(f"  lingering {self.args.linger} s with no traffic")
                    time.sleep(self.args.linger)
                res.update(best=0, steps=steps, hold=None, fixed=True)
                return res
            res["hold"] = self.hold_test(sut)
            best, steps = self.find_best(sut)
            res["best"] = best
            res["steps"] = steps
            log(f"  best rate with zero failures: {best}/s")
            if isinstance(sut, Pbxd):
                if best > 0:
                    res["overload"] = self.overload(sut, best)
                else:
                    log("  overload: skipped (no clean rate)")
            if not sut.alive():
                raise BenchError(f"{sut.name} died; see {sut.log}")
            res["version"] = getattr(sut, "version", "")
            return res
        finally:
            sut.stop()

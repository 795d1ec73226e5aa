"""The summary table and facts of a full run, and writing them into docs/benchmarks.md."""

import datetime
import os
import re
import subprocess

from sipcps.common import BUFF, CPU_RATE, REPO, SIPP
from sipcps.events import describe_events
from sipcps.suts import describe_signaling_load

SECTION = "SIP calls per second (B2BUA vs Kamailio)"


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = status_mem_total()
    return {"nproc": os.cpu_count(), "cpu": model, "mem": mem}


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0


def status_mem_total():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) // 1024} MiB"
    except OSError:
        pass
    return "?"


def sipp_version():
    try:
        out = subprocess.run([SIPP, "-v"], capture_output=True, text=True, timeout=10)
        m = re.search(r"SIPp v[^\s]+", out.stdout + out.stderr)
        return m.group(0).rstrip(".") if m else "sipp"
    except Exception:  # noqa: BLE001
        return "sipp"


def summary(results, bench, cmd):
    mach = machine()
    hold_ms = bench.hold_ms
    lines = []
    lines.append("| | pbxd (B2BUA, media anchored) | Kamailio (tm proxy + registrar) |")
    lines.append("|---|---|---|")
    p, k = results.get("pbxd"), results.get("Kamailio")

    def cell(r, fn):
        return fn(r) if r else "not run"
    lines.append("| best rate with zero failed calls over %d s | %s | %s |" % (
        bench.step_s, cell(p, lambda r: f"{r['best']} calls/s"),
        cell(k, lambda r: f"{r['best']} calls/s")))

    def mem(r):
        h = r["hold"]
        return (f"{h['per_call_kib']:.1f} KiB ({h['held']} held, RSS "
                f"{h['idle_rss'] // 1024}→{h['rss'] // 1024} MiB)")
    lines.append("| memory per held call, (RSS with N − RSS idle)/N | %s | %s |" % (
        cell(p, mem), cell(k, mem)))
    lines.append("| same, by PSS (shared pages counted once) | %s | %s |" % (
        cell(p, lambda r: f"{r['hold']['per_call_pss_kib']:.1f} KiB"),
        cell(k, lambda r: f"{r['hold']['per_call_pss_kib']:.1f} KiB")))

    def cpu(r):
        # the SUT's CPU per completed call at CPU_RATE, a step both SUTs pass
        for st in r.get("steps", []):
            if st["rate"] == CPU_RATE and st.get("cpu_ms_per_call") and \
                    st["completed"] == st["total"]:
                return f"{st['cpu_ms_per_call']:.3f} ms"
        return "not measured"
    lines.append("| CPU time per call at %d calls/s (all threads and processes) | %s | %s |"
                 % (CPU_RATE, cell(p, cpu), cell(k, cpu)))

    def sigload(r):
        # pbxd's signaling thread at its best rate, by its own /metrics
        for st in reversed(r.get("steps", [])):
            if st["rate"] == r["best"] and st.get("signaling_load") is not None:
                return describe_signaling_load(st)[2:]
        return "not measured"
    lines.append("| pbxd's signaling thread at the best rate (`pbx_signaling_thread_cpu_seconds_total`, "
                 "`pbx_sip_send_thread_cpu_seconds_total`, `pbx_signaling_loop_lag_probe_seconds`) "
                 "| %s | n/a |" % cell(p, sigload))

    def ovl(r):
        o = r.get("overload")
        if not o:
            return "not measured"
        m = (f", {o['metrics_503']:.0f} by /metrics" if o["metrics_503"] is not None else "")
        return (f"goodput {o['goodput']:.0f} calls/s = {o['ratio']:.2f} × best at "
                f"{o['rate']} calls/s offered; 503 sent: {o['r503']} seen by caller{m}")
    lines.append("| overload (2 × best rate, %d s) | %s | n/a |" % (bench.step_s, cell(p, ovl)))

    def best_events(r):
        # the event stream's client during the (last) step at the best rate
        for st in reversed(r.get("steps", [])):
            if st["rate"] == r["best"]:
                return describe_events(st.get("events"), short=True)
        return "not measured"
    events = p and any(st.get("events") for st in p.get("steps", []))
    if events:
        lines.append("| call events on `GET /rest/events` at the best rate (one client, a "
                     "process of its own) | %s | n/a |" % cell(p, best_events))
        lines.append("| same, in the overload run | %s | n/a |" % cell(
            p, lambda r: describe_events((r.get("overload") or {}).get("events"), short=True)))
    ratio = None
    if p and k and k["best"]:
        ratio = p["best"] / k["best"]
    table = "\n".join(lines)
    facts = (f"- date: {datetime.date.today().isoformat()}\n"
             f"- command: `{cmd}`" + (" (quick smoke run)" if bench.quick else "") + "\n"
             f"- machine: nproc {mach['nproc']}, CPU {mach['cpu']}, RAM {mach['mem']}; "
             f"1-min load average before the run {bench.load_before:.2f} (other work on "
             f"the machine skews these figures)\n"
             f"- tools: {sipp_version()} (`-buff_size {BUFF}`)"
             + (f", {k.get('version', 'kamailio')}" if k else "") + "\n"
             f"- calls: INVITE with SDP, 407 digest challenge and re-INVITE, 180, 200, ACK, "
             f"hold {hold_ms} ms, BYE, 200; callee registered with a 401 challenge; all on "
             f"127.0.0.1 UDP, SUT and both sipp instances on the same machine\n"
             f"- rate search: {bench.start_rate}, {bench.start_rate * 2}, … doubling, then "
             f"bisection; a rate passes when every call of {bench.step_s} s completes, no 503, "
             f"no failure on either sipp side and sipp really offered ≥95% of the rate\n"
             f"- CPU per call: the SUT's user + system CPU time (every thread; Kamailio: every "
             f"process) over the {CPU_RATE} calls/s step, divided by the calls it completed: "
             f"what one call costs, whatever limit caps the rate\n"
             f"- memory: {bench.hold_n} concurrent calls built up over ~{bench.hold_build_s} s "
             f"after a warm-up; Kamailio's figure sums all of its processes and, being a proxy, "
             f"holds no media or dialog state (pbxd holds two SIP dialogs and two RTP "
             f"endpoints per call)\n")
    if events:
        facts += ("- call events: during each pbxd rate step and the overload run, one client "
                  "of `GET /rest/events` (`sipcps/events.py`, a process of its own) counts the "
                  "`id:` and `event:` lines; a bench call gives 5 events (pbx.call.start, "
                  "pbx.extension.incomingcall, pbx.extension.answercall, pbx.call.bridged, "
                  "pbx.call.end), compared by name with pbxd's counters "
                  "(`pbx_calls_started_total`, `pbx_calls_answered_total`, `pbx_calls_active`); "
                  "the stream kept up when no id is missing, pbxd did not disconnect the client "
                  "(it drops one 2000 events behind) and the counts match; the last event's "
                  "arrival is given against the end of the step's last call as sipp saw it, and "
                  "the delivery lag is arrival − the event's `time` (20 sampled events a second, "
                  "read every 10 ms); pbxd's CPU per call includes serving the stream "
                  "(`--no-events` runs without it)\n")
    if ratio is not None:
        facts += f"- pbxd / Kamailio best-rate ratio: {ratio:.2f}\n"
    return table, facts, ratio


def update_docs(text, path=None):
    """Replaces (or appends) this bench's section of docs/benchmarks.md (or of path)."""
    path = path or os.path.join(REPO, "docs", "benchmarks.md")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        with open(path) as f:
            doc = f.read()
    except FileNotFoundError:
        doc = "# Benchmarks\n\nNumbers measured by `make bench` (tools/bench/*/run).\n"
    heading = "## " + SECTION
    block = heading + "\n\n" + text.rstrip() + "\n"
    pat = re.compile(r"^## " + re.escape(SECTION) + r"[ \t]*\n.*?(?=^## |\Z)",
                     re.M | re.S)
    if pat.search(doc):
        doc = pat.sub(lambda _m: block + "\n", doc, count=1)
        doc = doc.rstrip() + "\n"
    else:
        doc = doc.rstrip() + "\n\n" + block
    tmp = path + ".tmp-sip-cps"
    with open(tmp, "w") as f:
        f.write(doc)
    os.replace(tmp, path)
    return path

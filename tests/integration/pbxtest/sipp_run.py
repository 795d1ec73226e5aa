"""sipp runs against pbxd (one call each) and what their message traces say."""

import datetime
import os
import re
import shutil
import subprocess

from .ports import SIPP_MEDIA_PORTS, free_port, free_port_block
from .process import log, say, spawn, stop_process

# the scenarios: tests/integration/sipp/
SIPP_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sipp")


class SippRun:
    def __init__(self, name, proc, msgfile, errfile, outfile, scenario):
        self.name, self.proc, self.msgfile, self.errfile = name, proc, msgfile, errfile
        self.outfile, self.scenario = outfile, scenario
        self.rc = None

    def wait(self, timeout):
        try:
            self.rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log("sipp %s did not finish within %.0f s; killing pid %d"
                % (self.name, timeout, self.proc.pid))
            stop_process(self.proc, term_timeout=2.0)
            self.rc = "timeout"
        return self.rc

    def stop(self):
        stop_process(self.proc, term_timeout=2.0)

    def _read(self, path):
        try:
            with open(path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def messages(self):
        return self._read(self.msgfile)

    def received(self):
        """Received SIP messages (strings), in order, from the sipp message trace."""
        text = self.messages()
        parts = re.split(r"-{20,}[^\n]*\n", text)
        out = []
        for p in parts:
            m = re.match(r"\s*\w+ message received \[\d+\] bytes :\s*\n\s*\n?(.*)", p, re.S)
            if m:
                out.append(m.group(1).strip("\n"))
        return out

    def timeline(self):
        """[(seconds since the epoch, "sent" or "received", first line)] from the message trace,
        in order (sipp stamps each message it sends or receives)."""
        out = []
        for m in re.finditer(r"-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n"
                             r"\w+ message (sent|received)[^\n]*\n\s*([^\r\n]*)", self.messages()):
            when = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
            out.append((when, m.group(2), m.group(3).strip()))
        return out

    def _first_lines(self, pattern):
        """Group 1 of `pattern` matched at the start of each received message that it fits."""
        return [m.group(1) for m in (re.match(pattern, msg) for msg in self.received()) if m]

    def received_codes(self):
        return [int(code) for code in self._first_lines(r"\s*SIP/2\.0 (\d{3})")]

    def received_requests(self):
        return self._first_lines(r"\s*([A-Z]+) \S+ SIP/2\.0")

    def dump(self):
        say("----- sipp %s (scenario %s, exit %s) -----" % (self.name, self.scenario, self.rc))
        err = self._read(self.errfile)
        if err.strip():
            say("-- errors (-trace_err):")
            say(err.rstrip()[-6000:])
        out = self._read(self.outfile)
        if out.strip():
            say("-- output (tail):")
            say(out.rstrip()[-3000:])
        msgs = self.messages()
        if msgs.strip():
            say("-- messages (-trace_msg, tail):")
            say(msgs.rstrip()[-8000:])
        say("----- end of sipp %s -----" % self.name)


def sipp(workdir, name, scenario, pbx, local_port=None, service=None, auth=None,
         keys=None, timeout_s=20, extra=None, transport="u1"):
    """Start sipp (one call, -m 1) against pbxd. Returns a SippRun (call .wait())."""
    exe = shutil.which("sipp")
    scen = scenario if os.path.isabs(scenario) else os.path.join(SIPP_DIR, scenario)
    msgfile = os.path.join(workdir, "%s.messages.log" % name)
    errfile = os.path.join(workdir, "%s.errors.log" % name)
    outfile = os.path.join(workdir, "%s.out" % name)
    argv = [exe, "127.0.0.1:%d" % pbx.port, "-sf", scen, "-i", "127.0.0.1",
            "-p", str(local_port or free_port()), "-t", transport,
            "-cp", str(free_port(tcp=False)), "-mi", "127.0.0.1",
            "-mp", str(free_port_block(4, *SIPP_MEDIA_PORTS)),
            "-m", "1", "-l", "1", "-nostdin",
            "-timeout", "%ds" % timeout_s, "-timeout_error",
            "-max_retrans", "3",
            "-trace_err", "-error_file", errfile,
            "-trace_msg", "-message_file", msgfile]
    if service:
        argv += ["-s", service]
    if auth:
        argv += ["-au", auth[0], "-ap", auth[1]]
    for k, v in (keys or {}).items():
        argv += ["-key", k, str(v)]
    argv += extra or []
    log("sipp %s: %s" % (name, " ".join(argv)))
    out = open(outfile, "wb")
    p = spawn(argv, stdout=out, stderr=subprocess.STDOUT, cwd=workdir)
    out.close()
    return SippRun(name, p, msgfile, errfile, outfile, os.path.basename(scen))

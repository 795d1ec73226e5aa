"""The checks run on pbxd: is it alive (PID, OPTIONS), new sanitizer reports, the active-call
gauge, and the inspection of every response, request and SDP body pbxd sends (a mixin of
the Fuzzer)."""

import glob
import os
import re

from .sipmsg import branch_of, tag_of, text


class Fatal(Exception):
    """pbxd died or stopped answering: no point in going on."""


class Checks:
    """Fuzzer methods checking pbxd and what it sends."""

    # ---------------------------------------------------------------- liveness

    def check_alive(self, why):
        if not self.pbx.alive():
            raise Fatal("pbxd exited with %s (%s)" % (self.pbx.proc.returncode, why))
        code = self.probe.options(timeout=2.0, tries=3)
        if code != 200:
            if not self.pbx.alive():
                raise Fatal("pbxd exited with %s (%s)" % (self.pbx.proc.returncode, why))
            raise Fatal("pbxd (pid %d) does not answer OPTIONS any more (got %s; %s)"
                        % (self.pbx.proc.pid, code, why))

    def sanitizer_reports(self):
        """New AddressSanitizer/UBSan output of pbxd since the last call: [(where, text)]."""
        out = []
        err = self.pbx.stderr_text()
        new, self.stderr_seen = err[self.stderr_seen:], len(err)
        for pat in (r"ERROR: AddressSanitizer[^\n]*", r"ERROR: LeakSanitizer[^\n]*",
                    r"[^\n]*runtime error:[^\n]*", r"WARNING: AddressSanitizer[^\n]*"):
            for m in re.finditer(pat, new):
                out.append(("stderr", m.group(0)))
        for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
            m = re.search(r"(?:^|:)log_path=([^:]+)", os.environ.get(var, ""))
            if not m:
                continue
            for path in glob.glob("%s.%d*" % (m.group(1), self.pbx.proc.pid)):
                try:
                    size = os.path.getsize(path)
                except OSError:
                    continue
                if (path, size) in self.san_files_seen:
                    continue
                self.san_files_seen.add((path, size))
                with open(path, "rb") as f:
                    body = f.read().decode("utf-8", "replace")
                first = next((ln for ln in body.splitlines()
                              if "ERROR" in ln or "runtime error" in ln), body[:200])
                frame = next((ln.strip() for ln in body.splitlines()
                              if re.search(r" in pbx::|\.cc:\d+", ln)), "")
                out.append((path, first.strip() + (" | first pbxkit frame: " + frame[:300]
                                                   if frame else "")))
        return out

    def active_calls(self):
        try:
            return self.pbx.metric("pbx_calls_active")
        except OSError:
            return None

    # ---------------------------------------------------------------- inspecting pbxd's output

    def inspect_response(self, phone, m, txn):
        st = m.status
        label = self.step_label(txn.step, txn.mutated) if txn else "unmatched"
        if st is None or not 100 <= st <= 699:
            self.finding("status outside 100-699", "%s answered %r" % (label, m.start))
            return
        req_method = txn.method if txn else m.method
        for h in ("via", "from", "to", "call-id", "cseq"):
            if m.get(h) is None and st != 400:  # sofia's parser rejects drop what they can't read
                self.note("%d without %s" % (st, h), "to %s" % label)
        required = {401: "www-authenticate", 407: "proxy-authenticate", 405: "allow",
                    420: "unsupported", 421: "require", 423: "min-expires"}
        if st in required and m.get(required[st]) is None:
            self.note("%d without %s (RFC 3261 21.4)" % (st, required[st]),
                      "%s to %s: %s" % (m.first_line(), label,
                                        "relayed from the callee" if txn and
                                        txn.method == "INVITE" else ""))
        if st == 500:
            self.note("500 to %s" % label.split("[")[0], "%s answered %r" % (label, m.start))
        if 300 <= st < 400 and m.get("contact") is None and txn is not None:
            self.note("%d without Contact" % st, "%s answered %r" % (label, m.start))
        if 100 < st and txn is not None and tag_of(txn.req.get("to")) is None and \
                tag_of(m.get("to")) in (None, "") and txn.method != "CANCEL":
            self.note("%d %s without a To tag" % (st, req_method),
                      "RFC 3261 8.2.6.2: to %s" % label)
        garbled = txn is not None and txn.mutated and self.plan and self.plan.family == "bytes"
        if txn is not None and tag_of(txn.req.get("to")) and not garbled and \
                tag_of(m.get("to")) != tag_of(txn.req.get("to")) and st > 100:
            self.note("%s response changes the To tag" % req_method,
                      "%s: sent %r, got %r" % (label, tag_of(txn.req.get("to")),
                                               tag_of(m.get("to"))))
        if m.body:
            self.inspect_sdp(m, "%s in %s to %s" % (m.first_line(), phone.name, label))
        if txn is not None and txn.method == "INVITE" and 200 <= st < 300 and \
                m.get("contact") is None:
            self.note("2xx to INVITE without Contact", "to %s" % label)

    def inspect_request(self, phone, m):
        if not re.match(r"z9hG4bK", branch_of(m.get("via")) or ""):
            self.note("request without an RFC 3261 branch", m.first_line())
        n, meth = m.cseq()
        if meth != m.method:
            self.note("CSeq method differs from the request's", m.first_line())
        if m.method != "ACK" and tag_of(m.get("from")) in (None, ""):
            self.note("%s without a From tag" % m.method, m.first_line())
        if m.body:
            self.inspect_sdp(m, "%s to %s" % (m.first_line(), phone.name))

    def inspect_sdp(self, m, where):
        ctype = (m.get("content-type") or "").lower()
        if not ctype.startswith("application/sdp"):
            return
        lines = text(m.body).split("\r\n")
        if lines and lines[-1] == "":
            lines = lines[:-1]
        problems = []
        if not lines or lines[0] != "v=0":
            self.note("pbxd sends SDP that does not start with v=0 (RFC 4566 5.1)",
                      "%s: %r" % (where, lines[0][:40] if lines else ""))
        audio = 0
        for ln in lines:
            if ln == "" or "\n" in ln or "\r" in ln:
                self.note("pbxd sends SDP with an empty or split line", where)
            elif ln.startswith("c=") and ln != "c=IN IP4 127.0.0.1":
                problems.append("foreign connection line %r" % ln[:80])
            elif ln.startswith("o=") and not ln.endswith(" IN IP4 127.0.0.1"):
                problems.append("foreign origin %r" % ln[:80])
            elif ln.startswith("m="):
                f = ln[2:].split()
                try:
                    port = int(f[1].split("/")[0])
                except (IndexError, ValueError):
                    problems.append("unreadable m= line %r" % ln[:80])
                    continue
                if port == 0:
                    continue
                if not self.pbx.media_min <= port <= self.pbx.media_max:
                    problems.append("m= port %d outside pbxd's media range" % port)
                if f[0] == "audio":
                    audio += 1
                    self.known_pbx_media.add(port)
                else:
                    problems.append("a non-audio stream with a port: %r" % ln[:80])
        if audio != 1:
            problems.append("%d audio streams with a port (1 expected)" % audio)
        if problems:
            self.finding("SDP from pbxd not anchored at pbxd", "%s: %s"
                         % (where, "; ".join(problems)))

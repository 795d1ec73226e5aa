"""The command line every integration test takes, skipping (exit 77) and the PASS/FAIL verdict."""

import argparse
import os
import shutil
import sys

from .process import log, say

SKIP_RC = 77  # ctest's SKIP_RETURN_CODE


def parse_args(extra=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--pbxd", required=True, help="path of the pbxd binary")
    ap.add_argument("--testdata", default="", help="the shared testdata dir (PBX_TESTDATA)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    if extra:
        extra(ap)
    a = ap.parse_args()
    if os.environ.get("PBX_TESTDATA"):
        a.testdata = os.environ["PBX_TESTDATA"]
    if not os.access(a.pbxd, os.X_OK):
        fail_now("pbxd binary %r is missing or not executable" % a.pbxd)
    return a


def skip(reason):
    say("")
    say("*" * 78)
    say("SKIPPED: %s" % reason)
    say("*" * 78)
    sys.exit(SKIP_RC)


def require_exe(name, package):
    path = shutil.which(name)
    if not path:
        skip("'%s' is not installed (Debian package %s); this integration test did not run"
             % (name, package))
    return path


def fail_now(msg):
    say("FAIL: %s" % msg)
    sys.exit(1)


class Checker:
    """Collects check results; prints PASS/FAIL lines."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.notes = []

    def check(self, cond, what, detail=""):
        if cond:
            log("  ok: %s" % what)
        else:
            msg = what + ((": " + detail) if detail else "")
            log("  FAILED: %s" % msg)
            self.failures.append(msg)
        return bool(cond)

    def note(self, msg):
        log("  note: %s" % msg)
        self.notes.append(msg)

    def verdict(self):
        say("")
        for n in self.notes:
            say("NOTE: %s" % n)
        if self.failures:
            for f in self.failures:
                say("FAIL: %s: %s" % (self.name, f))
            say("FAIL: %s (%d check(s) failed)" % (self.name, len(self.failures)))
            return 1
        say("PASS: %s" % self.name)
        return 0

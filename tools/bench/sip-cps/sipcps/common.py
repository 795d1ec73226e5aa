"""What every part of the bench shares: paths, addresses, the test accounts, logging."""

import os
import shutil

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # tools/bench/sip-cps
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SIPP = shutil.which("sipp") or "/usr/bin/sipp"
HOST = "127.0.0.1"
DOMAIN = "127.0.0.1"
BUFF = "4194304"

CALLER_USER, CALLEE_USER = "1000", "2000"
CPU_RATE = 800  # the rate step whose CPU per call the summary compares


def log(msg=""):
    print(msg, flush=True)


class BenchError(Exception):
    pass

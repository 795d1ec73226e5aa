"""Shared helpers for the pbxd integration tests (Python 3 stdlib only).

Every test script:
  * gets the pbxd binary and the testdata dir on the command line (verdict.parse_args),
  * starts pbxd on free 127.0.0.1 ports with a generated config (pbxd.Pbxd),
  * starts peers (sipp, baresip: baresip.BaresipPhone, linphonec) through process.spawn(),
    which records their PIDs, and talks to pbxd's REST API (rest.RestClient, rest.EventStream),
  * prints one PASS/FAIL line at the end and exits 0 / 1, or 77 (SKIP_RC) when a tool or the
    test data is missing.

Tests import the package as `import pbxtest as T`; every helper is re-exported here.
"""

from .audio import (dtmf_digits, pcmu_decode, read_wav, tone_frequency, wav_channels,
                    write_sine_wav)
from .baresip import BaresipPhone, require_baresip
from .digest import challenge_params, digest_fields, digest_response, format_credentials, md5
from .pbxd import DEFAULT_EXTENSIONS, Pbxd
from .ports import (BARESIP_RTP_PORTS, PBXD_MEDIA_PORTS, SIPP_MEDIA_PORTS, free_port,
                    free_port_block, free_port_pair)
from .process import (TestTimeout, install_deadline, log, make_workdir, remove_workdir, say,
                      spawn, stop_process)
from .raw_sip import UdpSip, header, parse_status
from .rest import EventStream, RestClient, auth_header, created_now
from .rtp_sink import RtpSink
from .sipp_run import SIPP_DIR, SippRun, sipp
from .verdict import SKIP_RC, Checker, fail_now, parse_args, require_exe, skip

__all__ = [
    "BARESIP_RTP_PORTS", "BaresipPhone", "Checker", "DEFAULT_EXTENSIONS", "EventStream", "PBXD_MEDIA_PORTS",
    "Pbxd", "RestClient", "RtpSink", "SIPP_DIR", "SIPP_MEDIA_PORTS", "SKIP_RC", "SippRun",
    "TestTimeout", "UdpSip", "auth_header", "challenge_params", "created_now", "digest_fields",
    "digest_response", "dtmf_digits", "fail_now", "format_credentials", "free_port", "free_port_block",
    "free_port_pair", "header", "install_deadline", "log", "make_workdir", "md5", "parse_args",
    "parse_status", "pcmu_decode", "read_wav", "remove_workdir", "require_baresip", "require_exe", "say", "sipp", "skip",
    "spawn", "stop_process", "tone_frequency", "wav_channels", "write_sine_wav",
]

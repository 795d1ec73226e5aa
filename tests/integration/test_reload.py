#!/usr/bin/python3
"""SIGHUP reloads pbxd's accounts: registrations of removed accounts go, the others stay,
and an invalid file keeps the old accounts. Raw SIP over UDP with digest auth (stdlib only).
"""
import os
import signal
import socket
import sys
import time

import pbxtest as T


def register(pbx, user, password, port):
    """REGISTER user from 127.0.0.1:port, answering the 401. Returns the final status."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    s.settimeout(3)
    try:
        auth = ""
        for cseq in (1, 2):
            msg = ("REGISTER sip:127.0.0.1 SIP/2.0\r\n"
                   "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-reload-%s-%d;rport\r\n"
                   "From: <sip:%s@127.0.0.1>;tag=r%d\r\nTo: <sip:%s@127.0.0.1>\r\n"
                   "Call-ID: reload-%s-%d@127.0.0.1\r\nCSeq: %d REGISTER\r\n"
                   "Contact: <sip:%s@127.0.0.1:%d>\r\nExpires: 600\r\nMax-Forwards: 70\r\n"
                   "%sContent-Length: 0\r\n\r\n"
                   % (port, user, cseq, user, port, user, user, port, cseq, user, port, auth))
            s.sendto(msg.encode(), ("127.0.0.1", pbx.port))
            while True:
                data = s.recv(65535).decode(errors="replace")
                status = int(data.split(" ", 2)[1])
                if status >= 200:
                    break
            if status != 401:
                return status
            challenge = T.header(data, "WWW-Authenticate")
            fields = T.digest_fields(challenge, "REGISTER", "sip:127.0.0.1", user, password,
                                     cnonce="c0ffee")
            auth = "Authorization: %s\r\n" % T.format_credentials(fields)
        return status
    finally:
        s.close()


def write_extensions(pbx, extensions):
    """Rewrites the extensions list at the end of pbx's config file."""
    with open(pbx.config_path) as f:
        head = f.read().split("extensions:")[0]
    lines = ["extensions:"]
    for number, accounts in extensions:
        lines.append('  - number: "%s"' % number)
        lines.append("    accounts:")
        for user, pw in accounts:
            lines.append('      - {username: "%s", password: "%s"}' % (user, pw))
    with open(pbx.config_path, "w") as f:
        f.write(head + "\n".join(lines) + "\n")


def main():
    args = T.parse_args()
    T.install_deadline(60)
    workdir = T.make_workdir("reload")
    c = T.Checker("SIGHUP reloads the accounts without dropping pbxd")
    pbx = T.Pbxd(args.pbxd, workdir,
                 extensions=[("100", [("100", "demo100")]), ("101", [("101", "demo101")])])
    try:
        pbx.start()
        c.check(register(pbx, "100", "demo100", T.free_port()) == 200, "100 registers")
        c.check(register(pbx, "101", "demo101", T.free_port()) == 200, "101 registers")
        c.check(pbx.wait_metric("pbx_registrations", lambda v: v == 2, 3) == 2,
                "two registrations before the reload")

        write_extensions(pbx, [("100", [("100", "demo100")]), ("102", [("102", "demo102")])])
        os.kill(pbx.proc.pid, signal.SIGHUP)
        c.check(pbx.wait_metric("pbx_registrations", lambda v: v == 1, 5) == 1,
                "the removed account's registration is dropped, the other kept")
        c.check(register(pbx, "102", "demo102", T.free_port()) == 200,
                "an account added by the reload can register")
        c.check(register(pbx, "101", "demo101", T.free_port()) == 403,
                "the removed account is refused")

        with open(pbx.config_path, "a") as f:
            f.write("  - number: [broken\n")
        os.kill(pbx.proc.pid, signal.SIGHUP)
        deadline = time.time() + 5
        while time.time() < deadline and "reload failed" not in pbx.stderr_text():
            time.sleep(0.05)
        c.check("reload failed" in pbx.stderr_text(), "an invalid file is reported")
        c.check(pbx.alive(), "pbxd keeps running after a bad reload")
        c.check(register(pbx, "102", "demo102", T.free_port()) == 200,
                "the previous accounts stay in force")
        c.check(pbx.stop() == 0, "pbxd exits 0 on SIGTERM")
    except Exception as e:  # noqa: BLE001 - report, then fail
        c.check(False, "no exception", repr(e))
        pbx.dump("exception")
    finally:
        pbx.stop()
    T.remove_workdir(workdir, failed=bool(c.failures))
    sys.exit(c.verdict())


if __name__ == "__main__":
    main()

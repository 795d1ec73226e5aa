#!/usr/bin/python3
"""SMTP sink for pbxkit's mail tests.

Runs an aiosmtpd server on 127.0.0.1:PORT and writes every message it receives to
DIR/NNNN.eml (the DATA bytes as received, CRLF line ends) plus DIR/NNNN.envelope (MAIL FROM
on the first line, one RCPT TO per following line). Each .eml appears atomically (renamed
into place), after its .envelope. Prints "READY" on stdout when it accepts connections and
runs until SIGTERM or SIGINT.

    /usr/bin/python3 tests/support/smtp_sink.py --port 2525 --dir /tmp/mails \
        [--user fax --password secret]

With --user, AUTH (PLAIN/LOGIN, allowed without TLS) is required and only that user and
password are accepted. With --tls-mode starttls (STARTTLS required before MAIL) or
implicit (TLS from the first byte), --cert and --key name the PEM certificate and key.
"""
import argparse
import os
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class SaveToDirectory:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, "%04d" % self.count)
        with open(base + ".envelope", "w", encoding="utf-8") as f:
            f.write("\n".join([envelope.mail_from] + list(envelope.rcpt_tos)) + "\n")
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 Message accepted for delivery"


def make_authenticator(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (getattr(auth_data, "login", None) == user.encode()
              and getattr(auth_data, "password", None) == password.encode())
        return AuthResult(success=ok, handled=False)
    return authenticate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--user")
    parser.add_argument("--password", default="")
    parser.add_argument("--tls-mode", choices=["none", "starttls", "implicit"], default="none")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    kwargs = {}
    if args.user:
        kwargs = dict(auth_required=True, auth_require_tls=False,
                      authenticator=make_authenticator(args.user, args.password))
    if args.tls_mode != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        if args.tls_mode == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        else:
            kwargs.update(ssl_context=context)
    controller = Controller(SaveToDirectory(args.dir), hostname="127.0.0.1", port=args.port,
                            **kwargs)
    controller.start()
    print("READY", flush=True)
    try:
        signal.sigwait({signal.SIGTERM, signal.SIGINT})
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    sys.exit(main())

"""Digest credentials (RFC 2617 / RFC 3261 22.4); strings are latin-1 text, byte for byte."""

import hashlib
import re

def md5(s):
    return hashlib.md5(s.encode("latin-1")).hexdigest()


def challenge_params(value):
    """{lower-case name: value} of a WWW-/Proxy-Authenticate value."""
    return dict((k.lower(), v) for k, v in
                re.findall(r'([A-Za-z-]+)\s*=\s*"?([^",]*)"?', value or ""))


def digest_fields(challenge, method, uri, user, password, cnonce="f00d", nc="00000001"):
    """[[name, value, quoted], ...] answering `challenge` (qop=auth when it is offered)."""
    ch = challenge_params(challenge)
    realm, nonce = ch.get("realm", ""), ch.get("nonce", "")
    fields = [["username", user, True], ["realm", realm, True], ["nonce", nonce, True],
              ["uri", uri, True]]
    qop = "auth" if "auth" in ch.get("qop", "").split(",") else ""
    fields.append(["response", digest_response(user, realm, password, method, uri, nonce,
                                               qop, nc, cnonce), True])
    fields.append(["algorithm", "MD5", False])
    if qop:
        fields += [["qop", qop, False], ["nc", nc, False], ["cnonce", cnonce, True]]
    if ch.get("opaque"):
        fields.append(["opaque", ch["opaque"], True])
    return fields


def digest_response(user, realm, password, method, uri, nonce, qop="", nc="", cnonce=""):
    """The request-digest (response=) of RFC 2617 3.2.2.1 (MD5; qop "auth" or none)."""
    ha1 = md5("%s:%s:%s" % (user, realm, password))
    ha2 = md5("%s:%s" % (method, uri))
    if qop:
        return md5("%s:%s:%s:%s:%s:%s" % (ha1, nonce, nc, cnonce, qop, ha2))
    return md5("%s:%s:%s" % (ha1, nonce, ha2))


def format_credentials(fields, scheme="Digest"):
    """An Authorization/Proxy-Authorization value from digest_fields()-style fields (a
    one-element field is written as it is)."""
    parts = []
    for f in fields:
        if len(f) == 1:
            parts.append(f[0])
        else:
            parts.append('%s="%s"' % (f[0], f[1]) if f[2] else "%s=%s" % (f[0], f[1]))
    return (scheme + " " + ", ".join(parts)).rstrip()

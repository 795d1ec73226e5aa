"""Mutators of the digest credentials (family "auth"): Proxy-Authorization of an INVITE,
Authorization of a REGISTER (realm, nonce, username, response, uri, algorithm/qop, scheme,
duplicated headers, syntax). Where only one field is meant to be wrong, the response is
recomputed over the changed fields."""

from pbxtest import digest_response, format_credentials

from ..accounts import ACCOUNTS, REALM
from .registry import mutator


def auth_rewrite(m, cx, fields=None, scheme="Digest", name=None, value=None):
    hdr, orig_fields = cx.auth[0], cx.auth[1]
    m.remove(hdr)
    m.add(name or hdr, value if value is not None else
          format_credentials(orig_fields if fields is None else fields, scheme))


def fields_copy(cx):
    return [list(f) for f in cx.auth[1]]


def fset(fields, name, value, quoted=True):
    for f in fields:
        if f[0] == name:
            f[1] = value
            return fields
    fields.append([name, value, quoted])
    return fields


def fdel(fields, name):
    return [f for f in fields if f[0] != name]


def frecompute(cx, fields):
    """Recomputes the response over the (changed) fields, so only what changed is 'wrong'."""
    _, _, method, user, password, _ = cx.auth
    d = dict((f[0], f[1]) for f in fields if len(f) == 3)
    fset(fields, "response", digest_response(d.get("username", user), d.get("realm", ""),
                                             password, method, d.get("uri", ""),
                                             d.get("nonce", ""), d.get("qop", ""),
                                             d.get("nc", ""), d.get("cnonce", "")))
    return fields


@mutator("auth", 2)
def auth_realm(m, r, cx):
    f = fields_copy(cx)
    how = r.choice(["wrong", "missing", "empty", "upper", "recomputed"])
    if how == "missing":
        f = fdel(f, "realm")
    elif how == "recomputed":
        f = frecompute(cx, fset(f, "realm", "evil.example"))
    else:
        fset(f, "realm", {"wrong": "evil.example", "empty": "", "upper": REALM.upper()}[how])
    auth_rewrite(m, cx, f)


NONCES = ["", "abc", ".", "123.", ".abc", "-1.00", "99999999999999999999.x",
          "9223372036854775807.aaaa", "-9223372036854775808.aaaa", "0.0", "1.1", "+1.1",
          " 1.1", "n" * 5000, "1e9.abc", "%s.000000000000000000000000", "%s.",
          "%s.%s" % ("1", "f" * 24), "\\\"", "0x10.ab"]


@mutator("auth", 4)
def auth_nonce(m, r, cx):
    f = fields_copy(cx)
    nonce = dict((x[0], x[1]) for x in f if len(x) == 3).get("nonce", "")
    stamp = nonce.split(".")[0]
    how = r.random()
    if how < 0.15:
        f = fdel(f, "nonce")
    elif how < 0.3 and cx.fz.old_nonce:
        f = frecompute(cx, fset(f, "nonce", cx.fz.old_nonce))
    elif how < 0.45:
        # our stamp, a forged MAC; or a stamp from the future/past with our MAC
        mac = nonce.split(".", 1)[1] if "." in nonce else ""
        forged = r.choice(["%s.%s" % (stamp, "0" * len(mac)), "%s.%s" % (stamp, mac.upper()),
                           "%d.%s" % (int(stamp or 0) + 1, mac), "%d.%s" % (int(stamp or 0)
                                                                          - 400, mac),
                           "%s.%s" % (stamp, mac[:-1]), "%s.%sx" % (stamp, mac),
                           "0%s.%s" % (stamp, mac)])
        f = frecompute(cx, fset(f, "nonce", forged))
    else:
        v = r.choice(NONCES)
        if "%s" in v:
            v = v.replace("%s", stamp, 1)
        f = frecompute(cx, fset(f, "nonce", v)) if r.random() < 0.5 else fset(f, "nonce", v)
    auth_rewrite(m, cx, f)


@mutator("auth", 3)
def auth_username(m, r, cx):
    f = fields_copy(cx)
    how = r.choice(["missing", "other-ourpw", "other-theirpw", "unknown", "huge", "empty",
                    "quote", "case", "space"])
    if how == "missing":
        f = fdel(f, "username")
    elif how == "other-theirpw":
        other = r.choice([u for u in ACCOUNTS if u != cx.auth[3]])
        f = fset(f, "username", other)
        _, _, method, _, _, challenge = cx.auth
        d = dict((x[0], x[1]) for x in f if len(x) == 3)
        fset(f, "response", digest_response(other, d.get("realm", ""), ACCOUNTS[other],
                                            method, d.get("uri", ""), d.get("nonce", ""),
                                            d.get("qop", ""), d.get("nc", ""),
                                            d.get("cnonce", "")))
    else:
        v = {"other-ourpw": "101", "unknown": "nobody", "huge": "u" * 4000, "empty": "",
             "quote": '10"0', "case": cx.auth[3].upper() + "A", "space": " " + cx.auth[3]}[how]
        f = frecompute(cx, fset(f, "username", v))
    auth_rewrite(m, cx, f)


@mutator("auth", 3)
def auth_response(m, r, cx):
    f = fields_copy(cx)
    resp = dict((x[0], x[1]) for x in f if len(x) == 3).get("response", "")
    how = r.choice(["missing", "wrong", "huge", "upper", "empty", "nonhex", "short", "long"])
    if how == "missing":
        f = fdel(f, "response")
    else:
        fset(f, "response", {"wrong": "0" * 32, "huge": "a" * 5000, "upper": resp.upper(),
                             "empty": "", "nonhex": "zz" * 16, "short": resp[:31],
                             "long": resp + "0"}[how])
    auth_rewrite(m, cx, f)


@mutator("auth", 2)
def auth_uri(m, r, cx):
    f = fields_copy(cx)
    how = r.choice(["missing", "other", "other-recomputed", "huge-recomputed", "empty"])
    if how == "missing":
        f = fdel(f, "uri")
    elif how == "other":
        fset(f, "uri", "sip:other@127.0.0.1")
    elif how == "empty":
        f = frecompute(cx, fset(f, "uri", ""))
    else:
        f = frecompute(cx, fset(f, "uri", "sip:other@127.0.0.1" if how == "other-recomputed"
                                else "sip:" + "x" * 4000))
    auth_rewrite(m, cx, f)


@mutator("auth", 2)
def auth_algorithm_qop(m, r, cx):
    f = fields_copy(cx)
    how = r.choice(["sha256", "md5sess", "junk", "empty", "lower", "qop-int", "qop-junk",
                    "qop-none", "qop-no-nc", "nc-junk", "nc-max", "qop-list"])
    if how in ("sha256", "md5sess", "junk", "empty", "lower"):
        f = frecompute(cx, fset(f, "algorithm", {"sha256": "SHA-256", "md5sess": "MD5-sess",
                                                 "junk": "x" * 100, "empty": "",
                                                 "lower": "md5"}[how], False))
    elif how == "qop-none":
        f = frecompute(cx, fdel(fdel(fdel(f, "qop"), "nc"), "cnonce"))
    elif how == "qop-no-nc":
        f = frecompute(cx, fdel(fdel(fset(f, "qop", "auth", False), "nc"), "cnonce"))
    else:
        f = fset(f, "qop", "auth", False)
        fset(f, "nc", "00000001", False)
        fset(f, "cnonce", "c0ffee")
        if how == "qop-int":
            fset(f, "qop", "auth-int", False)
        elif how == "qop-junk":
            fset(f, "qop", "junk", False)
        elif how == "qop-list":
            fset(f, "qop", "auth,auth-int", True)
        elif how == "nc-junk":
            fset(f, "nc", "zz", False)
        else:
            fset(f, "nc", "ffffffffff", False)
        f = frecompute(cx, f)
    auth_rewrite(m, cx, f)


@mutator("auth", 2)
def auth_scheme(m, r, cx):
    how = r.choice(["basic", "bare", "lower", "ntlm", "empty", "comma", "space"])
    if how == "basic":
        auth_rewrite(m, cx, value="Basic MTAwOnB3LTEwMA==")
    elif how == "bare":
        auth_rewrite(m, cx, value="Digest")
    elif how == "lower":
        auth_rewrite(m, cx, scheme="digest")
    elif how == "ntlm":
        auth_rewrite(m, cx, value="NTLM TlRMTVNTUAABAAAAB4IIAAAAAAAAAAAAAAAAAAAAAAA=")
    elif how == "empty":
        auth_rewrite(m, cx, value="")
    elif how == "comma":
        auth_rewrite(m, cx, value="Digest ,,, , " + format_credentials(cx.auth[1], "")[1:])
    else:
        auth_rewrite(m, cx, value=format_credentials(cx.auth[1]).replace(", ", " ,\t "))


@mutator("auth", 3)
def auth_headers(m, r, cx):
    hdr = cx.auth[0]
    other = "Authorization" if hdr == "Proxy-Authorization" else "Proxy-Authorization"
    good = format_credentials(cx.auth[1])
    bad = format_credentials(fset(fields_copy(cx), "response", "0" * 32))
    how = r.choice(["bad-first", "good-first", "both-names", "wrong-name", "other-scheme-first",
                    "one-line"])
    m.remove(hdr)
    if how == "bad-first":
        m.add(hdr, bad).add(hdr, good)
    elif how == "good-first":
        m.add(hdr, good).add(hdr, bad)
    elif how == "both-names":
        m.add(hdr, good).add(other, bad)
    elif how == "wrong-name":
        m.add(other, good)
    elif how == "other-scheme-first":
        m.add(hdr, "Basic MTAwOnB3").add(hdr, good)
    else:
        m.add(hdr, bad + ", " + good)


@mutator("auth", 2)
def auth_syntax(m, r, cx):
    f = fields_copy(cx)
    how = r.choice(["unquoted", "escaped", "noval", "dup-param", "huge", "unterminated",
                    "spaces", "nul", "upper-names"])
    if how == "unquoted":
        for x in f:
            if len(x) == 3:
                x[2] = False
    elif how == "escaped":
        for x in f:
            if len(x) == 3 and x[2]:
                x[1] = x[1].replace("1", "\\1")
    elif how == "noval":
        f = [["foo"], ["=bar"]] + f + [["baz="]]
    elif how == "dup-param":
        f = f + [["username", r.choice(["101", "nobody", ""]), True],
                 ["response", "0" * 32, True]][:r.choice([1, 2])]
    elif how == "huge":
        for x in f:
            if len(x) == 3 and x[0] not in ("username", "response", "nonce", "realm"):
                x[1] = x[1] + "h" * 3000
        f.append(["x-junk", "j" * 8000, True])
    elif how == "unterminated":
        auth_rewrite(m, cx, value=format_credentials(f)[:-1])
        return
    elif how == "spaces":
        auth_rewrite(m, cx, value=format_credentials(f).replace("=", " = "))
        return
    elif how == "nul":
        fset(f, "cnonce", "a\x00b")
    else:
        for x in f:
            x[0] = x[0].upper()
    auth_rewrite(m, cx, f)

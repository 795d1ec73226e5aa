"""Mutators of a REGISTER (family "reg"): Expires, Contact "*", per-contact expires, many
contacts, odd Contact URIs, no Contact, To/From, Request-URI."""

from .registry import mutator, set_or_remove
from .request_headers import contact_value


@mutator("reg", 4)
def reg_expires(m, r, cx):
    set_or_remove(m, r, "Expires",
                  ["4294967295", "4294967296", "99999999999999999999", "-1", "abc", "3600.5",
                   "1e9", "0", "1", "59", "60", "3601", "", "2147483648", " 30 ", "0x10"], 0.2)


@mutator("reg", 4)
def reg_star(m, r, cx):
    how = r.choice(["exp0", "noexp", "plus", "param", "exp5", "two-stars", "star-exp-huge"])
    m.set("Contact", "*")
    if how == "exp0":
        m.set("Expires", "0")
    elif how == "noexp":
        m.remove("Expires")
    elif how == "plus":
        m.set("Expires", "0")
        m.add("Contact", cx.phone.contact())
    elif how == "param":
        m.set("Contact", "*;expires=0")
        m.remove("Expires")
    elif how == "exp5":
        m.set("Expires", "5")
    elif how == "two-stars":
        m.set("Expires", "0")
        m.add("Contact", "*")
    else:
        m.set("Expires", "4294967296")


@mutator("reg", 4)
def reg_contact_expires(m, r, cx):
    v = r.choice(["0", "1", "4294967295", "4294967296", "-1", "abc", "", "99999999999999999999",
                  "3600;expires=0", "\"60\""])
    m.set("Contact", "<sip:%s@127.0.0.1:%d>;expires=%s" % (cx.phone.user, cx.phone.port, v))


@mutator("reg", 3)
def reg_many_contacts(m, r, cx):
    m.remove("Contact")
    n = r.choice([2, 3, 20, 100])
    for k in range(n):
        exp = r.choice(["", ";expires=0", ";expires=30", ";q=0.%d" % (k % 10)])
        m.add("Contact", "<sip:%s@127.0.0.1:%d;k=%d>%s" % (cx.phone.user, cx.phone.port, k, exp))
    if r.random() < 0.3:
        m.add("Contact", "*")


@mutator("reg", 4)
def reg_contact_uri(m, r, cx):
    m.set("Contact", contact_value(r, cx))
    if r.random() < 0.3:
        m.set("Expires", "0")


@mutator("reg", 1)
def reg_no_contact(m, r, cx):
    m.remove("Contact")


@mutator("reg", 2)
def reg_to_from(m, r, cx):
    how = r.choice(["to-other", "to-nouser", "from-other", "to-unknown", "to-tel", "to-sips",
                    "to-huge"])
    v = {"to-other": "<sip:101@127.0.0.1>", "to-nouser": "<sip:127.0.0.1>",
         "from-other": "<sip:101@127.0.0.1>;tag=zz", "to-unknown": "<sip:nobody@127.0.0.1>",
         "to-tel": "<tel:%s>" % cx.phone.user, "to-sips": "<sips:%s@127.0.0.1>" % cx.phone.user,
         "to-huge": "<sip:%s@127.0.0.1>" % ("x" * 4000)}[how]
    m.set("From" if how == "from-other" else "To", v)


@mutator("reg", 1)
def reg_ruri(m, r, cx):
    m.start = "REGISTER %s SIP/2.0" % r.choice([
        "sip:example.com", "sip:127.0.0.1;transport=tcp", "sip:104@127.0.0.1", "sips:127.0.0.1",
        "tel:104", "sip:[::1]", "sip:127.0.0.1:1"])

"""The registry of mutators (FAMILIES, filled by the @mutator decorator) and MutCtx, what a
mutator may need besides the message."""

import collections


FAMILIES = collections.defaultdict(dict)


def mutator(family, weight=1, name=None):
    def register(f):
        FAMILIES[family][name or f.__name__.split("_", 1)[1]] = (f, weight)
        return f
    return register


def set_or_remove(m, r, name, values, p_remove):
    """Header `name` set to one of `values`, or (with probability p_remove) removed."""
    v = r.choice(values)
    if r.random() < p_remove:
        m.remove(name)
    else:
        m.set(name, v)


class MutCtx:
    """What a mutator may need besides the message."""

    def __init__(self, fz, phone, step, sdp_kind="offer"):
        self.fz, self.phone, self.step = fz, phone, step
        self.pbx = fz.pbx
        self.auth = None  # (header name, fields, method, user, password, challenge)
        self.known_pbx_media = fz.known_pbx_media

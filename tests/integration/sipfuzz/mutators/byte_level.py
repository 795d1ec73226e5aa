"""The byte-level mutator (family "bytes"): bit flips, set/inserted/deleted/duplicated bytes,
line breaks and truncation of the serialized message."""

from .registry import mutator


@mutator("bytes", 1)
def bytes_noise(m, r, cx):
    data = bytearray(m.to_bytes())
    for _ in range(r.choice([1, 1, 2, 4, 8])):
        op = r.choice(["flip", "set", "insert", "delete", "dup", "crlf", "truncate"])
        if not data:
            break
        i = r.randrange(len(data))
        if op == "flip":
            data[i] ^= 1 << r.randrange(8)
        elif op == "set":
            data[i] = r.choice([0, 0x0a, 0x0d, 0x20, 0x3a, 0x3b, 0x2c, 0x3c, 0x3e, 0x22, 0xff,
                                r.randrange(256)])
        elif op == "insert":
            data[i:i] = bytes(r.randrange(256) for _ in range(r.randrange(1, 17)))
        elif op == "delete":
            del data[i:i + r.randrange(1, 17)]
        elif op == "dup":
            data[i:i] = data[i:i + r.randrange(1, 64)]
        elif op == "crlf":
            data[i:i] = b"\r\n"
        elif r.random() < 0.3:
            del data[i:]
    return [bytes(data)]

"""What a phone heard: WAV files read back, G.711 mu-law decoded, a tone's frequency measured
and DTMF digits detected (Python stdlib only, no numpy: the signals are a few seconds long).

  rate, samples = read_wav(path)                 # the first channel, as ints
  write_sine_wav(path, 800, 3.0)                 # a test prompt: 8 kHz mono 16-bit
  f, share = tone_frequency(samples, rate)       # Hz, and the share of periods that agree
  digits = dtmf_digits(pcmu_decode(payload), 8000)   # "123"
"""

import array
import math
import wave


def read_wav(path, channel=0):
    """(sample rate, the 16-bit samples of one channel (the first) as a list of ints)."""
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError("%s: %d-byte samples, expected 16-bit" % (path, w.getsampwidth()))
        rate, channels = w.getframerate(), w.getnchannels()
        data = w.readframes(w.getnframes())
    if channel >= channels:
        raise ValueError("%s: %d channel(s), no channel %d" % (path, channels, channel))
    mono = memoryview(data).cast("h")[channel::channels]
    return rate, list(mono)


def wav_channels(path):
    with wave.open(path, "rb") as w:
        return w.getnchannels()


def write_sine_wav(path, freq, seconds, rate=8000, amplitude=8000):
    """A mono 16-bit WAV file of a sine at `freq` Hz."""
    n = int(seconds * rate)
    frames = array.array("h", (int(amplitude * math.sin(2 * math.pi * freq * i / rate))
                               for i in range(n)))
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames.tobytes())


def _mulaw_sample(byte):
    # G.711 mu-law expansion: invert, then sign, exponent and mantissa (ITU-T G.711 table 2)
    byte = ~byte & 0xFF
    exponent = (byte >> 4) & 0x07
    magnitude = (((byte & 0x0F) << 3) + 0x84) << exponent
    magnitude -= 0x84
    return -magnitude if byte & 0x80 else magnitude


_MULAW = [_mulaw_sample(b) for b in range(256)]


def pcmu_decode(payload):
    """G.711 mu-law bytes as 16-bit linear samples."""
    return [_MULAW[b] for b in payload]


def rms(samples):
    return math.sqrt(sum(x * x for x in samples) / len(samples)) if samples else 0.0


def tone_frequency(samples, rate, skip_s=0.5, min_rms=300.0):
    """The frequency of the tone in `samples` (its first `skip_s` seconds left out: the call's
    start), from the median period between upward zero crossings, and the share of periods
    within 2% of that median (near 1.0 for a clean tone). (None, 0.0) when it is too quiet."""
    x = samples[int(skip_s * rate):]
    if len(x) < rate // 4:
        return None, 0.0
    mean = sum(x) / len(x)
    x = [s - mean for s in x]
    if rms(x) < min_rms:
        return None, 0.0
    crossings = []  # fractional sample positions where the signal goes from below 0 to >= 0
    for i in range(1, len(x)):
        a, b = x[i - 1], x[i]
        if a < 0 <= b:
            crossings.append(i - 1 + (-a) / (b - a))
    periods = sorted(b - a for a, b in zip(crossings, crossings[1:]))
    if len(periods) < 10:
        return None, 0.0
    median = periods[len(periods) // 2]
    agree = sum(1 for p in periods if abs(p - median) <= 0.02 * median)
    return rate / median, agree / len(periods)


def goertzel_power(block, rate, freq):
    """The power of `freq` in `block`, scaled so that a sine of amplitude A gives A^2 / 2."""
    coeff = 2.0 * math.cos(2.0 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for x in block:
        s1, s2 = x + coeff * s1 - s2, s1
    power = s1 * s1 + s2 * s2 - coeff * s1 * s2
    return 2.0 * power / (len(block) * len(block))


DTMF_ROWS = (697, 770, 852, 941)
DTMF_COLUMNS = (1209, 1336, 1477, 1633)
DTMF_KEYS = ("123A", "456B", "789C", "*0#D")


def _block_digit(block, rate):
    """The DTMF key one block holds, or None: one row and one column tone that together carry
    most of the block's power, each well above the others of its group."""
    total = sum(x * x for x in block) / len(block)
    if total < 100.0 * 100.0:  # below about -50 dBm0: silence
        return None
    rows = [goertzel_power(block, rate, f) for f in DTMF_ROWS]
    cols = [goertzel_power(block, rate, f) for f in DTMF_COLUMNS]
    r, c = rows.index(max(rows)), cols.index(max(cols))
    if rows[r] + cols[c] < 0.6 * total:
        return None
    if any(p * 4 > rows[r] for i, p in enumerate(rows) if i != r):
        return None
    if any(p * 4 > cols[c] for i, p in enumerate(cols) if i != c):
        return None
    if not 1 / 8.0 < rows[r] / cols[c] < 8.0:  # twist within 9 dB
        return None
    return DTMF_KEYS[r][c]


def dtmf_digits(samples, rate=8000, block_ms=20):
    """The DTMF keys in `samples`, in order: a key counts once it fills two blocks in a row
    (40 ms), and again only after a block without it."""
    n = rate * block_ms // 1000
    out = []
    previous, run = None, 0
    for start in range(0, len(samples) - n + 1, n):
        key = _block_digit(samples[start:start + n], rate)
        run = run + 1 if key is not None and key == previous else 1
        if key is not None and run == 2:
            out.append(key)
        previous = key
    return "".join(out)

"""Reading sipp's -trace_stat CSV files."""

import csv

def read_stat(path):
    """Rows of a sipp -trace_stat CSV as dicts (may be empty)."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f, delimiter=";"))
    except OSError:
        return []
    if len(rows) < 2:
        return []
    head = rows[0]
    return [dict(zip(head, r)) for r in rows[1:] if len(r) >= len(head) - 1]


def epoch(field):
    # "2026-11-22\t12:59:25.844548\t1795352365.844548"
    try:
        return float(field.split("\t")[-1])
    except (ValueError, AttributeError):
        return 0.0


def ival(row, key):
    try:
        return int(row.get(key, "0") or 0)
    except ValueError:
        return 0


def creation_seconds(rows, total):
    """Seconds from start until `total` calls were created (interpolated)."""
    if not rows:
        return None
    t0 = epoch(rows[0]["StartTime"])
    prev_t, prev_c = t0, 0
    for r in rows:
        t, c = epoch(r["CurrentTime"]), ival(r, "TotalCallCreated")
        if c >= total:
            if c == prev_c:
                return t - t0
            return (prev_t - t0) + (total - prev_c) / (c - prev_c) * (t - prev_t)
        prev_t, prev_c = t, c
    return None

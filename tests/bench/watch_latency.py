#!/usr/bin/env python3
"""watch_latency.py: how long `ordergate watch` takes from drop to done.

    watch_latency.py ORDERGATE CONFIG SPOOL SRCDIR COUNT INPLACE [RATE]

Starts `ORDERGATE watch -c CONFIG --spool SPOOL`, waits for its "watching"
line, then drops the first COUNT files of SRCDIR (sorted) at a steady RATE
documents per second (default 50) the documented way: each is copied to
SPOOL/../watch-stage beforehand and renamed into in/ at its moment
(start + i / RATE), whether or not the previous ones are done. The latency
of a document is the time from its rename to the engine's log line naming
the file (written once its outputs are published and the ledger has
committed). Then INPLACE more files are copied straight into in/ one at a
time (written in place, so the [pickup] quiet period applies).

Prints one JSON object: for the renamed files count, p50/p90/p99/max/mean
milliseconds, the drop rate achieved and the time from the last drop to the
last document done; the same percentiles for files written in place; and
any file that never finished.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

TIMEOUT = 30.0
NAME = re.compile(r"[A-Za-z0-9_.-]+\.xml")


def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * (len(xs) - 1)))))
    return round(xs[k] * 1000.0, 1)


def summary(xs):
    return {"n": len(xs), "p50_ms": pct(xs, 50), "p90_ms": pct(xs, 90),
            "p99_ms": pct(xs, 99),
            "max_ms": round(max(xs) * 1000.0, 1) if xs else None,
            "mean_ms": round(sum(xs) / len(xs) * 1000.0, 1) if xs else None}


class Log:
    """Reads the engine's stderr; remembers when each file name first
    appeared in a line, and whether the 'watching' line came."""

    def __init__(self, stream):
        self.cond = threading.Condition()
        self.done = {}
        self.watching = False
        self.closed = False
        threading.Thread(target=self.read, args=(stream,), daemon=True).start()

    def read(self, stream):
        for raw in stream:
            t = time.monotonic()
            line = raw.decode("utf-8", "replace")
            with self.cond:
                if "watching" in line:
                    self.watching = True
                for name in NAME.findall(line):
                    self.done.setdefault(os.path.basename(name), t)
                self.cond.notify_all()
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def wait(self, pred, deadline):
        with self.cond:
            while not pred():
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    return pred()
                self.cond.wait(left)
            return True


def main():
    if len(sys.argv) not in (7, 8):
        print(__doc__, file=sys.stderr)
        return 64
    og, config, spool, src, count, inplace = sys.argv[1:7]
    count, inplace = int(count), int(inplace)
    rate = float(sys.argv[7]) if len(sys.argv) == 8 else 50.0
    names = sorted(n for n in os.listdir(src) if n.endswith(".xml"))[: count + inplace]
    dropped, placed_names = names[:count], names[count:]
    os.makedirs(os.path.join(spool, "in"), exist_ok=True)
    stage = os.path.join(os.path.dirname(os.path.abspath(spool)), "watch-stage")
    os.makedirs(stage, exist_ok=True)
    for name in dropped:
        shutil.copyfile(os.path.join(src, name), os.path.join(stage, name))

    proc = subprocess.Popen([og, "watch", "-c", config, "--spool", spool],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    log = Log(proc.stderr)
    result = {"renamed": None, "in_place": None, "lost": [], "error": None}
    try:
        if not log.wait(lambda: log.watching, time.monotonic() + TIMEOUT):
            result["error"] = "ordergate watch did not start (no 'watching' line in %.0f s)" % TIMEOUT
            return finish(proc, result)
        time.sleep(0.3)
        # steady drops: the i-th at start + i / rate
        t_drop = {}
        start = time.monotonic()
        for i, name in enumerate(dropped):
            at = start + i / rate
            now = time.monotonic()
            if at > now:
                time.sleep(at - now)
            t_drop[name] = time.monotonic()
            os.rename(os.path.join(stage, name), os.path.join(spool, "in", name))
        last_drop = time.monotonic()
        log.wait(lambda: all(n in log.done for n in dropped), last_drop + TIMEOUT)
        lat = [log.done[n] - t_drop[n] for n in dropped if n in log.done]
        result["lost"] += [n for n in dropped if n not in log.done]
        result["renamed"] = summary(lat)
        result["renamed"]["rate_per_s"] = rate
        span = last_drop - start
        result["renamed"]["achieved_rate_per_s"] = (
            round((len(dropped) - 1) / span, 1) if len(dropped) > 1 and span > 0 else None)
        if lat:
            result["renamed"]["drain_ms"] = round(
                (max(log.done[n] for n in dropped if n in log.done) - last_drop) * 1000.0, 1)
        placed = []
        for name in placed_names:
            t0 = time.monotonic()
            shutil.copyfile(os.path.join(src, name), os.path.join(spool, "in", name))
            if log.wait(lambda n=name: n in log.done, time.monotonic() + TIMEOUT):
                placed.append(log.done[name] - t0)
            else:
                result["lost"].append(name)
        result["in_place"] = summary(placed)
    finally:
        finish(proc, None)
    print(json.dumps(result))
    return 0 if not result["lost"] and not result["error"] else 1


def finish(proc, result):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if result is not None:
        print(json.dumps(result))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

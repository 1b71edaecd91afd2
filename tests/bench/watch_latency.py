#!/usr/bin/env python3
"""watch_latency.py: how long `ordergate watch` takes from drop to done.

    watch_latency.py ORDERGATE CONFIG SPOOL SRCDIR COUNT INPLACE

Starts `ORDERGATE watch -c CONFIG --spool SPOOL`, waits for its "watching"
line, then drops the first COUNT files of SRCDIR (sorted) one at a time the
documented way: written to SPOOL/../watch-stage and renamed into in/. The
latency of a document is the time from the rename to the engine's log line
naming the file (written once its outputs are published and the ledger has
committed). Then INPLACE more files are copied straight into in/ (written
in place, so the [pickup] quiet period applies). One drop at a time: this
measures latency, not throughput.

Prints one JSON object: count, p50/p90/max/mean milliseconds for renamed
files, the same for files written in place, and any that never finished.
"""

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time

TIMEOUT = 30.0


def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * (len(xs) - 1)))))
    return round(xs[k] * 1000.0, 1)


def summary(xs):
    return {"n": len(xs), "p50_ms": pct(xs, 50), "p90_ms": pct(xs, 90),
            "max_ms": round(max(xs) * 1000.0, 1) if xs else None,
            "mean_ms": round(sum(xs) / len(xs) * 1000.0, 1) if xs else None}


def main():
    if len(sys.argv) != 7:
        print(__doc__, file=sys.stderr)
        return 64
    og, config, spool, src, count, inplace = sys.argv[1:]
    count, inplace = int(count), int(inplace)
    names = sorted(n for n in os.listdir(src) if n.endswith(".xml"))[: count + inplace]
    os.makedirs(os.path.join(spool, "in"), exist_ok=True)
    stage = os.path.join(os.path.dirname(os.path.abspath(spool)), "watch-stage")
    os.makedirs(stage, exist_ok=True)

    proc = subprocess.Popen([og, "watch", "-c", config, "--spool", spool],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    lines = queue.Queue()

    def reader():
        for raw in proc.stderr:
            lines.put((time.monotonic(), raw.decode("utf-8", "replace")))
        lines.put((time.monotonic(), None))

    threading.Thread(target=reader, daemon=True).start()

    def wait_for(pred, deadline):
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                t, line = lines.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                return None
            if pred(line):
                return t

    result = {"renamed": None, "in_place": None, "lost": [], "error": None}
    try:
        if wait_for(lambda l: "watching" in l, time.monotonic() + TIMEOUT) is None:
            result["error"] = "ordergate watch did not start (no 'watching' line in %.0f s)" % TIMEOUT
            return finish(proc, result)
        time.sleep(0.3)
        renamed, placed = [], []
        for i, name in enumerate(names):
            in_place = i >= count
            dest = os.path.join(spool, "in", name)
            if in_place:
                t0 = time.monotonic()
                shutil.copyfile(os.path.join(src, name), dest)
            else:
                tmp = os.path.join(stage, name)
                shutil.copyfile(os.path.join(src, name), tmp)
                t0 = time.monotonic()
                os.rename(tmp, dest)
            t1 = wait_for(lambda l, n=name: (" %s: " % n) in l or ("/%s" % n) in l,
                          time.monotonic() + TIMEOUT)
            if t1 is None:
                result["lost"].append(name)
                continue
            (placed if in_place else renamed).append(t1 - t0)
            time.sleep(0.05)
        result["renamed"] = summary(renamed)
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

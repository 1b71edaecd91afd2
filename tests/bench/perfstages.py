#!/usr/bin/env python3
"""perfstages.py: where ordergate's CPU goes, by pipeline stage.

    perf script --no-inline -F pid,ip,sym,dso -i perf.data | perfstages.py FREQ

Reads `perf script` output of a `perf record --call-graph dwarf -F FREQ`
of one `ordergate run` (parent and workers), and attributes every sample
to one stage by walking its call chain from the outside in: the last
marker function met decides (so gzip inside a worker is "gzip", fsync
inside the group commit is "fsync"). The parent is the process of the
first sample (the one exec'd); every other process is a worker.

Prints, for the parent and for the workers, CPU milliseconds and share by
stage. Only CPU time is sampled: time spent waiting (fsync on the disk,
idle workers) is not in here; tests/bench/profile.sh measures that apart.
"""

import sys
from collections import Counter

# (marker, stage), checked on each frame from the root to the leaf; a
# later (inner) match overrides an earlier one.
WORKER = [
    ("pipeline_init", "start-up: compile stylesheets, schemas"),
    ("pipeline_run_input", "read input, other"),
    ("pipeline_run", "pipeline, other"),
    ("sha256_hex", "sha256 of input"),
    ("gzip_into", "gzip archive copy"),
    ("detect_bytes", "detect format"),
    ("detect_xml", "detect format"),
    ("xmlsafe_parse", "parse input (libxml2)"),
    ("xform_apply", "inbound map (XSLT)"),
    ("canon_complete", "normalise + compute (canon.c)"),
    ("rules_decide", "decide"),
    ("canon_validate", "RelaxNG validation of canonical"),
    ("xmlDocDumpFormatMemoryEnc", "serialise canonical"),
    ("emit_render", "emit, other"),
    ("pipeline_result_encode", "encode result for the parent"),
    ("wire_send", "send result to the parent"),
    ("wire_recv", "wait for / read the next job"),
    ("xmlFreeDoc", "free trees"),
]
EMIT = [  # refinements once inside emit_render
    ("xform_apply", "outbound XSLT (po + confirmation)"),
    ("xform_serialize", "serialise outputs"),
    ("xmlReadMemory", "DTD validation of outputs (re-parse)"),
    ("xmlValidateDtd", "DTD validation of outputs"),
    ("xmlFreeDoc", "free trees"),
]
PARENT = [
    ("_dl_start", "process start"),
    ("pipeline_init", "start-up: compile stylesheets, schemas"),
    ("pipeline_shutdown", "shut-down"),
    ("ledger_open", "start-up: open ledger"),
    ("recover", "start-up: recovery scan"),
    ("pickup_scan", "pickup: list in/"),
    ("claim_next", "claim (rename into work/)"),
    ("spool_claim_from", "claim (rename into work/)"),
    ("pool_submit", "dispatch job"),
    ("pool_wait", "receive results"),
    ("pipeline_result_decode", "receive results"),
    ("commit_group", "commit group, other"),
    ("check_duplicate", "ledger SQL (inserts, commit)"),
    ("stage_and_record", "stage + record, other"),
    ("stage_output", "write staged files"),
    ("spool_stage", "write staged files"),
    ("exec", "ledger SQL (inserts, commit)"),
    ("ledger_", "ledger SQL (inserts, commit)"),
    ("ledger_outputs", "ledger: outputs lookup (SCAN outputs)"),
    ("finish_done", "publish: rename into place"),
    ("finish_failed", "publish: rename into place"),
    ("spool_sync_dirs", "fsync"),
    ("log_outcome", "log lines"),
    ("msg_", "log lines"),
    ("fsync", "fsync"),
    ("fdatasync", "fsync"),
    ("sha256_hex", "sha256"),
]


def classify(frames, rules, refine=None):
    """frames: symbols from leaf to root."""
    stage = None
    in_emit = False
    for sym in reversed(frames):
        for marker, name in rules:
            if sym == marker or (marker.endswith("_") and sym.startswith(marker)):
                stage = name
                if marker == "emit_render":
                    in_emit = True
        if in_emit and refine:
            for marker, name in refine:
                if sym == marker:
                    stage = name
    return stage


def main():
    freq = float(sys.argv[1]) if len(sys.argv) > 1 else 499.0
    ms = 1000.0 / freq
    parent = None
    counts = {"parent": Counter(), "workers": Counter()}
    pids = Counter()
    pid, frames = None, []

    def flush():
        nonlocal parent
        if pid is None:
            return
        if parent is None:
            parent = pid
        who = "parent" if pid == parent else "workers"
        pids[pid] += 1
        if who == "parent":
            st = classify(frames, PARENT)
        else:
            st = classify(frames, WORKER, EMIT)
        if st is None:
            if frames and all(f.startswith("[k]") for f in frames[:1]):
                st = "kernel, other"
            else:
                st = "other"
        counts[who][st] += 1

    for line in sys.stdin:
        if not line.strip():
            flush()
            pid, frames = None, []
            continue
        if not line.startswith((" ", "\t")) or line.startswith(" ") and not line.startswith("\t"):
            # header: the pid (perf script -F pid,...)
            head = line.split()
            if head and head[0].isdigit() and pid is None and not frames:
                pid = int(head[0])
                continue
        parts = line.strip().split(None, 1)
        if len(parts) == 2:
            sym = parts[1].rsplit(" (", 1)[0]
            sym = sym.split("+0x", 1)[0]
            sym = sym.split(".", 1)[0]  # commit_group.part.0, foo.isra.0, ...
            frames.append(sym)
    flush()

    total = sum(sum(c.values()) for c in counts.values())
    print("samples: %d at %g Hz (%.0f ms of CPU); %d processes, parent pid %s"
          % (total, freq, total * ms, len(pids), parent))
    for who in ("parent", "workers"):
        c = counts[who]
        n = sum(c.values())
        if not n:
            continue
        print()
        print("%s: %.0f ms of CPU (%.1f%% of all)" % (who, n * ms, 100.0 * n / total))
        for st, k in c.most_common():
            print("  %-44s %8.0f ms  %5.1f%%" % (st, k * ms, 100.0 * k / n))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""report.py: the bookkeeping half of tests/bench/run.sh (stdlib only).

    report.py add ROWS.jsonl key=value ...   append one row (numbers stay numbers)
    report.py median RUNS.jsonl ROWS.jsonl   append, per row id, its run with the
                                             median wall time (every run kept in it)
    report.py set FILE key=value ...         merge values into a JSON object file
    report.py json FILE KEY                  print one top-level value of a JSON file
    report.py render ROWS.jsonl MACHINE.json OUT.json
                                             print the table, write OUT.json

A row has: row (id), label, status (ok | FAILED | skipped | timeout),
documents, bytes, wall_s, user_s, sys_s, rss_kb, note; anything else is kept
as is in the JSON. Rates are computed here, so the table and the JSON agree.
"""

import json
import sys


def value(v):
    for conv in (int, float):
        try:
            return conv(v)
        except ValueError:
            pass
    return v


def add(path, pairs):
    row = {}
    for p in pairs:
        k, _, v = p.partition("=")
        row[k] = value(v) if k not in ("label", "note", "status", "row") else v
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")


def median(runs_path, rows_path):
    """Rows measured several times (the pipeline, the floor): the run with
    the median wall time stands for the row, its note says the spread,
    its peak RSS is the largest of all runs (the target is a peak), and
    every run's figures stay in the row's "runs". A failed run makes the
    row fail: a failure is never hidden behind a median."""
    groups = {}
    with open(runs_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = rates(json.loads(line))
                groups.setdefault(r["row"], []).append(r)
    with open(rows_path, "a", encoding="utf-8") as out:
        for runs in groups.values():
            failed = [r for r in runs if r.get("status") != "ok"]
            if failed:
                row = dict(failed[0])
            else:
                ordered = sorted(runs, key=lambda r: r["wall_s"])
                row = dict(ordered[len(ordered) // 2])
                for k in ("rss_kb", "rss_total_kb"):
                    if all(isinstance(r.get(k), (int, float)) for r in runs):
                        row[k] = max(r[k] for r in runs)
                walls = [r["wall_s"] for r in runs]
                rates_ = [r["docs_per_s"] for r in runs if "docs_per_s" in r]
                if len(runs) > 1:
                    row["note"] = "median of %d runs by wall (%s s; %s to %s docs/s); %s" % (
                        len(runs), ", ".join("%.2f" % w for w in walls),
                        "{:,.1f}".format(min(rates_)), "{:,.1f}".format(max(rates_)),
                        row.get("note", ""))
                row["run_walls_s"] = walls
            if isinstance(row.get("rss_total_kb"), (int, float)):
                row["note"] = row.get("note", "").replace(
                    "@TOTAL_MB@", str(int(row["rss_total_kb"]) // 1024))
            row["runs"] = runs
            out.write(json.dumps(row) + "\n")


def set_values(path, pairs):
    try:
        with open(path, encoding="utf-8") as f:
            obj = json.load(f)
    except FileNotFoundError:
        obj = {}
    for p in pairs:
        k, _, v = p.partition("=")
        obj[k] = v
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def rates(r):
    wall = r.get("wall_s")
    docs = r.get("documents")
    if isinstance(wall, (int, float)) and wall > 0 and isinstance(docs, (int, float)):
        r["docs_per_s"] = round(docs / wall, 1)
        if isinstance(r.get("bytes"), (int, float)):
            r["mb_per_s"] = round(r["bytes"] / wall / 1e6, 2)
        if isinstance(r.get("user_s"), (int, float)) and isinstance(r.get("sys_s"), (int, float)):
            cpu = r["user_s"] + r["sys_s"]
            r["cpu_s"] = round(cpu, 2)
            r["cpu_pct"] = round(100.0 * cpu / wall)
            if docs:
                r["cpu_ms_per_doc"] = round(1000.0 * cpu / docs, 2)
    return r


def fmt(v, spec="{:,.1f}"):
    if v is None or v == "":
        return "-"
    if isinstance(v, (int, float)):
        return spec.format(v)
    return str(v)


def check_targets(by, ratios):
    """The speed and memory targets of issue 7, each with what was
    measured and whether it is met (None when the row did not run)."""
    out = []

    def add(target, measured, met):
        out.append({"target": target, "measured": measured, "met": met})

    def ratio(key, floor, what):
        v = ratios.get(key)
        add(what, "%.3f" % v if v is not None else "-", None if v is None else v >= floor)

    ratio("pipeline/floor", 0.7, "pipeline >= 0.7 of the floor")
    ratio("ordergate/xsltproc", 100.0, ">= 100x the xsltproc loop")
    ratio("ordergate/lxml", 1.5, ">= 1.5x the lxml script")
    pipe = by.get("pipeline", {})
    rss = pipe.get("rss_kb") if pipe.get("status") == "ok" else None
    total = pipe.get("rss_total_kb") if pipe.get("status") == "ok" else None
    if total:
        add("peak RSS < 100 MB for the pipeline run", "%.1f MB (all processes; largest %.1f)"
            % (total / 1024.0, rss / 1024.0), total < 100 * 1024)
    else:
        add("peak RSS < 100 MB for the pipeline run",
            "%.1f MB (largest process)" % (rss / 1024.0) if rss else "-",
            None if not rss else rss < 100 * 1024)
    small, big = by.get("scale_small", {}), by.get("scale_big", {})
    if small.get("docs_per_s") and big.get("docs_per_s"):
        r = big["docs_per_s"] / small["docs_per_s"]
        add("rate with 100,000 waiting within 10% of 1,000", "%.2f of it" % r, r >= 0.9)
    else:
        add("rate with 100,000 waiting within 10% of 1,000", "-", None)
    huge = by.get("huge", {})
    if huge.get("status") == "ok" and huge.get("rss_kb") and huge.get("bytes"):
        x = huge["rss_kb"] * 1024.0 / huge["bytes"]
        add("huge order in < 10x its size in memory", "%.1fx" % x, x < 10)
    else:
        add("huge order in < 10x its size in memory", huge.get("status", "-"), None)
    watch = by.get("watch", {})
    p99 = watch.get("latency_p99_ms") if watch.get("status") == "ok" else None
    add("watch p99 < 50 ms at 50 documents/s", "%s ms" % p99 if p99 is not None else "-",
        None if p99 is None else float(p99) < 50)
    return out


def render(rows_path, machine_path, out_path):
    rows = []
    with open(rows_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(rates(json.loads(line)))
    with open(machine_path, encoding="utf-8") as f:
        machine = json.load(f)
    by = {r["row"]: r for r in rows}

    ratios = {}
    pipe = by.get("pipeline", {})
    base = pipe.get("docs_per_s") if pipe.get("status") == "ok" else None
    for key, peer in (("pipeline/floor", "floor"), ("ordergate/xsltproc", "xsltproc"),
                      ("ordergate/lxml", "lxml"), ("ordergate/saxon", "saxon")):
        p = by.get(peer, {})
        if base and p.get("status") == "ok" and p.get("docs_per_s"):
            ratios[key] = round(base / p["docs_per_s"], 3)
        else:
            ratios[key] = None
    # the pipeline and the floor run alternately: each pair's ratio
    pw, fw = pipe.get("run_walls_s"), by.get("floor", {}).get("run_walls_s")
    if base and pw and fw and len(pw) == len(fw) and by["floor"].get("status") == "ok":
        ratios["pipeline/floor by run"] = [round(f / p, 3) for p, f in zip(pw, fw)]
    for r in rows:
        if r["row"] in ("floor", "xsltproc", "lxml", "saxon"):
            k = "pipeline/floor" if r["row"] == "floor" else "ordergate/" + r["row"]
            r["ratio"] = ratios.get(k)

    head = ["row", "status", "docs", "wall s", "docs/s", "MB/s", "CPU s", "CPU %",
            "CPU ms/doc", "peak RSS MB", "ratio", "note"]
    table = []
    for r in rows:
        rss = r.get("rss_kb")
        table.append([
            r.get("label", r["row"]), r.get("status", "-"), fmt(r.get("documents"), "{:,}"),
            fmt(r.get("wall_s"), "{:,.2f}"), fmt(r.get("docs_per_s")), fmt(r.get("mb_per_s"), "{:,.2f}"),
            fmt(r.get("cpu_s"), "{:,.2f}"), fmt(r.get("cpu_pct"), "{:,.0f}"),
            fmt(r.get("cpu_ms_per_doc"), "{:,.2f}"),
            fmt(rss / 1024.0 if isinstance(rss, (int, float)) else None),
            fmt(r.get("ratio"), "{:.3f}"), r.get("note", "")])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *table)]
    widths[-1] = 0
    def line(cells):
        return "  ".join(str(c).ljust(w) if i < len(cells) - 1 else str(c)
                         for i, (c, w) in enumerate(zip(cells, widths)))
    print(line(head))
    print(line(["-" * w if w else "----" for w in widths]))
    for t in table:
        print(line(t))
    print()
    print("ratios (ordergate documents/s over the other's):",
          ", ".join("%s %s" % (k, fmt(v, "{:.3f}") if not isinstance(v, list)
                               else " ".join("%.3f" % x for x in v))
                    for k, v in ratios.items()))
    targets = check_targets(by, ratios)
    print("targets of issue 7:")
    for t in targets:
        print("  %-46s %-40s %s" % (t["target"], t["measured"],
                                    "met" if t["met"] else ("not met" if t["met"] is False else "not measured")))
    print("machine: %s; %s CPUs (%s); kernel %s; build/ on %s; load average %s at start, %s at end"
          % (machine.get("host", "?"), machine.get("nproc"), machine.get("cpu_model"),
             machine.get("kernel"), machine.get("build_fs"), machine.get("load_start"),
             machine.get("load_end")))

    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"machine": machine, "rows": rows, "ratios": ratios, "targets": targets},
                  f, indent=2)
        f.write("\n")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "add":
        add(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 4 and sys.argv[1] == "median":
        median(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 3 and sys.argv[1] == "set":
        set_values(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 4 and sys.argv[1] == "json":
        with open(sys.argv[2], encoding="utf-8") as f:
            v = json.load(f).get(sys.argv[3], "")
        print(json.dumps(v) if isinstance(v, (dict, list)) else v)
    elif len(sys.argv) == 5 and sys.argv[1] == "render":
        render(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        print(__doc__, file=sys.stderr)
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main())

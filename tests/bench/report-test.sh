#!/usr/bin/env bash
# The bench's bookkeeping (tests/bench/report.py), on made-up runs: the
# pipeline and floor rows stand for their median run, a failed run fails
# the row, peak RSS is the largest of the runs, and each alternating pair
# gets its own pipeline/floor ratio. No engine run: make bench measures.
. "$(dirname "$0")/../lib.sh"
REPORT="$PYTHON_BIN $ROOT/tests/bench/report.py"
R=$SCRATCH/runs.jsonl; ROWS=$SCRATCH/rows.jsonl; M=$SCRATCH/machine.json
add() { $REPORT add "$R" "$@"; }
for run in "1 30.0 100 2000" "2 20.0 300 1000" "3 25.0 200 3000"; do
	set -- $run
	add row=pipeline "label=pipeline" status=ok run="$1" documents=20000 bytes=200000000 wall_s="$2" \
		user_s=30 sys_s=10 rss_kb="$3" rss_total_kb="$4" "note=at most @TOTAL_MB@ MB"
	add row=floor "label=floor" status=ok run="$1" documents=20000 bytes=200000000 \
		wall_s="$(awk -v w="$2" 'BEGIN {print w / 4}')" user_s=10 sys_s=1 rss_kb=500
done
: >"$ROWS"
$REPORT median "$R" "$ROWS"
$REPORT set "$M" host=test nproc=2
$REPORT render "$ROWS" "$M" "$SCRATCH/out.json" >"$SCRATCH/table.txt"
j() { "$PYTHON_BIN" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$SCRATCH/out.json" "$1"; }
check "the pipeline row is its median run (25.0 s of 30, 20, 25)" [ "$(j 'd["rows"][0]["wall_s"]')" = 25.0 ]
check "its rate is the median run's (800/s)" [ "$(j 'd["rows"][0]["docs_per_s"]')" = 800.0 ]
check "peak RSS is the largest of the runs" [ "$(j 'd["rows"][0]["rss_kb"]')" = 300 ]
check "all processes together: the largest total, in the note" \
	grep -q 'at most 2 MB' <<<"$(j 'd["rows"][0]["note"]')"
check "the note gives every run's wall time" grep -q '30.00, 20.00, 25.00 s' <<<"$(j 'd["rows"][0]["note"]')"
check "every run stays in the JSON, with its rate" [ "$(j '[r["docs_per_s"] for r in d["rows"][0]["runs"]]')" = "[666.7, 1000.0, 800.0]" ]
check "pipeline/floor from the medians" [ "$(j 'd["ratios"]["pipeline/floor"]')" = 0.25 ]
check "pipeline/floor of each pair" [ "$(j 'd["ratios"]["pipeline/floor by run"]')" = "[0.25, 0.25, 0.25]" ]
check "the table prints each pair's ratio" grep -q 'pipeline/floor by run 0.250 0.250 0.250' "$SCRATCH/table.txt"

# a failed run is the row, whatever the others measured
: >"$R"; : >"$ROWS"
add row=pipeline label=pipeline status=ok run=1 documents=10 wall_s=1 user_s=1 sys_s=0 rss_kb=1
add row=pipeline label=pipeline status=FAILED run=2 "note=exit 1: 9 translated"
add row=pipeline label=pipeline status=ok run=3 documents=10 wall_s=2 user_s=1 sys_s=0 rss_kb=1
$REPORT median "$R" "$ROWS"
$REPORT render "$ROWS" "$M" "$SCRATCH/out.json" >"$SCRATCH/table.txt"
check "one failed run fails the row" [ "$(j 'd["rows"][0]["status"]')" = FAILED ]
check "and the row says why" grep -q 'exit 1: 9 translated' "$SCRATCH/table.txt"
finish

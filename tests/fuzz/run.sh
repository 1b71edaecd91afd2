#!/usr/bin/env bash
# Runs every libFuzzer harness for FUZZ_SECONDS (default 60) each, all in
# parallel (FUZZ_JOBS at a time, default: all), growing a working corpus in
# build/fuzz/work/<name> seeded from tests/fuzz/corpus/<name>, and saving
# any finding (crash-*, leak-*, timeout-*, oom-*) to tests/fuzz/crashes/<name>/.
# Prints executions and findings per harness; exits 1 when anything was found.
#   FUZZ_SECONDS  seconds per harness (default 60)
#   FUZZ_JOBS     harnesses at once (default 4)
#   FUZZ_ONLY     space-separated subset, e.g. "xml csv"
#   FUZZ_BUILD    where build.sh put the binaries (default build/fuzz)
# Leaks and undefined behaviour already reported are suppressed here
# (tests/fuzz/lsan.supp, ubsan.supp), not in replay.sh.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
OUT=${FUZZ_BUILD:-$ROOT/build/fuzz}
SECS=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-4}
NAMES=${FUZZ_ONLY:-"xml csv unpack config"}
# build.sh is incremental: a harness older than src/ is rebuilt, never run stale
FUZZ_BUILD=$OUT bash "$here/build.sh" || exit 1

# per harness: maximum input length and dictionary
maxlen() { case $1 in xml) echo 65536 ;; csv) echo 16384 ;; unpack) echo 65536 ;; *) echo 4096 ;; esac; }
dict() { case $1 in xml) echo "$here/xml.dict" ;; config) echo "$here/ini.dict" ;; csv) echo "$here/csv.dict" ;; *) echo "" ;; esac; }

run_one() {
	local n=$1 work="$OUT/work/$1" art="$here/crashes/$1" log="$OUT/logs/$1.log" d
	mkdir -p "$work" "$art" "$OUT/logs"
	d=$(dict "$n")
	# artifacts go straight to the committed reproducer folder
	(cd "$OUT" && LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0" \
		UBSAN_OPTIONS="suppressions=$here/ubsan.supp:print_stacktrace=1:halt_on_error=1" "$OUT/fuzz_$n" -max_total_time="$SECS" -timeout=25 -rss_limit_mb=2048 \
		-max_len="$(maxlen "$n")" ${d:+-dict="$d"} -print_final_stats=1 \
		-artifact_prefix="$art/" "$work" "$here/corpus/$n" > "$log" 2>&1)
	echo $? > "$OUT/logs/$n.rc"
}

before=$(mktemp); trap 'rm -f "$before"; rm -rf "$OUT/tmp"' EXIT
export TMPDIR="$OUT/tmp"   # the harnesses' scratch files (fuzz_config)
mkdir -p "$TMPDIR"
find "$here/crashes" -type f ! -name README.md 2>/dev/null | sort > "$before"
echo "fuzz: ${SECS}s per harness, $JOBS at a time: $NAMES"
running=0
for n in $NAMES; do
	run_one "$n" &
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait

total=0
for n in $NAMES; do
	log="$OUT/logs/$n.log"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
	found=$(find "$here/crashes/$n" -type f | sort | comm -13 "$before" - | wc -l)
	rc=$(cat "$OUT/logs/$n.rc" 2>/dev/null || echo '?')
	corpus=$(find "$OUT/work/$n" -type f | wc -l)
	echo "fuzz $n: ${execs:-0} executions, coverage ${cov:-?} edges, working corpus $corpus files, $found new findings (exit $rc; log $log)"
	if [ "$found" -gt 0 ]; then
		find "$here/crashes/$n" -type f | sort | comm -13 "$before" - | sed 's/^/    /'
		grep -m3 -E '^(==[0-9]+==ERROR|SUMMARY|fuzz oracle failed|.*runtime error)' "$log" | sed 's/^/    /'
	elif [ "$rc" != 0 ]; then
		grep -m5 -E 'ERROR|error|failed' "$log" | sed 's/^/    /'
		found=1
	fi
	total=$((total + found))
done
echo "fuzz: $total findings"
[ "$total" = 0 ]

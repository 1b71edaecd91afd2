#!/usr/bin/env bash
# Replays every saved input once through its harness: the seed corpus
# (tests/fuzz/corpus/<name>/) and every reproducer (tests/fuzz/crashes/<name>/),
# with AddressSanitizer, LeakSanitizer and UBSan fatal and no suppressions, so
# a reproducer keeps failing until its bug is fixed. A libFuzzer binary given
# files runs each once. Builds the harnesses first when missing.
# Ends with "fuzz-replay: N passed, M failed"; exit status 1 when M > 0.
#   FUZZ_BUILD  where the binaries are (default build/fuzz)
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
OUT=${FUZZ_BUILD:-$ROOT/build/fuzz}
NAMES="xml csv unpack config"
for n in $NAMES; do
	[ -x "$OUT/fuzz_$n" ] || { bash "$here/build.sh" > /dev/null || exit 1; break; }
done
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"; rm -rf "$OUT/tmp"' EXIT
export TMPDIR="$OUT/tmp"   # the harnesses' scratch files (fuzz_config)
mkdir -p "$TMPDIR"

runit() { # runit NAME FILE...: 0 when every file ran clean
	(cd "$OUT" && timeout -k 5 50 "$OUT/fuzz_$1" -timeout=25 -rss_limit_mb=2048 "${@:2}") > "$log" 2>&1
}

for n in $NAMES; do
	mapfile -t seeds < <(find "$here/corpus/$n" -type f 2>/dev/null | sort)
	mapfile -t crashes < <(find "$here/crashes/$n" -type f ! -name 'README*' 2>/dev/null | sort)
	# the seeds in one go (one start-up); one at a time only if that fails
	if [ "${#seeds[@]}" -gt 0 ]; then
		if runit "$n" "${seeds[@]}"; then
			passed=$((passed + ${#seeds[@]}))
			echo "ok - $n: ${#seeds[@]} corpus files"
		else
			for f in "${seeds[@]}"; do
				if runit "$n" "$f"; then passed=$((passed + 1))
				else
					failed=$((failed + 1))
					echo "not ok - $n: ${f#"$ROOT"/}: $(grep -m1 -E 'SUMMARY|runtime error|oracle failed|ERROR' "$log")"
				fi
			done
		fi
	fi
	# every reproducer alone: it must run clean once its bug is fixed
	for f in "${crashes[@]}"; do
		if runit "$n" "$f"; then
			passed=$((passed + 1)); echo "ok - $n: ${f#"$ROOT"/} (fixed)"
		else
			failed=$((failed + 1))
			echo "not ok - $n: ${f#"$ROOT"/}: $(grep -m1 -E 'SUMMARY|runtime error|oracle failed' "$log")"
		fi
	done
done
echo "fuzz-replay: $passed passed, $failed failed"
[ "$failed" = 0 ]

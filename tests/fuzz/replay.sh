#!/usr/bin/env bash
# Replays every saved input once through its harness: the seed corpus
# (tests/fuzz/corpus/<name>/) and every reproducer (tests/fuzz/crashes/<name>/),
# with AddressSanitizer, LeakSanitizer and UBSan fatal and no suppressions, so
# a reproducer keeps failing until its bug is fixed. A harness binary given
# files runs each once.
#   FUZZ_ENGINE=libfuzzer (default, `make fuzz-replay`): the clang/libFuzzer
#       binaries of build.sh (incremental, run every time).
#   FUZZ_ENGINE=standalone (`make check`): the harnesses built with the system
#       compiler and tests/fuzz/standalone.c as main (build.sh, incremental,
#       run every time); first the replay proves that its sanitizers bite
#       (tests/fuzz/selftest.c: a heap overflow, a leak, signed overflow and
#       a failed oracle must each fail, a harmless input must pass), so the
#       replay cannot pass for want of a working sanitizer.
# Ends with "fuzz-replay: N passed, M failed"; exit status 1 when M > 0.
#   FUZZ_BUILD  where the binaries are (default build/fuzz or build/fuzz-standalone)
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
ENGINE=${FUZZ_ENGINE:-libfuzzer}
export FUZZ_ENGINE=$ENGINE
if [ "$ENGINE" = standalone ]; then
	OUT=${FUZZ_BUILD:-$ROOT/build/fuzz-standalone}
else
	OUT=${FUZZ_BUILD:-$ROOT/build/fuzz}
fi
NAMES="xml csv unpack config"
if [ "$ENGINE" = standalone ]; then
	t0=$SECONDS
	FUZZ_BUILD=$OUT bash "$here/build.sh" > "${TMPDIR:-/tmp}/fuzz-build.$$.log" 2>&1 ||
		{ cat "${TMPDIR:-/tmp}/fuzz-build.$$.log"; rm -f "${TMPDIR:-/tmp}/fuzz-build.$$.log"
		  echo "fuzz-replay: 0 passed, 1 failed"; exit 1; }
	rm -f "${TMPDIR:-/tmp}/fuzz-build.$$.log"
	echo "# harnesses built with $(${FUZZ_CC:-cc} --version | head -1) and -fsanitize=address,undefined in $((SECONDS - t0))s"
else
	# incremental, so a harness older than src/ is rebuilt, never replayed stale
	FUZZ_BUILD=$OUT bash "$here/build.sh" > /dev/null || exit 1
fi
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

if [ "$ENGINE" = standalone ]; then
	# the sanitizers must bite, or a clean replay proves nothing
	for fault in "overflow:heap-buffer-overflow" "leak:detected memory leaks" \
		"ubsan:signed integer overflow" "oracle:fuzz oracle failed" "harmless:"; do
		input=${fault%%:*} want=${fault#*:}
		printf '%s' "$input" > "$TMPDIR/selftest-$input"
		{ (cd "$OUT" && timeout -k 5 50 "$OUT/selftest" "$TMPDIR/selftest-$input") > "$log" 2>&1; } 2> /dev/null
		rc=$?
		if [ -z "$want" ]; then
			if [ "$rc" = 0 ]; then passed=$((passed + 1)); echo "ok - selftest: a harmless input runs clean"
			else failed=$((failed + 1)); echo "not ok - selftest: a harmless input failed (exit $rc): $(tail -1 "$log")"; fi
		elif [ "$rc" != 0 ] && grep -q "$want" "$log"; then
			passed=$((passed + 1)); echo "ok - selftest: $input is caught (exit $rc, \"$want\")"
		else
			failed=$((failed + 1)); echo "not ok - selftest: $input is not caught (exit $rc; no \"$want\" in the report: $(grep -m1 -E 'ERROR|SUMMARY|runtime error' "$log"))"
		fi
	done
fi

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

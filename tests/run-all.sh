#!/usr/bin/env bash
# Runs every test suite `make check` knows and ends with one line
# "N passed, N failed" over all of them. Exit status 0 only if none failed.
#   UNIT       the Check unit-test binary
#   ORDERGATE  the engine binary
#   VALGRIND=1 the unit tests and a sample of the shell suites under valgrind
#              memcheck (VALGRIND_SUITES to choose others)
set -u
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== unit tests (Check)"
t0=$SECONDS
if [ "${VALGRIND:-0}" = 1 ]; then
	CK_FORK=no valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$UNIT" 2>&1 | tee "$log"
else
	"$UNIT" 2>&1 | tee "$log"
fi
rc=${PIPESTATUS[0]}
echo "# unit tests took $((SECONDS - t0)) s"
line=$(grep -E '^[0-9]+%: Checks: [0-9]+' "$log" | tail -1)
if [ -n "$line" ]; then
	checks=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
	fails=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1+\2/')
	fails=$((fails))
	passed=$((passed + checks - fails))
	failed=$((failed + fails))
fi
if [ "$rc" != 0 ] && [ "${fails:-0}" = 0 ]; then
	echo "unit tests exited $rc"; failed=$((failed + 1))
fi

# fuzz/replay: every saved fuzz input (corpus and reproducers) once through
# its harness, built with gcc, ASan and UBSan (FUZZ_ENGINE=standalone: no
# clang or libFuzzer needed). hostile/run: the hostile corpus, each case in
# a spool of its own, and the whole corpus under strace in a network
# namespace (docs/reliability.md; needs strace, and root or user namespaces).
suites="golden negative e2e faults faults/gzip batch formats rules shipments versions ops report crash concurrency large
	data/oagis/verify data/invoice/verify fuzz/replay hostile/run hostile/chunked bench/report-test"
if [ "${VALGRIND:-0}" = 1 ]; then
	# make valgrind: the unit tests above and a sample of the shell suites,
	# every engine call (workers included) under memcheck. Not the fuzz
	# replay (built with ASan, which does not run under valgrind) nor the
	# hostile corpus (its time and memory bounds are for native runs).
	suites=${VALGRIND_SUITES:-"golden negative shipments ops"}
fi
for suite in $suites; do
	echo "== $suite"
	t0=$SECONDS
	case $suite in
	fuzz/replay) FUZZ_ENGINE=standalone bash "$here/$suite.sh" 2>&1 | tee "$log" ;;
	# the hostile corpus again, every document through the large-order path
	hostile/chunked) HOSTILE_CHUNKED=1 bash "$here/hostile/run.sh" 2>&1 | tee "$log" ;;
	# crash and fault injection again with the archive kept as gzip copies
	faults/gzip) FAULTS_ARCHIVE_FORM=gzip bash "$here/faults.sh" 2>&1 | tee "$log" ;;
	*) bash "$here/$suite.sh" 2>&1 | tee "$log" ;;
	esac
	rc=${PIPESTATUS[0]}
	echo "# $suite took $((SECONDS - t0)) s"
	line=$(grep -E '^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
	if [ -z "$line" ]; then
		echo "$suite: no summary line (exit $rc)"; failed=$((failed + 1)); continue
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then failed=$((failed + 1)); fi
done
echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

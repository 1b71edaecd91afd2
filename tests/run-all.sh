#!/usr/bin/env bash
# Runs every test suite `make check` knows and ends with one line
# "N passed, N failed" over all of them. Exit status 0 only if none failed.
#   UNIT       the Check unit-test binary
#   ORDERGATE  the engine binary
#   VALGRIND=1 run everything under valgrind memcheck
set -u
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== unit tests (Check)"
if [ "${VALGRIND:-0}" = 1 ]; then
	CK_FORK=no valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$UNIT" 2>&1 | tee "$log"
else
	"$UNIT" 2>&1 | tee "$log"
fi
rc=${PIPESTATUS[0]}
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

for suite in golden negative e2e faults batch formats rules shipments ops report data/oagis/verify data/invoice/verify; do
	echo "== $suite"
	bash "$here/$suite.sh" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
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

# Shared helpers for the shell test suites. Each suite sources this file,
# calls ok/not_ok per check, and ends with `finish`, which prints the
# suite's "N passed, N failed" line (tests/run-all.sh adds them up).
set -u
: "${ORDERGATE:?set ORDERGATE to the binary under test}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export TZ=UTC
PASSED=0
FAILED=0
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/ordergate-test.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

# Runs the binary, under valgrind when VALGRIND=1.
og() {
	if [ "${VALGRIND:-0}" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			--trace-children=yes "$ORDERGATE" "$@"
	else
		"$ORDERGATE" "$@"
	fi
}

ok() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }
check() { # check "description" command...
	local what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
# Waits for something that must happen: runs the command every 0.05 s
# until it succeeds (0) or SECONDS have passed on the wall clock (then 1,
# after one last try). The deadline is for a loaded machine under
# AddressSanitizer, not for the usual case: a check that a thing happens
# passes as soon as it does and still fails when it never does. Not for a
# thing that must NOT happen: that needs a fixed wait long enough to let it
# happen, with the reason written beside it.
wait_for() { # wait_for SECONDS command...
	local secs=$1 end; shift
	end=$(( ${EPOCHREALTIME//[!0-9]/} + secs * 1000000 ))
	until "$@"; do
		[ "${EPOCHREALTIME//[!0-9]/}" -lt "$end" ] || { "$@"; return; }
		sleep 0.05
	done
}
finish() {
	echo "$(basename "$0" .sh): $PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ]
}

# Validates a cXML file against the vendored DTD its DOCTYPE names, with
# xmllint (an independent validator), never touching the network.
dtd_valid() {
	local f=$1 dtd
	dtd=$(sed -n 's|.*<!DOCTYPE cXML SYSTEM "[^"]*/\([A-Za-z]*\.dtd\)".*|\1|p' "$f" | head -1)
	[ -n "$dtd" ] || { echo "  $f: no cXML DOCTYPE" >&2; return 1; }
	xmllint --noout --nonet --dtdvalid "$ROOT/xslt/schemas/cxml-1.2.071/$dtd" "$f" 2>"$SCRATCH/xmllint.err"
	local rc=$?
	grep -v -e 'failed to load external entity' -e 'Attempt to load network entity' \
		-e '<!DOCTYPE' -e '^ *\^$' "$SCRATCH/xmllint.err" >&2
	return $rc
}

# A fresh spool folder path.
new_spool() { local d; d=$(mktemp -d "$SCRATCH/spool.XXXXXX"); mkdir -p "$d/in"; echo "$d"; }

# The Python interpreter itself: `python3` may be a version manager's shim
# that costs a second per start, too much for a check run after every kill.
PYTHON_BIN=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
: "${PYTHON_BIN:=python3}"

# Invariants after a run has ended (tests/spoolcheck.py says each one):
# nothing in work/ or tmp/; SQLite integrity_check ok; every ledger output
# exists once with its size and hash; no output path or translated
# payloadID recorded twice; no file in out/, out-test/, archive/ or
# failed/ without a ledger row; no temporary or hidden name there; every
# .why complete.
spool_invariants() {
	"$PYTHON_BIN" "$ROOT/tests/spoolcheck.py" invariants "$1"
}

# The same after a run that completed over every input dropped, one file
# each (names unique) and a copy of each in SENT: also nothing left in in/,
# every input in exactly one of archive/ and failed/ (the one its ledger
# state says), byte for byte, once in the ledger, and nothing else there.
spool_invariants_full() { # spool_invariants_full SPOOL SENT
	"$PYTHON_BIN" "$ROOT/tests/spoolcheck.py" invariants "$1" --sent "$2"
}

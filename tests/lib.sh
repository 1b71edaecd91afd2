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

# Invariants after a completed run: nothing in in/ (but skipped names) or
# work/ or tmp/; every ledger output exists with its hash; no output
# without a ledger row.
spool_invariants() {
	local s=$1 bad=0
	if [ -n "$(find "$s/work" "$s/tmp" -type f 2>/dev/null)" ]; then
		echo "  leftovers in work/ or tmp/:" >&2; find "$s/work" "$s/tmp" -type f | head -10 >&2; bad=1
	fi
	local rows
	rows=$(sqlite3 "$s/ledger.db" "SELECT path, sha256 FROM outputs") || return 1
	while IFS='|' read -r path sha; do
		[ -n "$path" ] || continue
		if [ ! -f "$s/$path" ]; then echo "  missing $path" >&2; bad=1; continue; fi
		[ "$(sha256sum < "$s/$path" | cut -d' ' -f1)" = "$sha" ] || { echo "  hash differs: $path" >&2; bad=1; }
	done <<< "$rows"
	local f rel
	while IFS= read -r f; do
		rel=${f#"$s"/}
		[ -n "$(sqlite3 "$s/ledger.db" "SELECT 1 FROM outputs WHERE path='$rel'")" ] \
			|| { echo "  output without ledger row: $rel" >&2; bad=1; }
	done < <(find "$s/out" "$s/out-test" "$s/archive" -type f 2>/dev/null)
	[ "$(sqlite3 "$s/ledger.db" "PRAGMA integrity_check")" = ok ] || bad=1
	return $bad
}

#!/usr/bin/env bash
# Golden tests: tests/data/golden/<case>/ holds input.xml (or a file
# "source" naming an input elsewhere in the tree) and expected/ with the
# canonical order and the outbound documents `ordergate translate -o`
# writes. Byte-for-byte comparison, at a fixed clock and payload host.
# Regenerate after an intended change: UPDATE=1 bash tests/golden.sh
. "$(dirname "$0")/lib.sh"
export ORDERGATE_TIME=1767225600   # 2026-01-01T00:00:00Z
conf="$ROOT/tests/data/golden/ordergate.ini"
for dir in "$ROOT"/tests/data/golden/*/; do
	name=$(basename "$dir")
	input="$dir/input.xml"
	[ -f "$dir/source" ] && input="$ROOT/$(cat "$dir/source")"
	out="$SCRATCH/golden-$name"
	if ! og translate -c "$conf" --id 20260101-000000-000001-000001 -o "$out" "$input" 2>"$out.err"; then
		not_ok "golden $name: translate failed: $(cat "$out.err")"
		continue
	fi
	if [ "${UPDATE:-0}" = 1 ]; then
		mkdir -p "$dir/expected" && cp "$out"/*.xml "$dir/expected/"
	fi
	for f in canonical.xml po.xml confirmation.xml; do
		if diff -u "$dir/expected/$f" "$out/$f" > "$out.diff" 2>&1; then
			ok "golden $name/$f"
		else
			not_ok "golden $name/$f differs:"; head -40 "$out.diff"
		fi
	done
	check "golden $name: po.xml is valid cXML 1.2.071" dtd_valid "$out/po.xml"
	check "golden $name: confirmation.xml is valid cXML 1.2.071" dtd_valid "$out/confirmation.xml"
	check "golden $name: no SharedSecret in any output" \
		bash -c "! grep -qi -e SharedSecret -e not-in-any-output '$out'/*.xml"
done
finish

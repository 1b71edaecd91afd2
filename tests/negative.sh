#!/usr/bin/env bash
# Negative tests: every tests/data/negative/NAME.xml must fail with the stage
# on the first line of NAME.expect and a reason containing each further
# line; and no byte of a local file it points at may appear anywhere.
. "$(dirname "$0")/lib.sh"
for input in "$ROOT"/tests/data/negative/*.xml; do
	name=$(basename "$input" .xml)
	expect="${input%.xml}.expect"
	stage=$(head -1 "$expect")
	set +e
	og translate "$input" > "$SCRATCH/$name.out" 2> "$SCRATCH/$name.err"
	rc=$?
	set -e
	if [ $rc != 1 ]; then
		not_ok "negative $name: exit code $rc, expected 1"; cat "$SCRATCH/$name.err"; continue
	fi
	if grep -q "failed at $stage: " "$SCRATCH/$name.err"; then ok "negative $name: fails at $stage"
	else not_ok "negative $name: expected stage $stage, got: $(head -3 "$SCRATCH/$name.err")"; fi
	tail -n +2 "$expect" | while IFS= read -r want; do
		grep -qF -- "$want" "$SCRATCH/$name.err" || echo "$want"
	done > "$SCRATCH/$name.missing"
	if [ -s "$SCRATCH/$name.missing" ]; then
		not_ok "negative $name: reason lacks: $(tr '\n' '|' < "$SCRATCH/$name.missing")"
		cat "$SCRATCH/$name.err"
	else ok "negative $name: reason is specific"; fi
	check "negative $name: says what to do" grep -q '^what to do: ' "$SCRATCH/$name.err"
	check "negative $name: the reason is one line (several parser errors joined by '; ')" \
		bash -c "grep -A1 'failed at $stage: ' '$SCRATCH/$name.err' | sed -n 2p | grep -q '^what to do: '"
	check "negative $name: nothing of /etc/passwd leaked" \
		bash -c "! grep -q 'root:x:0:0' '$SCRATCH/$name.out' '$SCRATCH/$name.err'"
	set -e; set +e
done
finish

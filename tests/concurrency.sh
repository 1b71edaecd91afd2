#!/usr/bin/env bash
# Several runs and a watcher on one spool (issue 6): thousands of generated
# cXML orders plus duplicates and broken files, dropped into in/ partly
# before and partly during the work (the documented way: written elsewhere
# on the spool's filesystem, renamed into in/); three loops start
# `ordergate run` again and again, concurrently, while an `ordergate watch`
# works on the same spool; the watcher is stopped with SIGTERM in the middle
# of the drops, the runs take over, and one last run finishes. Then: no
# input lost, none processed twice, the ledger's counts match what was
# dropped, and every invariant of tests/spoolcheck.py holds.
#   CONC_N       generated orders (default 3000, 500 under ASan or valgrind)
#   CONC_DUPS    of them dropped a second time under another name (default 40)
#   CONC_BROKEN  broken documents (default 20)
#   CONC_RUNNERS loops starting `ordergate run` (default 3)
. "$(dirname "$0")/lib.sh"
N=${CONC_N:-$([ "${ASAN:-0}" = 1 ] || [ "${VALGRIND:-0}" = 1 ] && echo 500 || echo 3000)}
DUPS=${CONC_DUPS:-40}
BROKEN=${CONC_BROKEN:-20}
RUNNERS=${CONC_RUNNERS:-3}
t_start=$(date +%s)
# whatever happens, the loops and the watcher stop before the scratch goes
wpid=""
trap 'touch "$SCRATCH/stop"; [ -n "$wpid" ] && kill -TERM "$wpid" 2> /dev/null; wait; rm -rf "$SCRATCH"' EXIT
count() { find "$@" -type f 2>/dev/null | wc -l; }

s=$(new_spool)
sent="$SCRATCH/sent"
"$PYTHON_BIN" "$ROOT/tests/bench/gen.py" --out "$sent" --count "$N" --seed 11 --jobs 2 --quiet
"$PYTHON_BIN" - "$ROOT" "$sent" "$DUPS" "$BROKEN" <<'PY'
import sys, os, shutil
root, sent, dups, broken = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
orders = sorted(os.listdir(sent))
step = max(1, len(orders) // max(1, dups))
for n in orders[::step][:dups]:
    shutil.copy(os.path.join(sent, n), os.path.join(sent, "again-" + n))
bad = open(os.path.join(root, "samples/cxml/broken-not-well-formed.xml"), "rb").read()
for i in range(broken):
    open(os.path.join(sent, "broken-%03d.xml" % i), "wb").write(bad)
PY
total=$(ls "$sent" | wc -l)
echo "# concurrency: $N orders, $DUPS duplicates, $BROKEN broken ($total files), $RUNNERS run loops and a watcher"

# half the files before anything starts, the rest while the work goes on
stage="$s/.incoming"          # on the spool's filesystem, outside in/
mkdir -p "$stage"
"$PYTHON_BIN" - "$sent" "$s/in" "$stage" "$SCRATCH/late" <<'PY2'
import sys, os, random, shutil
sent, inn, stage, late = sys.argv[1:5]
names = sorted(os.listdir(sent))
random.Random(11).shuffle(names)
half = len(names) // 2
for n in names[:half]:
    shutil.copy(os.path.join(sent, n), os.path.join(inn, n))
for n in names[half:]:
    shutil.copy(os.path.join(sent, n), os.path.join(stage, n))
open(late, "w").write("\n".join(names[half:]) + "\n")
PY2
printf '[pickup]\nquiet_seconds = 0\n[watch]\nrescan_seconds = 1\n' > "$SCRATCH/conc.ini"

# the drops: 50 files every 0.1 s, each renamed into in/; the late files in
# two parts: the first while the runs work, the second once the watcher
# holds the spool
head -n $(($(wc -l < "$SCRATCH/late") / 2)) "$SCRATCH/late" > "$SCRATCH/late-a"
tail -n +$(($(wc -l < "$SCRATCH/late") / 2 + 1)) "$SCRATCH/late" > "$SCRATCH/late-b"
drop() { # drop LIST: renames the listed files into in/, touches LIST.half and LIST.done
	local i=0 half n
	half=$(($(wc -l < "$1") / 2))
	while read -r n; do
		mv "$stage/$n" "$s/in/$n"
		i=$((i + 1))
		[ $((i % 50)) = 0 ] && sleep 0.1
		[ "$i" = "$half" ] && touch "$1.half"
	done < "$1"
	touch "$1.half" "$1.done"
}
drop "$SCRATCH/late-a" &
dropper_a=$!

: > "$SCRATCH/codes"; : > "$SCRATCH/watch-codes"
runners=""
# the run loops: each starts `ordergate run` again and again
for k in $(seq 1 "$RUNNERS"); do
	(
		RANDOM=$k
		while [ ! -e "$SCRATCH/stop" ]; do
			"$ORDERGATE" run -q -c "$SCRATCH/conc.ini" --spool "$s" > /dev/null 2>> "$SCRATCH/runs.err"
			echo $? >> "$SCRATCH/codes"
			sleep "0.0$((RANDOM % 10))"
		done
	) &
	runners+=" $!"
done

# the watcher: started again and again while a run holds the lock (exit 73)
# until it holds the spool; then the second part of the drops; stopped with
# SIGTERM once it has published documents and half that part is in
sleep 1
for _ in $(seq 1 300); do
	"$ORDERGATE" watch -c "$SCRATCH/conc.ini" --spool "$s" > /dev/null 2> "$SCRATCH/watch.err" &
	w=$!
	# it holds the spool once it says "watching" (a slow start, as under
	# AddressSanitizer, is not yet holding it); refused, it exits 73
	for _ in $(seq 1 600); do
		kill -0 "$w" 2> /dev/null && ! grep -q 'watching ' "$SCRATCH/watch.err" || break
		sleep 0.05
	done
	if kill -0 "$w" 2> /dev/null; then wpid=$w; break; fi
	wait "$w"
	echo "$?" >> "$SCRATCH/watch-codes"
done
check "watch: it got the spool between runs" test -n "$wpid"
check "watch: until then it was refused with 73 only" test "$(grep -v -c '^73$' "$SCRATCH/watch-codes")" = 0
drop "$SCRATCH/late-b" &
dropper_b=$!
watched() { grep -c -e ' -> out' "$SCRATCH/watch.err"; }
for _ in $(seq 1 600); do
	[ -e "$SCRATCH/late-b.half" ] && [ "$(watched)" -gt 0 ] && break
	sleep 0.1
done
if [ -n "$wpid" ]; then
	kill -TERM "$wpid"
	wait "$wpid"
	rc=$?
	wpid_was=$wpid; wpid=""
	# 1: some document it took failed (the broken ones), as for `run`
	check "watch: SIGTERM in the middle of the drops stops it cleanly (exit $rc)" test $rc = 0
	check "watch: it published orders before it was stopped" test "$(watched)" -gt 0
fi
wait "$dropper_a" "$dropper_b"
# the runs go on until in/ is empty (or two minutes pass), then stop
for _ in $(seq 1 1200); do [ "$(count "$s/in")" = 0 ] && break; sleep 0.1; done
touch "$SCRATCH/stop"
for r in $runners; do wait "$r"; done
"$ORDERGATE" run -q -c "$SCRATCH/conc.ini" --spool "$s" > /dev/null 2>> "$SCRATCH/runs.err"
rc=$?
check "last run: exit 0 or 1" test "$rc" = 0 -o "$rc" = 1

worked=$(grep -c -E '^(0|1)$' "$SCRATCH/codes")
locked=$(grep -c '^73$' "$SCRATCH/codes")
other=$(grep -v -c -E '^(0|1|73)$' "$SCRATCH/codes")
check "runs: every run worked (0, 1) or found the spool taken (73); none failed otherwise" test "$other" = 0
echo "# runs: $worked worked, $locked found the spool taken; the watcher was refused $(wc -l < "$SCRATCH/watch-codes") times before it got it"
# who did what: the process id is part of every document ID
echo "# documents per process (the watcher was pid ${wpid_was:-none}):"
sqlite3 "$s/ledger.db" "SELECT CAST(substr(id, 17, 6) AS INTEGER), count(*) FROM documents WHERE parent_id IS NULL GROUP BY 1 ORDER BY 2 DESC" \
	| awk -F'|' -v w="${wpid_was:-x}" '{ printf "#   %6d  %s%s\n", $2, $1, ($1 == w % 1000000 ? " (watch)" : "") }' | head -20
ledger() { sqlite3 "$s/ledger.db" "$1"; }
check "no input lost or processed twice: every one once in archive/ or failed/, byte for byte (and every invariant)" \
	spool_invariants_full "$s" "$sent"
check "ledger: one document per file dropped ($total)" \
	test "$(ledger "SELECT count(*) FROM documents WHERE parent_id IS NULL")" = "$total"
check "ledger: $N orders, each payloadID once" \
	test "$(ledger "SELECT count(*) || '/' || count(DISTINCT sender_key || ' ' || payload_id) FROM documents WHERE state = 'done'")" = "$N/$N"
check "ledger: $N orders" test "$(ledger "SELECT count(*) FROM orders")" = "$N"
check "ledger: $DUPS duplicates, each of a translated order" \
	test "$(ledger "SELECT count(*) FROM documents d JOIN documents o ON o.id = d.duplicate_of AND o.state = 'done' WHERE d.state = 'duplicate'")" = "$DUPS"
check "ledger: the $BROKEN broken files failed, nothing else" \
	test "$(ledger "SELECT count(*) || '/' || sum(name LIKE 'broken-%') FROM documents WHERE state = 'failed'")" = "$BROKEN/$BROKEN"
check "outputs: two per order ($((2 * N)))" test "$(count "$s/out" "$s/out-test")" = $((2 * N))
check "inputs: $((total - BROKEN)) archived, $BROKEN in failed/ with a .why each" \
	test "$(count "$s/archive")/$(count "$s/failed" -name '*.why')/$(count "$s/failed")" = "$((total - BROKEN))/$BROKEN/$((2 * BROKEN))"
echo "# concurrency: $(($(date +%s) - t_start)) s"
finish

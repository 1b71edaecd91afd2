#!/usr/bin/env bash
# Crash at every step and injected I/O faults (docs/reliability.md).
#
# Through the engine's fsio layer (src/fsio.h), on a small mixed batch:
#  1. crash at every step: for every N, SIGKILL the run just before its Nth
#     durable operation (open, write, fsync, rename, unlink, ledger commit),
#     restart, and check that the result is the same as an uninterrupted run;
#  2. faults: ENOSPC and EIO at the first and a middle write, fsync, rename,
#     unlink and commit, once and forever: the run stops with exit 75,
#     acknowledges nothing it has not made durable, and a later run without
#     the fault completes with the same result;
#  3. a genuinely full tmpfs (as root): the same, then space comes back.
# FAULTS_EVERY=K crashes only at every Kth step (default 1: every step;
# 4 under AddressSanitizer, where each run costs several times more).
# FAULTS_ARCHIVE_FORM=gzip runs it all with [spool] archive_form = gzip
# (a gzip copy staged, the input removed); then every 2nd step by default.
. "$(dirname "$0")/lib.sh"

FORM=${FAULTS_ARCHIVE_FORM:-as-sent}
if [ "${ASAN:-0}" = 1 ]; then EVERY=4; else EVERY=1; fi
[ "$FORM" = gzip ] && EVERY=$((EVERY * 2))
EVERY=${FAULTS_EVERY:-$EVERY}
echo "# archive_form = $FORM; a crash at one step in $EVERY"
W=$SCRATCH/workload
mkdir -p "$W"
# an order, a test-mode order, a broken file (and, below, a .gz, a .tar of
# two orders and a duplicate under another name): small, so that crashing
# at every step stays affordable, with every kind of step in it
cp "$ROOT"/samples/cxml/{cxmlphp-sample-order,jpy-test-mode,broken-not-well-formed}.xml "$W/"
python3 - "$ROOT/samples/cxml/cxmlphp-sample-order.xml" "$W" <<'PY'
import gzip, io, sys, tarfile
src, out = sys.argv[1], sys.argv[2]
base = open(src, encoding="utf-8").read()
def order(tag):
    return base.replace("1625586002.193314.7293@dev", "faults-%s@dev" % tag) \
               .replace('orderID="DO1234"', 'orderID="F-%s"' % tag).encode()
with gzip.open(out + "/one.xml.gz", "wb") as f:
    f.write(order("gz"))
with tarfile.open(out + "/two.tar", "w") as t:
    for tag in ("tar1", "tar2"):
        data = order(tag)
        info = tarfile.TarInfo(tag + ".xml"); info.size = len(data); info.mtime = 0
        t.addfile(info, io.BytesIO(data))
# the same order twice under another name: a duplicate
open(out + "/zz-again.xml", "wb").write(order("gz"))
PY
NINPUTS=$(find "$W" -type f | wc -l)
# take files at once: they are complete when the run starts
CONF=$SCRATCH/fast.ini
printf '[pickup]\nquiet_seconds = 0\n[spool]\narchive_form = %s\n' "$FORM" > "$CONF"

# A spool whose ledger exists (created by a run with nothing to do), so
# the steps counted below are the batch's own; creating the ledger is
# crashed separately.
TEMPLATE=$SCRATCH/template
mkdir -p "$TEMPLATE/in"
"$ORDERGATE" run -c "$CONF" --quiet --spool "$TEMPLATE" > /dev/null 2>&1
fresh() { local s; s=$(mktemp -d "$SCRATCH/spool.XXXXXX"); cp -a "$TEMPLATE"/. "$s/"; cp "$W"/* "$s/in/"; echo "$s"; }
# Every file a finished spool shows, without the document IDs (they carry
# the clock and the pid), sorted: two runs that did the same work list the same.
# What a spool holds, without document IDs and archive dates (a run that
# crosses midnight archives under the next day's folder)
listing() {
	(cd "$1" && find in work tmp out out-test archive failed -type f 2>/dev/null) |
		sed -E 's/[0-9]{8}-[0-9]{6}-[0-9]{6}-[0-9]{6}-?//; s|^archive/[0-9]{4}/[0-9]{2}/[0-9]{2}/|archive/DATE/|' |
		sort
}
run_clean() { "$ORDERGATE" run -c "$CONF" --quiet --spool "$1" > "$1.log" 2>&1; }

# Partial-state invariants, true at any moment: each input is in exactly
# one of in/, work/, archive/, failed/; every file visible in out/ or
# archive/ is complete and recorded with its hash (nothing unrecorded or
# half-written is visible).
partial_ok() {
	local s=$1 bad=0 name n
	local final pending
	# an archive copy is NAME (kept as sent: archive_form = as-sent, or it
	# came compressed) or NAME.gz (gzipped here: archive_form = gzip)
	final=$( (cd "$s" && find failed -type f ! -name '*.why'; find archive -type f 2>/dev/null) |
		sed -E 's|.*/||; s/^[0-9]{8}-[0-9]{6}-[0-9]{6}-[0-9]{6}-//' |
		while IFS= read -r name; do
			if [ -e "$W/$name" ]; then echo "$name"; else echo "${name%.gz}"; fi
		done)
	pending=$( (cd "$s" && find in work -type f) | sed -E 's|.*/||; s/^[0-9]{8}-[0-9]{6}-[0-9]{6}-[0-9]{6}-//')
	# in archive/ or failed/ exactly once, or not yet there and waiting
	# in in/ or work/ exactly once; a committed input may still wait in
	# work/ for its removal
	while IFS= read -r name; do
		nf=$(grep -cxF "$name" <<< "$final")
		np=$(grep -cxF "$name" <<< "$pending")
		{ [ "$nf" = 1 ] && [ "$np" -le 1 ]; } || { [ "$nf" = 0 ] && [ "$np" = 1 ]; } ||
			{ echo "  input $name: $nf times in archive/ or failed/, $np times in in/ or work/" >&2; bad=1; }
	done < <(cd "$W" && ls)
	local rows f rel
	rows=$(sqlite3 "$s/ledger.db" "SELECT path || '|' || sha256 FROM outputs" 2>/dev/null)
	while IFS= read -r f; do
		rel=${f#"$s"/}
		grep -qxF "$rel|$(sha256sum < "$f" | cut -d' ' -f1)" <<< "$rows" ||
			{ echo "  visible but not recorded (or not complete): $rel" >&2; bad=1; }
	done < <(find "$s/out" "$s/out-test" "$s/archive" -type f 2>/dev/null)
	return $bad
}

# --- the reference: one uninterrupted run ----------------------------------
ref=$(fresh)
run_clean "$ref"
rc=$?
check "reference run completes (exit 1: one input is broken)" test "$rc" = 1
check "reference run: invariants hold" spool_invariants "$ref"
listing "$ref" > "$SCRATCH/reference.list"
check "reference run: every input archived or failed once" partial_ok "$ref"
check "reference run: $NINPUTS inputs, all in archive/ or failed/" \
	test "$(find "$ref/archive" "$ref/failed" -type f ! -name '*.why' | wc -l)" = "$NINPUTS"

# the number of steps of the run
cnt=$(fresh)
ORDERGATE_FAULT=count "$ORDERGATE" run -c "$CONF" --quiet --spool "$cnt" > "$cnt.log" 2>&1
steps=$(sed -n 's/^fsio: \([0-9]*\) steps.*/\1/p' "$cnt.log")
check "the fsio layer counts the run's steps" test -n "$steps"
echo "# $(grep '^fsio:' "$cnt.log")"
steps=${steps:-0}
mid() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" "$cnt.log"; }

# The order of the steps (ORDERGATE_FAULT=trace prints each): before each
# ledger commit, the folders of the files synced for it (tmp/, and work/
# for inputs kept as sent) are synced after those files, and in/ after
# the claims (renames into work/) made before it, so the names the commit
# records are durable and no claimed file can come back into in/ (ext4
# without a journal, ext2: a file's fsync does not make its name durable).
tr=$(fresh)
ORDERGATE_FAULT=trace "$ORDERGATE" run -c "$CONF" --quiet --spool "$tr" > "$tr.log" 2>&1
names_synced() {
	grep '^fsio: step ' "$1" | awk -v root="$2" '
		$4 == "rename" && $5 ~ "^" root "/work/" { dirty[root "/in"] = 1; next }
		$4 == "fsync" && $5 ~ "^" root "/(tmp|work)/" { d = $5; sub("/[^/]*$", "", d); dirty[d] = 1; next }
		$4 == "fsync" && ($5 == root "/tmp" || $5 == root "/work" || $5 == root "/in") { delete dirty[$5]; next }
		$4 == "commit" { commits++; for (d in dirty) { print "commit " commits ": " d " not synced before it"; bad = 1 } delete dirty }
		END { if (!commits) { print "no ledger commit traced"; bad = 1 } exit bad }' >&2
}
check "trace: every commit follows the sync of its staged files' and claims' folders" names_synced "$tr.log" "$tr"

# --- 1. crash at every step -------------------------------------------------
crashed=0
bad=0
declare -A at_op=()
for ((n = 1; n <= steps; n += EVERY)); do
	s=$(fresh)
	# (braces: the shell's own "Killed" notice goes nowhere)
	{ ORDERGATE_FAULT=crash:$n "$ORDERGATE" run -c "$CONF" --quiet --spool "$s" > "$s.crash" 2>&1; } 2> /dev/null
	rc=$?
	op=$(sed -n 's/^fsio: crash before step [0-9]* (\([a-z]*\).*/\1/p' "$s.crash")
	if [ "$rc" != 137 ] || [ -z "$op" ]; then
		echo "  step $n: the run was not stopped there (exit $rc)" >&2; bad=$((bad + 1)); continue
	fi
	crashed=$((crashed + 1))
	at_op[$op]=$(( ${at_op[$op]:-0} + 1 ))
	if ! partial_ok "$s"; then echo "  step $n ($op): broken state right after the crash" >&2; bad=$((bad + 1)); fi
	run_clean "$s"
	rc=$?
	# exit 1 when this run moved a broken input to failed/, 0 when the
	# crashed run had finished those already
	if [ "$rc" -gt 1 ] || ! spool_invariants "$s" || ! partial_ok "$s" ||
		! diff <(listing "$s") "$SCRATCH/reference.list" >&2; then
		echo "  step $n ($op): the restart (exit $rc) did not give the reference result" >&2
		bad=$((bad + 1))
	else
		rm -rf "$s" "$s".*
	fi
done
summary=$(for k in "${!at_op[@]}"; do printf '%s %s, ' "$k" "${at_op[$k]}"; done)
echo "# crash at every step: $crashed crashes (${summary%, }), $bad violations"
check "crash at every step: the run stopped at each of its $steps steps" \
	test "$crashed" = "$(( (steps + EVERY - 1) / EVERY ))"
check "crash at every step: every restart gives the uninterrupted result" test "$bad" = 0

# creating the ledger (a first run on a new spool: SQLite's schema writes
# and syncs), crashed at every 10th of its steps, then the batch
e=$SCRATCH/empty
mkdir -p "$e/in"
ORDERGATE_FAULT=count "$ORDERGATE" run -c "$CONF" --quiet --spool "$e" > "$e.log" 2>&1
create=$(sed -n 's/^fsio: \([0-9]*\) steps.*/\1/p' "$e.log")
create=${create:-0}
cbad=0
ccrashed=0
for ((n = 1; n <= create; n += 10)); do
	s=$(mktemp -d "$SCRATCH/spool.XXXXXX")
	mkdir -p "$s/in"
	cp "$W"/* "$s/in/"
	{ ORDERGATE_FAULT=crash:$n "$ORDERGATE" run -c "$CONF" --quiet --spool "$s" > "$s.crash" 2>&1; } 2> /dev/null
	[ $? = 137 ] && ccrashed=$((ccrashed + 1))
	run_clean "$s"
	rc=$?
	if [ "$rc" -gt 1 ] || ! spool_invariants "$s" || ! diff <(listing "$s") "$SCRATCH/reference.list" >&2; then
		echo "  ledger creation, step $n: the restart (exit $rc) did not give the reference result" >&2
		cbad=$((cbad + 1))
	else
		rm -rf "$s" "$s".*
	fi
done
echo "# creating the ledger: $create steps, crashed at $ccrashed of them, $cbad violations"
check "ledger creation: a crash at every 10th of its $create steps stops the run" \
	test "$ccrashed" = "$(( (create + 9) / 10 ))"
check "ledger creation: every restart completes with the uninterrupted result" test "$cbad" = 0

# --- 2. injected ENOSPC and EIO ---------------------------------------------
# Checks one faulted run: exit 75, the error named, nothing acknowledged
# that is not durable, then a clean run completes with the reference result.
fault_case() {
	local spec=$1 s rc text
	s=$(fresh)
	ORDERGATE_FAULT=$spec "$ORDERGATE" run -c "$CONF" --spool "$s" > "$s.fault" 2>&1
	rc=$?
	# the system's words, or SQLite's when the ledger's own write failed
	case $spec in *ENOSPC*) text="No space left on device\|disk is full" ;; *) text="Input/output error\|disk I/O error" ;; esac
	local why=""
	[ "$rc" = 75 ] || why="exit $rc, not 75"
	grep -q "^fsio: injected" "$s.fault" || why="$why; the fault was not reached"
	grep -v '^fsio:' "$s.fault" | grep -q "$text" || why="$why; the error is not named"
	# every path an acknowledgement names exists and is recorded
	local p
	for p in $(sed -n 's/.* -> //p' "$s.fault" | tr ',' ' '); do
		[ -f "$s/$p" ] || why="$why; acknowledged $p does not exist"
	done
	partial_ok "$s" || why="$why; a partial or unrecorded file is visible"
	# the same spool once the fault is gone
	run_clean "$s"
	rc=$?
	[ "$rc" -le 1 ] || why="$why; the clean rerun exited $rc"
	spool_invariants "$s" || why="$why; invariants after the rerun"
	diff <(listing "$s") "$SCRATCH/reference.list" >&2 || why="$why; the rerun's result differs"
	if [ -z "$why" ]; then ok "fault $spec: exit 75, nothing unsafe acknowledged, the rerun completes"
	else not_ok "fault $spec: ${why#; }"; sed 's/^/    /' "$s.fault" | tail -5 >&2; fi
}
# as-sent, the run itself removes no file (inputs move into archive/): its
# one unlink is SQLite's removal of the WAL at close, which may fail
# without harm; with gzip the inputs are removed after the commit
ops="write fsync rename commit"
if [ "$FORM" = gzip ]; then
	ops="write fsync rename unlink commit"
else
	s=$(fresh)
	ORDERGATE_FAULT=unlink:EIO:1:forever "$ORDERGATE" run -c "$CONF" --spool "$s" > "$s.fault" 2>&1
	rc=$?
	grep -q '^fsio: injected' "$s.fault" && injected=yes || injected=no
	diff <(listing "$s") "$SCRATCH/reference.list" >&2 && same=yes || same=no
	check "as-sent: a failing unlink (SQLite's WAL at close) changes nothing: exit 1, the reference result" \
		test "$injected/$rc/$same" = "yes/1/yes"
fi
for op in $ops; do
	m=$(mid "$op")
	m=${m:-2}
	for err in ENOSPC EIO; do
		for at in 1 $(( m / 2 + 1 )); do
			fault_case "$op:$err:$at"
			fault_case "$op:$err:$at:forever"
		done
	done
done

# a failed fsync is not retried: after the injected failure nothing more is
# synced or acknowledged in that run
s=$(fresh)
ORDERGATE_FAULT=fsync:EIO:3 "$ORDERGATE" run -c "$CONF" --spool "$s" > "$s.fault" 2>&1
check "failed fsync: no order acknowledged after it" \
	test -z "$(sed -n '/^fsio: injected/,$p' "$s.fault" | grep ' -> ')"
check "failed fsync: the run stops with exit 75" test "$(ORDERGATE_FAULT=fsync:EIO:1 "$ORDERGATE" run -c "$CONF" --quiet --spool "$(fresh)" > /dev/null 2>&1; echo $?)" = 75

# --- 3. a genuinely full filesystem (root only) -----------------------------
full=$SCRATCH/full
mkdir -p "$full"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=1m ordergate-faults "$full" 2>/dev/null; then
	s=$full/spool
	mkdir -p "$s/in"
	python3 "$ROOT/tests/bench/gen.py" --out "$s/in" --count 60 --seed 11 > /dev/null
	"$ORDERGATE" run -c "$CONF" --spool "$s" > "$SCRATCH/full.log" 2>&1
	rc=$?
	check "full tmpfs: the run stops with exit 75" test "$rc" = 75
	check "full tmpfs: the error names the full disk" grep -q "No space left on device\|disk is full" "$SCRATCH/full.log"
	# still full: the next run opens the ledger (which writes nothing),
	# clears what the first left in tmp/, and says what is wrong and what
	# to do, not SQLite's "database or disk is full" alone
	"$ORDERGATE" run -c "$CONF" --spool "$s" > "$SCRATCH/full1b.log" 2>&1
	rc=$?
	check "full tmpfs: run again while full: 75, the disk holding the spool is full, what is free, nothing lost, free space and run again" \
		bash -c "test $rc = 75 && ! grep -q 'cannot set up' '$SCRATCH/full1b.log' && grep -q 'the disk holding $s is full ([0-9]* kB free): .*Nothing was lost: .*Free space on that disk (df $s), then run again' '$SCRATCH/full1b.log'"
	"$ORDERGATE" show X --spool "$s" > /dev/null 2>&1
	check "full tmpfs: show still reads the ledger (66: no such order)" test $? = 66
	n_in=60
	mount -o remount,size=64m "$full"
	"$ORDERGATE" run -c "$CONF" --quiet --spool "$s" > "$SCRATCH/full2.log" 2>&1
	rc=$?
	check "full tmpfs: with space back the run completes (exit 0)" test "$rc" = 0
	check "full tmpfs: invariants hold, no temp file left" spool_invariants "$s"
	check "full tmpfs: all $n_in orders archived once" \
		test "$(find "$s/archive" -type f | wc -l)" = "$n_in"
	check "full tmpfs: $n_in orders in the ledger, none twice" \
		test "$(sqlite3 "$s/ledger.db" "SELECT count(DISTINCT payload_id) || '/' || count(*) FROM documents")" = "$n_in/$n_in"
	umount "$full"
else
	echo "# full tmpfs: not run (needs root and mount); the injected ENOSPC cases above cover the code paths"
fi

finish

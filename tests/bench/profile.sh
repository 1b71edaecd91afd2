#!/usr/bin/env bash
# tests/bench/profile.sh: where a 2,000-order `ordergate run` spends its time.
#
#     bash tests/bench/profile.sh build/ordergate      (about 3 minutes)
#
# Writes build/bench/profile/report.txt (and perf.data, the strace
# summaries) and prints the report:
#   1. wall, CPU and peak RSS of a plain run (the reference);
#   2. the parent's fsync calls: how many per document, how long in total
#      (strace, fsync/fdatasync only);
#   3. CPU by pipeline stage, parent and workers apart (perf record
#      --call-graph dwarf, attributed by tests/bench/perfstages.py);
#   4. the same run with one thing changed: spool on tmpfs (no disk
#      flushes), validate_outputs = no, group_size = 512, -j 2x cores;
#   5. successive 2,000-order runs on one spool: does the rate hold as the
#      ledger grows?
# Needs perf (linux-perf) and strace; uses the bench's generated orders
# (build/bench/pool-*) or generates 12,000.
set -euo pipefail

die() { echo "profile: error: $*" >&2; exit 1; }
say() { echo "profile: $*" >&2; }

[ $# -eq 1 ] || die "usage: bash tests/bench/profile.sh PATH/TO/ordergate"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
[ -x "$1" ] || die "$1 is not an executable (make all)"
P=$ROOT/build/bench/profile
N=${PROFILE_ORDERS:-2000}
GROWTH_RUNS=${PROFILE_GROWTH_RUNS:-5}
J=$(nproc)
FREQ=499
command -v perf >/dev/null || die "perf is needed (apt-get install linux-perf)"
command -v strace >/dev/null || die "strace is needed (apt-get install strace)"
[ -x /usr/bin/time ] || die "/usr/bin/time is needed (apt-get install time)"

rm -rf "$P"
mkdir -p "$P"
OG=$P/ordergate
cp "$1" "$OG"
REPORT=$P/report.txt
: >"$REPORT"
out() { echo "$*" | tee -a "$REPORT"; }

NEED=$((N * (GROWTH_RUNS > 1 ? GROWTH_RUNS : 1)))
POOL=$(find "$ROOT/build/bench" -maxdepth 1 -type d -name 'pool-*' | awk 'NR == 1' || true)
if [ -z "$POOL" ] || [ "$(find "$POOL" -name '*.xml' | wc -l)" -lt "$NEED" ]; then
	POOL=$P/pool
	say "generating $NEED orders"
	python3 "$ROOT/tests/bench/gen.py" --out "$POOL" --count "$NEED" >/dev/null
fi
NAMES=$P/names.txt
(cd "$POOL" && ls | grep '\.xml$' | awk -v n="$NEED" 'NR <= n') >"$NAMES"

CONF=$P/base.ini
printf '[pickup]\nquiet_seconds = 0\n' >"$CONF"
"$OG" check-config -c "$CONF" >/dev/null 2>&1 || : >"$CONF"

# fill SPOOL FIRST COUNT: copies orders FIRST+1 .. FIRST+COUNT into SPOOL/in
fill() {
	mkdir -p "$1/in"
	awk -v a="$2" -v b="$3" 'NR > a && NR <= a + b' "$NAMES" | (cd "$POOL" && xargs cp -t "$1/in/")
}

# run LABEL SPOOL CONFIG JOBS: one timed run; appends a line to the report
run() {
	local label=$1 spool=$2 conf=$3 jobs=$4 t0 t1
	t0=$(date +%s.%N)
	/usr/bin/time -f '%U %S %M' -o "$P/time.txt" "$OG" run -q -c "$conf" -j "$jobs" --spool "$spool" ||
		die "$label: ordergate run failed"
	t1=$(date +%s.%N)
	read -r u s m <"$P/time.txt"
	awk -v l="$label" -v a="$t0" -v b="$t1" -v u="$u" -v s="$s" -v m="$m" -v n="$N" 'BEGIN {
		w = b - a
		printf "  %-34s %7.2f s  %7.1f docs/s  CPU %6.2f s (%3.0f%% of wall)  %5.2f ms CPU/doc  peak RSS %5.1f MB\n",
			l, w, n / w, u + s, 100 * (u + s) / w, 1000 * (u + s) / n, m / 1024 }' | tee -a "$REPORT"
}

out "ordergate profile: $N orders, -j $J, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
out "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), kernel $(uname -r), build/ on $(df -T "$P" | awk 'NR == 2 {print $2}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
out ""

# 1. reference
out "1. reference run (spool on $(df -T "$P" | awk 'NR == 2 {print $2}'), durable, default engine settings)"
rm -rf "$P/spool"; fill "$P/spool" 0 "$N"
run "reference" "$P/spool" "$CONF" "$J"
out ""

# 2. fsync
say "counting fsync calls"
rm -rf "$P/spool"; fill "$P/spool" 0 "$N"
strace -y -e trace=fsync,fdatasync -o "$P/strace-fsync.txt" "$OG" run -q -c "$CONF" -j "$J" --spool "$P/spool"
rm -rf "$P/spool"; fill "$P/spool" 0 "$N"
strace -c -w -e trace=fsync,fdatasync -o "$P/strace-fsync-time.txt" "$OG" run -q -c "$CONF" -j "$J" --spool "$P/spool"
out "2. the parent's fsync/fdatasync calls ($N documents; strace, so times are a little inflated)"
awk '$NF == "fsync" || $NF == "fdatasync" {printf "  %-10s %6d calls  %7.2f s  %6.0f us each\n", $NF, $4, $2, $3}' "$P/strace-fsync-time.txt" | tee -a "$REPORT"
out "  per document, by what is synced:"
sed -E 's/.*<([^>]*)>.*/\1/' "$P/strace-fsync.txt" | grep -v '^+++' |
	sed -E "s#^$P/spool/?##; s#[0-9]{8}-[0-9]{6}-[0-9]+-[0-9]+[^/]*\$#<staged file>#; s#^(out|out-test)/[^/]+/#\\1/<partner>/#; s#archive/[0-9]{4}/[0-9]{2}/[0-9]{2}#archive/Y/M/D#; s#^\$#<spool>#" |
	sort | uniq -c | sort -rn | awk -v n="$N" '{printf "    %6.2f  %s\n", $1 / n, $2}' | awk 'NR <= 12' | tee -a "$REPORT"
out ""

# 3. perf
say "perf record"
rm -rf "$P/spool"; fill "$P/spool" 0 "$N"
perf record -q -F $FREQ --call-graph dwarf,16384 -o "$P/perf.data" -- \
	"$OG" run -q -c "$CONF" -j "$J" --spool "$P/spool" >/dev/null 2>"$P/perf-record.err" ||
	die "perf record failed: $(cat "$P/perf-record.err")"
perf script -i "$P/perf.data" --no-inline -F pid,ip,sym,dso 2>/dev/null >"$P/perf.script"
out "3. CPU by stage (perf, $FREQ Hz, call graphs; CPU time only, waiting is not sampled)"
python3 "$ROOT/tests/bench/perfstages.py" $FREQ <"$P/perf.script" | sed 's/^/  /' | tee -a "$REPORT"
RX=$(python3 - "$P/perf.script" <<'EOF'
import sys
samples, pid, frames = [], None, []
for line in open(sys.argv[1]):
    if not line.strip():
        if pid is not None:
            samples.append((pid, frames))
        pid, frames = None, []
        continue
    if not line.startswith("\t"):
        pid = int(line.split()[0]); continue
    frames.append(line.strip().split(None, 1)[1].rsplit(" (", 1)[0].split("+0x")[0])
parent = samples[0][0]
rv = [f for p, f in samples if p != parent and "canon_validate" in f]
rx = sum(1 for f in rv if "xmlRegexpCompile" in f or "xmlRegFreeRegexp" in f)
mp = [f for p, f in samples if p != parent and "xform_apply" in f and "emit_render" not in f]
xp = sum(1 for f in mp if any(x.startswith("xmlXPath") for x in f))
print("  RelaxNG: %d%% of its samples compile or free a regular expression (pattern facets, per value)" % (100 * rx / max(1, len(rv))))
print("  inbound map: %d%% of its samples evaluate XPath" % (100 * xp / max(1, len(mp))))
EOF
)
out "$RX"
out ""

# 4. one change at a time
out "4. the same $N orders with one change"
SHM=/dev/shm/ordergate-profile-$$
if [ -d /dev/shm ]; then
	rm -rf "$SHM"; fill "$SHM" 0 "$N"
	run "spool on tmpfs (no disk flushes)" "$SHM" "$CONF" "$J"
	rm -rf "$SHM"
fi
cp "$CONF" "$P/novalid.ini"; printf '[engine]\nvalidate_outputs = no\n' >>"$P/novalid.ini"
rm -rf "$P/spool"; fill "$P/spool" 0 "$N"
run "validate_outputs = no" "$P/spool" "$P/novalid.ini" "$J"
cp "$CONF" "$P/group.ini"; printf '[engine]\ngroup_size = 512\n' >>"$P/group.ini"
rm -rf "$P/spool"; fill "$P/spool" 0 "$N"
run "group_size = 512" "$P/spool" "$P/group.ini" "$J"
rm -rf "$P/spool"; fill "$P/spool" 0 "$N"
run "-j $((2 * J)) (2 x cores)" "$P/spool" "$CONF" $((2 * J))
out ""

# 5. ledger growth
if [ "$GROWTH_RUNS" -gt 1 ]; then
	out "5. $GROWTH_RUNS successive runs of $N new orders on one spool (the ledger grows)"
	rm -rf "$P/spool"
	for k in $(seq 0 $((GROWTH_RUNS - 1))); do
		fill "$P/spool" $((k * N)) "$N"
		run "run $((k + 1)) (ledger had $((k * N * 2)) outputs)" "$P/spool" "$CONF" "$J"
	done
	out "  plan of the lookup done once per published document (ledger_outputs):"
	sqlite3 "$P/spool/ledger.db" "EXPLAIN QUERY PLAN SELECT kind, path, tmp_name, sha256 FROM outputs WHERE document_id = 'x' OR document_id LIKE 'x' || '.%' ORDER BY id" 2>&1 |
		sed 's/^/    /' | tee -a "$REPORT"
fi
rm -rf "$P/spool"
out ""
out "report: $REPORT"

#!/usr/bin/env bash
# tests/bench/run.sh: ordergate's benchmark (issue 7). `make bench` runs
#
#     bash tests/bench/run.sh build/ordergate
#
# and prints a table on stdout; build/bench/results.json has the same figures.
# What each row means: docs/performance.md. Sizes can be turned down for a
# quick look (every figure in the table says how many documents it used):
#
#   BENCH_ORDERS=20000      orders generated (the pipeline, floor and lxml rows)
#   BENCH_RUNS=3            runs of the pipeline and of the floor, alternating (median shown)
#   BENCH_JOBS=$(nproc)     worker processes for ordergate, the floor and the peers
#   BENCH_SEED=7            generator seed
#   BENCH_XSLTPROC=500      files for the xsltproc-per-file peer
#   BENCH_LXML=$BENCH_ORDERS  files for the Python lxml peer
#   BENCH_SAXON=5000        files for Saxon-HE's directory mode
#   BENCH_SCALE_SMALL=1000  files waiting for the small scale row (all processed)
#   BENCH_SCALE_BIG=100000  files waiting for the big scale row ...
#   BENCH_SCALE_TAKE=5000   ... of which this many are processed (--max-files)
#   BENCH_HUGE_LINES=100000 lines of the huge order (0 skips the row)
#   BENCH_HUGE_TIMEOUT=300  seconds before the huge row is stopped
#   BENCH_WATCH=1000        documents dropped into `ordergate watch` at BENCH_WATCH_RATE/s
#   BENCH_WATCH_RATE=50     their steady drop rate, documents per second
#   BENCH_DIR=build/bench   work folder (spools are deleted after each row)
#
# Bench-only Debian packages, installed when missing (as root or with sudo):
# time, python3-lxml, libsaxonhe-java, default-jre-headless. A peer whose
# package cannot be installed is reported as skipped, not as a failure.
set -euo pipefail

die() { echo "bench: error: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }

[ $# -eq 1 ] || die "usage: bash tests/bench/run.sh PATH/TO/ordergate"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
OG_SRC=$1
[ -x "$OG_SRC" ] || die "$OG_SRC is not an executable (build it first: make all)"

W=${BENCH_DIR:-$ROOT/build/bench}
case $W in /*) ;; *) W=$ROOT/$W ;; esac
NPROC=$(nproc)
J=${BENCH_JOBS:-$NPROC}
N=${BENCH_ORDERS:-20000}
RUNS=${BENCH_RUNS:-3}
SEED=${BENCH_SEED:-7}
XSLTPROC_N=${BENCH_XSLTPROC:-500}
LXML_N=${BENCH_LXML:-$N}
SAXON_N=${BENCH_SAXON:-5000}
SCALE_SMALL=${BENCH_SCALE_SMALL:-1000}
SCALE_BIG=${BENCH_SCALE_BIG:-100000}
SCALE_TAKE=${BENCH_SCALE_TAKE:-5000}
HUGE_LINES=${BENCH_HUGE_LINES:-100000}
HUGE_TIMEOUT=${BENCH_HUGE_TIMEOUT:-300}
WATCH_N=${BENCH_WATCH:-1000}
WATCH_RATE=${BENCH_WATCH_RATE:-50}
XSLT=$ROOT/xslt
PY=python3
REPORT="$PY $ROOT/tests/bench/report.py"
for v in J N RUNS XSLTPROC_N LXML_N SAXON_N SCALE_SMALL SCALE_BIG SCALE_TAKE HUGE_LINES HUGE_TIMEOUT WATCH_N WATCH_RATE; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, not '${!v}'"
done
[ "$J" -ge 1 ] && [ "$N" -ge 1 ] && [ "$RUNS" -ge 1 ] || die "BENCH_JOBS, BENCH_ORDERS and BENCH_RUNS must be at least 1"
[ "$LXML_N" -le "$N" ] && [ "$SAXON_N" -le "$N" ] && [ "$XSLTPROC_N" -le "$N" ] &&
	[ "$SCALE_SMALL" -le "$N" ] && [ "$SCALE_TAKE" -le "$N" ] && [ "$SCALE_TAKE" -le "$SCALE_BIG" ] ||
	die "peer and scale sizes must not exceed BENCH_ORDERS ($N), nor BENCH_SCALE_TAKE exceed BENCH_SCALE_BIG"
command -v "$PY" >/dev/null || die "python3 is needed (the generator and the report)"

T_START=$(date +%s)

# --- packages -------------------------------------------------------------

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
APT_DONE=0
install_debs() { # best effort; returns 1 when something is still missing
	local missing=() p
	for p in "$@"; do installed "$p" || missing+=("$p"); done
	[ ${#missing[@]} -eq 0 ] && return 0
	command -v apt-get >/dev/null || { say "cannot install ${missing[*]}: no apt-get"; return 1; }
	local sudo=""
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || { say "cannot install ${missing[*]}: not root and no sudo"; return 1; }
		sudo="sudo"
	fi
	say "installing ${missing[*]}"
	if [ $APT_DONE = 0 ]; then $sudo apt-get update -qq >/dev/null 2>&1 || true; APT_DONE=1; fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || {
		say "apt-get could not install ${missing[*]}"; return 1; }
}

if [ ! -x /usr/bin/time ]; then
	install_debs time || true
	[ -x /usr/bin/time ] || die "/usr/bin/time (Debian package 'time') is needed: apt-get install time"
fi
command -v cc >/dev/null && command -v pkg-config >/dev/null && pkg-config --exists libxslt libexslt ||
	die "the floor needs cc, pkg-config and libxslt1-dev (run 'make setup')"
HAVE_LXML=1; HAVE_SAXON=1; HAVE_XSLTPROC=1
install_debs python3-lxml || true
PYLXML=""
for p in /usr/bin/python3 python3; do
	if command -v "$p" >/dev/null && "$p" -c 'import lxml.etree' 2>/dev/null; then PYLXML=$p; break; fi
done
[ -n "$PYLXML" ] || HAVE_LXML=0
command -v java >/dev/null || install_debs default-jre-headless || true
install_debs libsaxonhe-java || true
SAXON_JAR=/usr/share/java/Saxon-HE.jar
{ command -v java >/dev/null && [ -f $SAXON_JAR ]; } || HAVE_SAXON=0
command -v xsltproc >/dev/null || install_debs xsltproc || true
command -v xsltproc >/dev/null || HAVE_XSLTPROC=0

# --- work folder, binaries, configuration ---------------------------------

mkdir -p "$W"
ROWS=$W/rows.jsonl
MACHINE=$W/machine.json
: >"$ROWS"
rm -f "$MACHINE"
# a private copy: a rebuild of build/ordergate during the bench cannot mix versions
OG=$W/ordergate
cp "$OG_SRC" "$OG"
"$OG" version >/dev/null 2>&1 || die "$OG_SRC does not run ('ordergate version' failed)"

say "compiling the floor (tests/bench/floor.c)"
# shellcheck disable=SC2046
cc -std=gnu11 -O2 -g -Wall -Wextra -o "$W/floor" "$ROOT/tests/bench/floor.c" \
	$(pkg-config --cflags --libs libxml-2.0 libxslt libexslt) || die "cannot compile tests/bench/floor.c"

# Throughput configuration: take files at once (no quiet period: every file
# in in/ is complete, they were copied before the run). Everything else is
# the default: durable ledger (synchronous=FULL), fsync of every file and
# folder, output validation on.
CONF=$W/bench.ini
printf '[pickup]\nquiet_seconds = 0\n' >"$CONF"
CONF_NOTE=""
if ! "$OG" check-config -c "$CONF" >/dev/null 2>&1; then
	: >"$CONF"
	CONF_NOTE="no [pickup] quiet_seconds in this build; "
fi
HUGE_CONF=$W/huge.ini
{ cat "$CONF"; printf '[engine]\nmax_document_mb = 256\nmemory_limit_mb = 4096\ncpu_limit_seconds = 600\n'; } >"$HUGE_CONF"
"$OG" check-config -c "$HUGE_CONF" >/dev/null || die "the huge-order configuration is refused: $("$OG" check-config -c "$HUGE_CONF" 2>&1)"

load() { cut -d' ' -f1-3 /proc/loadavg; }
$REPORT set "$MACHINE" \
	"host=$(hostname)" "nproc=$NPROC" "jobs=$J" \
	"cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
	"kernel=$(uname -r)" "memory=$(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo)" \
	"build_fs=$(df -T "$W" | awk 'NR==2 {print $2 " (" $1 ")"}')" \
	"ordergate=$("$OG" version 2>&1 | awk 'NR == 1')" \
	"commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (uncommitted changes)')" \
	"libxslt=$(xsltproc --version 2>/dev/null | awk 'NR == 1' || echo unknown)" \
	"date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" "load_start=$(load)"

# --- helpers --------------------------------------------------------------

# timed NAME CMD...: runs CMD under /usr/bin/time -v; sets RC WALL USER SYS RSS.
# Output goes to $W/NAME.out and $W/NAME.err.
timed() {
	local name=$1; shift
	local t0 t1
	t0=$(date +%s.%N)
	set +e
	/usr/bin/time -v -o "$W/$name.time" "$@" >"$W/$name.out" 2>"$W/$name.err"
	RC=$?
	set -e
	t1=$(date +%s.%N)
	WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
	USER=$(awk -F': ' '/User time/ {print $2}' "$W/$name.time"); USER=${USER:-0}
	SYS=$(awk -F': ' '/System time/ {print $2}' "$W/$name.time"); SYS=${SYS:-0}
	RSS=$(awk -F': ' '/Maximum resident/ {print $2}' "$W/$name.time"); RSS=${RSS:-0}
}

# The engine's summary line: "ordergate run: N documents in S s: T translated, D duplicates, F failed"
summary_counts() { # FILE -> TRANSLATED DUPS FAILED
	local l
	l=$(grep -m1 '^ordergate run:' "$1" || true)
	TRANSLATED=$(sed -n 's/.* \([0-9]*\) translated.*/\1/p' <<<"$l"); TRANSLATED=${TRANSLATED:-0}
	DUPS=$(sed -n 's/.* \([0-9]*\) duplicates\{0,1\}.*/\1/p' <<<"$l"); DUPS=${DUPS:-0}
	FAILED=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$l"); FAILED=${FAILED:-0}
}

# (no `head` in pipelines: with pipefail, a writer killed by SIGPIPE fails the script)
first_n() { awk -v n="$1" 'NR <= n'; }

count_files() { find "$@" -type f 2>/dev/null | wc -l || true; }

first_why() { # SPOOL -> the first failure's stage and error, one line
	local f
	f=$(find "$1/failed" -name '*.why' 2>/dev/null | awk 'NR == 1' || true)
	if [ -n "$f" ]; then grep -E '^(stage|error):' "$f" | tr '\n' ' ' | cut -c1-200 || true; fi
}

bytes_of() { # DIR [COUNT]: total size of the first COUNT *.xml files by name
	find "$1" -maxdepth 1 -name '*.xml' -printf '%f %s\n' | sort | first_n "${2:-999999999}" |
		awk '{s += $2} END {print s + 0}'
}

pool_names() { # the first COUNT generated orders, by name
	(cd "$POOL" && ls | grep '\.xml$' | first_n "$1")
}

# fill_in SPOOL COUNT: copies the first COUNT pool files into SPOOL/in,
# then syncs: the files are on disk, as files that waited in in/ for a
# batch run are (the kernel writes dirty pages back within 30 s), and the
# writeback of the copy and the discard of the previous row's spool are
# not charged to the row measured next (docs/performance.md)
fill_in() {
	rm -rf "$1"
	mkdir -p "$1/in"
	pool_names "$2" | (cd "$POOL" && xargs cp -t "$1/in/")
	sync
}

# --- the workload ---------------------------------------------------------

GEN_SUM=$(md5sum "$ROOT/tests/bench/gen.py" | cut -c1-12)
POOL=$W/pool-$SEED-$N
if [ ! -f "$POOL/.done-$GEN_SUM" ]; then
	rm -rf "$W"/pool-*
	say "generating $N orders (seed $SEED) into $POOL"
	$PY "$ROOT/tests/bench/gen.py" --out "$POOL" --count "$N" --seed "$SEED" --jobs "$NPROC" >"$W/gen.out" ||
		die "the generator failed"
	cp "$W/gen.out" "$POOL/.done-$GEN_SUM"
fi
WORKLOAD=$(cat "$POOL/.done-$GEN_SUM")
say "$WORKLOAD"
$REPORT set "$MACHINE" "workload=${WORKLOAD#gen: }"

# every generated order must translate: check one in 100 (and the last)
say "checking a sample of the orders with 'ordergate translate'"
(cd "$POOL" && ls | grep '\.xml$' | awk -v n="$N" 'NR % 100 == 1 || NR == n' >"$W/sample.txt")
SAMPLE_N=$(wc -l <"$W/sample.txt")
BAD=0
while read -r f; do
	"$OG" translate -c "$CONF" "$POOL/$f" >/dev/null 2>>"$W/sample.err" || { BAD=$((BAD + 1)); say "  $f does not translate"; }
done <"$W/sample.txt"
[ $BAD = 0 ] || die "$BAD of $SAMPLE_N sampled orders do not translate (see $W/sample.err): fix gen.py or the engine"
$REPORT set "$MACHINE" "sample_checked=$SAMPLE_N orders translated OK with ordergate translate"

POOL_BYTES=$(bytes_of "$POOL")

# --- 1 and 2. the full pipeline and the floor, alternating ---------------
# One run of each is one sample on a shared machine (the pipeline row has
# read 663 to 782 documents/s on the same commit): both run BENCH_RUNS
# times, one after the other, and the table shows the run with the median
# wall time of each (report.py median), with every run's figures in the
# JSON and their spread in the note; peak RSS is the largest of the runs.

SP=$W/spool
RUNS_FILE=$W/runs.jsonl
: >"$RUNS_FILE"

pipeline_run() { # RUN
	local i=$1
	say "pipeline (run $i of $RUNS): $N orders through 'ordergate run -j $J'"
	fill_in "$SP" "$N"
	bash "$ROOT/tests/bench/rss_total.sh" "$W/pipeline-$i.rss" &
	RSS_PID=$!
	timed "pipeline-$i" "$OG" run -c "$CONF" -j "$J" --spool "$SP"
	kill "$RSS_PID" 2>/dev/null || true
	wait "$RSS_PID" 2>/dev/null || true
	RSS_TOTAL=$(sed -n 's/.*max_total_rss_kb=\([0-9]*\).*/\1/p' "$W/pipeline-$i.rss" 2>/dev/null || true)
	RSS_TOTAL=${RSS_TOTAL:-0}
	summary_counts "$W/pipeline-$i.out"
	OUTS=$(find "$SP/out" "$SP/out-test" -type f \( -path '*/po/*' -o -path '*/confirmation/*' \) 2>/dev/null | wc -l || true)
	ARCH=$(count_files "$SP/archive")
	ST=ok; NOTE="${CONF_NOTE}po+confirmation, ledger, archive (the input itself, archive_form = as-sent), fsync; $OUTS po/confirmation written, $ARCH archived"
	if [ "$TRANSLATED" != "$N" ] || [ "$OUTS" != $((2 * N)) ]; then
		ST=FAILED; NOTE="exit $RC: $TRANSLATED translated, $FAILED failed, $OUTS outputs; $(first_why "$SP")"
	fi
	LEDGER_MB=$(du -m "$SP/ledger.db" 2>/dev/null | cut -f1 || echo 0)
	$REPORT add "$RUNS_FILE" row=pipeline "label=pipeline (ordergate run)" "status=$ST" run="$i" documents="$N" \
		bytes="$POOL_BYTES" wall_s="$WALL" user_s="$USER" sys_s="$SYS" rss_kb="$RSS" rss_total_kb="$RSS_TOTAL" \
		ledger_mb="$LEDGER_MB" \
		"note=$NOTE; RSS = largest of parent and workers (all runs); all processes together at most @TOTAL_MB@ MB (shared library pages counted in each)"
	rm -rf "$SP"
}

floor_run() { # RUN
	local i=$1
	say "floor (run $i of $RUNS): the same stylesheets in memory, $J processes"
	timed "floor-$i" "$W/floor" -j "$J" -x "$XSLT" "$POOL"
	if [ "$RC" = 0 ]; then
		F_WALL=$($REPORT json "$W/floor-$i.out" wall_s); F_USER=$($REPORT json "$W/floor-$i.out" user_s)
		F_SYS=$($REPORT json "$W/floor-$i.out" sys_s); F_RSS=$($REPORT json "$W/floor-$i.out" worker_max_rss_kb)
		$REPORT add "$RUNS_FILE" row=floor "label=floor (libxslt in memory)" status=ok run="$i" documents="$N" \
			bytes="$POOL_BYTES" wall_s="$F_WALL" user_s="$F_USER" sys_s="$F_SYS" rss_kb="$F_RSS" \
			"note=parse+map+po+confirmation+serialise, no I/O; ratio = pipeline/floor"
	else
		$REPORT add "$RUNS_FILE" row=floor "label=floor (libxslt in memory)" status=FAILED run="$i" \
			"note=exit $RC: $(head -c 200 "$W/floor-$i.err" | tr '\n' ' ')"
	fi
}

for i in $(seq 1 "$RUNS"); do
	pipeline_run "$i"
	floor_run "$i"
done
$REPORT median "$RUNS_FILE" "$ROWS"

# --- 3. peers ---------------------------------------------------------------

if [ $HAVE_XSLTPROC = 1 ]; then
	say "peer: xsltproc once per file, $XSLTPROC_N files, $J at a time"
	rm -rf "$W/xsltproc-out"; mkdir -p "$W/xsltproc-out"
	pool_names "$XSLTPROC_N" >"$W/xsltproc.list"
	timed xsltproc bash -c 'cd "$1" && xargs -P "$2" -I{} xsltproc --nonet --novalid -o "$3/{}" "$4/cxml-to-canonical.xsl" {} <"$5"' \
		_ "$POOL" "$J" "$W/xsltproc-out" "$XSLT" "$W/xsltproc.list"
	GOT=$(count_files "$W/xsltproc-out")
	ST=ok; [ "$RC" = 0 ] && [ "$GOT" = "$XSLTPROC_N" ] || ST=FAILED
	$REPORT add "$ROWS" row=xsltproc "label=peer: xsltproc per file" "status=$ST" documents="$XSLTPROC_N" \
		bytes="$(bytes_of "$POOL" "$XSLTPROC_N")" wall_s="$WALL" user_s="$USER" sys_s="$SYS" rss_kb="$RSS" \
		"note=inbound map only, one process per file, $J in parallel; $XSLTPROC_N files (sample)"
	rm -rf "$W/xsltproc-out"
else
	$REPORT add "$ROWS" row=xsltproc "label=peer: xsltproc per file" status=skipped "note=xsltproc not installed"
fi

if [ $HAVE_LXML = 1 ]; then
	say "peer: Python lxml, $LXML_N files, $J processes"
	timed lxml "$PYLXML" "$ROOT/tests/bench/peer_lxml.py" -j "$J" -x "$XSLT" -n "$LXML_N" "$POOL"
	if [ "$RC" = 0 ]; then
		$REPORT add "$ROWS" row=lxml "label=peer: Python lxml" status=ok documents="$LXML_N" \
			bytes="$(bytes_of "$POOL" "$LXML_N")" wall_s="$($REPORT json "$W/lxml.out" wall_s)" \
			user_s="$($REPORT json "$W/lxml.out" user_s)" sys_s="$($REPORT json "$W/lxml.out" sys_s)" \
			rss_kb="$($REPORT json "$W/lxml.out" worker_max_rss_kb)" \
			"note=same work as the floor (lxml $("$PYLXML" -c 'import lxml; print(lxml.__version__)')), in memory"
	else
		$REPORT add "$ROWS" row=lxml "label=peer: Python lxml" status=FAILED \
			"note=exit $RC: $(tail -c 200 "$W/lxml.err" | tr '\n' ' ')"
	fi
else
	$REPORT add "$ROWS" row=lxml "label=peer: Python lxml" status=skipped "note=python3-lxml not installed"
fi

if [ $HAVE_SAXON = 1 ]; then
	say "peer: Saxon-HE directory mode, $SAXON_N files"
	rm -rf "$W/saxon-in" "$W/saxon-out"; mkdir -p "$W/saxon-in" "$W/saxon-out"
	pool_names "$SAXON_N" | (cd "$POOL" && xargs ln -t "$W/saxon-in/")
	# the JDK parser would fetch the cXML DTD from the network: turn that off
	timed saxon java -cp "$SAXON_JAR" net.sf.saxon.Transform -s:"$W/saxon-in" -o:"$W/saxon-out" \
		-xsl:"$XSLT/cxml-to-canonical.xsl" \
		'--parserFeature?uri=http%3A//apache.org/xml/features/nonvalidating/load-external-dtd:false'
	GOT=$(count_files "$W/saxon-out")
	ST=ok; [ "$RC" = 0 ] && [ "$GOT" = "$SAXON_N" ] || ST=FAILED
	SAXON_VER=$(unzip -p "$SAXON_JAR" META-INF/MANIFEST.MF 2>/dev/null | awk -F': ' '/Implementation-Version|Bundle-Version/ && !v {v = $2} END {print v}' | tr -d '\r' || true)
	$REPORT add "$ROWS" row=saxon "label=peer: Saxon-HE directory" "status=$ST" documents="$SAXON_N" \
		bytes="$(bytes_of "$POOL" "$SAXON_N")" wall_s="$WALL" user_s="$USER" sys_s="$SYS" rss_kb="$RSS" \
		"note=inbound map only, one JVM (Saxon-HE ${SAXON_VER:-9.9}, JVM start and JIT warm-up included); $SAXON_N files (sample); $GOT written"
	rm -rf "$W/saxon-in" "$W/saxon-out"
else
	$REPORT add "$ROWS" row=saxon "label=peer: Saxon-HE directory" status=skipped "note=java or libsaxonhe-java not installed"
fi

# --- 4. scale: files waiting in in/ -------------------------------------

say "scale: $SCALE_SMALL files waiting"
fill_in "$SP" "$SCALE_SMALL"
timed scale-small "$OG" run -c "$CONF" -j "$J" --spool "$SP"
summary_counts "$W/scale-small.out"
ST=ok; [ "$TRANSLATED" = "$SCALE_SMALL" ] || ST=FAILED
$REPORT add "$ROWS" row=scale_small "label=scale: $SCALE_SMALL waiting" "status=$ST" documents="$TRANSLATED" \
	bytes="$(bytes_of "$POOL" "$SCALE_SMALL")" wall_s="$WALL" user_s="$USER" sys_s="$SYS" rss_kb="$RSS" \
	"note=all $SCALE_SMALL processed; $FAILED failed"
rm -rf "$SP"

say "scale: $SCALE_BIG files waiting, the first $SCALE_TAKE processed"
fill_in "$SP" "$SCALE_TAKE"
# the rest: hard links to generated orders, named to sort after the first
# SCALE_TAKE, so --max-files takes exactly those (real directory entries)
$PY - "$POOL" "$SP/in" "$SCALE_TAKE" "$SCALE_BIG" "$N" <<'EOF'
import os, sys
pool, dest, take, big, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
for i in range(take, big):
    os.link(os.path.join(pool, "order-%07d.xml" % (i % n)), os.path.join(dest, "order-%07d.xml" % i))
EOF
sync
WAITING=$(count_files "$SP/in")
timed scale-big "$OG" run -c "$CONF" -j "$J" --max-files "$SCALE_TAKE" --spool "$SP"
summary_counts "$W/scale-big.out"
LEFT=$(count_files "$SP/in")
ST=ok; [ "$TRANSLATED" = "$SCALE_TAKE" ] || ST=FAILED
$REPORT add "$ROWS" row=scale_big "label=scale: $SCALE_BIG waiting" "status=$ST" documents="$TRANSLATED" \
	bytes="$(bytes_of "$POOL" "$SCALE_TAKE")" wall_s="$WALL" user_s="$USER" sys_s="$SYS" rss_kb="$RSS" \
	"note=$WAITING waiting, --max-files $SCALE_TAKE, $LEFT left in in/; $DUPS duplicates, $FAILED failed"
rm -rf "$SP"

# --- 5. one huge order ----------------------------------------------------

if [ "$HUGE_LINES" -gt 0 ]; then
	HUGE=$W/huge-$HUGE_LINES-$SEED
	if [ ! -f "$HUGE/.done-$GEN_SUM" ]; then
		rm -rf "$W"/huge-*
		say "generating one order of $HUGE_LINES lines"
		$PY "$ROOT/tests/bench/gen.py" --out "$HUGE" --huge "$HUGE_LINES" --seed "$SEED" >"$W/gen-huge.out"
		cp "$W/gen-huge.out" "$HUGE/.done-$GEN_SUM"
	fi
	HUGE_BYTES=$(stat -c %s "$HUGE/huge-order.xml")
	say "huge: one order of $HUGE_LINES lines ($((HUGE_BYTES / 1000000)) MB), timeout ${HUGE_TIMEOUT}s"
	rm -rf "$SP"; mkdir -p "$SP/in"
	cp "$HUGE/huge-order.xml" "$SP/in/"
	sync
	timed huge timeout -k 10 "$HUGE_TIMEOUT" "$OG" run -c "$HUGE_CONF" -j 1 --spool "$SP"
	summary_counts "$W/huge.out"
	if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
		ST=timeout; NOTE="stopped after ${HUGE_TIMEOUT} s"
	elif [ "$TRANSLATED" = 1 ]; then
		ST=ok; NOTE="translated; outputs $(du -cm "$SP"/out/*/*/* 2>/dev/null | awk 'END {print $1}' || true) MB"
	else
		ST=refused; NOTE="exit $RC; $(first_why "$SP")"
	fi
	$REPORT add "$ROWS" row=huge "label=huge: 1 order, $HUGE_LINES lines" "status=$ST" documents=1 \
		bytes="$HUGE_BYTES" wall_s="$WALL" user_s="$USER" sys_s="$SYS" rss_kb="$RSS" \
		"note=max_document_mb 256, memory_limit_mb 4096, cpu_limit_seconds 600; $NOTE"
	rm -rf "$SP"
else
	$REPORT add "$ROWS" row=huge "label=huge order" status=skipped "note=BENCH_HUGE_LINES=0"
fi

# --- 6. watch latency -----------------------------------------------------

HELP=$("$OG" help 2>&1 || true)
if grep -qE '^[[:space:]]+watch[[:space:]]' <<<"$HELP"; then
	say "watch: $WATCH_N orders renamed into in/ at $WATCH_RATE a second, 3 written in place"
	rm -rf "$SP" "$W/watch-stage"
	WCONF=$W/watch.ini
	: >"$WCONF" # the defaults: quiet period 2 s, rescan 30 s
	timed watch "$PY" "$ROOT/tests/bench/watch_latency.py" "$OG" "$WCONF" "$SP" "$POOL" "$WATCH_N" 3 "$WATCH_RATE"
	if [ "$RC" = 0 ]; then
		wl() { $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]][sys.argv[3]])' "$W/watch.out" "$@"; }
		P50=$(wl renamed p50_ms); P99=$(wl renamed p99_ms); MAXL=$(wl renamed max_ms)
		RATE=$(wl renamed achieved_rate_per_s); IP50=$(wl in_place p50_ms)
		$REPORT add "$ROWS" row=watch "label=watch latency" status=ok documents="$WATCH_N" \
			latency_p50_ms="$P50" latency_p99_ms="$P99" latency_max_ms="$MAXL" drop_rate="$RATE" in_place_p50_ms="$IP50" \
			"note=renamed into in/ at $RATE/s, to published+committed: p50 $P50 ms, p99 $P99 ms, max $MAXL ms; written in place: p50 $IP50 ms (quiet period 2 s)"
	else
		$REPORT add "$ROWS" row=watch "label=watch latency" status=FAILED \
			"note=exit $RC: $(tr '\n' ' ' <"$W/watch.out" | cut -c1-200) $(tail -c 200 "$W/watch.err" | tr '\n' ' ')"
	fi
	rm -rf "$SP" "$W/watch-stage"
else
	$REPORT add "$ROWS" row=watch "label=watch latency" status=skipped "note=watch mode not implemented yet"
fi

# --- report -----------------------------------------------------------------

T_TOTAL=$(($(date +%s) - T_START))
$REPORT set "$MACHINE" "load_end=$(load)" "bench_seconds=$T_TOTAL"
echo
echo "ordergate benchmark: $N orders, $J processes ($(date -u +%Y-%m-%d))"
echo
$REPORT render "$ROWS" "$MACHINE" "$W/results.json"
echo "results: $W/results.json   (bench took $T_TOTAL s)"
[ "$T_TOTAL" -le 600 ] || say "warning: the bench took more than 10 minutes ($T_TOTAL s)"
if grep -q '"status": "FAILED"' "$ROWS"; then
	say "some rows FAILED (see the table's notes and $W/*.err)"
	exit 1
fi

#!/usr/bin/env bash
# The hostile corpus (tests/hostile/make-corpus.py): every case goes into the
# in/ folder of a fresh spool together with one good order, and one
# `ordergate run` must
#   - end within a bound (timeout 120 s) with exit code 0 or 1;
#   - translate the good order;
#   - refuse the case's documents (cases marked "reject": none becomes an
#     order), with the reason the case names when it names one;
#   - leak nothing: no byte of /etc/passwd, /etc/hostname, a secret file
#     outside the spool or a trusted map file in any output, archive copy,
#     failed/ file, .why, ledger row or log line;
#   - create nothing outside the spool (the case folder is the canary and
#     the working directory; every hostile name carries a unique token that
#     is searched for in /, /etc, /tmp and the scratch folder);
#   - keep the spool's invariants, name every file it creates safely, and
#     stay within the engine's limits (wall time, peak memory).
# Finally the whole corpus runs at once under `unshare -n` and `strace -f`:
# no socket(AF_INET*) or connect() at all, no successful open outside the
# spool, the engine's data and the system files listed below.
#
#   ORDERGATE=build/ordergate bash tests/hostile/run.sh
#   HOSTILE_ONLY="xxe-http zip-bomb"   run only these cases (and no strace run
#                                      unless HOSTILE_STRACE=1)
#   HOSTILE_STRACE=0                   skip the strace run
#   HOSTILE_KEEP=1                     keep the scratch folder (spools, logs) for a look
#   ASAN=1                             an AddressSanitizer build: no peak-memory bound
#   HOSTILE_CHUNKED=1                  documents of 1 kB or more take the large-order
#                                      path (chunks of 2 lines; tests/run-all.sh runs both)
# Ends with "hostile: N passed, M failed"; exit status 1 when M > 0.
. "$(dirname "$0")/../lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -n "${HOSTILE_KEEP:-}" ]; then trap - EXIT; echo "# scratch folder kept: $SCRATCH"; fi
GEN=(python3 "$HERE/make-corpus.py")
GOLDEN="$ROOT/tests/data/golden/plain-no-doctype/input.xml"
TOKEN="ogh$(od -An -N5 -tx1 /dev/urandom | tr -d ' \n')"
CACHE="$SCRATCH/cache"
OUTSIDE="$SCRATCH/outside"
SECRET="$OUTSIDE/secret-$TOKEN.txt"
MEM_LIMIT_MB=512      # [engine] memory_limit_mb default: each worker's address space
PEAK_BOUND_MB=1024    # what we accept as the peak RSS of any process of a run
RUN_TIMEOUT=120
mkdir -p "$CACHE" "$OUTSIDE" "$SCRATCH/c"

# --- what must never leak ----------------------------------------------------
canary="CANARY-$TOKEN-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s line one\n%s line two: secret=hunter2\n' "$canary" "$canary" > "$SECRET"
sed "s/20200925.153043.77@buyer.example/outside-$TOKEN@x/; s/orderID=\"SB-1001\"/orderID=\"OUTSIDE-ORDER\"/" \
	"$GOLDEN" > "$OUTSIDE/outside-order.xml"
PAT="$SCRATCH/leak.patterns"
{
	echo "$canary"
	awk 'length($0) >= 8' /etc/passwd                   # every account line
	h=$(tr -d '\n' < /etc/hostname 2>/dev/null)
	# a short hostname ("vm") is a substring of everything: then only the
	# strace run below can show that /etc/hostname was never opened
	[ "${#h}" -ge 6 ] && echo "$h"
	# a line of a file inside the trusted maps/ folder (xxe-trusted-dir)
	grep -m1 '^signature = Bestellnr' "$ROOT/maps/csv/example-erp.ini"
} > "$PAT"

BASE_INI="$SCRATCH/base.ini"
printf '[pickup]\nquiet_seconds = 0\n[identity]\npayload_host = gateway.example.com\n' > "$BASE_INI"
# HOSTILE_CHUNKED=1: every document of 1 kB or more through the large-order
# path (src/split.c: the streaming reader, the map and outputs in chunks)
if [ "${HOSTILE_CHUNKED:-0}" = 1 ]; then
	printf '[engine]\nchunk_above_kb = 1\nchunk_lines = 2\n' >> "$BASE_INI"
fi

# "inode size mtime" of every file put into a spool's in/ before its run.
placed_list() { find "$1/in" -type f -printf '%i %s %T@\n' 2>/dev/null; }

# Files of a spool (and logs) holding any leak pattern; archive copies and the
# ledger are read decompressed/dumped, as a reader would see them. Skipped, as
# the test's own bytes: the inputs as placed (PLACED: same inode, size and
# mtime; the engine moves a refused input to failed/ by rename, which includes
# the hard links symlink-in-in plants), and archive copies kept as sent (their
# SHA-256 is the one the ledger recorded for the input; their raw bytes are
# searched all the same). Decompressing a kept zip bomb to search it would
# only search what the corpus generator wrote, at a cost of minutes.
leaks() { # leaks SPOOL PLACED-LIST LOG...
	local s=$1 placed=$2; shift 2
	local f rel sha
	{ find "$s" -path "$s/in" -prune -o -type f -printf '%i %s %T@ %p\n' 2>/dev/null |
		awk -v list="$placed" 'BEGIN { while ((getline l < list) > 0) p[l] = 1 }
			!(($1 " " $2 " " $3) in p) { sub(/^[^ ]+ [^ ]+ [^ ]+ /, ""); print }'
	  printf '%s\n' "$@"; } | tr '\n' '\0' | xargs -0 -r grep -laF -f "$PAT" 2>/dev/null
	while IFS= read -r f; do
		rel=${f#"$s"/}
		sha=$(sqlite3 "$s/ledger.db" "SELECT sha256 FROM documents WHERE archive_path='$rel'" 2>/dev/null | head -1)
		[ -n "$sha" ] && [ "$(sha256sum < "$f" | cut -d' ' -f1)" = "$sha" ] && continue
		zcat -f "$f" 2>/dev/null | grep -qaF -f "$PAT" && echo "$f (decompressed)"
	done < <(find "$s/archive" -type f 2>/dev/null)
	if [ -f "$s/ledger.db" ]; then
		sqlite3 "$s/ledger.db" .dump 2>/dev/null | grep -qaF -f "$PAT" && echo "$s/ledger.db (dump)"
	fi
	return 0
}

# Names the engine created that are not file-name safe (A-Z a-z 0-9 . _ -,
# no leading dot), anywhere in the spool but in/.
unsafe_names() {
	find "$1" -mindepth 1 -path "$1/in" -prune -o -printf '%P\n' 2>/dev/null | while IFS= read -r p; do
		b=${p##*/}
		case $b in ledger.db-wal | ledger.db-shm | ledger.db-journal) continue ;; esac
		if ! [[ $b =~ ^[A-Za-z0-9_-][A-Za-z0-9._-]*$ ]]; then printf '%q\n' "$p"; fi
	done
}

# Outbound CSV cells that a spreadsheet would run as a formula.
csv_formula_cells() {
	python3 - "$@" <<'PY'
import csv, re, sys
bad = 0
for path in sys.argv[1:]:
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        for r, row in enumerate(csv.reader(f), 1):
            for c, cell in enumerate(row, 1):
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", cell):
                    print("%s: row %d, column %d: %r" % (path, r, c, cell[:60])); bad += 1
sys.exit(1 if bad else 0)
PY
}

# A case folder's entries but the test's own files.
listing() { ls -A "$1" | grep -vxF -e run.out -e run.err -e run.time -e gen.err -e before.list -e after.list -e placed.list -e invariants.err; }

mb() { echo $(( ($1 + 1023) / 1024 )); }

run_case() { # run_case NAME EXPECT REASON CONFIG WHAT
	local name=$1 expect=$2 reason=$3 config=$4 what=$5
	local d="$SCRATCH/c/$name" s="$SCRATCH/c/$name/spool" rc tcase=$SECONDS
	mkdir -p "$s/in"
	cp "$BASE_INI" "$d/config.ini"
	[ "$config" != - ] && printf '%b\n' "$config" >> "$d/config.ini"
	echo "# $name: $what"
	local t0=$SECONDS
	if ! "${GEN[@]}" make "$name" "$s/in" --root "$ROOT" --token "$TOKEN" --secret "$SECRET" \
		--outside "$OUTSIDE/outside-order.xml" --cache "$CACHE" 2> "$d/gen.err"; then
		not_ok "$name: corpus generation failed: $(tail -1 "$d/gen.err")"; return
	fi
	local gen_s=$((SECONDS - t0)) nhostile
	nhostile=$(find "$s/in" -mindepth 1 -maxdepth 1 | wc -l)
	sed "s/20200925.153043.77@buyer.example/good-$name-$TOKEN@buyer.example/; s/orderID=\"SB-1001\"/orderID=\"GOOD-$name\"/" \
		"$GOLDEN" > "$s/in/good-order.xml"
	listing "$d" > "$d/before.list"
	placed_list "$s" > "$d/placed.list"

	local timer=()
	[ -x /usr/bin/time ] && timer=(/usr/bin/time -f '%e %M' -o "$d/run.time")
	t0=$SECONDS
	(cd "$d" && exec timeout -k 10 "$RUN_TIMEOUT" "${timer[@]}" \
		"$ORDERGATE" run -c "$d/config.ini" --spool "$s" -j 2 > "$d/run.out" 2> "$d/run.err")
	rc=$?
	local wall=$((SECONDS - t0)) peak=
	[ -s "$d/run.time" ] && read -r wall peak < <(tail -1 "$d/run.time")
	case $rc in
	0 | 1) ok "$name: the run ended (exit $rc) in ${wall}s (corpus: $nhostile files, made in ${gen_s}s)" ;;
	124 | 137) not_ok "$name: the run did not end within ${RUN_TIMEOUT}s" ;;
	*) not_ok "$name: the run exited $rc: $(grep -v '^ *$' "$d/run.err" | tail -2 | tr '\n' ' ')" ;;
	esac
	if [ "${ASAN:-0}" = 1 ]; then
		echo "skip - $name: peak memory not bounded under AddressSanitizer (no address-space limit, shadow memory)"
	elif [ -z "$peak" ]; then
		not_ok "$name: peak memory not measured (/usr/bin/time missing: apt-get install time)"
	elif [[ $peak =~ ^[0-9]+$ ]] && [ "$(mb "$peak")" -le "$PEAK_BOUND_MB" ]; then
		ok "$name: peak memory of any process $(mb "$peak") MB (bound $PEAK_BOUND_MB MB; workers are limited to $MEM_LIMIT_MB MB)"
	else
		not_ok "$name: peak memory $(mb "${peak:-0}") MB over $PEAK_BOUND_MB MB"
	fi

	local db="$s/ledger.db" q
	q() { sqlite3 "$db" "$1" 2>/dev/null; }
	if [ "$(q "SELECT count(*) FROM orders WHERE order_id='GOOD-$name'")" = 1 ] &&
		[ -n "$(find "$s/out" -path '*/po/*' -name "*GOOD-$name*" 2>/dev/null)" ]; then
		ok "$name: the good order was translated and its purchase order published"
	else
		not_ok "$name: the good order was not translated: $(q "SELECT stage||': '||reason FROM documents WHERE name='good-order.xml'")"
	fi

	local others failed done_ stages
	others=$(q "SELECT count(*) FROM orders WHERE order_id <> 'GOOD-$name'")
	failed=$(q "SELECT count(*) FROM documents WHERE state='failed'")
	done_=$(q "SELECT count(*) FROM documents WHERE state='done' AND name <> 'good-order.xml'")
	stages=$(q "SELECT group_concat(stage||':'||n, ', ') FROM (SELECT stage, count(*) n FROM documents WHERE state='failed' GROUP BY stage)")
	local outcome="$failed documents failed (${stages:-none}), $others orders from the corpus, $done_ other documents done"
	if [ "$expect" = reject ]; then
		if [ "${others:-0}" = 0 ] && [ "${failed:-0}" -gt 0 ]; then ok "$name: refused: $outcome"
		else not_ok "$name: expected every hostile document refused: $outcome"; fi
	else
		ok "$name: rejected or processed, both allowed: $outcome"
	fi
	if [ "$reason" != - ]; then
		local reasons
		reasons=$( { q "SELECT reason FROM documents WHERE state='failed'"; cat "$s"/failed/*.why 2>/dev/null; } )
		if grep -qE -- "$reason" <<< "$reasons"; then
			ok "$name: a reason matches /$reason/: $(grep -E -m1 -o -- ".{0,60}($reason).{0,60}" <<< "$reasons" | head -1)"
		else
			not_ok "$name: no failure reason matches /$reason/; reasons: $(sort -u <<< "$reasons" | grep -v '^$' | grep -v -e '^document:' -e '^file:' -e '^received:' -e '^what to do' -e '^to retry' | head -4 | tr '\n' '|')"
		fi
	fi

	local leaked tleak=$SECONDS
	leaked=$(leaks "$s" "$d/placed.list" "$d/run.out" "$d/run.err")
	tleak=$((SECONDS - tleak))
	if [ -z "$leaked" ]; then ok "$name: no byte of a file outside the spool in outputs, archive, failed/, .why, ledger or logs"
	else not_ok "$name: leaked into: $(echo "$leaked" | head -5 | tr '\n' ' ')"; fi

	listing "$d" > "$d/after.list"
	if diff -q "$d/before.list" "$d/after.list" > /dev/null; then ok "$name: nothing created next to the spool (canary folder and working directory)"
	else not_ok "$name: created outside the spool: $(diff "$d/before.list" "$d/after.list" | grep '^>' | tr '\n' ' ')"; fi

	local forged
	forged=$( { grep -l "^$TOKEN" "$d/run.out" "$d/run.err" "$s"/failed/*.why 2>/dev/null
		grep -l $'\x1b' "$d/run.out" "$d/run.err" "$s"/failed/*.why 2>/dev/null; } | sort -u)
	if [ -z "$forged" ]; then ok "$name: no log or .why line begins with document-controlled text, no terminal escapes"
	else not_ok "$name: document-controlled text starts a line or sends escapes in: $(echo "$forged" | sed "s|$SCRATCH/||" | tr '\n' ' ')"; fi

	local unsafe
	unsafe=$(unsafe_names "$s")
	if [ -z "$unsafe" ]; then ok "$name: every name the engine created is file-name safe"
	else not_ok "$name: unsafe names in the spool: $(echo "$unsafe" | head -5 | tr '\n' ' ')"; fi

	if spool_invariants "$s" 2> "$d/invariants.err"; then ok "$name: spool invariants hold"
	else not_ok "$name: spool invariants broken: $(head -3 "$d/invariants.err" | tr '\n' ' ')"; fi

	case $name in
	csv-formula)
		local csvs n
		mapfile -t csvs < <(find "$s/out" "$s/out-test" -name '*.csv' 2>/dev/null)
		n=$(q "SELECT count(*) FROM orders WHERE order_id LIKE 'F-%' OR order_id = '=1+2'")
		if [ "${#csvs[@]}" -gt 0 ]; then
			if out=$(csv_formula_cells "${csvs[@]}"); then
				ok "$name: ${#csvs[@]} CSV outputs of $n CSV orders, no cell starts with = + - @ TAB CR"
			else not_ok "$name: formula cells in CSV outputs: $(echo "$out" | head -4 | tr '\n' ' ')"; fi
			if grep -qF "'=HYPERLINK" "${csvs[@]}" && grep -qF "'@SUM" "${csvs[@]}"; then
				ok "$name: formula text kept, prefixed with an apostrophe"
			else not_ok "$name: formula text not found prefixed with ' in the CSV outputs"; fi
		else
			not_ok "$name: no CSV output to check ($n CSV orders; $(q "SELECT stage||': '||reason FROM documents WHERE state='failed'" | head -2 | tr '\n' ' '))"
		fi
		;;
	archive-names)
		# "the archive itself is archived once, as sent" (docs/spool.md)
		local fmt sha arch
		IFS='|' read -r fmt sha arch < <(q "SELECT format, sha256, archive_path FROM documents WHERE name='names.zip'")
		if [ "$fmt" = zip ]; then ok "$name: the zip is recorded as a zip"
		else not_ok "$name: the zip is recorded in the ledger as format \"$fmt\""; fi
		if [ -n "$arch" ] && [ "$(sha256sum < "$s/$arch" | cut -d' ' -f1)" = "$sha" ]; then
			ok "$name: the zip is archived byte for byte as sent"
		else not_ok "$name: the archived copy $arch is not the zip as sent (sha256 differs: $(head -c2 "$s/$arch" 2>/dev/null | od -An -tx1 | tr -d ' \n') magic)"; fi
		;;
	symlink-in-in)
		if [ "$(q "SELECT count(*) FROM orders WHERE order_id IN ('OUTSIDE-ORDER','FOLDER-1')")" = 0 ]; then
			ok "$name: neither the order behind the symlink or hard link nor the one in a sub-folder was read"
		else not_ok "$name: an order outside in/ was read through a link or folder"; fi
		local nhard
		nhard=$(grep -lE 'is a hard link: the file has [0-9]+ names' "$s"/failed/*hard-*.why 2>/dev/null | wc -l)
		if [ "$nhard" = 2 ]; then ok "$name: both hard links refused at read as hard links"
		else not_ok "$name: $nhard of 2 hard links refused as such: $(cat "$s"/failed/*hard-*.why 2>/dev/null | grep -m2 -v -e '^document' -e '^file' -e '^received' | tr '\n' ' ')"; fi
		if [ "$(find "$s/failed" -type f -samefile "$SECRET" | wc -l)" = 1 ] &&
			[ "$(find "$s" -type f -samefile "$OUTSIDE/outside-order.xml" -path '*/failed/*' | wc -l)" = 1 ]; then
			ok "$name: the hard links went to failed/ by rename (the planted files themselves, nothing copied)"
		else not_ok "$name: the hard links are not in failed/ as the planted files"; fi
		;;
	esac
	# the big files are not needed any more
	find "$s" -type f -size +20M -delete 2>/dev/null
	echo "# $name: $((SECONDS - tcase)) s in all, the leak search $tleak s"
}


# --- the whole corpus without a network and under strace --------------------
# Successful opens allowed, and why:
#   the spool                      the engine's own folder
#   $ROOT/xslt, $ROOT/maps         stylesheets, canonical schema, cXML DTDs, CSV maps (data_dir)
#   the -c configuration file      given on the command line
#   /etc/ld.so.cache, /lib*, /usr/lib*   the dynamic loader and shared libraries
#   /usr/lib/locale, /usr/share/locale, .../gconv   locale data and iconv modules (CSV encodings)
#   /usr/share/zoneinfo, /etc/localtime             time zone data
#   /etc/ssl/openssl.cnf           read by libcrypto when it initialises
#   /dev/urandom, /dev/null        randomness (SQLite), standard streams
#   /proc/self, /proc/<pid>, /sys  process and CPU information (workers = one per core)
strace_run() {
	local d="$SCRATCH/all" s="$SCRATCH/all/spool" log="$SCRATCH/all/strace.log" name cfg prefix
	mkdir -p "$s/in"
	cp "$BASE_INI" "$d/config.ini"
	# strace must be able to trace here, or the proof below proves nothing
	if ! command -v strace > /dev/null; then
		not_ok "strace: not installed (apt-get install strace): no-network and no-file-outside proof not run"; return
	fi
	if ! strace -f -qq -o /dev/null true 2> "$d/strace-probe.err"; then
		not_ok "strace: cannot trace here ($(head -1 "$d/strace-probe.err")): no-network and no-file-outside proof not run"; return
	fi
	"${GEN[@]}" make all "$s/in" --root "$ROOT" --token "$TOKEN" --secret "$SECRET" \
		--outside "$OUTSIDE/outside-order.xml" --cache "$CACHE" 2>> "$d/gen.err" ||
		{ not_ok "strace: corpus generation failed: $(tail -1 "$d/gen.err")"; return; }
	sed "s/20200925.153043.77@buyer.example/good-all-$TOKEN@buyer.example/; s/orderID=\"SB-1001\"/orderID=\"GOOD-all\"/" \
		"$GOLDEN" > "$s/in/good-order.xml"
	placed_list "$s" > "$d/placed.list"
	local ns=(unshare -n)
	if ! unshare -n true 2> /dev/null; then
		if unshare -rn true 2> /dev/null; then ns=(unshare -rn)
		else
			not_ok "strace: unshare -n is not permitted here ($(unshare -n true 2>&1 | head -1)); the run goes on without a network namespace"
			ns=()
		fi
	fi
	(cd "$d" && exec timeout -k 10 600 "${ns[@]}" strace -f -y -qq -o "$log" \
		-e trace=network,openat,open,creat,mkdir,mkdirat,rename,renameat,renameat2,link,linkat,symlink,symlinkat \
		"$ORDERGATE" run -c "$d/config.ini" --spool "$s" -j 2 > "$d/run.out" 2> "$d/run.err")
	local rc=$?
	case $rc in
	0 | 1) ok "strace: the whole corpus ran${ns:+ in a network namespace (${ns[*]})} (exit $rc, $(sed -n 's/^ordergate run: //p' "$d/run.out" | head -1))" ;;
	*) not_ok "strace: the whole-corpus run exited $rc: $(tail -2 "$d/run.err" | tr '\n' ' ')"; return ;;
	esac
	check "strace: the good order was translated" \
		test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders WHERE order_id='GOOD-all'")" = 1
	python3 - "$log" "$s" "$ROOT" "$d/config.ini" "$SECRET" > "$d/strace.report" <<'PY'
import re, sys
log, spool, root, cfg, secret = sys.argv[1:6]
allowed = [spool + "/", root + "/xslt/", root + "/maps/", "/etc/ld.so.cache", "/lib/", "/lib64/",
           "/usr/lib/", "/usr/lib64/", "/usr/share/locale/", "/usr/share/zoneinfo/",
           "/etc/localtime", "/etc/ssl/openssl.cnf", "/dev/urandom", "/dev/null", "/proc/self/",
           "/sys/"]
exact = {spool, cfg, root + "/xslt", root + "/maps"}
def ok_path(p):
    return p in exact or any(p.startswith(a) for a in allowed) or re.match(r"/proc/\d+/", p)
net, opened, bad, writes = [], set(), [], []
for line in open(log, errors="replace"):
    m = re.match(r"(\d+)\s+(.*)", line.rstrip("\n"))
    if not m:
        continue
    call = m.group(2)
    name = re.match(r"(?:<\.\.\. )?(\w+)", call)
    name = name.group(1) if name else ""
    if name in ("socket", "connect", "bind", "sendto", "sendmsg", "socketpair", "listen", "accept", "accept4"):
        net.append(call)
    if name in ("openat", "open", "creat"):
        r = re.search(r"\)\s+=\s+(\d+)<(.*)>$", call)
        if r:
            path = r.group(2)
            opened.add(path)
            if not ok_path(path):
                bad.append(call)
    if name in ("mkdir", "mkdirat", "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat"):
        if " = 0" in call:
            for p in re.findall(r'"(/[^"]*)"', call):
                if not p.startswith(spool + "/"):
                    writes.append(call)
inet = [c for c in net if re.search(r"AF_INET6?\b", c) or c.startswith("connect")]
print("network calls: %d (AF_INET/AF_INET6 or connect: %d)" % (len(net), len(inet)))
for c in inet[:5]: print("  NET " + c)
print("distinct files opened: %d; outside the allowed places: %d" % (len(opened), len(bad)))
for c in bad[:10]: print("  OPEN " + c)
print("creations/renames outside the spool: %d" % len(writes))
for c in writes[:5]: print("  WRITE " + c)
sens = [p for p in opened if p in ("/etc/passwd", "/etc/hostname", secret)]
print("sensitive files opened: %d" % len(sens))
print("RESULT %d %d %d %d %d" % (len(net), len(inet), len(bad), len(writes), len(sens)))
PY
	local nnet ninet nbad nwrites nsens
	read -r _ nnet ninet nbad nwrites nsens < <(grep '^RESULT' "$d/strace.report")
	sed -n '/^  /p' "$d/strace.report" | head -20 | sed 's/^/# /'
	if [ "${ninet:-1}" = 0 ]; then ok "strace: no socket(AF_INET/AF_INET6) and no connect() ($nnet network calls in all)"
	else not_ok "strace: $ninet AF_INET*/connect calls"; fi
	if [ "${nbad:-1}" = 0 ] && [ "${nsens:-1}" = 0 ]; then
		ok "strace: no successful open outside the spool, xslt/, maps/ and system files ($(sed -n 's/^distinct files opened: \([0-9]*\).*/\1/p' "$d/strace.report") files opened)"
	else not_ok "strace: $nbad opens outside the allowed places, $nsens of /etc/passwd, /etc/hostname or the secret"; fi
	if [ "${nwrites:-1}" = 0 ]; then ok "strace: no folder, link or rename outside the spool"
	else not_ok "strace: $nwrites creations or renames outside the spool"; fi
	local leaked
	leaked=$(leaks "$s" "$d/placed.list" "$d/run.out" "$d/run.err")
	if [ -z "$leaked" ]; then ok "strace: nothing leaked in the whole-corpus run"
	else not_ok "strace: leaked into: $(echo "$leaked" | head -5 | tr '\n' ' ')"; fi
	find "$s" -type f -size +20M -delete 2>/dev/null
}

# --- run the cases and the strace run, HOSTILE_JOBS at a time ----------------
# Each job writes its lines to its own log and ends it with its counts; the
# logs are shown in order once all are done.
JOBS=${HOSTILE_JOBS:-3}
mkdir -p "$SCRATCH/logs"
jobs_run=()
start_job() { # start_job NAME COMMAND...
	local log="$SCRATCH/logs/$(printf '%02d' ${#jobs_run[@]})-$1.log"; shift
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
	( PASSED=0; FAILED=0; "$@"; echo "#counts $PASSED $FAILED" ) > "$log" 2>&1 &
	jobs_run+=("$log")
}
t_all=$SECONDS
# the strace run first: it is the longest
if [ "${HOSTILE_STRACE:-}" = 0 ] || { [ -n "${HOSTILE_ONLY:-}" ] && [ "${HOSTILE_STRACE:-}" != 1 ]; }; then
	echo "skip - strace run (HOSTILE_STRACE=0 or HOSTILE_ONLY set)"
else
	start_job strace strace_run
fi
only=" ${HOSTILE_ONLY:-} "
while IFS=$'\t' read -r name expect reason config what; do
	if [ -n "${HOSTILE_ONLY:-}" ] && [[ $only != *" $name "* ]]; then continue; fi
	start_job "$name" run_case "$name" "$expect" "$reason" "$config" "$what"
done < <("${GEN[@]}" list)
wait
for log in "${jobs_run[@]}"; do
	grep -v '^#counts ' "$log"
	if read -r _ p f < <(grep '^#counts ' "$log"); then
		PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
	else
		not_ok "$(basename "$log" .log): the job ended without its counts: $(tail -1 "$log")"
	fi
done

# Nothing named with the token outside the spools: where entry and field
# names like ../../x, /tmp/x, /etc/x, ../(x200)x would land.
stray=$( { find / /etc /tmp /var/tmp /dev/shm "$ROOT" -maxdepth 1 -name "*$TOKEN*" 2>/dev/null
	find /tmp "$ROOT" -maxdepth 4 -name "*$TOKEN*" -not -path "$SCRATCH/*" 2>/dev/null
	find "$SCRATCH" -name "*$TOKEN*" -not -path "$SCRATCH/c/*/spool/*" -not -path "$SCRATCH/all/spool/*" \
		-not -path "$OUTSIDE/*" 2>/dev/null; } | sort -u)
if [ -z "$stray" ]; then ok "no file named with the corpus token outside the spools (/, /etc, /tmp, the repository, the scratch folder)"
else not_ok "files created outside the spools: $(echo "$stray" | head -5 | tr '\n' ' ')"; fi

echo "# hostile: ${#jobs_run[@]} jobs, $JOBS at a time, in $((SECONDS - t_all)) s"
echo "hostile: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]

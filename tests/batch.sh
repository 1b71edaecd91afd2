#!/usr/bin/env bash
# Batch operations: compressed and archived input, SFTP-safe pickup, the
# cron-mode limits and summary, overlapping runs, and watch mode.
. "$(dirname "$0")/lib.sh"
GOLDEN="$ROOT/tests/data/golden"
count() { find "$@" -type f 2>/dev/null | wc -l; }
at_least() { [ "$(count "${@:2}")" -ge "$1" ]; } # at_least N DIR...: N files or more there
# An order with its own payloadID and order number.
order() { sed "s/20200925.153043.77@buyer.example/$1@buyer.example/; s/orderID=\"SB-1001\"/orderID=\"$1\"/" \
	"$GOLDEN/plain-no-doctype/input.xml"; }
printf '[pickup]\nquiet_seconds = 0\n' > "$SCRATCH/fast.ini"
# The archive copies of spool $1 whose bytes differ from the hash and size
# the ledger records for them, one per line (nothing: all agree).
archive_copies_differ() {
	sqlite3 "$1/ledger.db" "SELECT path || ' ' || sha256 || ' ' || size FROM outputs WHERE kind = 'archive'" |
		while read -r p sha size; do
			test "$(sha256sum < "$1/$p" | cut -d' ' -f1) $(stat -c %s "$1/$p")" = "$sha $size" || echo "$p"
		done
}

# --- archives ----------------------------------------------------------------
s=$(new_spool)
mk="$SCRATCH/mk"; mkdir -p "$mk"
order ZIP-1 > "$mk/a.xml"; order ZIP-2 > "$mk/b.xml"; order ZIP-3 > "$mk/c.xml"
cp "$ROOT/tests/data/negative/malformed.xml" "$mk/bad.xml"
python3 - "$mk" "$s/in" <<'PY'
import sys, zipfile, tarfile, gzip, io, os
mk, out = sys.argv[1], sys.argv[2]
rd = lambda n: open(os.path.join(mk, n), 'rb').read()
with zipfile.ZipFile(os.path.join(out, "batch.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("orders/a.xml", rd("a.xml"))
    z.writestr("orders/bad.xml", rd("bad.xml"))
    z.writestr("../../escape.xml", rd("b.xml"))          # a hostile name: shown, never used
    info = zipfile.ZipInfo("link-to-passwd"); info.external_attr = (0o120777 << 16)
    z.writestr(info, "/etc/passwd")                       # a symlink entry: skipped
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as iz:
        iz.writestr("inner/c.xml", rd("c.xml"))
    z.writestr("nested.zip", inner.getvalue())
def tar(path, mode, names):
    with tarfile.open(path, mode) as t:
        for arc, data in names:
            ti = tarfile.TarInfo(arc); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
        ti = tarfile.TarInfo("/etc/evil-link"); ti.type = tarfile.SYMTYPE; ti.linkname = "/etc/passwd"; t.addfile(ti)
tar(os.path.join(out, "plain.tar"), "w", [("t1.xml", rd("a.xml").replace(b"ZIP-1", b"TAR-1"))])
tar(os.path.join(out, "orders.tgz"), "w:gz", [("t2.xml", rd("a.xml").replace(b"ZIP-1", b"TGZ-1")),
                                              ("t3.xml", rd("a.xml").replace(b"ZIP-1", b"TGZ-2"))])
open(os.path.join(out, "single.xml.gz"), "wb").write(gzip.compress(rd("a.xml").replace(b"ZIP-1", b"GZ-1")))
open(os.path.join(out, "corrupt.zip"), "wb").write(b"PK\x03\x04" + b"\x00" * 40)
# a zip bomb: 300 MB of zeros compress to about 300 kB
with zipfile.ZipFile(os.path.join(out, "bomb.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("zeros.xml", "w") as f:
        chunk = b"\0" * (1 << 20)
        for _ in range(300): f.write(chunk)
PY
cp "$s/in/batch.zip" "$s/in/single.xml.gz" "$s/in/orders.tgz" "$s/in/plain.tar" "$mk/"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/ar.out" 2> "$SCRATCH/ar.err"
check "archives: exit 1 (a bad member and two bad archives)" test $? = 1
ledger() { sqlite3 "$s/ledger.db" "$1"; }
check "archives: zip members a, escape(b) and nested c translated" \
	test "$(ledger "SELECT count(*) FROM orders WHERE order_id IN ('ZIP-1','ZIP-2','ZIP-3')")" = 3
check "archives: members are linked to their archive in the ledger" \
	test "$(ledger "SELECT count(*) FROM documents d JOIN documents p ON d.parent_id = p.id WHERE p.name = 'batch.zip'")" = 4
check "archives: member IDs are the archive's ID plus a number" \
	test "$(ledger "SELECT count(*) FROM documents WHERE parent_id IS NOT NULL AND id NOT LIKE parent_id || '.%'")" = 0
bad=$(ledger "SELECT failed_path FROM documents WHERE name LIKE 'batch.zip/orders/bad.xml'")
check "archives: the broken member alone failed, its bytes in failed/" cmp -s "$s/$bad" "$mk/bad.xml"
check "archives: its .why names stage and line" grep -q "line 20, column 37" "$s/$bad.why"
check "archives: the symlink entry was skipped with a note" grep -q "link-to-passwd: skipped, not a regular file (symbolic link)" "$SCRATCH/ar.err"
check "archives: no file was created from an entry name" bash -c "! find '$SCRATCH' / -maxdepth 1 -name escape.xml 2>/dev/null | grep -q . && ! test -e '$s/escape.xml'"
check "archives: tar, tar.gz and .gz orders translated" \
	test "$(ledger "SELECT count(*) FROM orders WHERE order_id IN ('TAR-1','TGZ-1','TGZ-2','GZ-1')")" = 4
check "archives: corrupt zip failed whole with a reason" grep -q "^stage: unpack" "$s"/failed/*-corrupt.zip.why
check "archives: the zip bomb was stopped at a limit (ratio, or its member over max_member_mb)" \
	bash -c "cat '$s'/failed/*bomb.zip*.why | grep -q -e 'compression ratio over 200:1' -e 'larger than 16777216 bytes'"
check "archives: each archive that could be opened is archived once, as sent (the corrupt one is in failed/)" test "$(count "$s/archive")" = 5
zip_arch=$(ls "$s"/archive/*/*/*/*-batch.zip)
check "archives: the zip is kept byte for byte, under its own name (it is no gzip file)" cmp -s "$zip_arch" "$mk/batch.zip"
check "archives: a .gz and a .tgz too (not named .gz.gz)" \
	bash -c "cmp -s '$mk/single.xml.gz' \"\$(ls '$s'/archive/*/*/*/*-single.xml.gz)\" && cmp -s '$mk/orders.tgz' \"\$(ls '$s'/archive/*/*/*/*-orders.tgz)\""
check "archives: a plain tar too (archive_form = as-sent, the default)" \
	cmp -s "$mk/plain.tar" "$(ls "$s"/archive/*/*/*/*-plain.tar)"
check "archives: the archive copy is the claimed file itself, moved (one name, not rewritten)" \
	test "$(stat -c %h "$(ls "$s"/archive/*/*/*/*-plain.tar)")" = 1
check "archives: the ledger's hash and size of each archive copy are the file's own (a .gz document's too)" \
	test -z "$(archive_copies_differ "$s")"
check "archives: the ledger's archive paths name the files there" \
	test "$(ledger "SELECT group_concat(archive_path, ' ') FROM documents WHERE archive_path IS NOT NULL" | tr ' ' '\n' | while read -r p; do test -f "$s/$p" || echo "$p"; done)" = ""
check "archives: invariants hold" spool_invariants "$s"
# a member whose data is bad (a stored zip member's CRC, a corrupt or
# oversized .gz member) fails alone; the archive's sound members go through
s=$(new_spool)
order BADM-1 > "$mk/m1.xml"; order BADM-2 > "$mk/m2.xml"; order BADM-3 > "$mk/m3.xml"
python3 - "$mk" "$s/in" <<'PY'
import sys, zipfile, gzip, os
mk, out = sys.argv[1], sys.argv[2]
rd = lambda n: open(os.path.join(mk, n), 'rb').read()
path = os.path.join(out, "crc.zip")
with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
    z.writestr("bad.xml", rd("m1.xml")); z.writestr("good.xml", rd("m2.xml"))
d = bytearray(open(path, "rb").read()); d[d.index(b"BADM-1")] ^= 1
open(path, "wb").write(bytes(d))
g = bytearray(gzip.compress(rd("m1.xml"))); g[30] ^= 0xff
with zipfile.ZipFile(os.path.join(out, "gz.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("bad.xml.gz", bytes(g)); z.writestr("good.xml", rd("m3.xml"))
PY
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/badm.out" 2>&1
check "archives: a member with a bad CRC fails alone, naming the CRC" \
	grep -q "cannot read the member: ZIP bad CRC" "$s"/failed/*-crc.zip_bad.xml.why
check "archives: a corrupt .gz member fails alone, saying so" \
	grep -q "the gzip data is corrupt" "$s"/failed/*-gz.zip_bad.xml.gz.why
check "archives: ... and their sound siblings are translated" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(order_id) FROM (SELECT order_id FROM orders ORDER BY order_id)")" = "BADM-2,BADM-3"
check "archives: bad members: invariants hold" spool_invariants "$s"
# corrupt deflate data in a zip member leaves libarchive's reader unable to
# go on: the zip is read again past that member, so the member fails alone
# (the second of three, the first and the last, one in a zip inside a zip)
# and every sound member is translated, once
s=$(new_spool); sent="$SCRATCH/deflate-sent"; mkdir -p "$sent"
for o in M1 M2 M3 F1 F2 F3 L1 L2 L3 NA NI1 NI2 NI3 NZ; do order "DEFL-$o" > "$mk/defl-$o.xml"; done
python3 - "$mk" "$sent" <<'PY'
import sys, zipfile, zlib, io, os, struct
mk, out = sys.argv[1], sys.argv[2]
rd = lambda n: open(os.path.join(mk, "defl-%s.xml" % n), "rb").read()
def zip_of(members, broken):
    """A deflated zip of (name, bytes), the members numbered in broken
    (from 1) with bytes flipped inside their compressed data: the first
    block's type becomes 3, which does not exist, and more further on."""
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members: z.writestr(name, data)
    d = bytearray(b.getvalue())
    infos = zipfile.ZipFile(io.BytesIO(bytes(d))).infolist()
    for k in broken:
        zi = infos[k - 1]
        o = zi.header_offset
        start = o + 30 + sum(struct.unpack("<HH", d[o + 26:o + 30]))
        d[start] |= 0x06
        for i in range(start + 3, start + zi.compress_size - 1, 5): d[i] ^= 0xa5
    z = zipfile.ZipFile(io.BytesIO(bytes(d)))
    for k, zi in enumerate(infos, 1):   # python's own reader agrees
        try: z.read(zi.filename); assert k not in broken, zi.filename
        except zlib.error: assert k in broken, zi.filename
    return bytes(d)
def put(name, data): open(os.path.join(out, name), "wb").write(data)
put("mid.zip", zip_of([("m%d.xml" % i, rd("M%d" % i)) for i in (1, 2, 3)], [2]))
put("ends.zip", zip_of([("f.xml", rd("F1")), ("g.xml", rd("F2")), ("h.xml", rd("F3")),
                        ("l1.xml", rd("L1")), ("l2.xml", rd("L2")), ("l3.xml", rd("L3"))], [1, 6]))
inner = zip_of([("i%d.xml" % i, rd("NI%d" % i)) for i in (1, 2, 3)], [2])
put("nest.zip", zip_of([("a.xml", rd("NA")), ("inner.zip", inner), ("z.xml", rd("NZ"))], []))
PY
cp "$sent"/*.zip "$s/in/"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/defl.out" 2>&1
check "corrupt deflate: exit 1 (failed members)" test $? = 1
check "corrupt deflate: the second of three fails alone, its siblings 1 and 3 are translated" \
	test "$(ledger "SELECT group_concat(order_id) FROM (SELECT order_id FROM orders WHERE order_id LIKE 'DEFL-M%' ORDER BY 1)")" = "DEFL-M1,DEFL-M3"
check "corrupt deflate: with the first and the last broken, the four between are translated" \
	test "$(ledger "SELECT group_concat(order_id) FROM (SELECT order_id FROM orders WHERE order_id LIKE 'DEFL-F%' OR order_id LIKE 'DEFL-L%' ORDER BY 1)")" = "DEFL-F2,DEFL-F3,DEFL-L1,DEFL-L2"
check "corrupt deflate: in a zip inside a zip the broken member fails alone too" \
	test "$(ledger "SELECT group_concat(order_id) FROM (SELECT order_id FROM orders WHERE order_id LIKE 'DEFL-N%' ORDER BY 1)")" = "DEFL-NA,DEFL-NI1,DEFL-NI3,DEFL-NZ"
defl_why() { # defl_why FAILED-NAME MEMBER: its .why names the member and the reason, at unpack
	local w; w=$(ls "$s"/failed/*-"$1".why 2>/dev/null) && test "$(echo "$w" | wc -l)" = 1 &&
		grep -qx "stage: unpack" "$w" && grep -qx "file: $2" "$w" &&
		grep -q "^error: cannot read the member: ZIP decompression failed" "$w" &&
		grep -q "the whole archive again" "$w"
}
check "corrupt deflate: each broken member is in failed/ with a .why naming it and the reason" \
	bash -c "$(declare -f defl_why); s='$s'; defl_why mid.zip_m2.xml mid.zip/m2.xml && defl_why ends.zip_f.xml ends.zip/f.xml &&
		defl_why ends.zip_l3.xml ends.zip/l3.xml && defl_why nest.zip_inner.zip_i2.xml nest.zip/inner.zip/i2.xml"
check "corrupt deflate: nothing lost, nothing twice: 10 orders once each, 20 outputs, 3 archives kept, 4 members failed" \
	test "$(ledger "SELECT count(*), count(DISTINCT order_id) FROM orders") $(count "$s/out") $(count "$s/archive") $(count "$s/failed")" = "10|10 20 3 8"
check "corrupt deflate: the ledger has the 3 zips and their 14 members, 4 failed at unpack" \
	test "$(ledger "SELECT count(*), sum(parent_id IS NULL), sum(stage = 'unpack') FROM documents")" = "17|3|4"
check "corrupt deflate: each zip is archived as sent" \
	bash -c "for z in mid ends nest; do cmp -s '$sent/'\$z.zip \"\$(ls '$s'/archive/*/*/*/*-\$z.zip)\" || exit 1; done"
check "corrupt deflate: invariants hold (every zip dropped kept once, byte for byte)" spool_invariants_full "$s" "$sent"
# a zip is read by its central directory, its list of members: one that
# leaves a member out (an entry pointing at another member's local header,
# a local header no entry points at) would lose that order unseen, so the
# zip is refused whole, saying what differs; a damaged local header fails
# the zip whole too, naming the entry after which nothing can be read
s=$(new_spool); sent="$SCRATCH/hidden-sent"; mkdir -p "$sent"
for o in D1 D2 H1 H2 H3 B1 B2 B3 S1 S2; do order "HIDE-$o" > "$mk/hide-$o.xml"; done
python3 - "$mk" "$sent" <<'PY'
import sys, zipfile, io, os, struct
mk, out = sys.argv[1], sys.argv[2]
rd = lambda n: open(os.path.join(mk, "hide-%s.xml" % n), "rb").read()
def zip_of(members):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members: z.writestr(name, data)
    return bytearray(b.getvalue())
def listed(d):   # the end record and the offsets of the central directory's entries
    e = d.rindex(b"PK\x05\x06"); n, size, off = struct.unpack("<HII", d[e + 10:e + 20])
    at = []
    for i in range(n):
        at.append(off); off += 46 + sum(struct.unpack("<HHH", d[off + 28:off + 34]))
    return e, at
def put(name, d):
    open(os.path.join(out, name), "wb").write(bytes(d))
# entry 2 points at member 1's local header
d = zip_of([("a.xml", rd("D1")), ("b.xml", rd("D2"))])
e, at = listed(d)
d[at[1] + 42:at[1] + 46] = d[at[0] + 42:at[0] + 46]
put("twice.zip", d)
# entry 3 taken out of the list: its local header and data stay
d = zip_of([("a.xml", rd("H1")), ("b.xml", rd("H2")), ("c.xml", rd("H3"))])
e, at = listed(d)
n, size, off = struct.unpack("<HII", d[e + 10:e + 20])
d = d[:at[2]] + d[e:]
d[at[2] + 8:at[2] + 16] = struct.pack("<HHI", 2, 2, size - (e - at[2]))
assert [i.filename for i in zipfile.ZipFile(io.BytesIO(bytes(d))).infolist()] == ["a.xml", "b.xml"]
put("unlisted.zip", d)
# member 2's local header damaged
d = zip_of([("a.xml", rd("B1")), ("b.xml", rd("B2")), ("c.xml", rd("B3"))])
e, at = listed(d)
o = struct.unpack("<I", d[at[1] + 42:at[1] + 46])[0]
d[o + 2] = 9
put("damaged.zip", d)
# a sound zip whose sizes come after the data (flag bit 3), as Java and
# zip tools writing to a pipe make them
class Pipe(io.RawIOBase):
    def __init__(self): self.b = bytearray()
    def writable(self): return True
    def write(self, x): self.b += x; return len(x)
p = Pipe()
with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("s1.xml", rd("S1")); z.writestr("s2.xml", rd("S2"))
assert all(i.flag_bits & 8 for i in zipfile.ZipFile(io.BytesIO(bytes(p.b))).infolist())
put("streamed.zip", p.b)
PY
cp "$sent"/*.zip "$s/in/"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/hide.out" 2>&1
check "hidden members: exit 1; of the refused zips no order is translated, the sound one's are" \
	test "$? $(ledger "SELECT group_concat(order_id) FROM (SELECT order_id FROM orders ORDER BY 1)")" = "1 HIDE-S1,HIDE-S2"
hide_why() { # hide_why ZIP TEXT: the zip waits in failed/ as sent, its .why at unpack says TEXT
	local w; w=$(ls "$s"/failed/*-"$1".why 2>/dev/null) && test "$(echo "$w" | wc -l)" = 1 &&
		grep -qx "stage: unpack" "$w" && grep -qF "error: $1: $2" "$w" && cmp -s "$sent/$1" "${w%.why}"
}
check "hidden members: an entry pointing at another member's local header refuses the zip whole, saying which member is not listed and what to do" \
	hide_why twice.zip "the zip's central directory (its list of members) does not match the members in its data: member 2 in the data, b.xml, is not in the list; a member could be lost unseen, so the archive is refused whole and nothing in it is translated: ask the sender to make the zip again and send it again"
check "hidden members: a local header the central directory does not list refuses the zip whole, naming it" \
	hide_why unlisted.zip "the zip's central directory (its list of members) does not match the members in its data: member 3 in the data, c.xml, is not in the list"
check "hidden members: a damaged local header fails the zip whole, naming the entry after which nothing can be read" \
	hide_why damaged.zip "archive is corrupt: Damaged Zip archive (after its entry 1, a.xml, nothing can be read, so the archive is refused whole)"
check "hidden members: the 3 refused zips are in failed/ with nothing else, the sound one is archived" \
	test "$(count "$s/failed") $(ledger "SELECT count(*) FROM documents WHERE parent_id IS NULL AND stage = 'unpack'") $(ls "$s"/archive/*/*/*/ | sed 's/^[0-9-]*//')" = "6 3 streamed.zip"
check "hidden members: invariants hold (every zip dropped kept once, byte for byte)" spool_invariants_full "$s" "$sent"
# an empty tar and an empty .tgz (valid archives without a member) fail at
# unpack saying the archive is empty, naming it, and wait in failed/ byte
# for byte with their .why; an empty tar inside a zip fails alone
s=$(new_spool)
tar -cf "$mk/empty.tar" -T /dev/null && tar -czf "$mk/empty.tgz" -T /dev/null
order EMPTY-1 > "$mk/e1.xml"
python3 - "$mk" <<'PY'
import sys, zipfile, os
mk = sys.argv[1]
rd = lambda n: open(os.path.join(mk, n), 'rb').read()
with zipfile.ZipFile(os.path.join(mk, "withempty.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("nothing.tar", rd("empty.tar")); z.writestr("e1.xml", rd("e1.xml"))
PY
cp "$mk/empty.tar" "$mk/empty.tgz" "$mk/withempty.zip" "$s/in/"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/empty.out" 2> "$SCRATCH/empty.err"
check "empty archives: exit 1 (three failed: two archives and a member)" \
	bash -c "test $? = 1 && grep -q ', 3 failed' '$SCRATCH/empty.out'"
for f in empty.tar empty.tgz; do
	check "empty archives: $f fails at unpack, saying it holds no files, naming it" \
		bash -c "grep -qx 'stage: unpack' '$s'/failed/*-$f.why &&
			grep -qx 'error: $f: the archive is empty: it holds no files at all.*' '$s'/failed/*-$f.why"
	check "empty archives: $f is kept in failed/ byte for byte" cmp -s "$mk/$f" "$(ls "$s"/failed/*-"$f")"
done
check "empty archives: the log names the document and says why" \
	grep -q "^[0-9-]* error: failed at unpack: empty.tgz: the archive is empty" "$SCRATCH/empty.err"
check "empty archives: an empty tar inside a zip fails alone, saying so; its sibling is translated" \
	bash -c "grep -q 'withempty.zip/nothing.tar: the archive is empty' '$s'/failed/*-withempty.zip_nothing.tar.why &&
		test \"\$(sqlite3 '$s/ledger.db' \"SELECT order_id FROM orders\")\" = EMPTY-1"
check "empty archives: nothing left in in/ or work/" test "$(count "$s/in" "$s/work")" = 0
check "empty archives: invariants hold" spool_invariants "$s"

# archive_form = gzip: plain inputs are gzipped (named .gz), what came
# compressed is copied as it came, and the claimed file is removed
s=$(new_spool)
printf '[pickup]\nquiet_seconds = 0\n[spool]\narchive_form = gzip\n' > "$SCRATCH/gz.ini"
order GZF-1 > "$mk/one.xml"
cp "$mk/one.xml" "$mk/plain.tar" "$mk/single.xml.gz" "$mk/batch.zip" "$s/in/"
og run -c "$SCRATCH/gz.ini" --spool "$s" > "$SCRATCH/gzf.out" 2> "$SCRATCH/gzf.err"
check "archive_form = gzip: exit 1 (the zip's bad member), every input archived" \
	test "$?/$(count "$s/archive")/$(count "$s/work")" = "1/4/0"
check "archive_form = gzip: a plain order and a plain tar are gzipped, named .gz" \
	bash -c "gunzip -c \"\$(ls '$s'/archive/*/*/*/*-one.xml.gz)\" | cmp -s - '$mk/one.xml' &&
		gunzip -c \"\$(ls '$s'/archive/*/*/*/*-plain.tar.gz)\" | cmp -s - '$mk/plain.tar'"
check "archive_form = gzip: a .gz and a zip are copied as they came, under their own names" \
	bash -c "cmp -s '$mk/single.xml.gz' \"\$(ls '$s'/archive/*/*/*/*-single.xml.gz)\" &&
		cmp -s '$mk/batch.zip' \"\$(ls '$s'/archive/*/*/*/*-batch.zip)\""
check "archive_form = gzip: the ledger records gzip and as-sent copies by their own hash and size" \
	test -z "$(archive_copies_differ "$s")"
check "archive_form = gzip: invariants hold" spool_invariants "$s"
printf '[spool]\narchive_form = zip\n' > "$SCRATCH/badform.ini"
og check-config -c "$SCRATCH/badform.ini" > "$SCRATCH/badform.out" 2>&1
check "archive_form: anything but as-sent or gzip is a configuration error naming both" \
	bash -c "test $? = 78 && grep -q 'archive_form: \"zip\" is not as-sent or gzip' '$SCRATCH/badform.out'"
# limits from the configuration
s=$(new_spool)
python3 - "$s/in" <<'PY'
import sys, zipfile, os
with zipfile.ZipFile(os.path.join(sys.argv[1], "many.zip"), "w") as z:
    for i in range(12): z.writestr("m%02d.xml" % i, "<x/>")
with zipfile.ZipFile(os.path.join(sys.argv[1], "big-member.zip"), "w") as z:
    z.writestr("big.xml", "<x>" + "a" * (2 << 20) + "</x>")
    z.writestr("small.xml", "<x/>")
PY
# a .tar.gz of 8 orders of 300 kB each: its tar (2.4 MB) is larger than
# max_member_mb, each member is not
for i in 1 2 3 4 5 6 7 8; do order "TGZ-BIG-$i" > "$mk/big-$i.xml"; done
python3 - "$mk" "$s/in" <<'PY'
import sys, tarfile, os, io
mk, out = sys.argv[1], sys.argv[2]
with tarfile.open(os.path.join(out, "big-orders.tar.gz"), "w:gz") as t:
    for i in range(1, 9):
        data = open(os.path.join(mk, "big-%d.xml" % i), "rb").read()
        data += b"<!-- " + os.urandom(150000).hex().encode() + b" -->\n"
        ti = tarfile.TarInfo("big-%d.xml" % i); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
PY
printf '[pickup]\nquiet_seconds = 0\n[unpack]\nmax_members = 10\nmax_member_mb = 1\n' > "$SCRATCH/lim.ini"
og run -c "$SCRATCH/lim.ini" --spool "$s" > /dev/null 2> "$SCRATCH/lim.err"
check "limits: more members than max_members refuses the archive" grep -q "more than 10 members" "$s"/failed/*-many.zip.why
check "limits: a member over max_member_mb fails alone" \
	bash -c "grep -q 'larger than 1048576 bytes' '$s'/failed/*big.xml.why && grep -q 'small.xml' '$SCRATCH/lim.err'"
mz=$(sqlite3 "$s/ledger.db" "SELECT id FROM documents WHERE name = 'big-member.zip'")
check "limits: the refused member's retry line reprocesses its archive (its bytes were not kept)" \
	grep -q "^to retry after a fix: ordergate reprocess $mz -c .*lim.ini --spool " "$s"/failed/*big.xml.why
printf '[pickup]\nquiet_seconds = 0\n[unpack]\nmax_member_mb = 4\n' > "$SCRATCH/lim4.ini"
eval "\"\$ORDERGATE\" reprocess $mz -c '$SCRATCH/lim4.ini' --spool '$s'" > "$SCRATCH/lim4.out" 2>&1
check "limits: ... with the limit raised, reprocessing the archive reads the member (now past unpack)" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM documents WHERE name = 'big-member.zip/big.xml' AND stage <> 'unpack'")" = 1
check "limits: a .tar.gz larger than max_member_mb whose members are not: all 8 orders translated" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders WHERE order_id LIKE 'TGZ-BIG-%'")" = 8
IFS='|' read -r tgz_fmt tgz_sha tgz_arch < <(sqlite3 "$s/ledger.db" "SELECT format, sha256, archive_path FROM documents WHERE name='big-orders.tar.gz'")
check "limits: ... recorded as a tar.gz and archived as sent" \
	test "$tgz_fmt" = tar.gz -a "$(sha256sum < "$s/${tgz_arch:-none}" 2>/dev/null | cut -d' ' -f1)" = "$tgz_sha"
check "limits: invariants hold" spool_invariants "$s"
# nesting: [unpack] max_depth counts the containers (archives or gzip
# layers) inside the file dropped, the same at the top as inside archives
# (docs/spool.md, "Nesting"). Default 2: a .gz.gz (1 inside) and a
# .gz.gz.gz (2) are opened; a .gz.gz.gz.gz (3) is refused whole, and a
# .gz.gz.gz inside a zip (3) alone, naming the limit and the setting
s=$(new_spool)
order NEST-2 | gzip -c | gzip -c > "$mk/o2.xml.gz.gz"
order NEST-3 | gzip -c | gzip -c | gzip -c > "$mk/o3.xml.gz.gz.gz"
order NEST-4 | gzip -c | gzip -c | gzip -c | gzip -c > "$mk/o4.xml.gz.gz.gz.gz"
order NEST-Z1 > "$mk/z1.xml"; order NEST-Z3 | gzip -c | gzip -c | gzip -c > "$mk/z3.xml.gz.gz.gz"
python3 - "$mk" <<'PY'
import sys, zipfile, os
mk = sys.argv[1]
rd = lambda n: open(os.path.join(mk, n), 'rb').read()
with zipfile.ZipFile(os.path.join(mk, "deep.zip"), "w") as z:
    z.writestr("z1.xml", rd("z1.xml")); z.writestr("z3.xml.gz.gz.gz", rd("z3.xml.gz.gz.gz"))
PY
cp "$mk/o2.xml.gz.gz" "$mk/o3.xml.gz.gz.gz" "$mk/o4.xml.gz.gz.gz.gz" "$mk/deep.zip" "$s/in/"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/nest.out" 2> "$SCRATCH/nest.err"
check "nesting: exit 1 (one file and one member nested too deep)" \
	bash -c "test $? = 1 && grep -q ', 2 failed' '$SCRATCH/nest.out'"
check "nesting: within max_depth = 2 a .gz.gz and a .gz.gz.gz are translated (and the zip's plain member)" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(order_id) FROM (SELECT order_id FROM orders ORDER BY order_id)")" = "NEST-2,NEST-3,NEST-Z1"
check "nesting: ... and archived as sent" \
	bash -c "cmp -s '$mk/o2.xml.gz.gz' \"\$(ls '$s'/archive/*/*/*/*-o2.xml.gz.gz)\" &&
		cmp -s '$mk/o3.xml.gz.gz.gz' \"\$(ls '$s'/archive/*/*/*/*-o3.xml.gz.gz.gz)\""
check "nesting: a .gz.gz.gz.gz fails at unpack naming its level, the limit and the setting" \
	bash -c "grep -qx 'stage: unpack' '$s'/failed/*-o4.xml.gz.gz.gz.gz.why &&
		grep -q '^error: o4.xml.gz.gz.gz.gz: gzip inside gzip: .*nested deeper than 2 levels .*(this one is level 3; \\[unpack\\] max_depth = 2).*raise \\[unpack\\] max_depth' '$s'/failed/*-o4.xml.gz.gz.gz.gz.why"
check "nesting: ... kept in failed/ as it came" cmp -s "$mk/o4.xml.gz.gz.gz.gz" "$(ls "$s"/failed/*-o4.xml.gz.gz.gz.gz)"
check "nesting: a .gz.gz.gz inside a zip fails alone at unpack, by the same count" \
	bash -c "grep -qx 'stage: unpack' '$s'/failed/*-deep.zip_z3.xml.gz.gz.gz.why &&
		grep -q 'this one is level 3; \\[unpack\\] max_depth = 2' '$s'/failed/*-deep.zip_z3.xml.gz.gz.gz.why"
check "nesting: invariants hold" spool_invariants "$s"
# max_depth = 0: the file dropped is opened, nothing inside it; raised to 3,
# the .gz.gz.gz.gz goes through on reprocess
s=$(new_spool)
order NEST0-1 | gzip -c > "$s/in/one.xml.gz"; cp "$mk/o2.xml.gz.gz" "$mk/o4.xml.gz.gz.gz.gz" "$s/in/"
printf '[pickup]\nquiet_seconds = 0\n[unpack]\nmax_depth = 0\n' > "$SCRATCH/depth0.ini"
og run -c "$SCRATCH/depth0.ini" --spool "$s" > /dev/null 2>&1
check "nesting: max_depth = 0 opens a .gz and refuses a .gz.gz, naming max_depth = 0" \
	bash -c "test \"\$(sqlite3 '$s/ledger.db' \"SELECT order_id FROM orders\")\" = NEST0-1 &&
		grep -q 'this one is level 1; \\[unpack\\] max_depth = 0' '$s'/failed/*-o2.xml.gz.gz.why"
printf '[pickup]\nquiet_seconds = 0\n[unpack]\nmax_depth = 3\n' > "$SCRATCH/depth3.ini"
d4=$(sqlite3 "$s/ledger.db" "SELECT id FROM documents WHERE name = 'o4.xml.gz.gz.gz.gz'")
og reprocess "$d4" -c "$SCRATCH/depth3.ini" --spool "$s" > /dev/null 2>&1
check "nesting: with max_depth = 3 the .gz.gz.gz.gz is translated on reprocess" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders WHERE order_id = 'NEST-4'")" = 1
check "nesting: max_depth: invariants hold" spool_invariants "$s"
# the CPU limit is per document: a zip of 600 orders of 40 lines takes
# seconds in all, each order milliseconds (it failed whole at worker)
s=$(new_spool)
python3 - "$ROOT/tests/data/golden/plain-no-doctype/input.xml" "$s/in/many.zip" <<'PY'
import sys, zipfile, re
src = open(sys.argv[1]).read()
item = re.search(r'(<ItemOut .*?</ItemOut>)', src, re.S).group(1)
big = src.replace(item, ''.join(item.replace('lineNumber="1"', 'lineNumber="%d"' % (k + 1)) for k in range(40)))
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(600):
        z.writestr("o%03d.xml" % i, big.replace("20200925.153043.77@buyer.example", "cpu%d@b" % i).replace("SB-1001", "CPU-%d" % i))
PY
printf '[pickup]\nquiet_seconds = 0\n[engine]\ncpu_limit_seconds = 1\n' > "$SCRATCH/cpu1.ini"
og run -c "$SCRATCH/cpu1.ini" --spool "$s" > /dev/null 2>&1
check "limits: cpu_limit_seconds holds per member: a zip of 600 orders, 1 s each, all translated" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders WHERE order_id LIKE 'CPU-%'")" = 600

# --- links in in/: a hard link is the file it links to, wherever that is --------
s=$(new_spool)
outside="$SCRATCH/outside-links"; mkdir -p "$outside"
order HARD-1 > "$outside/order.xml"
printf 'secret-%s\n' "$RANDOM$RANDOM" > "$outside/secret.txt"
ln "$outside/order.xml" "$s/in/hard-order.xml"
ln "$outside/secret.txt" "$s/in/hard-secret.xml"
ln -s "$outside/order.xml" "$s/in/soft-order.xml"
order LINKS-OK > "$s/in/good.xml"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/links.out" 2> "$SCRATCH/links.err"
check "links: exit 1 (three inputs refused), the run goes on" test $? = 1
check "links: the plain order next to them was translated" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders WHERE order_id='LINKS-OK'")" = 1
check "links: the order behind the hard link was not read" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders WHERE order_id='HARD-1'")" = 0
check "links: both hard links failed at read, saying so, with a .why in failed/" \
	bash -c "grep -q '^stage: read' '$s'/failed/*-hard-order.xml.why && grep -q 'hard-order.xml is a hard link: the file has 2 names' '$s'/failed/*-hard-order.xml.why && grep -q 'is a hard link' '$s'/failed/*-hard-secret.xml.why"
check "links: ... and the .why says what to do" grep -q '^what to do: upload or copy the file itself' "$s"/failed/*-hard-secret.xml.why
check "links: the symbolic link still fails at read as one" grep -q 'it is a symbolic link' "$s"/failed/*-soft-order.xml.why
check "links: no byte of the linked file in the ledger, logs or .why files" \
	bash -c "! grep -qF \"\$(cat '$outside/secret.txt')\" '$SCRATCH/links.out' '$SCRATCH/links.err' '$s'/failed/*.why && ! sqlite3 '$s/ledger.db' .dump | grep -qF \"\$(cat '$outside/secret.txt')\""
check "links: the files outside are untouched" \
	bash -c "grep -q HARD-1 '$outside/order.xml' && test \$(stat -c %h '$outside/order.xml') -le 2"
check "links: in/ is empty afterwards" bash -c "test -z \"\$(ls -A '$s/in')\"" 
check "links: invariants hold" spool_invariants "$s"

# --- pickup: incomplete files are not taken -----------------------------------
s=$(new_spool)
printf '[pickup]\nquiet_seconds = 2\n' > "$SCRATCH/quiet.ini"
order SLOW-1 > "$SCRATCH/slow.xml"
# an upload that keeps trickling in, a piece every 0.4 s (never quiet for
# 2 s), until the run has ended (slow.stop; at most 40 pieces, 16 s): a run
# slow to start (a loaded machine, AddressSanitizer) still finds it unfinished
python3 -c "
import os, time
data = open('$SCRATCH/slow.xml', 'rb').read(); n = len(data) // 40 + 1
with open('$s/in/slow.xml', 'wb') as f:
    for i in range(40):
        f.write(data[i * n:(i + 1) * n]); f.flush()
        if not os.path.exists('$SCRATCH/slow.stop'): time.sleep(0.4)
" &
writer=$!
wait_for 30 test -s "$s/in/slow.xml"
og run -c "$SCRATCH/quiet.ini" --spool "$s" > "$SCRATCH/p1.out" 2>&1
touch "$SCRATCH/slow.stop"
check "pickup: a file still being written is left alone" test -f "$s/in/slow.xml"
check "pickup: the summary says so" grep -q "still being written, left in in/" "$SCRATCH/p1.out"
wait $writer
og run -c "$SCRATCH/quiet.ini" --spool "$s" > "$SCRATCH/p2.out" 2>&1
check "pickup: once complete and quiet it is taken (cp && run works)" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders WHERE order_id='SLOW-1'")" = 1
order OLD-1 > "$SCRATCH/old.xml"; touch -d '2001-01-01' "$SCRATCH/old.xml"
cp -p "$SCRATCH/old.xml" "$s/in/old.xml"          # keeps the old mtime; ctime is new
og run -c "$SCRATCH/quiet.ini" --spool "$s" > /dev/null 2>&1
check "pickup: a copy with an old mtime is still judged by its ctime (waited, then taken)" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders WHERE order_id='OLD-1'")" = 1
order NEW-1 > "$SCRATCH/new.xml"; touch -d '+2 hours' "$SCRATCH/new.xml"
cp -p "$SCRATCH/new.xml" "$s/in/new.xml"          # an mtime in the future, kept
og run -c "$SCRATCH/quiet.ini" --spool "$s" > /dev/null 2>&1
check "pickup: a copy whose kept mtime lies in the future is taken (ctime alone counts)" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders WHERE order_id='NEW-1'")" = 1
# the quiet period is counted to the nanosecond, not in whole seconds: an
# upload writing every 0.25 s, begun just before a second turns over, is
# never quiet for 1 s (whole seconds would call it quiet 0.1 s later); it
# goes on until the run has ended (at most 40 pieces, 10 s), however long
# the run takes to start
printf '[pickup]\nquiet_seconds = 1\n' > "$SCRATCH/quiet1.ini"
order TICK-1 > "$SCRATCH/tick.xml"
"$PYTHON_BIN" -c "
import os, subprocess, sys, time
data = open('$SCRATCH/tick.xml', 'rb').read(); n = len(data) // 40 + 1
while time.time() % 1 < 0.9 or time.time() % 1 > 0.93:
    time.sleep(0.002)
with open('$s/in/tick.xml', 'wb') as f:
    f.write(data[:n]); f.flush()
    while time.time() % 1 > 0.5:   # into the next second
        time.sleep(0.002)
    run = subprocess.Popen(['$ORDERGATE', 'run', '-c', '$SCRATCH/quiet1.ini', '--spool', '$s'],
                           stdout=open('$SCRATCH/tick.out', 'w'), stderr=subprocess.STDOUT)
    for i in range(1, 40):
        if run.poll() is None: time.sleep(0.25)
        f.write(data[i * n:(i + 1) * n]); f.flush()
    run.wait()
"
check "pickup: a file written 0.1 s ago is not quiet for 1 s (left, the summary says so)" \
	bash -c "test -f '$s/in/tick.xml' && grep -q 'still being written, left in in/' '$SCRATCH/tick.out'"
og run -c "$SCRATCH/quiet1.ini" --spool "$s" > /dev/null 2>&1
check "pickup: ... and once quiet it is taken whole" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders WHERE order_id='TICK-1'")" = 1
: > "$s/in/empty.xml"
og run -c "$SCRATCH/quiet.ini" --spool "$s" > /dev/null 2>&1
check "pickup: a zero-byte file fails after the quiet period, with a reason" grep -q "the file is empty" "$s"/failed/*-empty.xml.why
# markers
s=$(new_spool)
printf '[pickup]\nquiet_seconds = 0\nmarker = ok\n' > "$SCRATCH/marker.ini"
order MARK-1 > "$s/in/m1.xml"; order MARK-2 > "$s/in/m2.xml"; touch "$s/in/m2.xml.ok"
og run -c "$SCRATCH/marker.ini" --spool "$s" > /dev/null 2>&1
check "markers: without X.ok the file waits" test -f "$s/in/m1.xml"
check "markers: with X.ok it is taken and the marker removed" \
	bash -c "test ! -e '$s/in/m2.xml' && test ! -e '$s/in/m2.xml.ok' && test \"\$(sqlite3 '$s/ledger.db' \"SELECT count(*) FROM orders WHERE order_id='MARK-2'\")\" = 1"
# configurable ignore patterns
printf '[pickup]\nquiet_seconds = 0\nignore = *.pgp, incoming-*\n' > "$SCRATCH/ign.ini"
order IGN-1 > "$s/in/x.pgp"; order IGN-2 > "$s/in/incoming-1.xml"
og run -c "$SCRATCH/ign.ini" --spool "$s" > /dev/null 2>&1
check "pickup: configured ignore patterns are never taken" test -f "$s/in/x.pgp" -a -f "$s/in/incoming-1.xml"
# a file that cannot be moved (its owner's in a sticky folder, chattr +i,
# an inbox on another filesystem) stays; the rest of the batch goes on
s=$(new_spool)
order CLAIM-1 > "$s/in/a.xml"; order CLAIM-2 > "$s/in/b.xml"
ORDERGATE_FAULT=rename:EPERM:1 og run -c "$SCRATCH/quiet.ini" --spool "$s" > "$SCRATCH/claim.out" 2>&1
rc=$?
check "pickup: a file that cannot be claimed stays in in/, and the next is translated" \
	bash -c "test -f '$s/in/a.xml' && test \"\$(sqlite3 '$s/ledger.db' \"SELECT group_concat(order_id) FROM orders\")\" = CLAIM-2"
check "pickup: ... the warning names the file, the cause and what to do" \
	grep -q "warning: cannot claim $s/in/a.xml: Operation not permitted; it stays there: let ordergate's user move it" "$SCRATCH/claim.out"
check "pickup: ... the summary counts it and the run exits 1" \
	bash -c "test $rc = 1 && grep -q '^1 file could not be claimed and stays where it is' '$SCRATCH/claim.out'"
check "pickup: ... invariants hold (nothing half-claimed)" spool_invariants "$s"
ORDERGATE_FAULT=rename:EXDEV:1 og run -c "$SCRATCH/quiet.ini" --spool "$s" > "$SCRATCH/claim2.out" 2>&1
check "pickup: another filesystem: the file stays, the warning says to move the folder" \
	bash -c "test -f '$s/in/a.xml' && grep -q 'the folder is on another filesystem than the spool, so the move cannot be atomic; it stays there' '$SCRATCH/claim2.out'"
og run -c "$SCRATCH/quiet.ini" --spool "$s" > /dev/null 2>&1
check "pickup: ... once it can be moved, it is taken" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders WHERE order_id = 'CLAIM-1'")" = 1

# --- cron mode: limits, summary, JSON logs, overlapping runs ------------------
s=$(new_spool)
for i in $(seq 1 30); do order "CRON-$i" > "$s/in/c$i.xml"; done
og run -c "$SCRATCH/fast.ini" --max-files 10 --spool "$s" > "$SCRATCH/c1.out" 2>/dev/null
check "cron: --max-files 10 claims ten" test "$(count "$s/in")" = 20
check "cron: the summary counts per partner" grep -q "an01000000001 .*10 translated, 0 duplicates, 0 failed" "$SCRATCH/c1.out"
check "cron: the summary gives files and bytes" grep -qE "files: 10 claimed \(0 archives\), [0-9.]+ kB read" "$SCRATCH/c1.out"
og run -c "$SCRATCH/fast.ini" --log-json --max-files 5 --spool "$s" > /dev/null 2> "$SCRATCH/c2.err"
check "cron: --log-json writes one JSON object per line" python3 -c "
import json,sys
lines=[l for l in open('$SCRATCH/c2.err') if l.strip()]
assert len(lines) >= 5
for l in lines:
    o=json.loads(l); assert set(o) >= {'time','id','level','msg'}
"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/c3a.out" 2>/dev/null &
first=$!
"$ORDERGATE" run -c "$SCRATCH/fast.ini" --spool "$s" > /dev/null 2> "$SCRATCH/c3b.err" &
second=$!
wait $first; rc1=$?; wait $second; rc2=$?
check "cron: of two runs started at once one works and one stops (73) or waits its turn" \
	bash -c "[ $rc1 = 0 -a \( $rc2 = 73 -o $rc2 = 0 \) ] || [ $rc2 = 0 -a $rc1 = 73 ]"
check "cron: every order exactly once after overlapping runs" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) || '/' || count(DISTINCT order_id) FROM orders")" = "30/30"
check "cron: invariants hold" spool_invariants "$s"

# --- progress bar on a terminal ------------------------------------------------
s=$(new_spool)
for i in $(seq 1 20); do order "TTY-$i" > "$s/in/t$i.xml"; done
script -qec "'$ORDERGATE' run -c '$SCRATCH/fast.ini' --spool '$s'" /dev/null > "$SCRATCH/tty.out" 2>&1
check "progress: a bar with counts and rate on a terminal" grep -q "20/20 .*docs/s" "$SCRATCH/tty.out"
s2=$(new_spool); order NOTTY-1 > "$s2/in/n.xml"
og run -c "$SCRATCH/fast.ini" --spool "$s2" > /dev/null 2> "$SCRATCH/notty.err"
check "progress: no bar when stderr is not a terminal" bash -c "! grep -q 'docs/s' '$SCRATCH/notty.err'"

# --- watch mode ------------------------------------------------------------------
# the helper every watch check below waits with: it fails when the thing
# never happens (after its deadline, not before) and passes once it does
t0=${EPOCHREALTIME//[!0-9]/}
wait_for 1 false
rc=$?
check "wait_for: a condition that never holds fails (1), after the deadline (1 s) (exit $rc)" \
	test "$rc" = 1 -a $((${EPOCHREALTIME//[!0-9]/} - t0)) -ge 1000000
(sleep 0.3; touch "$SCRATCH/later") &
check "wait_for: a condition that comes true later passes" wait_for 20 test -e "$SCRATCH/later"
wait $!
s=$(new_spool)
printf '[pickup]\nquiet_seconds = 1\n[watch]\nrescan_seconds = 5\n' > "$SCRATCH/watch.ini"
"$ORDERGATE" watch -c "$SCRATCH/watch.ini" --spool "$s" > "$SCRATCH/w.out" 2> "$SCRATCH/w.err" &
wpid=$!
wait_for 60 grep -q 'watching ' "$SCRATCH/w.err"
# (quiet_seconds 1 here, so these show the files are taken, not how soon: a
# renamed file taken at once is shown by the inbox check further down)
order WATCH-1 > "$s/in/.w1.xml.part"; mv "$s/in/.w1.xml.part" "$s/in/w1.xml"
check "watch: a file renamed into in/ is published" wait_for 30 at_least 2 "$s/out"
order WATCH-2 > "$s/in/w2.xml"        # written in place: taken after the quiet period
check "watch: a file written in place is taken after the quiet period" wait_for 30 at_least 4 "$s/out"
for i in $(seq 1 20); do order "BURST-$i" > "$s/in/.b$i"; mv "$s/in/.b$i" "$s/in/b$i.xml"; done
sleep 0.3   # (stopped somewhere in the burst; the checks hold wherever that is)
kill -TERM $wpid
wait $wpid
check "watch: SIGTERM stops it with exit 0" test $? = 0
check "watch: its summary is labelled watch" grep -q '^ordergate watch: [0-9]* documents' "$SCRATCH/w.out"
check "watch: nothing half-done (work/ and tmp/ empty, invariants hold)" spool_invariants "$s"
done_n=$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders")
left=$(count "$s/in")
check "watch: every burst file is either processed or still waiting in in/" test $((done_n + left)) = 22
"$ORDERGATE" run -c "$SCRATCH/fast.ini" --spool "$s" > /dev/null 2>&1
check "watch: a later run takes the rest; 22 orders once each" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) || '/' || count(DISTINCT order_id) FROM orders")" = "22/22"
# --- a stop sent to the whole process group (systemd, a closed terminal) ---------
s=$(new_spool)
for i in $(seq 1 300); do order "GRP-$i" > "$s/in/g$i.xml"; done
setsid "$ORDERGATE" run -c "$SCRATCH/fast.ini" --spool "$s" -j 2 > "$SCRATCH/grp.out" 2> "$SCRATCH/grp.err" &
gpid=$!
# (the stop lands once the run is under way: its signal handling set up)
wait_for 60 at_least 20 "$s/archive"
kill -TERM -- "-$gpid" 2> /dev/null
wait $gpid
grc=$?
check "stop: SIGTERM to the process group stops the run with exit 0 (exit $grc)" test $grc = 0
check "stop: ... and fails no document (the workers finish theirs)" test "$(count "$s/failed")" = 0
"$ORDERGATE" run -c "$SCRATCH/fast.ini" --spool "$s" > /dev/null 2>&1
check "stop: a later run takes the rest; 300 orders once each, none failed" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) || '/' || count(DISTINCT order_id) FROM orders")/$(count "$s/failed")" = "300/300/0"
check "stop: invariants hold" spool_invariants "$s"
# SIGHUP (a closed terminal or SSH session, sent to the whole group) is a
# stop like SIGTERM: what is in progress is finished and committed
s=$(new_spool)
for i in $(seq 1 300); do order "HUP-$i" > "$s/in/h$i.xml"; done
setsid "$ORDERGATE" run -c "$SCRATCH/fast.ini" --spool "$s" -j 2 > "$SCRATCH/hup.out" 2> "$SCRATCH/hup.err" &
gpid=$!
wait_for 60 at_least 20 "$s/archive"
kill -HUP -- "-$gpid" 2> /dev/null
wait $gpid
grc=$?
check "stop: SIGHUP to the process group stops the run with exit 0 (exit $grc)" test $grc = 0
check "stop: ... nothing half-done (work/ and tmp/ empty, invariants hold)" spool_invariants "$s"
"$ORDERGATE" run -c "$SCRATCH/fast.ini" --spool "$s" > /dev/null 2>&1
check "stop: ... a later run takes the rest; 300 orders once each, none failed" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) || '/' || count(DISTINCT order_id) FROM orders")/$(count "$s/failed")" = "300/300/0"
s=$(new_spool)
"$ORDERGATE" watch -c "$SCRATCH/watch.ini" --spool "$s" > "$SCRATCH/whup.out" 2> "$SCRATCH/whup.err" &
wpid=$!
wait_for 60 grep -q 'watching ' "$SCRATCH/whup.err"
kill -HUP $wpid
wait $wpid
check "stop: SIGHUP stops a watch with exit 0 and its summary" \
	bash -c "test $? = 0 && grep -q '^stopped by a signal' '$SCRATCH/whup.out'"
# check-config: an inbox folder that is missing, or on another filesystem
s=$(new_spool)
printf '[spool]\ndir = %s\n[inbox gone]\ndir = %s/nope\n' "$s" "$s" > "$SCRATCH/gone.ini"
og check-config -c "$SCRATCH/gone.ini" > "$SCRATCH/gone.out" 2>&1
check "check-config: a missing inbox folder is a configuration error (78) naming it" \
	bash -c "test $? = 78 && grep -q '\\[inbox gone\\] dir $s/nope: No such file or directory' '$SCRATCH/gone.out'"
if [ "$(stat -c %d /dev/shm 2>/dev/null)" != "$(stat -c %d "$s")" ] && [ -w /dev/shm ]; then
	box=$(mktemp -d /dev/shm/og-box.XXXXXX)
	printf '[spool]\ndir = %s\n[inbox far]\ndir = %s\n' "$s" "$box" > "$SCRATCH/far.ini"
	og check-config -c "$SCRATCH/far.ini" > "$SCRATCH/far.out" 2>&1
	check "check-config: an inbox on another filesystem than the spool is a configuration error" \
		bash -c "test $? = 78 && grep -q 'is on another filesystem than the spool' '$SCRATCH/far.out'"
	rm -rf "$box"
else
	echo "# /dev/shm is on the spool's filesystem here: the other-filesystem check-config case is not run"
fi
# --- inboxes: several folders bound to partners, one run -----------------------
s=$(new_spool)
mkdir -p "$s/sftp/acme/upload" "$s/sftp/zinc/upload"
cat > "$SCRATCH/inbox.ini" <<INI
[pickup]
quiet_seconds = 0
[inbox acme]
dir = $s/sftp/acme/upload
partner = acme
[inbox zinc]
dir = $s/sftp/zinc/upload
partner = zinc-gmbh
INI
order INBOX-A > "$s/sftp/acme/upload/a.xml"
order INBOX-Z > "$s/sftp/zinc/upload/z.xml"
order INBOX-IN > "$s/in/i.xml"
og run -c "$SCRATCH/inbox.ini" --spool "$s" > "$SCRATCH/ib.out" 2>&1
check "inboxes: one run serves every inbox and in/" test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders")" = 3
check "inboxes: the acme inbox publishes under out/acme/" test "$(count "$s/out/acme")" = 2
check "inboxes: the zinc inbox publishes under out/zinc-gmbh/" test "$(count "$s/out/zinc-gmbh")" = 2
check "inboxes: in/ keeps the sender-derived partner" test "$(count "$s/out/an01000000001")" = 2
check "inboxes: the summary lists each partner" grep -q "acme .*1 translated" "$SCRATCH/ib.out"
check "inboxes: a file's work/ and archive names carry its inbox (ID-acme@NAME)" \
	test "$(ls "$s"/archive/*/*/*/ | grep -c -e '-acme@a\.xml$' -e '-zinc@z\.xml$')/$(ls "$s"/archive/*/*/*/ | grep -c '^[0-9-]*-i\.xml$')" = 2/1
# crash_at_staging SPOOL: a run over SPOOL with an inbox at SPOOL/up
# (partner acme) killed at its first write into tmp/, after the claims
# (the step found by tracing a run on a copy)
crash_at_staging() {
	local sp=$1 trial=$SCRATCH/trial.$RANDOM at
	cp -a "$sp" "$trial"
	printf '[pickup]\nquiet_seconds = 0\n[inbox acme]\ndir = %s/up\npartner = acme\n' "$trial" > "$SCRATCH/box.ini"
	at=$(ORDERGATE_FAULT=trace "$ORDERGATE" run -c "$SCRATCH/box.ini" --spool "$trial" 2>&1 >/dev/null |
		sed -n 's|^fsio: step \([0-9]*\) open .*/tmp/.*|\1|p' | head -1)
	printf '[pickup]\nquiet_seconds = 0\n[inbox acme]\ndir = %s/up\npartner = acme\n' "$sp" > "$SCRATCH/box.ini"
	{ ORDERGATE_FAULT=crash:${at:-0} "$ORDERGATE" run -c "$SCRATCH/box.ini" --spool "$sp" > /dev/null 2>&1; } 2>/dev/null
}
# a crash after the claims: recovery translates each file as from the
# inbox it came through (its partner, its out/ folder), not as from in/
s=$(new_spool)
mkdir -p "$s/up"
for n in 1 2 3; do order "BOX-$n" > "$s/up/b$n.xml"; done
order BOX-IN > "$s/in/i.xml"
crash_at_staging "$s"
check "inboxes: the crash left the three claimed inbox files in work/" test "$(ls "$s/work" | grep -c -- '-acme@b[123]\.xml$')" = 3
og run -c "$SCRATCH/box.ini" --spool "$s" > "$SCRATCH/crashbox.out" 2>&1
check "inboxes: recovered files are translated as from their inbox" \
	grep -q 'recovered from an interrupted run: translating b1.xml (from acme) again' "$SCRATCH/crashbox.out"
check "inboxes: after recovery the inbox's orders are published under out/acme/" test "$(count "$s/out/acme")" = 6
check "inboxes: ... and recorded with the inbox's partner" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders WHERE partner = 'acme'")" = 3
check "inboxes: recovery after a crash: invariants hold" spool_invariants "$s"
# claimed from an inbox the configuration no longer has: translated as
# from in/, with a warning naming it
s=$(new_spool)
mkdir -p "$s/up"
order GONE-1 > "$s/up/g.xml"
order GONE-IN > "$s/in/i.xml"
crash_at_staging "$s"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/gonebox.out" 2>&1
check "inboxes: a file from an inbox no longer configured is translated as from in/, with a warning" \
	grep -q "was claimed from an inbox the configuration no longer has (\[inbox\] tag acme)" "$SCRATCH/gonebox.out"
check "inboxes: ... and not lost" test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders")/$(count "$s/work")" = 2/0
# watch: an inbox folder removed and made again: warned once (not at every
# rescan), watched again once it is back (a file renamed into it is taken
# at once by its rename, not at a rescan: the quiet period is 60 s here, so
# a rescan would leave it for a minute, longer than the 30 s waited for it)
s=$(new_spool)
mkdir -p "$s/up"
printf '[pickup]\nquiet_seconds = 60\n[watch]\nrescan_seconds = 2\n[inbox acme]\ndir = %s/up\npartner = acme\n' "$s" > "$SCRATCH/wbox.ini"
"$ORDERGATE" watch -c "$SCRATCH/wbox.ini" --spool "$s" > "$SCRATCH/wbox.out" 2>&1 &
wpid=$!
wait_for 60 grep -q 'watching ' "$SCRATCH/wbox.out"
rmdir "$s/up"
wait_for 30 grep -q "cannot list $s/up" "$SCRATCH/wbox.out"
# that it is warned about only once needs time for rescans that could warn
# again: a fixed 5 s after the first warning, two and a half rescan periods
# (the rescans are timed by the clock, so a loaded machine delays each by its
# scheduling only; a watch starved past that makes the check pass without
# showing much, never fail wrongly)
sleep 5
mkdir "$s/up"
wait_for 30 grep -q "watching $s/up again" "$SCRATCH/wbox.out"
order BACK-1 > "$s/.back.xml"; mv "$s/.back.xml" "$s/up/back.xml"
wait_for 30 at_least 2 "$s/out/acme"
backs=$(count "$s/out/acme")
kill -TERM $wpid
wait $wpid
check "watch: a removed inbox is warned about once over several rescans" \
	test "$(grep -c "cannot list $s/up: No such file or directory" "$SCRATCH/wbox.out")" = 1
check "watch: ... said when it can be listed again" grep -q "$s/up can be listed again" "$SCRATCH/wbox.out"
check "watch: ... watched again: a file renamed into it is published at once (not after the 60 s quiet period)" test "$backs" = 2
printf '[inbox x]\npartner = ../evil\ndir = /tmp\n' > "$SCRATCH/evil.ini"
og check-config "$SCRATCH/evil.ini" > /dev/null 2> "$SCRATCH/evil.err"
check "inboxes: a partner name that could steer a path is refused" grep -q "partner: \"../evil\" may hold only" "$SCRATCH/evil.err"

# --- the spool folder must exist -------------------------------------------------
# a typo in a cron line (or a share not mounted yet) is an error that says
# so, not a new empty spool and exit 0
for cmd in run watch; do
	# (a timeout: a watch that took the typo for a new spool would never end)
	timeout -k 5 20 "$ORDERGATE" $cmd -c "$SCRATCH/fast.ini" --spool "$SCRATCH/typo/spool" > "$SCRATCH/typo.out" 2> "$SCRATCH/typo.err"
	rc=$?
	check "$cmd: a spool folder that does not exist exits 66, naming it and how to create it" \
		bash -c "test $rc = 66 && grep -q 'no spool at $SCRATCH/typo/spool: No such file or directory' '$SCRATCH/typo.err' && grep -q 'mkdir -p $SCRATCH/typo/spool' '$SCRATCH/typo.err'"
	check "$cmd: ... creates nothing there and prints no summary" \
		bash -c "test ! -e '$SCRATCH/typo' && test ! -s '$SCRATCH/typo.out'"
done
s=$(mktemp -d "$SCRATCH/bare.XXXXXX")
og run -c "$SCRATCH/fast.ini" --spool "$s" > /dev/null 2>&1
check "run: in an existing (empty) spool folder the state folders are created" \
	bash -c "test $? = 0 && cd '$s' && test -d in -a -d work -a -d tmp -a -d out -a -d archive -a -d failed -a -d approvals"
printf '[spool]\ndir = %s\n' "$SCRATCH/typo/spool" > "$SCRATCH/typo.ini"
og check-config "$SCRATCH/typo.ini" > /dev/null 2> "$SCRATCH/typo.err"
check "check-config: a [spool] dir that does not exist is a configuration error (78) naming it" \
	bash -c "test $? = 78 && grep -q 'spool. dir $SCRATCH/typo/spool: No such file or directory; create the spool first' '$SCRATCH/typo.err'"
for opt in "--max-files 5" "--max-seconds 60" "-m 5" "-t 60"; do
	# shellcheck disable=SC2086
	timeout -k 5 20 "$ORDERGATE" watch $opt -c "$SCRATCH/fast.ini" --spool "$s" > /dev/null 2> "$SCRATCH/wopt.err"
	rc=$?
	check "watch $opt: refused (64): a watch has no batch to limit" \
		bash -c "test $rc = 64 && grep -q 'is for run: a watch keeps going' '$SCRATCH/wopt.err'"
done

# --- a full disk ------------------------------------------------------------------
# the run stops naming the disk, what is free, that nothing is lost and what
# to do; the ledger opens without writing, so the next run on a still-full
# disk clears tmp/ and readers such as show work
s=$(new_spool); order FULL-1 > "$s/in/f.xml"
og run -c "$SCRATCH/fast.ini" --spool "$s" > /dev/null 2>&1
order FULL-2 > "$s/in/g.xml"
ORDERGATE_FAULT=write:ENOSPC:1:forever og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/full.out" 2> "$SCRATCH/full.err"
rc=$?
check "full disk: the run stops with 75 saying which disk is full, how much is free, that nothing was lost and what to do" \
	bash -c "test $rc = 75 && grep -q 'the disk holding $s is full ([0-9.]* [kMG]B free): .*No space left on device; the run stops here. Nothing was lost: .*Free space on that disk (df $s), then run again' '$SCRATCH/full.err'"
check "full disk: ... the input waits in work/ or in/" test "$(count "$s/work" "$s/in")" = 1
printf 'half' > "$s/tmp/20200101-000000-000001-000001.po"
ORDERGATE_FAULT=write:ENOSPC:1:forever og show FULL-1 -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/full-show.out" 2>&1
check "full disk: show still reads the ledger (opening it writes nothing)" \
	bash -c "test $? = 0 && grep -q 'order=FULL-1' '$SCRATCH/full-show.out'"
check "full disk: ... the input it claimed waits in work/" test "$(count "$s/work")" = 1
ORDERGATE_FAULT=write:ENOSPC:1:forever og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/full2.out" 2> "$SCRATCH/full2.err"
check "full disk: the next run still opens the ledger and clears the leftovers in tmp/ before it stops again" \
	bash -c "! grep -q 'cannot set up' '$SCRATCH/full2.err' && grep -q 'the disk holding $s is full' '$SCRATCH/full2.err' && test ! -e '$s/tmp/20200101-000000-000001-000001.po'"
# it took the input in work/ up again and stopped before finishing it
check "full disk: ... its summary does not say it recovered what it did not finish" \
	bash -c "grep -q 'recovered from an interrupted run: translating g.xml' '$SCRATCH/full2.err' && grep -q '^ordergate run: 0 documents in [0-9.]* s: 0 translated, 0 duplicates, 0 failed\$' '$SCRATCH/full2.out'"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/full3.out" 2>&1
check "full disk: with space back the run completes; invariants hold" \
	bash -c "test $? = 0 && test \$(find '$s/out' -type f | wc -l) = 4 && $PYTHON_BIN '$ROOT/tests/spoolcheck.py' invariants '$s'"
check "full disk: ... its summary says the document it finished was recovered" \
	grep -q '^ordergate run: 1 document in [0-9.]* s: 1 translated, 0 duplicates, 0 failed (it was recovered from an interrupted run)$' "$SCRATCH/full3.out"

# --- make install: the installed binary finds its stylesheets ----------------
if [ "${ASAN:-0}" = 1 ] || [ "${VALGRIND:-0}" = 1 ]; then
	echo "# skipped: make install under ASan/valgrind (the plain make check runs it)"
else
	prefix="$SCRATCH/prefix"
	make -C "$ROOT" --no-print-directory -s install PREFIX="$prefix" BUILD="$SCRATCH/ibuild" > "$SCRATCH/install.log" 2>&1
	check "install: make install PREFIX=... succeeds" test $? = 0
	check "install: binary, stylesheets, schemas, maps and man pages are in place" \
		test -x "$prefix/bin/ordergate" -a -f "$prefix/share/ordergate/xslt/cxml-to-canonical.xsl" \
		-a -f "$prefix/share/ordergate/xslt/schemas/cxml-1.2.071/cXML.dtd" -a -d "$prefix/share/ordergate/maps" \
		-a -f "$prefix/share/man/man1/ordergate.1" -a -f "$prefix/share/man/man5/ordergate.conf.5"
	s=$(new_spool); order INSTALLED-1 > "$s/in/o.xml"
	(cd / && env -u ORDERGATE_DATADIR "$prefix/bin/ordergate" run -c "$SCRATCH/fast.ini" --spool "$s" > /dev/null 2>&1)
	check "install: the installed binary runs from anywhere with its own data" test "$(count "$s/out")" = 2
	check "install: man pages render" bash -c "man -l '$prefix/share/man/man1/ordergate.1' 2>/dev/null | grep -q 'EXIT STATUS' || groff -man -Tutf8 '$prefix/share/man/man1/ordergate.1' | grep -q 'EXIT STATUS'"
fi
finish

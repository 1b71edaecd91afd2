#!/usr/bin/env bash
# The operator's view: show, export recon and spend (checked against the
# invoices independently), resend, reprocess and purge.
. "$(dirname "$0")/lib.sh"
count() { find "$@" -type f 2>/dev/null | wc -l; }
printf '[pickup]\nquiet_seconds = 0\n' > "$SCRATCH/c.ini"
C="$SCRATCH/c.ini"
s=$(new_spool)
mk() { # id part qty price
	sed "s/20200925.153043.77@buyer.example/$1@b/; s/orderID=\"SB-1001\"/orderID=\"$1\"/; s/quantity=\"3\"/quantity=\"$3\"/; s/PEN-BLUE-10/$2/; s/>8.99</>$4</" \
		"$ROOT/tests/data/golden/plain-no-doctype/input.xml"
}
mk O-1 BOLT 10 2.50 > "$s/in/o1.xml"
mk O-2 "=HYPERLINK(1)" 4 1.25 > "$s/in/o2.xml"
mk O-3 NUT 6 0.10 > "$s/in/o3.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
# the orders (tests/data/golden/plain-no-doctype) are in bx: the notices ship in that unit
notice() { cat <<XML
<cXML payloadID="$1" timestamp="2026-06-01T10:00:00Z"><Header><From><Credential domain="x"><Identity>WMS</Identity></Credential></From><To><Credential domain="x"><Identity>B</Identity></Credential></To><Sender><Credential domain="x"><Identity>WMS</Identity></Credential><UserAgent>w</UserAgent></Sender></Header><Request><ShipNoticeRequest><ShipNoticeHeader shipmentID="$1" noticeDate="2026-06-01T10:00:00Z" shipmentDate="2026-06-01T10:00:00Z" deliveryDate="2026-06-02T10:00:00Z"/><ShipNoticePortion><OrderReference orderID="$2"><DocumentReference payloadID="p"/></OrderReference><ShipNoticeItem quantity="$3" lineNumber="1"><UnitOfMeasure>BX</UnitOfMeasure></ShipNoticeItem></ShipNoticePortion></ShipNoticeRequest></Request></cXML>
XML
}
notice s1 O-1 10 > "$s/in/s1.xml"
notice s2 O-2 1 > "$s/in/s2.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
og show O-1 -c "$C" --spool "$s" > "$SCRATCH/show.txt"
check "show: order, lines, outputs, shipments, invoices and history" \
	bash -c "grep -q '^order:' '$SCRATCH/show.txt' && grep -q 'part=BOLT  quantity=10' '$SCRATCH/show.txt' && grep -q '^shipments:' '$SCRATCH/show.txt' && grep -q 'invoice=INV-' '$SCRATCH/show.txt' && grep -q 'kind=po  path=out/' '$SCRATCH/show.txt'"
og show O-1 --json -c "$C" --spool "$s" > "$SCRATCH/show.json"
check "show --json: valid JSON with the order and its invoice" python3 -c "
import json; d = json.load(open('$SCRATCH/show.json'))
assert d[0]['order'][0]['order'] == 'O-1' and d[0]['invoices'][0]['net'] == '25.00'"
og show NOPE -c "$C" --spool "$s" > /dev/null 2>&1
check "show: an unknown key exits 66" test $? = 66
# a folder no run has worked on (a mistyped --spool): the operator's
# commands say so, exit 66, and create no ledger there
nos="$SCRATCH/not-a-spool"; mkdir -p "$nos"
bad=""
for cmd in "show O-1" "pending" "export recon" "report" "purge --older-than 30" \
	"resend X" "reprocess X" "approve O-1 --as manager" "reject O-1 --as manager --comment no"; do
	# shellcheck disable=SC2086
	og $cmd --spool "$nos" > /dev/null 2> "$SCRATCH/nos.err"
	rc=$?
	{ [ $rc = 66 ] && grep -q "no ledger at $nos/ledger.db: no run or watch has worked on this spool yet" "$SCRATCH/nos.err"; } ||
		bad="$bad [$cmd: exit $rc]"
done
check "a folder without a ledger: every ledger command says so and exits 66 (wrong:${bad:- none})" test -z "$bad"
check "... and none of them created a ledger there" test -z "$(ls -A "$nos")"
bad=""
for cmd in "show O-1" "pending" "export recon" "report" "purge --older-than 30" \
	"resend X" "reprocess X" "approve O-1 --as manager" "reject O-1 --as manager --comment no" \
	"explain $ROOT/samples/cxml/$(ls "$ROOT/samples/cxml" | head -1)"; do
	# shellcheck disable=SC2086
	og $cmd --spool "$SCRATCH/no-such-folder" > /dev/null 2> "$SCRATCH/nos.err"
	rc=$?
	{ [ $rc = 66 ] && grep -q "no spool at $SCRATCH/no-such-folder: No such file or directory" "$SCRATCH/nos.err"; } ||
		bad="$bad [$cmd: exit $rc]"
done
check "a spool folder that does not exist: every command says so and exits 66, as run does (wrong:${bad:- none})" \
	bash -c "test -z '$bad' && test ! -e '$SCRATCH/no-such-folder'"
og export recon -c "$C" --spool "$s" --out "$SCRATCH/recon.csv" 2>/dev/null
check "recon: matched, under... open and statuses per line" python3 -c "
import csv
rows = {r['order']: r for r in csv.DictReader(open('$SCRATCH/recon.csv', newline=''))}
assert rows['O-1']['status'] == 'matched', rows['O-1']
assert rows['O-2']['status'] == 'open' and rows['O-2']['shipped_qty'] == '1' and rows['O-2']['invoiced_qty'] == '1'
assert rows['O-3']['status'] == 'open' and rows['O-3']['shipped_qty'] == '0'
assert rows['O-1']['invoiced_amount'] == '25.00' and rows['O-3']['ordered_amount'] == '0.60'
"
check "recon: CRLF records (RFC 4180)" bash -c "head -1 '$SCRATCH/recon.csv' | grep -q \$'\\r\$'"
check "recon: a text cell starting with = is neutralised" grep -q "\"'=HYPERLINK(1)\"" "$SCRATCH/recon.csv"
check "recon: the export's invoiced amounts sum to the invoices (summed independently)" \
	test "$(python3 -c "
import csv
from decimal import Decimal
print(sum(Decimal(r['invoiced_amount']) for r in csv.DictReader(open('$SCRATCH/recon.csv', newline=''))))")" = \
	"$(sqlite3 "$s/ledger.db" "SELECT printf('%d.%02d', SUM(subtotal_e4) / 10000, (SUM(subtotal_e4) % 10000) / 100) FROM invoices")"
og export spend -c "$C" --spool "$s" > "$SCRATCH/spend.csv" 2>/dev/null
check "spend: totals by partner, cost centre and month" grep -q "^an01000000001,,2020-09,USD,3,30.60" "$SCRATCH/spend.csv"
og export recon --from 2021-01-01 -c "$C" --spool "$s" > "$SCRATCH/none.csv" 2>/dev/null
check "recon: the date range filters (no order after 2021)" test "$(wc -l < "$SCRATCH/none.csv")" = 1
og export recon --from 01/02/2020 -c "$C" --spool "$s" > /dev/null 2>&1
check "recon: a bad date is a usage error" test $? = 64
og export recon --from 2021-02-01 --to 2021-01-01 -c "$C" --spool "$s" > "$SCRATCH/rev.out" 2>&1
check "recon: --from after --to is a usage error saying so" \
	bash -c "test $? = 64 && grep -q 'from 2021-02-01 is after --to 2021-01-01' '$SCRATCH/rev.out'"
doc=$(sqlite3 "$s/ledger.db" "SELECT document_id FROM orders WHERE order_id = 'O-1'")
og resend "$doc" --kind confirmation -c "$C" --spool "$s" > "$SCRATCH/resend.out" 2>&1
re=$(ls "$s"/out/*/confirmation/*O-1.resend-1.xml 2>/dev/null)
check "resend: the confirmation is written again, byte for byte" cmp -s "$re" "${re%.resend-1.xml}.xml"
check "resend: recorded in the history and the ledger" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM events WHERE document_id = '$doc' AND kind = 'resent'")" = 1
check "resend: invariants hold" spool_invariants "$s"
# resend writes through the fsio layer: a failed step leaves nothing
ORDERGATE_FAULT=rename:EIO:1 og resend "$doc" --kind confirmation -c "$C" --spool "$s" > "$SCRATCH/resend-eio.out" 2>&1
rc=$?
check "resend: a failed write is an error" test "$rc" != 0
check "resend: the error names the file and says nothing was written" \
	grep -q "cannot write .*resend-2.xml: Input/output error; nothing was written" "$SCRATCH/resend-eio.out"
check "resend: a failed write leaves no copy and no temporary file" \
	test -z "$(ls "$s"/out/*/confirmation/*O-1.resend-2.xml "$s"/tmp/resend-* 2>/dev/null)"
ORDERGATE_FAULT=count og resend "$doc" --kind confirmation -c "$C" --spool "$s" > "$SCRATCH/resend-count.out" 2>&1
check "resend: its one copy is renamed into place through the fsio layer" \
	grep -q "fsio: .*rename 1," "$SCRATCH/resend-count.out"
# each resend writes one new copy of each original output of the kind,
# never copies of earlier copies (they used to double: 1, 2, 4, ...)
idoc=$(sqlite3 "$s/ledger.db" "SELECT document_id FROM outputs WHERE kind = 'invoice' ORDER BY id LIMIT 1")
inv0=$(sqlite3 "$s/ledger.db" "SELECT path FROM outputs WHERE kind = 'invoice' AND document_id = '$idoc'")
for i in 1 2 3; do
	og resend "$idoc" --kind invoice -c "$C" --spool "$s" > "$SCRATCH/resend-inv$i.out" 2>&1
done
check "resend: three invoice resends write three copies, each of the original" \
	test "$(cd "$s" && ls "${inv0%.xml}".resend-*.xml | tr '\n' ' ')" = \
	"${inv0%.xml}.resend-1.xml ${inv0%.xml}.resend-2.xml ${inv0%.xml}.resend-3.xml "
check "resend: ... and each says it wrote one output" \
	bash -c "grep -q '^1 output written again' '$SCRATCH/resend-inv3.out'"
check "resend: ... byte for byte the original" cmp -s "$s/$inv0" "$s/${inv0%.xml}.resend-3.xml"
check "resend: ... invariants hold" spool_invariants "$s"
# a resend killed (kill -9, by the fsio layer) before each of its steps,
# then a run: its copy is recorded and in place, or neither; never a file
# in out/ without its ledger row, nor a row without its file
steps=$(ORDERGATE_FAULT=count "$ORDERGATE" resend "$doc" --kind po -c "$C" --spool "$s" 2>&1 > /dev/null |
	sed -n 's/^fsio: \([0-9]*\) steps.*/\1/p')
bad=""
for k in $(seq 1 "${steps:-0}"); do
	ORDERGATE_FAULT=crash:$k "$ORDERGATE" resend "$doc" --kind po -c "$C" --spool "$s" > /dev/null 2>&1
	"$ORDERGATE" run -c "$C" --spool "$s" > /dev/null 2>&1
	spool_invariants "$s" 2>> "$SCRATCH/resend-crash.err" || bad="$bad $k"
done
check "resend: killed before any of its ${steps:-?} steps, then a run: invariants hold (bad:${bad:- none})" \
	test -n "$steps" -a -z "$bad"
check "resend: ... every copy on disk is recorded once, and each is the original" bash -c "
	cd '$s' && po=\$(sqlite3 ledger.db \"SELECT path FROM outputs WHERE document_id = '$doc' AND kind = 'po' AND tmp_name NOT LIKE 'resend%'\") &&
	test \"\$(ls \${po%.xml}.resend-*.xml | sort)\" = \"\$(sqlite3 ledger.db \"SELECT path FROM outputs WHERE document_id = '$doc' AND kind = 'po' AND tmp_name LIKE 'resend%' ORDER BY path\" | sort)\" &&
	for f in \${po%.xml}.resend-*.xml; do cmp -s \$f \$po || exit 1; done"
cp "$ROOT/tests/data/negative/bad-decimal.xml" "$s/in/bad.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
bad=$(sqlite3 "$s/ledger.db" "SELECT id FROM documents WHERE name = 'bad.xml'")
sed -i 's/8,99/8.99/' "$s"/failed/*-bad.xml
# wrong arguments to resend and reprocess: usage errors, unknown IDs (66,
# naming the document when the key is an order number), and a document
# with nothing to resend says why and what to do instead
og resend "$doc" --kind bogus -c "$C" --spool "$s" > "$SCRATCH/rs-kind.out" 2>&1
check "resend: an unknown --kind is a usage error (64) naming the kinds" \
	bash -c "test $? = 64 && grep -q 'kind wants po, confirmation or invoice, not \"bogus\"' '$SCRATCH/rs-kind.out'"
og resend NOPE -c "$C" --spool "$s" > "$SCRATCH/rs-nope.out" 2>&1
check "resend: an unknown document exits 66 saying so" \
	bash -c "test $? = 66 && grep -q 'no document NOPE in the ledger: give a document ID' '$SCRATCH/rs-nope.out'"
og resend O-1 -c "$C" --spool "$s" > "$SCRATCH/rs-order.out" 2>&1
check "resend: an order number instead of a document ID: exit 66, naming the document to give" \
	bash -c "test $? = 66 && grep -q 'O-1 is not a document ID; it names the document $doc (give one: ordergate resend $doc' '$SCRATCH/rs-order.out'"
og reprocess O-1 -c "$C" --spool "$s" > "$SCRATCH/rp-order.out" 2>&1
check "reprocess: the same for an order number (66, the document named)" \
	bash -c "test $? = 66 && grep -q 'O-1 is not a document ID; it names the document $doc' '$SCRATCH/rp-order.out'"
og reprocess NOPE -c "$C" --spool "$s" > "$SCRATCH/rp-nope.out" 2>&1
check "reprocess: an unknown document exits 66" test $? = 66
sb=$(new_spool)
cp "$ROOT/samples/cxml/broken-not-well-formed.xml" "$sb/in/broken.xml"
og run -c "$C" --spool "$sb" > /dev/null 2>&1
broken=$(sqlite3 "$sb/ledger.db" "SELECT id FROM documents")
og resend "$broken" -c "$C" --spool "$sb" > "$SCRATCH/rs-failed.out" 2>&1
check "resend: a failed document without outputs: exit 1, saying so and to reprocess it" \
	bash -c "test $? = 1 && grep -q 'document $broken failed at parse and has no outputs to resend: .*ordergate reprocess $broken' '$SCRATCH/rs-failed.out'"
og reprocess "$bad" -c "$C" --spool "$s" > "$SCRATCH/rep.out" 2>&1
check "reprocess: a fixed failed input goes through" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM documents WHERE name = 'bad.xml' AND state = 'done'")" = 1
check "reprocess: recorded on the first document" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM events WHERE document_id = '$bad' AND kind = 'reprocess'")" = 1
og reprocess "$doc" -c "$C" --spool "$s" > "$SCRATCH/rep2.out" 2>&1
check "reprocess: an archived order again is a duplicate: nothing new" grep -q "1 duplicate" "$SCRATCH/rep2.out"
ORDERGATE_TIME=$(( $(date +%s) + 40 * 86400 )) og purge --older-than 30 -c "$C" --spool "$s" > "$SCRATCH/purge.out" 2>&1
check "purge: archived inputs past retention are removed" test "$(count "$s/archive")" = 0
check "purge: the summary rows stay (recon still exports every line)" \
	bash -c "'$ORDERGATE' export recon -c '$C' --spool '$s' 2>/dev/null | grep -c '^an01' | grep -qx 4"
check "purge: invariants hold afterwards" spool_invariants "$s"
# purge keeps the stored order of a confirmed order that can still ship or
# be invoiced: its later shipment is invoiced (it used to fail on every
# run, "Document is empty", exit 0); a done or rejected order's copy goes
s=$(new_spool)
mk H-1 BOLT 10 2.50 > "$s/in/h1.xml"
mk H-2 BOLT 2 1.00 > "$s/in/h2.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
notice h1a H-1 4 > "$s/in/h1a.xml"
notice h2a H-2 2 > "$s/in/h2a.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
ORDERGATE_TIME=$(( $(date +%s) + 40 * 86400 )) og purge --older-than 30 -c "$C" --spool "$s" > "$SCRATCH/purge2.out" 2>&1
check "purge: an order that can still ship keeps its stored copy; a shipped and invoiced one loses it" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(order_id || ':' || (canonical != ''), ' ') FROM (SELECT order_id, canonical FROM orders ORDER BY order_id)")" = "H-1:1 H-2:0"
notice h1b H-1 6 > "$s/in/h1b.xml"
og run -c "$C" --spool "$s" > "$SCRATCH/after-purge.out" 2>&1
rc=$?
check "purge: a later shipment of a confirmed order is invoiced" \
	test "$rc/$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM invoices i JOIN orders o ON o.id = i.order_ref WHERE o.order_id = 'H-1'")" = 0/2
check "purge: ... without an error" bash -c "! grep -q 'cannot invoice' '$SCRATCH/after-purge.out'"
# a shipment whose order lost its copy (a ledger purged by an older build):
# the error says what happened and what to do, and the run says it failed
sqlite3 "$s/ledger.db" "UPDATE orders SET canonical = '' WHERE order_id = 'H-2'; DELETE FROM invoices WHERE order_ref = (SELECT id FROM orders WHERE order_id = 'H-2')"
og run -c "$C" --spool "$s" > "$SCRATCH/no-copy.out" 2>&1
rc=$?
check "invoice: a shipment whose order has no stored copy: the error says why and what to do" \
	grep -q "cannot invoice shipment [0-9]* of order H-2: the ledger no longer holds the order's canonical copy (removed by purge); invoice the shipment by hand" "$SCRATCH/no-copy.out"
check "invoice: ... and the run exits 1" test "$rc" = 1
check "purge: invariants hold (shipments after purge)" spool_invariants "$s"
# money in the currency's minor unit: JPY has no decimals, BHD three. The
# recon's amounts are the stored ones (the shipped amount as the invoices
# compute it), so everything shipped and invoiced has no variance
s=$(new_spool)
mkc() { mk "$1" "$2" "$3" "$4" | sed "s/currency=\"[uU][sS][dD]\"/currency=\"$5\"/g"; }
mkc J-1 BOLT 3 100.5 JPY > "$s/in/j1.xml"
mkc B-1 BOLT 2 2.1185 BHD > "$s/in/b1.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
notice j1a J-1 1 > "$s/in/j1a.xml"
notice b1a B-1 2 > "$s/in/b1a.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
notice j1b J-1 2 > "$s/in/j1b.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
og export recon -c "$C" --spool "$s" --out "$SCRATCH/recon-cur.csv" 2>/dev/null
check "recon: JPY 3 x 100.5 is 302 ordered, shipped and invoiced, no variance; BHD keeps 3 decimals" python3 -c "
import csv
rows = {r['order']: r for r in csv.DictReader(open('$SCRATCH/recon-cur.csv', newline=''))}
j, b = rows['J-1'], rows['B-1']
got = [j[k] for k in ('ordered_amount', 'confirmed_amount', 'shipped_amount', 'invoiced_amount', 'variance_amount', 'status')]
assert got == ['302', '302', '302', '302', '0', 'matched'], got
got = [b[k] for k in ('ordered_amount', 'confirmed_amount', 'shipped_amount', 'invoiced_amount', 'variance_amount', 'status')]
assert got == ['4.237', '4.237', '4.237', '4.237', '0.000', 'matched'], got
"
og show J-1 -c "$C" --spool "$s" > "$SCRATCH/show-jpy.txt"
og show B-1 -c "$C" --spool "$s" > "$SCRATCH/show-bhd.txt"
check "show: a JPY order's total, line amount and invoices have no decimals" \
	bash -c "grep -q 'currency=JPY  total=302$' '$SCRATCH/show-jpy.txt' && grep -q 'price=100.5  amount=302  ' '$SCRATCH/show-jpy.txt' && grep -q 'net=101  currency=JPY' '$SCRATCH/show-jpy.txt' && grep -q 'net=201  currency=JPY' '$SCRATCH/show-jpy.txt'"
check "show: a BHD order's total and line amount keep three decimals" \
	bash -c "grep -q 'currency=BHD  total=4.237$' '$SCRATCH/show-bhd.txt' && grep -q 'amount=4.237  ' '$SCRATCH/show-bhd.txt' && grep -q 'net=4.237  currency=BHD' '$SCRATCH/show-bhd.txt'"
og show B-1 --json -c "$C" --spool "$s" > "$SCRATCH/show-bhd.json"
check "show --json: the BHD amounts keep three decimals" python3 -c "
import json; d = json.load(open('$SCRATCH/show-bhd.json'))
assert d[0]['order'][0]['total'] == '4.237' and d[0]['lines'][0]['amount'] == '4.237' and d[0]['invoices'][0]['net'] == '4.237', d[0]"
og export spend -c "$C" --spool "$s" > "$SCRATCH/spend-cur.csv" 2>/dev/null
check "spend: totals in the currency's minor unit" \
	bash -c "grep -q ',BHD,1,4.237' '$SCRATCH/spend-cur.csv' && grep -q ',JPY,1,302' '$SCRATCH/spend-cur.csv' && ! grep -q ',JPY,1,302\.' '$SCRATCH/spend-cur.csv'"
printf '<rules><rule id="hold" test="true()"><require role="manager"/></rule></rules>\n' > "$SCRATCH/hold.xml"
printf '[pickup]\nquiet_seconds = 0\n[rules]\nfile = %s/hold.xml\n' "$SCRATCH" > "$SCRATCH/hold.ini"
s=$(new_spool)
mkc J-2 BOLT 3 100.5 JPY > "$s/in/j2.xml"
mkc B-2 BOLT 2 2.1185 BHD > "$s/in/b2.xml"
og run -c "$SCRATCH/hold.ini" --spool "$s" > /dev/null 2>&1
og pending -c "$SCRATCH/hold.ini" --spool "$s" > "$SCRATCH/pending-cur.out" 2>&1
check "pending: the TOTAL column in the currency's minor unit (302 JPY, 4.237 BHD)" \
	bash -c "grep -q 'J-2 .* 302 JPY  manager' '$SCRATCH/pending-cur.out' && grep -q 'B-2 .* 4.237 BHD  manager' '$SCRATCH/pending-cur.out'"
# a held order has confirmed nothing yet: recon's confirmed columns are 0
# (they were the ordered figures, so a sum of confirmed amounts counted
# orders still waiting for an approver), the ordered ones stay
og export recon -c "$SCRATCH/hold.ini" --spool "$s" --out "$SCRATCH/recon-held.csv" 2>/dev/null
check "recon: a held order's line is awaiting-approval with nothing confirmed (0 JPY, 0.000 BHD), its ordered amount kept" python3 -c "
import csv
rows = {r['order']: r for r in csv.DictReader(open('$SCRATCH/recon-held.csv', newline=''))}
j, b = rows['J-2'], rows['B-2']
got = [j[k] for k in ('ordered_qty', 'confirmed_qty', 'ordered_amount', 'confirmed_amount', 'status')]
assert got == ['3', '0', '302', '0', 'awaiting-approval'], got
got = [b[k] for k in ('ordered_qty', 'confirmed_qty', 'ordered_amount', 'confirmed_amount', 'status')]
assert got == ['2', '0', '4.237', '0.000', 'awaiting-approval'], got
"
# the same with archive_form = gzip: reprocess reads the gzip copy, purge removes it
s=$(new_spool)
printf '[pickup]\nquiet_seconds = 0\n[spool]\narchive_form = gzip\n' > "$SCRATCH/gz.ini"
mk G-1 BOLT 2 1.00 > "$s/in/g1.xml"
og run -c "$SCRATCH/gz.ini" --spool "$s" > /dev/null 2>&1
gdoc=$(sqlite3 "$s/ledger.db" "SELECT id FROM documents WHERE name = 'g1.xml'")
og reprocess "$gdoc" -c "$SCRATCH/gz.ini" --spool "$s" > "$SCRATCH/grep.out" 2>&1
check "reprocess (archive_form = gzip): the gzip copy goes in again and is a duplicate" \
	bash -c "ls '$s'/archive/*/*/*/*-g1.xml.gz > /dev/null && grep -q '1 duplicate' '$SCRATCH/grep.out'"
ORDERGATE_TIME=$(( $(date +%s) + 40 * 86400 )) og purge --older-than 30 -c "$SCRATCH/gz.ini" --spool "$s" > /dev/null 2>&1
check "purge (archive_form = gzip): the gzip copies are removed" test "$(count "$s/archive")" = 0
check "purge (archive_form = gzip): invariants hold afterwards" spool_invariants "$s"
# reprocess never puts a file over one waiting under the same name
s=$(new_spool)
cp "$ROOT/tests/data/negative/bad-decimal.xml" "$s/in/a.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
ra=$(sqlite3 "$s/ledger.db" "SELECT id FROM documents WHERE name = 'a.xml'")
mk W-1 BOLT 1 1.00 > "$s/in/a.xml"
og reprocess "$ra" -c "$C" --spool "$s" > "$SCRATCH/clobber.out" 2>&1
check "reprocess: a file waiting under the name stays; the input goes back as ID-NAME" \
	grep -q "^ordergate reprocess: $ra put back as $s/in/$ra-a.xml" "$SCRATCH/clobber.out"
check "reprocess: ... and both are taken: the waiting order translated, the input failed again" \
	test "$(sqlite3 "$s/ledger.db" "SELECT (SELECT count(*) FROM orders WHERE order_id = 'W-1') || '/' || (SELECT count(*) FROM documents WHERE name = '$ra-a.xml' AND state = 'failed')")" = 1/1
check "reprocess: ... nothing left in in/" test -z "$(ls "$s/in")"
check "reprocess: ... invariants hold" spool_invariants "$s"
# the .why's retry line is a command that works as written, here with a
# space in the spool's path; the file reprocess puts back is taken at once,
# even where the configuration waits a quiet minute for new files
s="$SCRATCH/a spool"
mkdir -p "$s/in"
printf '[pickup]\nquiet_seconds = 0\n' > "$SCRATCH/q.ini"
cp "$ROOT/tests/data/negative/bad-decimal.xml" "$s/in/q.xml"
og run -c "$SCRATCH/q.ini" --spool "$s" > /dev/null 2>&1
rq=$(sqlite3 "$s/ledger.db" "SELECT id FROM documents WHERE name = 'q.xml'")
line=$(sed -n 's/^to retry after a fix: //p' "$s"/failed/*-q.xml.why)
check ".why: the retry line names ordergate reprocess with the configuration and the spool" \
	test "$line" = "ordergate reprocess $rq -c $(realpath "$SCRATCH/q.ini") --spool '$s'"
check ".why: ... and the move by hand, quoted" \
	grep -qF "  (or by hand: mv -n '$s/failed/$rq-q.xml' '$s/in/q.xml')" "$s"/failed/*-q.xml.why
sed -i 's/8,99/8.99/' "$s"/failed/*-q.xml
printf '[pickup]\nquiet_seconds = 60\n' > "$SCRATCH/q.ini"
eval "timeout 30 \"\$ORDERGATE\" ${line#ordergate }" > "$SCRATCH/q.out" 2>&1
check "reprocess, run as the .why says: translated at once (no quiet minute)" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM documents WHERE name = 'q.xml' AND state = 'done'")" = 1
# an input that came through an inbox goes back into that inbox, so its
# partner applies again (from in/ it would be the sender's, an01...)
s=$(new_spool)
mkdir "$s/up"
printf '[pickup]\nquiet_seconds = 0\n[inbox acme]\ndir = %s/up\npartner = acme\n' "$s" > "$SCRATCH/box.ini"
cp "$ROOT/tests/data/negative/bad-decimal.xml" "$s/up/b.xml"
mk I-1 BOLT 1 1.00 > "$s/up/i1.xml"
og run -c "$SCRATCH/box.ini" --spool "$s" > /dev/null 2>&1
rb=$(sqlite3 "$s/ledger.db" "SELECT id FROM documents WHERE name = 'b.xml'")
sed -i 's/8,99/8.99/' "$s"/failed/*-acme@b.xml
og reprocess "$rb" -c "$SCRATCH/box.ini" --spool "$s" > "$SCRATCH/box-rep.out" 2>&1
check "reprocess: a failed input from an inbox goes back into the inbox" \
	grep -q "^ordergate reprocess: $rb put back as $s/up/b.xml" "$SCRATCH/box-rep.out"
check "reprocess: ... and is translated with the inbox's partner" \
	test "$(sqlite3 "$s/ledger.db" "SELECT partner || '/' || state FROM documents WHERE name = 'b.xml' AND id != '$rb'")" = acme/done
ri=$(sqlite3 "$s/ledger.db" "SELECT id FROM documents WHERE name = 'i1.xml'")
og reprocess "$ri" -c "$SCRATCH/box.ini" --spool "$s" > "$SCRATCH/box-rep2.out" 2>&1
check "reprocess: an archived input from an inbox goes back into it and is a duplicate" \
	bash -c "grep -q '^ordergate reprocess: $ri put back as $s/up/i1.xml' '$SCRATCH/box-rep2.out' && grep -q '1 duplicate' '$SCRATCH/box-rep2.out' && test \"\$(sqlite3 '$s/ledger.db' \"SELECT count(*) FROM documents WHERE name = 'i1.xml' AND state = 'duplicate' AND archive_path LIKE '%-acme@i1.xml'\")\" = 1"
# a member of an archive that came through the inbox goes back by the
# container's tag
mkdir -p "$SCRATCH/zip"
sed 's/payloadID="[^"]*"/payloadID="member-1@buyer.example"/; s/orderID="SB-1001"/orderID="SB-1001-M"/' "$ROOT/tests/data/negative/bad-decimal.xml" > "$SCRATCH/zip/m.xml"
(cd "$SCRATCH/zip" && zip -q ../m.zip m.xml)
cp "$SCRATCH/m.zip" "$s/up/m.zip"
og run -c "$SCRATCH/box.ini" --spool "$s" > /dev/null 2>&1
rm=$(sqlite3 "$s/ledger.db" "SELECT id FROM documents WHERE name = 'm.zip/m.xml'")
sed -i 's/8,99/8.99/' "$s/failed/$rm-m.zip_m.xml"
og reprocess "$rm" -c "$SCRATCH/box.ini" --spool "$s" > "$SCRATCH/box-rep4.out" 2>&1
check "reprocess: a failed member of an archive from an inbox goes back into the inbox" \
	grep -q "^ordergate reprocess: $rm put back as $s/up/m.zip_m.xml" "$SCRATCH/box-rep4.out"
check "reprocess: ... and is translated with the inbox's partner" \
	test "$(sqlite3 "$s/ledger.db" "SELECT partner || '/' || state FROM documents WHERE name = 'm.zip_m.xml'")" = acme/done
# the inbox is gone from the configuration: in/, with a warning
printf '[pickup]\nquiet_seconds = 0\n' > "$SCRATCH/nobox.ini"
og reprocess "$ri" -c "$SCRATCH/nobox.ini" --spool "$s" > "$SCRATCH/box-rep3.out" 2>&1
check "reprocess: from an inbox no longer configured: into in/, saying so" \
	bash -c "grep -q 'came through inbox tag \"acme\", which no \[inbox\] has now; putting it into $s/in' '$SCRATCH/box-rep3.out' && grep -q '^ordergate reprocess: $ri put back as $s/in/i1.xml' '$SCRATCH/box-rep3.out'"
check "reprocess: inboxes: invariants hold" spool_invariants "$s"
# a failed member named like a temporary upload (x.tmp) is kept and put
# back under a name pickup takes (x.tmp_), not left unseen in in/
s=$(new_spool)
rm -rf "$SCRATCH/tz" && mkdir -p "$SCRATCH/tz"
sed 's/payloadID="[^"]*"/payloadID="member-tmp@buyer.example"/' "$ROOT/tests/data/negative/bad-decimal.xml" > "$SCRATCH/tz/x.tmp"
(cd "$SCRATCH/tz" && zip -q ../tz.zip x.tmp)
cp "$SCRATCH/tz.zip" "$s/in/tz.zip"
og run -c "$C" --spool "$s" > /dev/null 2>&1
rt=$(sqlite3 "$s/ledger.db" "SELECT id FROM documents WHERE name = 'tz.zip/x.tmp'")
check "reprocess: a member named x.tmp fails as failed/ID-tz.zip_x.tmp_ (not a temporary name)" \
	test -f "$s/failed/$rt-tz.zip_x.tmp_"
sed -i 's/8,99/8.99/' "$s/failed/$rt-tz.zip_x.tmp_"
og reprocess "$rt" -c "$C" --spool "$s" > "$SCRATCH/rep-tmp.out" 2>&1
check "reprocess: ... goes back under a name pickup takes, and is translated" \
	bash -c "grep -q 'put back as $s/in/tz.zip_x.tmp_' '$SCRATCH/rep-tmp.out' && test \"\$(sqlite3 '$s/ledger.db' \"SELECT count(*) FROM documents WHERE name = 'tz.zip_x.tmp_' AND state = 'done'\")\" = 1"
check "reprocess: ... invariants hold" spool_invariants "$s"
# a failed member put back while the ledger refuses the bookkeeping: the
# input is back, and reprocess says what the ledger misses
s=$(new_spool)
sed 's/payloadID="[^"]*"/payloadID="member-2@buyer.example"/' "$ROOT/tests/data/negative/bad-decimal.xml" > "$SCRATCH/zip/m.xml"
rm -f "$SCRATCH/m.zip" && (cd "$SCRATCH/zip" && zip -q ../m.zip m.xml)
cp "$SCRATCH/m.zip" "$s/in/m.zip"
og run -c "$C" --spool "$s" > /dev/null 2>&1
rm2=$(sqlite3 "$s/ledger.db" "SELECT id FROM documents WHERE name = 'm.zip/m.xml'")
sqlite3 "$s/ledger.db" "CREATE TRIGGER no_delete BEFORE DELETE ON outputs BEGIN SELECT RAISE(ABORT, 'injected'); END;
CREATE TRIGGER no_event BEFORE INSERT ON events WHEN NEW.kind = 'reprocess' BEGIN SELECT RAISE(ABORT, 'injected'); END;"
og reprocess "$rm2" -c "$C" --spool "$s" > "$SCRATCH/rep-warn.out" 2>&1
check "reprocess: the ledger cannot drop the member's old outputs: the input is back, and a warning says so" \
	bash -c "grep -q '^ordergate reprocess: $rm2 put back as $s/in/m.zip_m.xml' '$SCRATCH/rep-warn.out' && grep -q 'warning: $s/in/m.zip_m.xml is back, but the ledger still lists failed/$rm2-m.zip_m.xml and its .why as outputs of $rm2: .*injected' '$SCRATCH/rep-warn.out'"
check "reprocess: ... nor record it in the history: a warning says so" \
	grep -q "warning: $s/in/m.zip_m.xml is back, but $rm2's history does not say so: .*injected" "$SCRATCH/rep-warn.out"
# names that are not UTF-8 (a Latin-1 file name, a Latin-1 tar member) are
# kept as they came, but show --json writes UTF-8: each byte that is not
# part of a UTF-8 character becomes U+FFFD (docs/operations.md)
s=$(new_spool)
mk L-1 BOLT 1 1.00 > "$s/in/caf"$'\xe9'".xml"
mkdir -p "$SCRATCH/latin"
mk L-2 NUT 2 1.00 > "$SCRATCH/latin/m"$'\xfc'"ller.xml"
(cd "$SCRATCH/latin" && tar -cf ../latin.tar "m"$'\xfc'"ller.xml")
cp "$SCRATCH/latin.tar" "$s/in/latin.tar"
og run --log-json -c "$C" --spool "$s" > /dev/null 2> "$SCRATCH/latin.log"
for key in L-1 L-2; do
	og show "$key" --json -c "$C" --spool "$s" > "$SCRATCH/show-$key.json" 2>/dev/null
done
check "show --json: a Latin-1 file name comes out as valid UTF-8 JSON, the bad byte as U+FFFD" "$PYTHON_BIN" -c "
import json
d = json.loads(open('$SCRATCH/show-L-1.json', 'rb').read().decode('utf-8'))
name = d[0]['file']
assert name == 'caf\ufffd.xml', repr(name)"
check "show --json: ... a Latin-1 tar member's name too" "$PYTHON_BIN" -c "
import json
d = json.loads(open('$SCRATCH/show-L-2.json', 'rb').read().decode('utf-8'))
name = d[0]['file']
assert name == 'latin.tar/m\ufffdller.xml', repr(name)"
check "--log-json: every line is valid UTF-8 JSON, the names with U+FFFD" "$PYTHON_BIN" -c "
import json
lines = [json.loads(l.decode('utf-8')) for l in open('$SCRATCH/latin.log', 'rb')]
assert any('caf\ufffd.xml' in l['msg'] for l in lines), lines
assert any('m\ufffdller.xml' in l['msg'] for l in lines), lines"
check "show: the name is kept as it came (text output, ledger)" \
	test "$(sqlite3 "$s/ledger.db" "SELECT hex(name) FROM documents WHERE name LIKE 'caf%'")" = 636166E92E786D6C
check "invariants hold with names that are not UTF-8 (spoolcheck reads them)" spool_invariants "$s"
# resend and purge take the spool lock while they work when it is free (so
# no run starts and recovers tmp/ or work/ around them: the lock file holds
# their pid then), and work beside another ordergate that holds it, as
# approve and reprocess do
s=$(new_spool)
mk K-1 BOLT 1 1.00 > "$s/in/k1.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
kdoc=$(sqlite3 "$s/ledger.db" "SELECT document_id FROM orders WHERE order_id = 'K-1'")
"$ORDERGATE" resend "$kdoc" --kind po -c "$C" --spool "$s" > /dev/null 2>&1 &
kpid=$!; wait $kpid; rc=$?
check "resend: takes the spool lock when it is free (its pid in ordergate.lock)" \
	test "$rc/$(tr -d '\n' < "$s/ordergate.lock")" = "0/$kpid"
ORDERGATE_TIME=$(( $(date +%s) + 40 * 86400 )) "$ORDERGATE" purge --older-than 300 -c "$C" --spool "$s" > /dev/null 2>&1 &
kpid=$!; wait $kpid; rc=$?
check "purge: takes the spool lock when it is free (its pid in ordergate.lock)" \
	test "$rc/$(tr -d '\n' < "$s/ordergate.lock")" = "0/$kpid"
flock -x "$s/ordergate.lock" "$ORDERGATE" resend "$kdoc" --kind po -c "$C" --spool "$s" > "$SCRATCH/klock.out" 2>&1
check "resend: while another ordergate holds the lock it works beside it (exit 0, the copy written)" \
	bash -c "test $? = 0 && ls '$s'/out/*/po/*K-1.resend-2.xml > /dev/null 2>&1"
ORDERGATE_TIME=$(( $(date +%s) + 40 * 86400 )) flock -x "$s/ordergate.lock" "$ORDERGATE" purge --older-than 30 -c "$C" --spool "$s" > "$SCRATCH/kpurge.out" 2>&1
check "purge: ... and so does purge (exit 0, the archive emptied)" \
	bash -c "test $? = 0 && test \$(find '$s/archive' -type f | wc -l) = 0"
check "resend, purge beside a lock holder: invariants hold" spool_invariants "$s"
# purge leaves a document whose input is still in work/ (committed, then a
# crash before its archiving): recovery archives it by the rows purge would
# remove, perhaps at that very moment in a run starting beside it
s=$(new_spool)
mk W-1 BOLT 1 1.00 > "$s/in/w1.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
wdoc=$(sqlite3 "$s/ledger.db" "SELECT document_id FROM orders WHERE order_id = 'W-1'")
warch=$(sqlite3 "$s/ledger.db" "SELECT path FROM outputs WHERE kind = 'archive' AND document_id = '$wdoc'")
mv "$s/$warch" "$s/work/$(basename "$warch")"
ORDERGATE_TIME=$(( $(date +%s) + 40 * 86400 )) og purge --older-than 30 -c "$C" --spool "$s" > "$SCRATCH/wpurge.out" 2>&1
check "purge: an input still in work/ keeps its archive row (and the file) for a later purge" \
	test "$?/$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM outputs WHERE kind = 'archive' AND document_id = '$wdoc'")/$(ls "$s/work" | wc -l)" = 0/1/1
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "purge: ... the next run archives it by that row; invariants hold" \
	bash -c "test $? = 0 && test -f '$s/$warch' && $PYTHON_BIN '$ROOT/tests/spoolcheck.py' invariants '$s'"
ORDERGATE_TIME=$(( $(date +%s) + 40 * 86400 )) og purge --older-than 30 -c "$C" --spool "$s" > /dev/null 2>&1
check "purge: ... and the purge after that removes it" \
	bash -c "test $? = 0 && test ! -e '$s/$warch' && $PYTHON_BIN '$ROOT/tests/spoolcheck.py' invariants '$s'"
# report --out names the file asked for (never its temporary file) and why
og report -c "$C" --spool "$s" --out "$SCRATCH/nonexist/r.html" > /dev/null 2> "$SCRATCH/rout.err"
check "report --out into a folder that does not exist: 75, naming the file and the missing folder" \
	bash -c "test $? = 75 && grep -qx 'ordergate report: cannot write $SCRATCH/nonexist/r.html: the folder $SCRATCH/nonexist does not exist' '$SCRATCH/rout.err'"
og export recon -c "$C" --spool "$s" --out "$SCRATCH/nonexist/r.csv" > /dev/null 2> "$SCRATCH/rout.err"
check "export --out: the same" \
	bash -c "test $? = 75 && grep -qx 'ordergate export: cannot write $SCRATCH/nonexist/r.csv: the folder $SCRATCH/nonexist does not exist' '$SCRATCH/rout.err'"
# an export that fails leaves FILE as it was (written to a temporary file, renamed
# once complete, like the report), and says why
cp -a "$s" "$SCRATCH/bad-ledger"
sqlite3 "$SCRATCH/bad-ledger/ledger.db" "ALTER TABLE invoice_lines RENAME COLUMN amount_e4 TO amt"
echo keep > "$SCRATCH/kept.csv"
og export recon -c "$C" --spool "$SCRATCH/bad-ledger" --out "$SCRATCH/kept.csv" > /dev/null 2> "$SCRATCH/kept.err"
check "export --out: a failed export says so (75) and leaves FILE as it was, no temporary file beside it" \
	bash -c "test $? = 75 && grep -q 'cannot read the ledger' '$SCRATCH/kept.err' && test \"\$(cat '$SCRATCH/kept.csv')\" = keep && test \"\$(ls '$SCRATCH' | grep -c '^kept\.csv.')\" = 0"
# the temporary file is ordergate's own: an operator's FILE.tmp is left
# alone; the file gets the mode a new file gets (umask), not 0600
echo mine > "$SCRATCH/r2.csv.tmp"
(umask 022; og export recon -c "$C" --spool "$s" --out "$SCRATCH/r2.csv" > /dev/null 2>&1)
check "export --out: an operator's FILE.tmp is not overwritten nor removed; FILE written with mode 644" \
	test "$(cat "$SCRATCH/r2.csv.tmp")/$(head -c 7 "$SCRATCH/r2.csv")/$(stat -c %a "$SCRATCH/r2.csv")/$(ls "$SCRATCH" | grep -c '^r2\.csv\.')" = "mine/partner/644/1"
# --out through a symbolic link (or to a FIFO or device): written through
# it, never replaced by a regular file
mkdir -p "$SCRATCH/pages"; : > "$SCRATCH/pages/real.html"; ln -s real.html "$SCRATCH/pages/link.html"
og report -c "$C" --spool "$s" --out "$SCRATCH/pages/link.html" > /dev/null 2>&1
check "report --out a symbolic link: the page goes to its target, the link stays" \
	bash -c "test $? = 0 && test -L '$SCRATCH/pages/link.html' && grep -q '</html>' '$SCRATCH/pages/real.html'"
# the man page documents every subcommand `ordergate help` lists
cmds=$("$ORDERGATE" help | sed -n 's/^  \([a-z-]*\)  .*/\1/p')
missing=""
for c in $cmds; do
	sed -n '/^\.SH COMMANDS/,/^\.SH OPTIONS/p' "$ROOT/docs/ordergate.1" | sed 's/\\-/-/g' |
		grep -Eq "^\.B[IR]? \"?$c( |\"|\$)" || missing="$missing $c"
done
check "man page: every subcommand has an entry under COMMANDS (missing:${missing:- none})" \
	test -n "$cmds" -a -z "$missing"
finish

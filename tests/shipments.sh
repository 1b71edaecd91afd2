#!/usr/bin/env bash
# Shipments in, invoices out: cXML ShipNoticeRequest and a CSV feed are
# matched to confirmed order lines; partial shipments give partial invoices;
# nothing ships (or is invoiced) beyond what was confirmed; invoices are
# valid cXML InvoiceDetailRequest / OAGIS ProcessInvoice / CSV, numbered
# gap-free, with net = subtotal + tax + shipping - discount to the cent.
. "$(dirname "$0")/lib.sh"
count() { find "$@" -type f 2>/dev/null | wc -l; }
P="$SCRATCH/partners"; mkdir -p "$P"
# answer SPOOL NAME: the cXML Response published for the input NAME, which
# went to failed/ (out/<partner>/response/<its document ID>-....xml)
answer() {
	local f id
	f=$(ls "$1"/failed/*-"$2" 2>/dev/null | head -1)
	[ -n "$f" ] || return 0
	id=$(basename "$f"); id=${id%-"$2"}
	ls "$1"/out/*/response/"$id"-*.xml 2>/dev/null
}
# answered SPOOL NAME CODE TEXT: NAME is in failed/ once with its .why, and
# its sender has one cXML Response (valid against cXML.dtd) with Status
# CODE whose text says TEXT, the .why's reason
answered() {
	local a
	a=$(answer "$1" "$2")
	[ "$(ls "$1"/failed/*-"$2" "$1"/failed/*-"$2".why 2>/dev/null | wc -l)" = 2 ] &&
		[ "$(printf '%s' "$a" | grep -c .)" = 1 ] && dtd_valid "$a" &&
		[ "$(xmllint --nonet --xpath 'string(/cXML/Response/Status/@code)' "$a")" = "$3" ] &&
		xmllint --nonet --xpath 'string(/cXML/Response/Status)' "$a" | grep -qF -- "$4" &&
		grep -qF -- "$4" "$1"/failed/*-"$2".why
}
printf '[pickup]\nquiet_seconds = 0\n[partners]\ndir = %s\nrequire_known = no\n' "$P" > "$SCRATCH/c.ini"
C="$SCRATCH/c.ini"
# order ID part:qty:price... -> cXML from BUYER-1
order() {
	local id=$1; shift
	local items="" n=0
	for l in "$@"; do
		n=$((n + 1)); IFS=: read -r part qty price <<< "$l"
		items="$items<ItemOut quantity=\"$qty\" lineNumber=\"$n\"><ItemID><SupplierPartID>$part</SupplierPartID></ItemID><ItemDetail><UnitPrice><Money currency=\"EUR\">$price</Money></UnitPrice><Description xml:lang=\"en\">$part</Description><UnitOfMeasure>EA</UnitOfMeasure><Classification domain=\"UNSPSC\">1</Classification></ItemDetail></ItemOut>"
	done
	cat <<XML
<cXML payloadID="$id@b" timestamp="2026-05-06T10:00:00+02:00"><Header><From><Credential domain="NetworkID"><Identity>BUYER-1</Identity></Credential></From><To><Credential domain="NetworkID"><Identity>SUP</Identity></Credential></To><Sender><Credential domain="NetworkID"><Identity>BUYER-1</Identity></Credential><UserAgent>t</UserAgent></Sender></Header><Request><OrderRequest><OrderRequestHeader orderID="$id" orderDate="2026-05-06"><Total><Money currency="EUR">0</Money></Total><BillTo><Address><Name xml:lang="en">Buyer AG</Name><PostalAddress><Street>Hauptstr. 1</Street><City>Bern</City><Country isoCountryCode="CH">Schweiz</Country></PostalAddress></Address></BillTo></OrderRequestHeader>$items</OrderRequest></Request></cXML>
XML
}
notice() { # payload shipmentID order line:qty...
	local pid=$1 sid=$2 oid=$3; shift 3
	local items=""
	for l in "$@"; do IFS=: read -r ln q <<< "$l"; items="$items<ShipNoticeItem quantity=\"$q\" lineNumber=\"$ln\"><UnitOfMeasure>EA</UnitOfMeasure></ShipNoticeItem>"; done
	cat <<XML
<?xml version="1.0"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/Fulfill.dtd">
<cXML payloadID="$pid" timestamp="2026-06-01T10:00:00+02:00"><Header><From><Credential domain="NetworkID"><Identity>WMS</Identity></Credential></From><To><Credential domain="NetworkID"><Identity>BUYER-1</Identity></Credential></To><Sender><Credential domain="NetworkID"><Identity>WMS</Identity></Credential><UserAgent>wms</UserAgent></Sender></Header><Request><ShipNoticeRequest><ShipNoticeHeader shipmentID="$sid" noticeDate="2026-06-01T10:00:00+02:00" shipmentDate="2026-06-01T09:00:00+02:00" deliveryDate="2026-06-02T09:00:00+02:00"/><ShipControl><CarrierIdentifier domain="SCAC">UPSN</CarrierIdentifier><ShipmentIdentifier>1Z-$sid</ShipmentIdentifier></ShipControl><ShipNoticePortion><OrderReference orderID="$oid"><DocumentReference payloadID="$oid@b"/></OrderReference>$items</ShipNoticePortion></ShipNoticeRequest></Request></cXML>
XML
}
printf '[partner]\nname = buyer\n[identity]\ncxml = NetworkID:BUYER-1\n[invoice]\ntax_rate = 7.7\nshipping = 12.50\ndiscount_rate = 2\n' > "$P/buyer.ini"
s=$(new_spool)
order A-1 "BOLT:10:3.33" "NUT:5:1.10" > "$s/in/a.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
notice n1@w S-1 A-1 "1:4" > "$s/in/n1.xml"
og run -c "$C" --spool "$s" > "$SCRATCH/r1.out" 2> "$SCRATCH/r1.err"
inv=$(ls "$s"/out/buyer/invoice/*.xml 2>/dev/null | head -1)
check "shipnotice: a partial shipment gives a partial invoice" test "$(count "$s/out/buyer/invoice")" = 1
check "invoice: valid against InvoiceDetail.dtd" dtd_valid "$inv"
check "invoice: invoices only the 4 shipped" grep -q 'quantity="4"' "$inv"
# 4 x 3.33 = 13.32; tax 7.7% = 1.03 (1.02564); shipping 12.50; discount 2% = 0.27 (0.2664); net 26.58
row=$(sqlite3 "$s/ledger.db" "SELECT subtotal_e4 || ' ' || tax_e4 || ' ' || shipping_e4 || ' ' || discount_e4 || ' ' || net_e4 FROM invoices")
check "invoice: exact amounts (13.32 + 1.03 + 12.50 - 0.27 = 26.58)" test "$row" = "133200 10300 125000 2700 265800"
check "invoice: net = subtotal + tax + shipping - discount, line sums = summary" \
	test "$(sqlite3 "$s/ledger.db" "SELECT (SELECT SUM(amount_e4) FROM invoice_lines) = subtotal_e4 AND (SELECT SUM(tax_e4) FROM invoice_lines) = tax_e4 AND net_e4 = subtotal_e4 + tax_e4 + shipping_e4 - discount_e4 FROM invoices")" = 1
check "invoice: the document says the same amounts" grep -q "26.58" "$inv"
cp "$s"/archive/*/*/*/*-n1.xml "$s/in/n1-again.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "duplicate: the same partial ship notice again is a duplicate, not a second invoice" \
	test "$(sqlite3 "$s/ledger.db" "SELECT state FROM documents WHERE name = 'n1-again.xml'")/$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM invoices")" = "duplicate/1"
notice n2@w S-2 A-1 "1:6" "2:5" > "$s/in/n2.xml"
og run -c "$C" --spool "$s" > /dev/null 2> "$SCRATCH/r2.err"
notice n3@w S-3 A-1 "2:1" > "$s/in/n3.xml"
og run -c "$C" --spool "$s" > /dev/null 2>> "$SCRATCH/r2.err"
check "over-shipment: shipping beyond the confirmed quantity is refused, not invoiced" \
	bash -c "grep -q 'over the 5 confirmed' '$s'/failed/*-n3.xml.why"
check "numbering: invoice numbers are gap-free per partner" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(invoice_number, ' ') FROM (SELECT invoice_number FROM invoices ORDER BY id)")" = "INV-buyer-000001 INV-buyer-000002"
check "never beyond confirmed: invoiced quantities = ordered" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(q, ' ') FROM (SELECT SUM(quantity_e4) q FROM invoice_lines GROUP BY line_number ORDER BY line_number)")" = "100000 50000"
notice n4@w S-4 NOPE "1:1" > "$s/in/n4.xml"
notice n5@w S-5 A-1 "9:1" > "$s/in/n5.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "unknown order: refused with the reason" grep -q "order NOPE, which the ledger does not know" "$s"/failed/*-n4.xml.why
check "unknown line: refused with the reason" grep -q "order A-1 has no line 9" "$s"/failed/*-n5.xml.why
# a ship notice refused when matched to its order is answered like one
# refused while being read: a cXML Response (400) saying what was wrong
# (before, only the read-time refusals had one)
check "cXML answer: an over-shipment gets a Response 400 saying so" \
	answered "$s" n3.xml 400 "over the 5 confirmed"
check "cXML answer: an unknown order gets a Response 400 saying so" \
	answered "$s" n4.xml 400 "order NOPE, which the ledger does not know"
check "cXML answer: an unknown line gets a Response 400 saying so" \
	answered "$s" n5.xml 400 "order A-1 has no line 9"
# ... exactly once and crash-safe: killed before each durable step of the
# run that refuses it (ORDERGATE_FAULT=crash:N), the next run leaves the
# notice in failed/ once with its .why and one Response, all recorded
tmpl=$(new_spool)
order K-1 "BOLT:1:1.00" > "$tmpl/in/k.xml"
og run -c "$C" --spool "$tmpl" > /dev/null 2>&1
notice k1@w S-K K-1 "1:2" > "$SCRATCH/k1.xml"
cs=$(mktemp -d "$SCRATCH/spool.XXXXXX"); cp -a "$tmpl"/. "$cs/"; cp "$SCRATCH/k1.xml" "$cs/in/"
ORDERGATE_FAULT=count "$ORDERGATE" run -c "$C" --quiet --spool "$cs" > "$SCRATCH/k.count" 2>&1
steps=$(sed -n 's/^fsio: \([0-9]*\) steps.*/\1/p' "$SCRATCH/k.count")
bad=0
for ((n = 1; n <= ${steps:-0}; n++)); do
	cs=$(mktemp -d "$SCRATCH/spool.XXXXXX"); cp -a "$tmpl"/. "$cs/"; cp "$SCRATCH/k1.xml" "$cs/in/"
	{ ORDERGATE_FAULT=crash:$n "$ORDERGATE" run -c "$C" --quiet --spool "$cs" > /dev/null 2>&1; } 2> /dev/null
	"$ORDERGATE" run -c "$C" --quiet --spool "$cs" > /dev/null 2>&1
	if answered "$cs" k1.xml 400 "over the 1 confirmed" 2> /dev/null && spool_invariants "$cs" &&
		[ "$(find "$cs/in" "$cs/work" "$cs/tmp" -type f | wc -l)" = 0 ]; then
		rm -rf "$cs"
	else
		echo "  crash before step $n: the refused notice is not answered exactly once" >&2
		bad=$((bad + 1))
	fi
done
check "cXML answer: crashed at each of the ${steps:-0} steps, the restart answers once" \
	test "${steps:-0}" -gt 0 -a "$bad" = 0
# the same payloadID with other content: 409, as for an order
notice n1@w S-9 A-1 "2:1" > "$s/in/n1-changed.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "cXML answer: a ship notice's payloadID again with other content gets a Response 409" \
	answered "$s" n1-changed.xml 409 "was already received as document"
cp "$s"/archive/*/*/*/*-n2.xml "$s/in/n2-again.xml"
og run -c "$C" --spool "$s" > "$SCRATCH/r3.out" 2>&1
check "duplicate: the same ship notice again invoices nothing" test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM invoices")" = 2
check "duplicate: ... it is taken as a duplicate (not refused as an over-shipment)" \
	test "$(sqlite3 "$s/ledger.db" "SELECT state FROM documents WHERE name = 'n2-again.xml'")" = duplicate
check "invariants hold" spool_invariants "$s"
# CSV feed, OAGIS and CSV invoices
printf '[partner]\nname = buyer\n[identity]\ncxml = NetworkID:BUYER-1\n[outbound]\ninvoice = oagis\n' > "$P/buyer.ini"
s=$(new_spool)
order B-1 "BOLT:3:10.00" "NUT:2:5.00" > "$s/in/b.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
printf 'order,line,shipped,ship_date,carrier,tracking,shipment\nB-1,1,3,01.06.2026,DHL,JJD1,F-1\nB-1,2,2,2026-06-01,DHL,JJD1,F-1\n' > "$s/in/feed.csv"
sed -i 's/01.06.2026/2026-06-01/' "$s/in/feed.csv"
og run -c "$C" --spool "$s" > "$SCRATCH/csv.out" 2> "$SCRATCH/csv.err"
inv=$(ls "$s"/out/buyer/invoice/*.xml 2>/dev/null | head -1)
check "csv feed: the shipment is read and invoiced" test -n "$inv"
check "oagis invoice: the unit price 10.00 EUR keeps its two decimals" \
	test "$(xmllint --nonet --xpath "string(//*[local-name()='InvoiceLine'][1]/*[local-name()='UnitPrice']/*[local-name()='ChargeAmount'])" "${inv:-/nonexistent}" 2> /dev/null)" = 10.00
check "oagis invoice: valid against ProcessInvoice.xsd" \
	bash -c "xmllint --noout --nonet --schema '$ROOT/xslt/schemas/oagis-10.4/ProcessInvoice.xsd' '$inv' 2>/dev/null"
# one feed, two shipments (F-2, F-3) of the same order line: two shipments,
# each invoiced, not "the same line twice"
order B-2 "BOLT:5:10.00" > "$s/in/b2.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
printf 'order,line,shipped,ship_date,carrier,tracking,shipment\nB-2,1,2,2026-06-01,DHL,JJD2,F-2\nB-2,1,3,2026-06-02,DHL,JJD3,F-3\n' > "$s/in/feed2.csv"
og run -c "$C" --spool "$s" > "$SCRATCH/csv2.out" 2>&1
check "csv feed: two shipments of one line in one file are two shipments, both invoiced" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) || '/' || sum(l.quantity_e4) FROM shipments sh JOIN shipment_lines l ON l.shipment_ref = sh.id JOIN orders o ON o.id = sh.order_ref WHERE o.order_id = 'B-2'")/$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM invoices i JOIN orders o ON o.id = i.order_ref WHERE o.order_id = 'B-2'")" = "2/50000/2"
printf '[partner]\nname = buyer\n[identity]\ncxml = NetworkID:BUYER-1\n[outbound]\ninvoice = csv\n' > "$P/buyer.ini"
order C-1 "BOLT:1:=99" > /dev/null
order C-1 "=CMD:1:10.00" > "$s/in/c.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
notice n6@w S-6 C-1 "1:1" > "$s/in/n6.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
csvinv=$(ls "$s"/out/buyer/invoice/*.csv 2>/dev/null | head -1)
check "csv invoice: written, formula cells neutralised" bash -c "test -n '$csvinv' && grep -q \"'=CMD\" '$csvinv'"
check "invariants hold (csv)" spool_invariants "$s"
# A ShipNoticePortion without ShipNoticeItem ships the whole order
# (Fulfill.dtd): what remains confirmed of every line (ordered less
# rejected less shipped; backordered quantities ship like the rest), with
# the same checks as an itemised notice. The notice is the public example
# tests/corpus/cxml/shipnotice/cxmlphp-shipnotice.xml, unmodified.
WHOLE="$ROOT/tests/corpus/cxml/shipnotice/cxmlphp-shipnotice.xml"
printf '[partner]\nname = buyer\n[identity]\ncxml = NetworkID:BUYER-1\n' > "$P/buyer.ini"
cat > "$SCRATCH/whole-rules.xml" <<'XML'
<rules>
  <rule id="held" test="orderID = 'DO-HELD'"><require role="manager"/></rule>
  <line-rule id="gone" test="supplierPartID = 'GONE'"><reject reason="discontinued"/></line-rule>
  <line-rule id="short" test="supplierPartID = 'NUT'"><backorder quantity="'2'" reason="2 short"/></line-rule>
</rules>
XML
printf '[rules]\nfile = %s\n' "$SCRATCH/whole-rules.xml" | cat "$C" - > "$SCRATCH/whole.ini"
W="$SCRATCH/whole.ini"
s=$(new_spool)
order DO1234 "BOLT:10:3.33" "NUT:5:1.10" "GONE:3:7.00" > "$s/in/do.xml"
og run -c "$W" --spool "$s" > /dev/null 2>&1
notice w1@w S-W1 DO1234 "1:4" > "$s/in/w1.xml"
og run -c "$W" --spool "$s" > /dev/null 2>&1
cp "$WHOLE" "$s/in/whole.xml"
og run -c "$W" --spool "$s" > "$SCRATCH/whole.out" 2> "$SCRATCH/whole.err"
check "whole order: a portion without items is taken, not refused" \
	test "$(sqlite3 "$s/ledger.db" "SELECT state FROM documents WHERE name = 'whole.xml'")" = done
check "whole order: ships what remains of each confirmed line (6 of 10; all 5 with the 2 backordered; nothing of the rejected line)" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(line_number || '=' || quantity_e4, ' ') FROM (SELECT sl.line_number, sl.quantity_e4 FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_ref WHERE s.shipment_id = 'S2-123' ORDER BY sl.line_number)")" = "1=60000 2=50000"
inv=$(grep -l 'S2-123' "$s"/out/buyer/invoice/*.xml 2>/dev/null | head -1)
check "whole order: the invoice follows" test -n "$inv"
check "whole order: ... valid against InvoiceDetail.dtd" dtd_valid "${inv:-/nonexistent}"
# 6 x 3.33 = 19.98 + 5 x 1.10 = 5.50: 25.48
check "whole order: the invoice is for the remaining lines, exact (19.98 + 5.50 = 25.48)" \
	test "$(sqlite3 "$s/ledger.db" "SELECT i.subtotal_e4 FROM invoices i JOIN shipments s ON s.id = i.shipment_ref WHERE s.shipment_id = 'S2-123'")" = 254800
check "whole order: with the earlier 4, line 1 has shipped its 10" \
	test "$(sqlite3 "$s/ledger.db" "SELECT SUM(quantity_e4) FROM shipment_lines WHERE line_number = 1")" = 100000
cp "$WHOLE" "$s/in/whole-again.xml"
og run -c "$W" --spool "$s" > /dev/null 2>&1
check "whole order: the same notice again is a duplicate, invoiced once" \
	test "$(sqlite3 "$s/ledger.db" "SELECT state FROM documents WHERE name = 'whole-again.xml'")/$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM invoices")" = "duplicate/2"
sed 's/payloadID="0c30050@supplierorg.com"/payloadID="other@supplierorg.com"/; s/shipmentID="S2-123"/shipmentID="S2-124"/' "$WHOLE" > "$s/in/whole-more.xml"
og run -c "$W" --spool "$s" > /dev/null 2>&1
check "whole order: nothing left to ship is refused with the reason" \
	bash -c "grep -q 'nothing of it remains to ship' '$s'/failed/*-whole-more.xml.why"
check "whole order: ... and not invoiced" test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM invoices")" = 2
sed 's/orderID="DO1234"/orderID="DO9999"/; s/payloadID="0c30050@supplierorg.com"/payloadID="unknown@supplierorg.com"/' "$WHOLE" > "$s/in/whole-unknown.xml"
order DO-HELD "BOLT:1:1.00" > "$s/in/held.xml"
og run -c "$W" --spool "$s" > /dev/null 2>&1
sed 's/orderID="DO1234"/orderID="DO-HELD"/; s/payloadID="0c30050@supplierorg.com"/payloadID="held@supplierorg.com"/' "$WHOLE" > "$s/in/whole-held.xml"
og run -c "$W" --spool "$s" > /dev/null 2>&1
check "whole order: an unknown order is refused as for itemised notices" \
	grep -q "order DO9999, which the ledger does not know" "$s"/failed/*-whole-unknown.xml.why
check "whole order: an order held for approval does not ship" \
	grep -q "order DO-HELD is pending, not confirmed" "$s"/failed/*-whole-held.xml.why
check "cXML answer: nothing left to ship: Response 400" \
	answered "$s" whole-more.xml 400 "nothing of it remains to ship"
check "cXML answer: an order not confirmed (held): Response 409 Conflict" \
	answered "$s" whole-held.xml 409 "order DO-HELD is pending, not confirmed"
# shipping a line the rules rejected: the reason says the line was
# rejected (it said "over the 0 confirmed")
notice w2@w S-W2 DO1234 "3:1" > "$s/in/w2.xml"
og run -c "$W" --spool "$s" > /dev/null 2>&1
check "a rejected line: shipping it is refused, saying the line was rejected" \
	grep -q "order DO1234 line 3 was rejected (3 of 3); nothing of it ships" "$s"/failed/*-w2.xml.why
check "cXML answer: shipping a rejected line: Response 400" \
	answered "$s" w2.xml 400 "order DO1234 line 3 was rejected"
check "invariants hold (whole order)" spool_invariants "$s"
# two confirmed orders of the shipment's own partner numbered alike: the
# shipment is ambiguous and refused, never booked against the later one;
# a pending order of that number does not hide a confirmed one
s=$(new_spool)
mkdir -p "$s/wh"
printf '[pickup]\nquiet_seconds = 0\n[partners]\ndir = %s\nrequire_known = no\n[inbox wh]\ndir = %s/wh\npartner = buyer\n' "$P" "$s" > "$SCRATCH/wh.ini"
order TWIN "BOLT:1:1.00" > "$s/in/t1.xml"
order TWIN-2 "BOLT:2:1.00" > "$s/in/t2.xml"
og run -c "$SCRATCH/wh.ini" --spool "$s" > /dev/null 2>&1
# a second new order with one number is refused now (tests/versions.sh);
# a ledger written before that has such twins
sqlite3 "$s/ledger.db" "UPDATE orders SET order_id = 'TWIN' WHERE order_id = 'TWIN-2'"
notice tw@w S-TW TWIN "1:1" > "$s/wh/tw.xml"
og run -c "$SCRATCH/wh.ini" --spool "$s" > /dev/null 2>&1
check "ambiguous: two confirmed orders of the partner numbered alike: the shipment is refused" \
	grep -q "2 confirmed orders from buyer are numbered TWIN: document [0-9-]* (no PO number of ours), document [0-9-]* (no PO number of ours); none has a PO number of ours (\[numbering\] po_pattern, docs/rules.md), so no shipment can name one of them: ship and invoice them by hand" "$s"/failed/*tw.xml.why
check "ambiguous: ... and nothing is shipped or invoiced" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM shipments")/$(count "$s/out/buyer/invoice")" = 0/0
check "invariants hold (ambiguous)" spool_invariants "$s"
# every invoice amount in the currency's minor unit, each rounded once:
# [invoice] shipping 12.50 on a JPY invoice is 13 (it was 12.5, and the net
# had fractional yen)
printf '[partner]\nname = buyer\n[identity]\ncxml = NetworkID:BUYER-1\n[invoice]\nshipping = 12.50\n' > "$P/buyer.ini"
s=$(new_spool)
order J-1 "BOLT:3:100" | sed 's/currency="EUR"/currency="JPY"/g' > "$s/in/j.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
notice j1@w S-J J-1 "1:3" > "$s/in/j1.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
inv=$(ls "$s"/out/buyer/invoice/*.xml 2>/dev/null | head -1)
check "invoice (JPY): shipping 12.50 is 13 yen, net 300 + 13 = 313" \
	test "$(sqlite3 "$s/ledger.db" "SELECT currency || ' ' || shipping_e4 || ' ' || net_e4 FROM invoices")" = "JPY 130000 3130000"
check "invoice (JPY): the document says 313, with no fraction of a yen" \
	bash -c "test -n '$inv' && grep -q '>313<' '$inv' && ! grep -q '312\.5' '$inv'"
check "invoice (JPY): the unit price is 100 yen, in the currency's decimals (it said 100.00)" \
	test "$(xmllint --nonet --xpath 'string(//InvoiceDetailItem/UnitPrice/Money)' "${inv:-/nonexistent}" 2> /dev/null)" = 100
# a line invoiced in parts adds up to the line's amount: each invoice's
# line amount is round(shipped so far x price) - round(shipped before x
# price), so the rounding is not repeated per invoice. 100.5 JPY shipped
# one at a time: 101 + 100 + 101 = 302 = round(301.5), the order line's
# amount (each rounded alone it was 101 + 101 + 101 = 303); EUR 2.3345 x 3:
# 2.33 + 2.34 + 2.33 = 7.00 (alone 6.99); USD 1.005 x 2: 1.01 + 1.00 = 2.01
# (alone 2.02); JPY 100.5 shipped 2 then 1: 201 + 101 = 302
printf '[partner]\nname = buyer\n[identity]\ncxml = NetworkID:BUYER-1\n' > "$P/buyer.ini"
s=$(new_spool)
order CJ-1 "BOLT:3:100.5" | sed 's/currency="EUR"/currency="JPY"/g' > "$s/in/cj1.xml"
order CE-1 "PIN:3:2.3345" > "$s/in/ce1.xml"
order CU-1 "NUT:2:1.0050" | sed 's/currency="EUR"/currency="USD"/g' > "$s/in/cu1.xml"
order CJ-2 "BOLT:3:100.5" | sed 's/currency="EUR"/currency="JPY"/g' > "$s/in/cj2.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
for k in 1 2 3; do
	notice cj1-$k@w S-CJ1-$k CJ-1 "1:1" > "$s/in/cj1-$k.xml"
	notice ce1-$k@w S-CE1-$k CE-1 "1:1" > "$s/in/ce1-$k.xml"
	[ $k = 3 ] || notice cu1-$k@w S-CU1-$k CU-1 "1:1" > "$s/in/cu1-$k.xml"
	og run -c "$C" --spool "$s" > /dev/null 2>&1
done
notice cj2-1@w S-CJ2-1 CJ-2 "1:2" > "$s/in/cj2-1.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
notice cj2-2@w S-CJ2-2 CJ-2 "1:1" > "$s/in/cj2-2.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
amounts() { # ORDER: each invoice's line amount in shipment order, then the order line's
	sqlite3 "$s/ledger.db" "SELECT group_concat(a, ' ') FROM (SELECT il.amount_e4 a FROM invoice_lines il JOIN invoices i ON i.id = il.invoice_ref JOIN orders o ON o.id = i.order_ref WHERE o.order_id = '$1' ORDER BY i.shipment_ref)"
	sqlite3 "$s/ledger.db" "SELECT '/' || l.amount_e4 FROM order_lines l JOIN orders o ON o.id = l.order_ref WHERE o.order_id = '$1'"
}
check "invoiced in parts: JPY 100.5 one at a time is 101 + 100 + 101 = 302, the line's amount" \
	test "$(amounts CJ-1 | tr -d '\n')" = "1010000 1000000 1010000/3020000"
check "invoiced in parts: EUR 2.3345 one at a time is 2.33 + 2.34 + 2.33 = 7.00" \
	test "$(amounts CE-1 | tr -d '\n')" = "23300 23400 23300/70000"
check "invoiced in parts: USD 1.005 one at a time is 1.01 + 1.00 = 2.01" \
	test "$(amounts CU-1 | tr -d '\n')" = "10100 10000/20100"
check "invoiced in parts: JPY 100.5, 2 then 1, is 201 + 101 = 302" \
	test "$(amounts CJ-2 | tr -d '\n')" = "2010000 1010000/3020000"
inv=$(grep -l 'S-CJ1-2' "$s"/out/buyer/invoice/*.xml | head -1)
check "invoiced in parts: the second invoice says SubtotalAmount 100" \
	test "$(xmllint --nonet --xpath 'string(//InvoiceDetailItem/SubtotalAmount/Money)' "${inv:-/nonexistent}" 2> /dev/null)" = 100
check "invoiced in parts: ... valid against InvoiceDetail.dtd" dtd_valid "${inv:-/nonexistent}"
# unit prices: in the currency's decimals, more where the price has them
uprice() { xmllint --nonet --xpath 'string(//InvoiceDetailItem/UnitPrice/Money)' "$(grep -l "$1" "$s"/out/buyer/invoice/*.xml | head -1)" 2> /dev/null; }
check "invoice unit price: 100.5 JPY is 100.5, 2.3345 EUR 2.3345, 1.005 USD 1.005" \
	test "$(uprice S-CJ1-1) $(uprice S-CE1-1) $(uprice S-CU1-1)" = "100.5 2.3345 1.005"
og export recon -c "$C" --spool "$s" --out "$SCRATCH/parts.csv" 2> /dev/null
check "invoiced in parts: recon: shipped = invoiced = ordered amount, no variance, matched" python3 -c "
import csv, sys
want = {'CJ-1': '302', 'CE-1': '7.00', 'CU-1': '2.01', 'CJ-2': '302'}
rows = {r['order']: r for r in csv.DictReader(open('$SCRATCH/parts.csv', newline=''))}
for o, a in want.items():
    r = rows[o]
    got = (r['ordered_amount'], r['shipped_amount'], r['invoiced_amount'], r['variance_amount'], r['status'])
    zero = '0' if a == '302' else '0.00'
    if got != (a, a, a, zero, 'matched'):
        sys.exit('%s: %s' % (o, got))
"
check "invariants hold (invoiced in parts)" spool_invariants "$s"
# tax and discount: amount x rate % rounded once to the currency; 0.05 x
# 9.999 % = 0.0049995 is 0.00 (rounded to four places first it was 0.0050,
# then 0.01)
printf '[partner]\nname = buyer\n[identity]\ncxml = NetworkID:BUYER-1\n[invoice]\ntax_rate = 9.999\ndiscount_rate = 9.999\n' > "$P/buyer.ini"
s=$(new_spool)
order E-1 "PIN:1:0.05" > "$s/in/e.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
notice e1@w S-E E-1 "1:1" > "$s/in/e1.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "invoice: tax and discount rounded once (0.05 x 9.999 % = 0.0049995 is 0.00)" \
	test "$(sqlite3 "$s/ledger.db" "SELECT subtotal_e4 || ' ' || tax_e4 || ' ' || discount_e4 || ' ' || net_e4 || ' ' || (SELECT group_concat(tax_e4) FROM invoice_lines) FROM invoices")" = "500 0 0 500 0"
# line amounts: the exact product rounded once to the currency; 0.3333 x
# 0.015 = 0.0049995 is 0.00 on the order and on the invoice (rounded to four
# places first it was 0.0050, then 0.01)
printf '[partner]\nname = buyer\n[identity]\ncxml = NetworkID:BUYER-1\n' > "$P/buyer.ini"
s=$(new_spool)
order R-1 "PIN:0.3333:0.015" "BOLT:1:1.00" > "$s/in/r.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
notice r1@w S-R R-1 "1:0.3333" "2:1" > "$s/in/r1.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "line amount: 0.3333 x 0.015 is 0.00 on the order (one rounding)" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(amount_e4, ' ') FROM (SELECT amount_e4 FROM order_lines ORDER BY line_number)")/$(sqlite3 "$s/ledger.db" "SELECT total_e4 FROM orders")" = "0 10000/10000"
check "line amount: ... and on the invoice" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(amount_e4, ' ') FROM (SELECT amount_e4 FROM invoice_lines ORDER BY line_number)")/$(sqlite3 "$s/ledger.db" "SELECT net_e4 FROM invoices")" = "0 10000/10000"
# the same shipment sent again under a new payloadID (a WMS resend, or
# the same shipment in the CSV feed): a shipment ID already recorded for
# the order is that shipment, never a second one to invoice. The same
# lines again are a duplicate; other lines under it are refused.
printf '[partner]\nname = buyer\n[identity]\ncxml = NetworkID:BUYER-1\n' > "$P/buyer.ini"
s=$(new_spool)
order D-1 "BOLT:10:1.00" "NUT:10:1.00" > "$s/in/d.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
notice d1@w S-D D-1 "1:4" > "$s/in/d1.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
notice d2@w S-D D-1 "1:4" > "$s/in/d2.xml"
printf 'order,line,shipped,ship_date,carrier,tracking,shipment\nD-1,1,4,2026-06-01,UPSN,1Z-S-D,S-D\n' > "$s/in/d3.csv"
og run -c "$C" --spool "$s" > "$SCRATCH/d.out" 2>&1
check "same shipment ID again (new payloadID, or in the CSV feed): invoiced once" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM invoices")/$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM shipments")" = "1/1"
check "same shipment ID again: ... taken as duplicates of the first" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(state, ' ') FROM (SELECT state FROM documents WHERE name IN ('d2.xml', 'd3.csv#D-1') ORDER BY name)")" = "duplicate duplicate"
check "same shipment ID again: the log says which shipment it repeats" \
	grep -q "duplicate of .*shipment S-D of order D-1" "$SCRATCH/d.out"
notice d4@w S-D D-1 "1:4" "2:1" > "$s/in/d4.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "same shipment ID, other lines: refused, naming the first, nothing invoiced" \
	bash -c "grep -q 'shipment S-D of order D-1 was already received as document .* with other lines' '$s'/failed/*-d4.xml.why && test \$(sqlite3 '$s/ledger.db' 'SELECT count(*) FROM invoices') = 1"
check "cXML answer: the shipment ID again with other lines: Response 409" \
	answered "$s" d4.xml 409 "shipment S-D of order D-1 was already received as document"
# a CSV feed refused at match time has no one to answer: failed/ only
printf 'order,line,shipped,ship_date,carrier,tracking,shipment\nD-1,9,1,2026-06-01,UPSN,1Z,S-X\n' > "$s/in/d5.csv"
before=$(count "$s/out")
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "CSV feed refused at match time: in failed/ with the reason, nothing in out/" \
	bash -c "grep -q 'order D-1 has no line 9' '$s'/failed/*-d5.csv*.why && test \$(find '$s/out' -type f | wc -l) = $before"
# its copy in failed/ holds the feed (it was empty: the worker had passed
# the part, so no bytes came back), and the retry its .why gives works:
# fixed, the feed goes through from the copy
d5=$(ls "$s"/failed/*-d5.csv_D-1 2>/dev/null | head -1)
check "CSV feed refused at match time: its copy in failed/ is the feed as received" \
	cmp -s "$d5" <(printf 'order,line,shipped,ship_date,carrier,tracking,shipment\nD-1,9,1,2026-06-01,UPSN,1Z,S-X\n')
sed -i 's/^D-1,9,/D-1,1,/' "$d5"
og reprocess "$(sqlite3 "$s/ledger.db" "SELECT id FROM documents WHERE name = 'd5.csv#D-1'")" -c "$C" --spool "$s" > "$SCRATCH/d5-retry.out" 2>&1
check "CSV feed refused at match time: reprocessed after the fix, the shipment is recorded" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM shipments WHERE shipment_id = 'S-X'")" = 1
check "invariants hold (shipment ID again)" spool_invariants "$s"
# a shipment without a shipment ID cannot be told from the next shipment
# of the same order: it is refused at once (before, it went through, and
# the next shipment without an ID was refused as a "corrected feed")
s=$(new_spool)
order E-2 "BOLT:10:1.00" > "$s/in/e2.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
printf 'order,line,shipped,ship_date,carrier,tracking,shipment\nE-2,1,4,2026-06-01,UPSN,1Z,\n' > "$s/in/e3.csv"
notice e4@w "" E-2 "1:1" > "$s/in/e4.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "no shipment ID (CSV feed): refused at csv, naming the row and the column" \
	grep -q 'row 2, column 7 (shipment): the shipment has no shipment ID' "$s"/failed/*-e3.csv_E-2.why
check "no shipment ID (cXML notice): refused, naming the attribute" \
	grep -q 'ShipNoticeHeader has no shipmentID' "$s"/failed/*-e4.xml.why
check "cXML answer: a notice refused while read (no shipmentID) has its Response 400 too" \
	answered "$s" e4.xml 400 "ShipNoticeHeader has no shipmentID"
check "no shipment ID: nothing recorded or invoiced" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM shipments")/$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM invoices")" = "0/0"
check "invariants hold (no shipment ID)" spool_invariants "$s"
# a ship notice item in another unit of measure than the order line
# (2 BX against a line in EA) is not 2 EA: refused, never invoiced as if
# it were (ordergate does not convert units); the same unit in lower case
# is the same unit
s=$(new_spool)
order U-1 "BOLT:10:1.00" "NUT:10:1.00" > "$s/in/u.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
notice u1@w S-U1 U-1 "1:1" "2:2" | sed 's|<ShipNoticeItem quantity="2" lineNumber="2"><UnitOfMeasure>EA|<ShipNoticeItem quantity="2" lineNumber="2"><UnitOfMeasure>BX|' > "$s/in/u1.xml"
notice u2@w S-U2 U-1 "1:3" | sed 's|<UnitOfMeasure>EA|<UnitOfMeasure>ea|' > "$s/in/u2.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "unit of measure: 2 BX against a line in EA is refused, naming both units" \
	grep -q 'order U-1 line 2: the notice ships 2 BX, but the order line is in EA' "$s"/failed/*-u1.xml.why
check "unit of measure: ... nothing of that notice recorded; the same unit (ea) ships" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(shipment_id) FROM shipments")/$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM invoices")" = "S-U2/1"
check "cXML answer: another unit of measure: Response 400" \
	answered "$s" u1.xml 400 "the notice ships 2 BX, but the order line is in EA"
check "invariants hold (unit of measure)" spool_invariants "$s"
# an order date given as a date only (a CSV order, or a cXML order that
# sent only a date): cXML types orderDate as a date-time with a zone
# (%datetime.tz), so it is taken as 00:00 in [engine] assume_timezone, like
# a time sent without a zone (docs/canonical.md), and every outbound
# document states it so; the invoice copies it into OrderReference
printf '[pickup]\nquiet_seconds = 0\n[engine]\nassume_timezone = +02:00\n[partners]\ndir = %s\nrequire_known = no\n' "$P" > "$SCRATCH/tz.ini"
printf '[partner]\nname = ordergate-po\n[identity]\ncxml = CSV:ordergate-po\n[outbound]\ninvoice = cxml\n' > "$P/ordergate-po.ini"
s=$(new_spool)
printf 'orderID,orderDate,currency,lineNumber,supplierPartID,buyerPartID,description,quantity,unitOfMeasure,unitPrice,amount,requestedDeliveryDate,shipToName,shipToCity,shipToCountry\r\nV-1,2026-05-06,EUR,1,P-1,,Bolt,2,EA,1.50,,,,,\r\n' > "$s/in/v.csv"
order V-2 "BOLT:3:1.00" > "$s/in/v2.xml"
og run -c "$SCRATCH/tz.ini" --spool "$s" > /dev/null 2>&1
printf 'order,line,shipped,ship_date,carrier,tracking,shipment\nV-1,1,2,2026-06-01,DHL,JJD1,F-V1\n' > "$s/in/v1-feed.csv"
notice v2@w S-V2 V-2 "1:3" > "$s/in/v2-notice.xml"
og run -c "$SCRATCH/tz.ini" --spool "$s" > /dev/null 2>&1
vinv=$(ls "$s"/out/ordergate-po/invoice/*.xml 2>/dev/null | head -1)
check "date-only order date (CSV): the invoice's OrderReference has 2026-05-06T00:00:00+02:00" \
	test "$(xmllint --nonet --xpath 'string(//OrderReference/@orderDate)' "${vinv:-/nonexistent}" 2> /dev/null)" = 2026-05-06T00:00:00+02:00
check "date-only order date (CSV): the invoice is valid against InvoiceDetail.dtd" dtd_valid "$vinv"
check "date-only order date (CSV): the ledger holds the date-time, the zone-assumed warning says so" \
	bash -c "test \"\$(sqlite3 '$s/ledger.db' \"SELECT order_date FROM orders WHERE order_id = 'V-1'\")\" = 2026-05-06T00:00:00+02:00 &&
		sqlite3 '$s/ledger.db' \"SELECT canonical FROM orders WHERE order_id = 'V-1'\" | grep -q 'code=\"zone-assumed\"'"
vpo=$(ls "$s"/out/buyer/po/*-V-2.xml 2>/dev/null | head -1)
vconf=$(ls "$s"/out/buyer/confirmation/*-V-2.xml 2>/dev/null | head -1)
vinv2=$(grep -l 'orderID="V-2"' "$s"/out/buyer/invoice/*.xml 2>/dev/null | head -1)
check "date-only order date (cXML): PO, confirmation and invoice all state 2026-05-06T00:00:00+02:00, valid" \
	test "$(xmllint --nonet --xpath 'string(//OrderRequestHeader/@orderDate)' "${vpo:-/nonexistent}" 2> /dev/null)/$(xmllint --nonet --xpath 'string(//OrderReference/@orderDate)' "${vconf:-/nonexistent}" 2> /dev/null)/$(xmllint --nonet --xpath 'string(//OrderReference/@orderDate)' "${vinv2:-/nonexistent}" 2> /dev/null)/$(dtd_valid "$vpo" && dtd_valid "$vconf" && dtd_valid "$vinv2" && echo valid)" = \
	"2026-05-06T00:00:00+02:00/2026-05-06T00:00:00+02:00/2026-05-06T00:00:00+02:00/valid"
rm -f "$P/ordergate-po.ini"
# the invoice refers to the ship notice by the notice's own date (cXML
# ShipNoticeIDInfo/@shipNoticeDate: "Date and time of the referenced
# ShipNoticeRequest"), not the ship date; a CSV feed has no notice date:
# the invoice gives the time its file was received, as the ledger records
# it; a feed row without a ship date gives an invoice without one (before,
# the invoice's own time stood in for both)
s=$(new_spool)
order W-1 "BOLT:5:1.00" "NUT:5:1.00" > "$s/in/w.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
notice w1@w S-W1 W-1 "1:5" > "$s/in/w1.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
winv=$(grep -l 'shipNoticeID="S-W1"' "$s"/out/buyer/invoice/*.xml 2>/dev/null | head -1)
check "notice date: the invoice's ShipNoticeIDInfo has the notice's noticeDate, not its shipmentDate" \
	test "$(xmllint --nonet --xpath 'string(//ShipNoticeIDInfo/@shipNoticeDate)' "${winv:-/nonexistent}" 2> /dev/null)" = 2026-06-01T10:00:00+02:00
check "notice date: the ledger keeps both dates of the notice" \
	test "$(sqlite3 "$s/ledger.db" "SELECT ship_date || ' ' || notice_date FROM shipments WHERE shipment_id = 'S-W1'" 2> /dev/null)" = "2026-06-01T09:00:00+02:00 2026-06-01T10:00:00+02:00"
printf 'order,line,shipped,ship_date,carrier,tracking,shipment\nW-1,2,5,,DHL,JJD9,F-W2\n' > "$s/in/w2.csv"
og run -c "$C" --spool "$s" > "$SCRATCH/w2.out" 2>&1
winv=$(grep -l 'shipNoticeID="F-W2"' "$s"/out/buyer/invoice/*.xml 2>/dev/null | head -1)
wrec=$(sqlite3 "$s/ledger.db" "SELECT d.received FROM shipments s JOIN documents d ON d.id = s.document_id WHERE s.shipment_id = 'F-W2'")
check "CSV feed without a ship date: the ledger records the feed's receipt time as its notice date, no ship date" \
	test "$(sqlite3 "$s/ledger.db" "SELECT COALESCE(ship_date, '') || '|' || notice_date FROM shipments WHERE shipment_id = 'F-W2'" 2> /dev/null)" = "|$wrec"
check "CSV feed without a ship date: the invoice's shipNoticeDate is the receipt time, no shippingDate, valid" \
	test "$(xmllint --nonet --xpath 'concat(//ShipNoticeIDInfo/@shipNoticeDate, "|", count(//@shippingDate))' "${winv:-/nonexistent}" 2> /dev/null)/$(dtd_valid "$winv" && echo valid)" = "$wrec|0/valid"
check "CSV feed without a ship date: the run says the invoice states none" \
	grep -q 'shipment F-W2 for order W-1, 1 line; the invoice follows (no ship date given: the invoice states none)' "$SCRATCH/w2.out"
check "invariants hold (notice dates)" spool_invariants "$s"
# an order and its ship notice in one batch, the notice claimed first (an
# outage's backlog): the notice is matched again after the rest of the
# batch and finds its order; one for an order nobody sent still fails
s=$(new_spool)
notice t1@w S-T1 T-1 "1:2" > "$s/in/a-notice.xml"
notice t2@w S-T2 T-404 "1:1" > "$s/in/b-notice.xml"
order T-1 "BOLT:2:1.00" > "$s/in/z-order.xml"
touch -d '-1 min' "$s/in/a-notice.xml" "$s/in/b-notice.xml"
og run -j 1 -c "$C" --spool "$s" > "$SCRATCH/t.out" 2>&1 # one worker: claimed and decided in turn
check "same batch: the notice claimed before its order is matched after it and invoiced" \
	bash -c "test -z \"\$(ls '$s'/failed/*-a-notice.xml 2> /dev/null)\" && test \"\$(sqlite3 '$s/ledger.db' \"SELECT count(*) FROM shipments WHERE shipment_id = 'S-T1'\")/\$(ls '$s'/out/buyer/invoice/*.xml | wc -l)\" = 1/1"
check "same batch: the run says the notice waits for the rest of the batch" \
	grep -q 'a-notice.xml: order T-1 is not in the ledger yet; the ship notice is matched again after the rest of this batch' "$SCRATCH/t.out"
check "same batch: a notice whose order is not in the batch either still fails, answered 400" \
	answered "$s" b-notice.xml 400 "order T-404, which the ledger does not know"
check "invariants hold (same batch)" spool_invariants "$s"
finish

#!/usr/bin/env bash
# Changes and cancellations (docs/operations.md): a cXML OrderRequest
# type="update"/"delete" or an OAGIS ActionCriteria Change/Delete replaces
# the current version of an order in the ledger, never a second order: the
# supplier's PO keeps its number, recon and the spend count the order once,
# a cancellation spends nothing, a shipped order or the cancellation of an
# unknown one is refused (an update of an unknown order is its first version), a
# held order replaced waits no more, a held update replaces the version in
# force only once approved, an original that arrives after its own update
# is recorded as replaced by it with nothing sent (unless that update
# waits for approval: then the original is in force), and ship notices match
# the current version only.
. "$(dirname "$0")/lib.sh"
P="$SCRATCH/partners"; mkdir -p "$P"
printf '[pickup]\nquiet_seconds = 0\n[partners]\ndir = %s\nrequire_known = no\n[numbering]\npo_pattern = PO-{seq:4}\n' "$P" > "$SCRATCH/c.ini"
C="$SCRATCH/c.ini"
printf '[partner]\nname = buyer\n[identity]\ncxml = NetworkID:BUYER-1\n' > "$P/buyer.ini"
# order PAYLOAD ORDERID TYPE PREVIOUS part:qty:price... -> cXML from BUYER-1
order() {
	local pid=$1 id=$2 type=$3 prev=$4; shift 4
	local items="" n=0 ref=""
	[ -n "$prev" ] && ref="<DocumentReference payloadID=\"$prev\"/>"
	[ -n "${CC:-}" ] && ref="$ref<Extrinsic name=\"CostCenter\">$CC</Extrinsic>"
	for l in "$@"; do
		n=$((n + 1)); IFS=: read -r part qty price <<< "$l"
		items="$items<ItemOut quantity=\"$qty\" lineNumber=\"$n\"><ItemID><SupplierPartID>$part</SupplierPartID></ItemID><ItemDetail><UnitPrice><Money currency=\"EUR\">$price</Money></UnitPrice><Description xml:lang=\"en\">$part</Description><UnitOfMeasure>EA</UnitOfMeasure><Classification domain=\"UNSPSC\">1</Classification></ItemDetail></ItemOut>"
	done
	cat <<XML
<cXML payloadID="$pid" timestamp="2026-05-06T10:00:00+02:00"><Header><From><Credential domain="NetworkID"><Identity>BUYER-1</Identity></Credential></From><To><Credential domain="NetworkID"><Identity>SUP</Identity></Credential></To><Sender><Credential domain="NetworkID"><Identity>BUYER-1</Identity></Credential><UserAgent>t</UserAgent></Sender></Header><Request><OrderRequest><OrderRequestHeader orderID="$id" orderDate="2026-05-06" type="$type"><Total><Money currency="EUR">0</Money></Total><BillTo><Address><Name xml:lang="en">Buyer AG</Name><PostalAddress><Street>Hauptstr. 1</Street><City>Bern</City><Country isoCountryCode="CH">Schweiz</Country></PostalAddress></Address></BillTo>$ref</OrderRequestHeader>$items</OrderRequest></Request></cXML>
XML
}
notice() { # payload shipmentID order line:qty...
	local pid=$1 sid=$2 oid=$3; shift 3
	local items=""
	for l in "$@"; do IFS=: read -r ln q <<< "$l"; items="$items<ShipNoticeItem quantity=\"$q\" lineNumber=\"$ln\"><UnitOfMeasure>EA</UnitOfMeasure></ShipNoticeItem>"; done
	cat <<XML
<?xml version="1.0"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/Fulfill.dtd">
<cXML payloadID="$pid" timestamp="2026-06-01T10:00:00+02:00"><Header><From><Credential domain="NetworkID"><Identity>WMS</Identity></Credential></From><To><Credential domain="NetworkID"><Identity>BUYER-1</Identity></Credential></To><Sender><Credential domain="NetworkID"><Identity>WMS</Identity></Credential><UserAgent>wms</UserAgent></Sender></Header><Request><ShipNoticeRequest><ShipNoticeHeader shipmentID="$sid" noticeDate="2026-06-01T10:00:00+02:00" shipmentDate="2026-06-01T09:00:00+02:00" deliveryDate="2026-06-02T09:00:00+02:00"/><ShipControl><CarrierIdentifier domain="SCAC">UPSN</CarrierIdentifier><ShipmentIdentifier>1Z-$sid</ShipmentIdentifier></ShipControl><ShipNoticePortion><OrderReference orderID="$oid"/>$items</ShipNoticePortion></ShipNoticeRequest></Request></cXML>
XML
}
q() { sqlite3 "$s/ledger.db" "$1"; }
run() { og run -c "$C" --spool "$s" > "$SCRATCH/run.out" 2>&1; }
# the Response code sent back for input NAME (in failed/)
code() {
	local f id
	f=$(ls "$s"/failed/*-"$1" 2>/dev/null | head -1); [ -n "$f" ] || return 0
	id=$(basename "$f"); id=${id%-"$1"}
	xmllint --nonet --xpath 'string(/cXML/Response/Status/@code)' "$s"/out/*/response/"$id"-*.xml 2>/dev/null
}

s=$(new_spool)
order a1@b A-1 new "" "BOLT:10:2.00" > "$s/in/a1.xml"; run
order a2@b A-1 update a1@b "BOLT:12:2.00" > "$s/in/a2.xml"; run
check "update: the first version is replaced by the update, one current order" \
	test "$(q "SELECT group_concat(type || '/' || state || '/' || (replaced_by IS NULL), ' ') FROM (SELECT * FROM orders ORDER BY id)")" = "new/confirmed/0 update/confirmed/1"
check "update: the supplier's PO keeps the first version's PO number" \
	test "$(q "SELECT group_concat(po_number, ' ') FROM (SELECT * FROM orders ORDER BY id)")" = "PO-0001 PO-0001"
po=$(ls "$s"/out/buyer/po/*a2*.xml 2>/dev/null || grep -l 'type="update"' "$s"/out/buyer/po/*.xml)
check "update: the PO sent for the update carries PO-0001, type update, no new number" \
	bash -c "grep -q 'PO-0001' $po && ! grep -q 'PO-0002' $po && grep -q 'type=\"update\"' $po"
og export recon -c "$C" --spool "$s" --from 2026-05-01 --to 2026-05-31 > "$SCRATCH/recon.csv" 2>&1
check "update: recon lists the order once, at the updated quantity" \
	test "$(grep -c 'A-1' "$SCRATCH/recon.csv")/$(grep -c ',12' "$SCRATCH/recon.csv")" = "1/1"
og export spend -c "$C" --spool "$s" --from 2026-05-01 --to 2026-05-31 > "$SCRATCH/spend.csv" 2>&1
check "update: the spend export counts the order once (24.00)" \
	bash -c "grep -q ',1,24.00' '$SCRATCH/spend.csv'"
# an update naming no DocumentReference: the same order number
order a3@b A-1 update "" "BOLT:11:2.00" > "$s/in/a3.xml"; run
check "update by order number: replaces the current version (the update)" \
	test "$(q "SELECT COUNT(*) FROM orders WHERE replaced_by IS NULL")/$(q "SELECT po_number FROM orders WHERE replaced_by IS NULL")" = "1/PO-0001"
notice n1@w S-1 A-1 "1:11" > "$s/in/n1.xml"; run
check "shipment: matches the current version only (not ambiguous), invoiced once" \
	test "$(q "SELECT o.document_id = (SELECT document_id FROM orders WHERE replaced_by IS NULL) FROM shipments s JOIN orders o ON o.id = s.order_ref")/$(ls "$s"/out/buyer/invoice/ 2>/dev/null | wc -l)" = "1/1"
order a4@b A-1 delete "" "BOLT:11:2.00" > "$s/in/a4.xml"; run
check "shipped: a cancellation of a shipped order is refused (409), the order stays" \
	bash -c "grep -q 'has shipped' '$s'/failed/*-a4.xml.why && test \"\$(q() { sqlite3 '$s/ledger.db' \"\$1\"; }; q 'SELECT COUNT(*) FROM orders WHERE replaced_by IS NULL')\" = 1"
check "shipped: the buyer is answered 409" test "$(code a4.xml)" = 409

# a cancellation
s=$(new_spool)
order b1@b B-1 new "" "NUT:4:5.00" > "$s/in/b1.xml"; run
order b2@b B-1 delete b1@b "NUT:4:5.00" > "$s/in/b2.xml"; run
check "delete: the order is cancelled by the delete, which is no order of its own" \
	test "$(q "SELECT group_concat(type || '/' || (replaced_by IS NULL), ' ') FROM (SELECT * FROM orders ORDER BY id)")" = "new/0 delete/1"
og export spend -c "$C" --spool "$s" --from 2026-05-01 --to 2026-05-31 > "$SCRATCH/spend2.csv" 2>&1
og export recon -c "$C" --spool "$s" --from 2026-05-01 --to 2026-05-31 > "$SCRATCH/recon2.csv" 2>&1
check "delete: neither spend nor recon count the cancelled order" \
	test "$(grep -c 'B-1\|,20.00' "$SCRATCH/spend2.csv" "$SCRATCH/recon2.csv" | awk -F: '{s+=$2} END {print s}')" = 0
check "delete: the supplier's cancellation carries the PO number it knows" \
	bash -c "grep -l 'type=\"delete\"' '$s'/out/buyer/po/*.xml | xargs grep -q PO-0001"
notice n2@w S-2 B-1 "1:4" > "$s/in/n2.xml"; run
check "delete: a ship notice for the cancelled order is refused" \
	bash -c "ls '$s'/failed/*-n2.xml.why"
order b3@b B-1 update "" "NUT:4:5.00" > "$s/in/b3.xml"; run
check "delete: an update after the cancellation is refused (409)" \
	bash -c "grep -q 'cancelled already' '$s'/failed/*-b3.xml.why"
order c1@b C-9 update "" "NUT:4:5.00" > "$s/in/c1.xml"; run
# an update carries the whole order: one of an order ordergate never had
# (sent before go-live; an OAGIS sender that always says Change) is that
# order's first version here, with a warning, never a lost order
check "unknown: an update of an order never received is recorded as its first version, not refused" \
	test "$(q "SELECT type || '/' || state || '/' || (replaced_by IS NULL) FROM orders WHERE order_id = 'C-9'")/$(ls "$s"/failed/*-c1.xml 2> /dev/null | wc -l)" = "update/confirmed/1/0"
check "unknown: ... with a warning that says so and what to do" \
	bash -c "grep -q 'warning: update-without-original: update of order C-9 names no order C-9 from partner buyer in the ledger' '$SCRATCH/run.out' && test \"\$(sqlite3 '$s/ledger.db' \"SELECT COUNT(*) FROM events WHERE kind = 'warning' AND detail LIKE 'update-without-original%'\")\" = 1"
order c2@b C-8 delete nosuch@b "NUT:4:5.00" > "$s/in/c2.xml"; run
check "unknown: a cancellation naming an unknown payloadID is refused (400)" \
	bash -c "test \"\$(ls '$s'/failed/*-c2.xml.why)\" && grep -q 'nothing to cancel' '$s'/failed/*-c2.xml.why"

# OAGIS: Change and Delete
s=$(new_spool)
sed 's/actionCode="Change"/actionCode="Add"/; s/-r2</-r1</' "$ROOT/tests/data/oagis/po-test-change.xml" > "$s/in/o1.xml"; run
cp "$ROOT/tests/data/oagis/po-test-change.xml" "$s/in/o2.xml"; run
sed 's/actionCode="Change"/actionCode="Delete"/; s/-r2</-r3</' "$ROOT/tests/data/oagis/po-test-change.xml" > "$s/in/o3.xml"; run
check "oagis: Add, Change, Delete are three versions of one order, the last a cancellation" \
	test "$(q "SELECT group_concat(type || '/' || (replaced_by IS NULL), ' ') FROM (SELECT * FROM orders ORDER BY id)")" = "new/0 update/0 delete/1"

# the partner refuses updates
s=$(new_spool)
printf '[partner]\nname = buyer\norder_types = new\n[identity]\ncxml = NetworkID:BUYER-1\n' > "$P/buyer.ini"
order d1@b D-1 new "" "NUT:1:1.00" > "$s/in/d1.xml"; run
order d2@b D-1 update d1@b "NUT:2:1.00" > "$s/in/d2.xml"; run
check "profile: order_types = new refuses an update (403), the order stays" \
	test "$(code d2.xml)/$(q "SELECT COUNT(*) FROM orders WHERE replaced_by IS NULL")" = "403/1"
printf '[partner]\nname = buyer\n[identity]\ncxml = NetworkID:BUYER-1\n' > "$P/buyer.ini"

# holds, and the budget's spend
s=$(new_spool)
cat > "$SCRATCH/rules.xml" <<'EOF2'
<rules>
  <rule id="manager" test="og:gt(summary/total, '1000.00')"><require role="manager"/></rule>
</rules>
EOF2
printf '[rules]\nfile = %s\n' "$SCRATCH/rules.xml" | cat "$C" - > "$SCRATCH/h.ini"
C="$SCRATCH/h.ini"
CC=CC-1 order s1@b S-1 new "" "BOLT:50:2.00" > "$s/in/s1.xml"; run
spend() { q "SELECT COALESCE(SUM(total_e4), 0) FROM budget_spend WHERE cost_center = 'CC-1'"; }
check "budget: the order counts 100.00 on CC-1" test "$(spend)" = 1000000
CC=CC-1 order s2@b S-1 update s1@b "BOLT:60:2.00" > "$s/in/s2.xml"; run
check "budget: its update replaces it: 120.00, not 220.00" test "$(spend)" = 1200000
CC=CC-1 order s3@b S-1 delete s2@b "BOLT:60:2.00" > "$s/in/s3.xml"; run
check "budget: its cancellation takes it out: 0.00, not 240.00" test "$(spend)" = 0
order h1@b H-1 new "" "BOLT:1000:2.00" > "$s/in/h1.xml"; run
h1=$(q "SELECT document_id FROM orders WHERE order_id = 'H-1'")
order h2@b H-1 update h1@b "BOLT:900:2.00" > "$s/in/h2.xml"; run
h2=$(q "SELECT document_id FROM orders WHERE order_id = 'H-1' AND type = 'update'")
og pending -c "$C" --spool "$s" > "$SCRATCH/pending.out" 2>&1
check "held: pending lists the update, not the version it replaced" \
	bash -c "grep -q '^$h2 ' '$SCRATCH/pending.out' && ! grep -q '^$h1 ' '$SCRATCH/pending.out'"
check "held: ... saying that it changes a held order never sent, which it replaced" \
	grep -q "^$h2 .* update of document $h1 (2000.00 EUR, held, never sent: this one replaced it)\$" "$SCRATCH/pending.out"
og approve "$h1" --as manager -c "$C" --spool "$s" > "$SCRATCH/appr.out" 2>&1
check "held: approving the replaced version is refused, naming the update" \
	bash -c "grep -q 'document $h2 replaced it' '$SCRATCH/appr.out' && test \"\$(sqlite3 '$s/ledger.db' \"SELECT state FROM orders WHERE document_id = '$h1'\")\" = pending"
og show "$h1" -c "$C" --spool "$s" > "$SCRATCH/show-h1.out" 2>&1
og show "$h1" --json -c "$C" --spool "$s" > "$SCRATCH/show-h1.json" 2>&1
check "held: show of the replaced held order says it waits no more, naming the update; its checkpoint is undecided" \
	bash -c "grep -q '  state=pending (waits no more: document $h2 replaced it)  decision=hold' '$SCRATCH/show-h1.out' && grep -q '^  role=manager  state=undecided\$' '$SCRATCH/show-h1.out'"
check "held: ... show --json keeps the ledger's state, the note apart" \
	python3 -c "import json, sys
o = json.load(open(sys.argv[1]))[0]['order'][0]
sys.exit(0 if o['state'] == 'pending' and o['state_note'] == '(waits no more: document %s replaced it)' % sys.argv[2] else 1)" "$SCRATCH/show-h1.json" "$h2"
order h3@b H-1 delete "" "BOLT:900:2.00" > "$s/in/h3.xml"; run
og pending -c "$C" --spool "$s" > "$SCRATCH/pending2.out" 2>&1
check "held: a cancellation of the held update is not itself held, and nothing waits" \
	test "$(q "SELECT state FROM orders WHERE type = 'delete' AND order_id = 'H-1'")/$(grep -c "$h1\|$h2" "$SCRATCH/pending2.out")" = "confirmed/0"
check "held: the supplier, who never had the held order, gets no cancellation" \
	bash -c "! ls '$s'/out/buyer/po/*-H-1.xml 2>/dev/null"
og reject "$h2" --as manager --comment no -c "$C" --spool "$s" > "$SCRATCH/rej.out" 2>&1
check "held: rejecting the cancelled update is refused, naming the cancellation" \
	grep -q 'replaced it' "$SCRATCH/rej.out"
h3=$(q "SELECT document_id FROM orders WHERE order_id = 'H-1' AND type = 'delete'")
og show "$h2" -c "$C" --spool "$s" > "$SCRATCH/show-h2.out" 2>&1
check "held: show of the cancelled held update says it waits no more, naming the cancellation" \
	grep -q "  state=pending (waits no more: document $h3 cancelled it)  " "$SCRATCH/show-h2.out"
og show "$h3" -c "$C" --spool "$s" > "$SCRATCH/show-h3.out" 2>&1
check "held: ... and nothing of the sort on an order that is not pending" \
	bash -c "grep -q '  state=confirmed  decision=accept' '$SCRATCH/show-h3.out' && ! grep -q 'waits no more' '$SCRATCH/show-h3.out'"

# a held update changes nothing until it is approved: the version the
# supplier has stays current (spend, recon, show) while it waits, and again
# once it is rejected or expires; approved, it replaces that version
s=$(new_spool)
cc() { q "SELECT COALESCE(SUM(total_e4), 0) FROM budget_spend WHERE cost_center = '$1'"; }
doc() { q "SELECT document_id FROM orders WHERE previous_payload_id IS '$1' AND order_id = '$2' ORDER BY id DESC LIMIT 1"; }
cur() { q "SELECT group_concat(type || '/' || state || '/' || (replaced_by IS NULL), ' ') FROM (SELECT * FROM orders WHERE order_id = '$1' ORDER BY id)"; }
CC=CC-2 order g1@b G-1 new "" "BOLT:50:2.00" > "$s/in/g1.xml"; run
CC=CC-2 order g2@b G-1 update g1@b "BOLT:600:2.00" > "$s/in/g2.xml"; run
g2=$(doc g1@b G-1)
check "held update: while it waits, the version in force stays current and counts (100.00)" \
	test "$(cur G-1)/$(cc CC-2)" = "new/confirmed/1 update/pending/1/1000000"
og show "$g2" -c "$C" --spool "$s" > "$SCRATCH/show-wait.out" 2>&1
check "held update: show names the version it replaces once approved" \
	grep -q "replaces=$(q "SELECT document_id FROM orders WHERE order_id = 'G-1' AND type = 'new'") (once approved)" "$SCRATCH/show-wait.out"
og export recon -c "$C" --spool "$s" --from 2026-05-01 --to 2026-05-31 > "$SCRATCH/recon3.csv" 2>&1
check "held update: while it waits, recon lists the order at the quantity in force" \
	test "$(grep 'G-1' "$SCRATCH/recon3.csv" | grep -c ',50,')" = 1
og reject "$g2" --as manager --comment "too many" -c "$C" --spool "$s" > "$SCRATCH/rej2.out" 2>&1; run
g1=$(q "SELECT document_id FROM orders WHERE order_id = 'G-1' AND type = 'new'")
g1po=$(q "SELECT po_number FROM orders WHERE document_id = '$g1'")
check "held update rejected: reject and its release say that the version in force stays, naming it and its PO number" \
	bash -c "test -n '$g1po' && test \$(grep -c 'rejected.*; the version in force, document $g1 ($g1po), stays\$' '$SCRATCH/rej2.out') = 2"
check "held update rejected: ... and so does its ledger event" \
	test "$(q "SELECT COUNT(*) FROM events WHERE document_id = '$g2' AND kind = 'released' AND detail = 'rejected: the rejection written; the version in force, document $g1 ($g1po), stays'")" = 1
og export recon -c "$C" --spool "$s" --from 2026-05-01 --to 2026-05-31 > "$SCRATCH/recon4.csv" 2>&1
check "held update rejected: the version in force is current, in the spend and in recon" \
	test "$(cur G-1)/$(cc CC-2)/$(grep 'G-1' "$SCRATCH/recon4.csv" | grep -c ',50,')" = "new/confirmed/1 update/rejected/1/1000000/1"
check "held update rejected: recon lists the order once (the version in force), not the rejected update beside it" \
	test "$(grep -c ',G-1,' "$SCRATCH/recon4.csv")/$(tr -d '\r' < "$SCRATCH/recon4.csv" | grep -c ',rejected$')" = "1/0"
og show G-1 -c "$C" --spool "$s" > "$SCRATCH/show.out" 2>&1
check "held update rejected: show names no replacement" bash -c "! grep -q replaced_by= '$SCRATCH/show.out'"
og show "$g2" -c "$C" --spool "$s" > "$SCRATCH/show-rej.out" 2>&1
check "held update rejected: show says it replaced nothing, not plain replaces=" \
	grep -q "replaces=$(q "SELECT document_id FROM orders WHERE order_id = 'G-1' AND type = 'new'") (not replaced: this change was rejected)$" "$SCRATCH/show-rej.out"
CC=CC-3 order k1@b K-1 new "" "BOLT:50:2.00" > "$s/in/k1.xml"; run
CC=CC-3 order k2@b K-1 update k1@b "BOLT:600:2.00" > "$s/in/k2.xml"; run
k2=$(doc k1@b K-1)
og approve PO-0002 --as manager -c "$C" --spool "$s" > "$SCRATCH/appr-po.out" 2>&1
check "held update: approve by the PO number of the version in force names the update that waits, not just 'it is confirmed'" \
	bash -c "test \"\$(sqlite3 '$s/ledger.db' \"SELECT po_number FROM orders WHERE order_id = 'K-1' AND type = 'new'\")\" = PO-0002 && grep -q 'it is confirmed; document $k2, an update of it, waits for approval: ordergate approve $k2' '$SCRATCH/appr-po.out' && test \"\$(sqlite3 '$s/ledger.db' \"SELECT state FROM orders WHERE document_id = '$k2'\")\" = pending"
og approve "$k2" --as manager -c "$C" --spool "$s" > "$SCRATCH/appr2.out" 2>&1
check "held update approved: it replaces the version in force, spend 1200.00 not 1300.00" \
	test "$(cur K-1)/$(cc CC-3)" = "new/confirmed/0 update/confirmed/1/12000000"
run
k1po=$(q "SELECT po_number FROM orders WHERE order_id = 'K-1' AND type = 'new'")
check "held update approved: its PO carries the PO number of the version it replaced" \
	test "$(q "SELECT po_number FROM orders WHERE document_id = '$k2'")" = "$k1po"
CC=CC-4 order m1@b M-1 new "" "BOLT:50:2.00" > "$s/in/m1.xml"; run
CC=CC-4 order m2@b M-1 update m1@b "BOLT:600:2.00" > "$s/in/m2.xml"; run
CC=CC-4 order m3@b M-1 update "" "BOLT:60:2.00" > "$s/in/m3.xml"; run
check "a later update while one waits replaces both: one current order, 120.00" \
	test "$(cur M-1)/$(cc CC-4)/$(q "SELECT COUNT(DISTINCT po_number) FROM orders WHERE order_id = 'M-1'")" = "new/confirmed/0 update/pending/0 update/confirmed/1/1200000/1"
m1=$(q "SELECT document_id FROM orders WHERE order_id = 'M-1' AND type = 'new'")
og show "$(doc m1@b M-1)" -c "$C" --spool "$s" > "$SCRATCH/show-m2.out" 2>&1
og show "$(q "SELECT document_id FROM orders WHERE order_id = 'M-1' AND replaced_by IS NULL")" -c "$C" --spool "$s" > "$SCRATCH/show-m3.out" 2>&1
check "... show: the waiting update replaced nothing, the later one replaced the version in force" \
	bash -c "grep -q 'replaces=$m1 (not replaced: a later version replaced both)\$' '$SCRATCH/show-m2.out' && grep -q 'replaces=$m1\$' '$SCRATCH/show-m3.out'"
order x1@b X-1 new "" "BOLT:50:2.00" > "$s/in/x1.xml"; run
order x2@b X-1 update x1@b "BOLT:600:2.00" > "$s/in/x2.xml"; run
order x3@b X-1 delete x2@b "BOLT:600:2.00" > "$s/in/x3.xml"; run
x1po=$(q "SELECT po_number FROM orders WHERE order_id = 'X-1' AND type = 'new'")
check "a cancellation while an update waits cancels the version the supplier has, under its PO" \
	bash -c "test \"\$(sqlite3 '$s/ledger.db' \"SELECT COUNT(*) FROM orders WHERE order_id = 'X-1' AND replaced_by IS NULL\")\" = 1 && grep -l 'type=\"delete\"' '$s'/out/buyer/po/*-X-1.xml | xargs grep -q 'orderID=\"$x1po\"'"
order y1@b Y-1 new "" "BOLT:50:2.00" > "$s/in/y1.xml"; run
order y2@b Y-1 update y1@b "BOLT:600:2.00" > "$s/in/y2.xml"; run
y2=$(doc y1@b Y-1)
notice yn@w S-Y Y-1 "1:50" > "$s/in/yn.xml"; run
check "a ship notice while an update waits matches the version the supplier has" \
	test "$(q "SELECT o.type FROM shipments s JOIN orders o ON o.id = s.order_ref")" = new
og approve "$y2" --as manager -c "$C" --spool "$s" > "$SCRATCH/appr3.out" 2>&1
check "... and the update, a change after shipping, cannot be approved, naming why" \
	bash -c "grep -q 'has shipped since it arrived' '$SCRATCH/appr3.out' && test \"\$(sqlite3 '$s/ledger.db' \"SELECT state FROM orders WHERE document_id = '$y2'\")\" = pending"
CC=CC-5 order e1@b E-1 new "" "BOLT:50:2.00" > "$s/in/e1.xml"; run
CC=CC-5 order e2@b E-1 update e1@b "BOLT:600:2.00" > "$s/in/e2.xml"; run
ORDERGATE_TIME=$(($(date +%s) + 30 * 86400)) og run -c "$C" --spool "$s" > "$SCRATCH/run.out" 2>&1
check "held update expired: the version in force is current again and counts" \
	test "$(cur E-1)/$(cc CC-5)" = "new/confirmed/1 update/rejected/1/1000000"
e1=$(q "SELECT document_id || ' (' || po_number || ')' FROM orders WHERE order_id = 'E-1' AND type = 'new'")
check "held update expired: the run says the version in force stays" \
	grep -q "order E-1 rejected -> .*; the version in force, document $e1, stays\$" "$SCRATCH/run.out"

# an update the rules reject changes nothing: the run and the ledger say
# that the version in force stays (the buyer's rejection names the
# update's payloadID: docs/operations.md)
s=$(new_spool)
printf '<rules xmlns="urn:ordergate:rules:1">\n  <rule id="too-big" test="og:gt(summary/total, \x27100.00\x27)"><reject message="too big"/></rule>\n</rules>\n' > "$SCRATCH/r-rules.xml"
printf '[rules]\nfile = %s\n' "$SCRATCH/r-rules.xml" | cat "$C" - > "$SCRATCH/r.ini"
rrun() { og run -c "$SCRATCH/r.ini" --spool "$s" > "$SCRATCH/run.out" 2>&1; }
order j1@b J-1 new "" "NUT:2:1.00" > "$s/in/j1.xml"; rrun
order j2@b J-1 update j1@b "NUT:300:1.00" > "$s/in/j2.xml"; rrun
j1=$(q "SELECT document_id FROM orders WHERE order_id = 'J-1' AND type = 'new'")
j2=$(q "SELECT document_id FROM orders WHERE order_id = 'J-1' AND type = 'update'")
check "update rejected by the rules: the run says the version in force stays, naming it and its PO number" \
	grep -q "order J-1 from .*, reject -> .*; the version in force, document $j1 (PO-0001), stays\$" "$SCRATCH/run.out"
check "update rejected by the rules: ... and so does a ledger event; the version in force is current" \
	test "$(q "SELECT detail FROM events WHERE document_id = '$j2' AND kind = 'change-rejected'")/$(cur J-1)" = "the rules rejected this update: the version in force, document $j1 (PO-0001), stays/new/confirmed/1 update/rejected/1"
og show "$j2" -c "$SCRATCH/r.ini" --spool "$s" > "$SCRATCH/show-j2.out" 2>&1
check "update rejected by the rules: show names the version it would have replaced, which it did not" \
	grep -q "replaces=$j1 (not replaced: this change was rejected)\$" "$SCRATCH/show-j2.out"
# order J-1 confirmed, its update rejected: one order to reconcile, confirmed
og export recon -c "$SCRATCH/r.ini" --spool "$s" > "$SCRATCH/recon-j.csv" 2>&1
check "update rejected by the rules: recon lists the order once, the version in force (2, open), no rejected row" \
	test "$(grep -c ',J-1,' "$SCRATCH/recon-j.csv")/$(grep ',J-1,' "$SCRATCH/recon-j.csv" | tr -d '\r' | cut -d, -f3,7,18)" = "1/PO-0001,2,open"
og report -c "$SCRATCH/r.ini" --spool "$s" > "$SCRATCH/report-j.html" 2>&1
check "update rejected by the rules: the report counts one order, confirmed, none rejected; the rejected change apart, with its reason" \
	python3 -c "import re, sys
h = open(sys.argv[1]).read()
n = lambda i: re.search(r'id=\"%s\"><div class=\"n\">(\d+)<' % i, h).group(1)
orders = re.search(r'<div class=\"n\">(\d+)</div><div class=\"k\">orders<', h).group(1)
changes = re.search(r'<span id=\"changes-rejected\">(\d+)<', h)
rc = re.search(r'<div id=\"reasons-changes\">.*?</div>', h, re.S)
ro = re.search(r'<div id=\"reasons-orders\">.*?</div>', h, re.S).group(0)
lines = re.search(r'<strong>all lines</strong></td><td class=\"r\"><strong>(\d+)<', h).group(1)
ok = (orders, n('count-confirmed'), n('count-rejected'), lines) == ('1', '1', '0', '1')
ok = ok and changes is not None and changes.group(1) == '1' and rc is not None and 'too big' in rc.group(0) and 'too big' not in ro
sys.exit(0 if ok else 1)" "$SCRATCH/report-j.html"

# an original that arrives after its own update is the stale version: it
# is recorded as replaced by the update, and nothing goes out for it
s=$(new_spool)
CC=CC-7 order u1@b U-1 update o1@b "NUT:3:1.00" > "$s/in/u1.xml"; run
u1=$(q "SELECT document_id FROM orders WHERE order_id = 'U-1'")
CC=CC-7 order o1@b U-1 new "" "NUT:2:1.00" > "$s/in/o1.xml"; run
o1=$(q "SELECT document_id FROM orders WHERE order_id = 'U-1' AND type = 'new'")
check "late original: recorded as replaced by the update that named it, which stays current" \
	test "$(cur U-1)/$(q "SELECT r.document_id FROM orders o JOIN orders r ON r.id = o.replaced_by WHERE o.document_id = '$o1'")" = "update/confirmed/1 new/confirmed/0/$u1"
check "late original: no PO nor confirmation for it, its input archived, one PO for the order" \
	test "$(q "SELECT COUNT(*) FROM outputs WHERE document_id = '$o1' AND kind IN ('po', 'confirmation')")/$(ls "$s"/archive/*/*/*/*-o1.xml* 2>/dev/null | wc -l)/$(ls "$s"/out/buyer/po/*-U-1.xml | wc -l)" = "0/1/1"
check "late original: the run and the ledger say superseded-by-later-version, naming the update" \
	bash -c "grep -q 'superseded-by-later-version.*$u1' '$SCRATCH/run.out' && test \"\$(sqlite3 '$s/ledger.db' \"SELECT COUNT(*) FROM events WHERE document_id = '$o1' AND kind = 'warning' AND detail LIKE 'superseded-by-later-version%$u1%'\")\" = 1"
check "late original: not taken for a duplicate, and the spend counts the update only (3.00)" \
	test "$(q "SELECT state FROM documents WHERE id = '$o1'")/$(grep -c 'duplicate of' "$SCRATCH/run.out")/$(cc CC-7)" = "done/0/30000"
order u2@b U-2 update "" "NUT:3:1.00" > "$s/in/u2.xml"; run
order o2@b U-2 new "" "NUT:2:1.00" > "$s/in/o2.xml"; run
check "late original by order number: the update recorded without its original stays current" \
	test "$(cur U-2)/$(grep -c 'superseded-by-later-version' "$SCRATCH/run.out")" = "update/confirmed/1 new/confirmed/0/1"
# ... once: a second new order of that number is no original (the update's
# came), it is a resend or another order, refused as any second new order
order o3@b U-2 new "" "NUT:7:1.00" > "$s/in/o3.xml"; run
check "late original by order number: a second new order of that number is refused (409), not swallowed as superseded" \
	test "$(code o3.xml)/$(grep -c 'superseded-by-later-version' "$SCRATCH/run.out")/$(cur U-2)" = "409/0/update/confirmed/1 new/confirmed/0"
order o4@b U-4 new "" "NUT:2:1.00" > "$s/in/a-o4.xml"
order u4@b U-4 update o4@b "NUT:3:1.00" > "$s/in/b-u4.xml"
order o5@b U-5 new "" "NUT:2:1.00" > "$s/in/b-o5.xml"
order u5@b U-5 update o5@b "NUT:3:1.00" > "$s/in/a-u5.xml"
og run -j 1 -c "$C" --spool "$s" > "$SCRATCH/run.out" 2>&1
check "same batch, either order: the update is the one current version, the supplier's last PO is the update's" \
	test "$(cur U-4)|$(cur U-5)|$(grep -l 'type="new"' "$s"/out/buyer/po/*-U-5.xml 2>/dev/null | wc -l)" = "new/confirmed/0 update/confirmed/1|update/confirmed/1 new/confirmed/0|0"

# ... unless that update waits for approval: then the original is the
# version in force until the update is approved (rejected, the original
# stays and the supplier has it; approved, the update replaces it under its
# PO number). Also with two workers in one batch, the update recorded first.
printf '<rules xmlns="urn:ordergate:rules:1">\n  <rule id="big" test="og:gt(summary/total, \x27100.00\x27)"><require role="manager"/></rule>\n</rules>\n' > "$SCRATCH/w-rules.xml"
printf '[rules]\nfile = %s\n' "$SCRATCH/w-rules.xml" | cat "$C" - > "$SCRATCH/w.ini"
s=$(new_spool)
wrun() { og run -c "$SCRATCH/w.ini" --spool "$s" > "$SCRATCH/run.out" 2>&1; }
order w1@b W-1 update o1@b "NUT:300:1.00" > "$s/in/w1.xml"; wrun
w1=$(q "SELECT document_id FROM orders WHERE order_id = 'W-1'")
order o1@b W-1 new "" "NUT:2:1.00" > "$s/in/o1.xml"; wrun
o1=$(q "SELECT document_id FROM orders WHERE order_id = 'W-1' AND type = 'new'")
check "late original of a held update: confirmed and sent as the version in force, the update still waits" \
	test "$(cur W-1)/$(q "SELECT COUNT(*) FROM outputs WHERE document_id = '$o1' AND kind IN ('po', 'confirmation')")/$(ls "$s"/out/buyer/po/*-W-1.xml 2>/dev/null | wc -l)" = "update/pending/1 new/confirmed/1/2/1"
check "late original of a held update: the run warns later-version-waiting, naming the update; nothing says superseded" \
	bash -c "grep -q 'later-version-waiting.*$w1' '$SCRATCH/run.out' && ! grep -q superseded '$SCRATCH/run.out'"
# an approver deciding on "W-1, 300.00" sees that it changes an order the
# supplier has: which document, its PO number and its total
og pending -c "$SCRATCH/w.ini" --spool "$s" > "$SCRATCH/pending-w.out" 2>&1
check "pending: a waiting update names the version in force it changes (document, PO number, total), under a CHANGES heading" \
	python3 -c "import sys
lines = open(sys.argv[1]).read().splitlines()
row = [l for l in lines if l.startswith(sys.argv[2] + ' ')]
c = lines[0].find('CHANGES')
sys.exit(0 if len(row) == 1 and c > 0 and ' 300.00 EUR ' in row[0] and row[0][c:] == 'update of document %s (PO-0001, 2.00 EUR, in force)' % sys.argv[3] else 1)" "$SCRATCH/pending-w.out" "$w1" "$o1"
og pending --json -c "$SCRATCH/w.ini" --spool "$s" > "$SCRATCH/pending-w.json" 2>&1
check "pending --json: ... type update, replaces {document, po, total, in_force}" \
	python3 -c "import json, sys
d = [o for o in json.load(open(sys.argv[1])) if o['document'] == sys.argv[2]]
r = d[0]['replaces'] if len(d) == 1 else {}
sys.exit(0 if d[0]['type'] == 'update' and r == {'document': sys.argv[3], 'po': 'PO-0001', 'total': '2.00', 'currency': 'EUR', 'state': 'confirmed', 'in_force': True} and 'update of document' in d[0]['change'] else 1)" "$SCRATCH/pending-w.json" "$w1" "$o1"
og export recon -c "$SCRATCH/w.ini" --spool "$s" > "$SCRATCH/recon-w.csv" 2>&1
check "held update waiting: recon lists the order once, as the version in force (2, open), not the update awaiting approval beside it" \
	test "$(grep -c ',W-1,' "$SCRATCH/recon-w.csv")/$(grep ',W-1,' "$SCRATCH/recon-w.csv" | tr -d '\r' | cut -d, -f7,18)" = "1/2,open"
og report -c "$SCRATCH/w.ini" --spool "$s" > "$SCRATCH/report-w.html" 2>&1
check "held update waiting: the report counts one order, confirmed, and the update apart, as a change waiting" \
	bash -c "grep -q '<div class=\"n\">1</div><div class=\"k\">orders<' '$SCRATCH/report-w.html' && grep -q 'id=\"count-pending\"><div class=\"n\">0<' '$SCRATCH/report-w.html' && grep -q '<span id=\"changes-waiting\">1</span>' '$SCRATCH/report-w.html'"
og reject "$w1" --as manager --comment "too many" -c "$SCRATCH/w.ini" --spool "$s" > "$SCRATCH/rej-w.out" 2>&1; wrun
check "held update rejected after its late original: the original stays the order in force (the supplier has it)" \
	test "$(cur W-1)/$(q "SELECT po_number FROM orders WHERE document_id = '$o1'")" = "update/rejected/1 new/confirmed/1/PO-0001"
order w2@b W-2 update o2@b "NUT:300:1.00" > "$s/in/w2.xml"; wrun
w2=$(q "SELECT document_id FROM orders WHERE order_id = 'W-2'")
order o2@b W-2 new "" "NUT:2:1.00" > "$s/in/o2.xml"; wrun
og approve "$w2" --as manager -c "$SCRATCH/w.ini" --spool "$s" > "$SCRATCH/appr-w.out" 2>&1; wrun
check "approve by document ID: the answer names the order number beside it, not the ID twice" \
	bash -c "grep -q '^order W-2 ($w2) approved by manager' '$SCRATCH/appr-w.out' && ! grep -q '$w2 ($w2)' '$SCRATCH/appr-w.out'"
check "held update approved after its late original: it replaces the original, under the original's PO number" \
	test "$(cur W-2)/$(q "SELECT group_concat(po_number, ' ') FROM (SELECT * FROM orders WHERE order_id = 'W-2' ORDER BY id)")" = "update/confirmed/1 new/confirmed/0/PO-0002 PO-0002"
s=$(new_spool)
order o3@b W-3 new "" "NUT:2:1.00" > "$s/in/a-o3.xml"
order w3@b W-3 update o3@b "NUT:300:1.00" > "$s/in/b-w3.xml"
order o4@b W-4 new "" "NUT:2:1.00" > "$s/in/b-o4.xml"
order w4@b W-4 update o4@b "NUT:300:1.00" > "$s/in/a-w4.xml"
og run -j 1 -c "$SCRATCH/w.ini" --spool "$s" > "$SCRATCH/run.out" 2>&1
check "same batch, either order, the update held: the original is in force and sent, the update waits to replace it" \
	test "$(cur W-3)|$(cur W-4)|$(ls "$s"/out/buyer/po/*-W-3.xml "$s"/out/buyer/po/*-W-4.xml 2>/dev/null | wc -l)|$(q "SELECT COUNT(*) FROM orders WHERE type = 'update' AND replaces IS NOT NULL")" = "new/confirmed/1 update/pending/1|update/pending/1 new/confirmed/1|2|2"

# a second new order with the number of an order in force (a buyer's
# resend under a new payloadID, or a correction sent as new) is refused
# with 409, never sent to the supplier twice; a number whose order was
# rejected may be used again; a test order does not collide with production
s=$(new_spool)
order r1@b R-1 new "" "NUT:2:1.00" > "$s/in/r1.xml"; run
order r2@b R-1 new "" "NUT:2:1.00" > "$s/in/r2.xml"; run
check "same number again: the second new order is refused into failed/, naming the order in force" \
	bash -c "grep -q 'order R-1 of this partner is already in force as document .* (confirmed)' '$s'/failed/*-r2.xml.why"
check "same number again: one order in the ledger, one PO sent, the buyer answered 409" \
	test "$(q "SELECT COUNT(*) FROM orders WHERE order_id = 'R-1'")/$(ls "$s"/out/buyer/po/*-R-1.xml 2>/dev/null | wc -l)/$(code r2.xml)" = "1/1/409"
CC=CC-9 order x1@b R-2 new "" "NUT:2:1.00" > "$s/in/x1.xml"; run
order x2@b R-2 delete x1@b "NUT:2:1.00" > "$s/in/x2.xml"; run
order x3@b R-2 new "" "NUT:4:1.00" > "$s/in/x3.xml"; run
check "same number after a cancellation: a new order is taken" \
	test "$(q "SELECT COUNT(*) FROM orders WHERE order_id = 'R-2' AND type = 'new' AND replaced_by IS NULL")/$(ls "$s"/failed/*-x3.xml 2>/dev/null | wc -l)" = "1/0"
sed 's/<cXML /<cXML xml:lang="en" /; s/<Request>/<Request deploymentMode="test">/' < <(order t1@b R-1 new "" "NUT:2:1.00") > "$s/in/t1.xml"; run
check "same number in test mode: not refused for a production order" \
	test "$(q "SELECT COUNT(*) FROM orders WHERE order_id = 'R-1' AND mode = 'test'")/$(ls "$s"/failed/*-t1.xml 2>/dev/null | wc -l)" = "1/0"

# a change naming a payloadID the ledger does not have is matched by its
# order number: two updates naming the same original that never came are
# two versions of one order, not two orders
s=$(new_spool)
order m1@b M-1 update gone@b "NUT:2:1.00" > "$s/in/m1.xml"; run
order m2@b M-1 update gone@b "NUT:5:1.00" > "$s/in/m2.xml"; run
check "missing original named twice: the second update replaces the first, one current order, one PO number" \
	test "$(cur M-1)/$(q "SELECT COUNT(DISTINCT po_number) FROM orders WHERE order_id = 'M-1'")" = "update/confirmed/0 update/confirmed/1/1"

# a buyer's test system never changes a production order: a test-mode
# update or cancellation is matched among test orders only
s=$(new_spool)
order p1@b P-1 new "" "NUT:2:1.00" > "$s/in/p1.xml"; run
order p2@b P-1 delete p1@b "NUT:2:1.00" | sed 's/<Request>/<Request deploymentMode="test">/' > "$s/in/p2.xml"; run
order p3@b P-1 update "" "NUT:9:1.00" | sed 's/<Request>/<Request deploymentMode="test">/' > "$s/in/p3.xml"; run
check "test mode: a test cancellation naming a production order is refused (nothing to cancel), the order stays in force" \
	test "$(grep -c 'nothing to cancel' "$s"/failed/*-p2.xml.why)/$(q "SELECT state || '/' || (replaced_by IS NULL) FROM orders WHERE order_id = 'P-1' AND mode = 'production'")" = "1/confirmed/1"
check "test mode: a test update of a production order's number is a test order of its own" \
	test "$(q "SELECT group_concat(mode || '/' || type || '/' || (replaced_by IS NULL), ' ') FROM (SELECT * FROM orders WHERE order_id = 'P-1' ORDER BY id)")" = "production/new/1 test/update/1"

finish

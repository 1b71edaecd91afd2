#!/usr/bin/env bash
# Approval rules, holds and confirmations: every action, exact decimal
# limits, the approval chain in order, wrong-role and double decisions,
# approval files, expiry, budgets from the ledger, test-mode isolation,
# outputs that follow the decision in cXML, OAGIS and CSV, and explain.
. "$(dirname "$0")/lib.sh"
count() { find "$@" -type f 2>/dev/null | wc -l; }
R="$SCRATCH/rules"; mkdir -p "$R"

# order ID [lines "part:qty:price ..."] [cost centre] [supplier] [mode] [date]
# (currency: $CUR, else EUR)
order() {
	python3 - "$@" <<'PY'
import os, sys
oid, lines = sys.argv[1], sys.argv[2].split()
cur = os.environ.get("CUR", "EUR")
cc = sys.argv[3] if len(sys.argv) > 3 else ""
sup = sys.argv[4] if len(sys.argv) > 4 else "SUP-1"
mode = sys.argv[5] if len(sys.argv) > 5 else "production"
date = sys.argv[6] if len(sys.argv) > 6 else "2026-05-06T10:00:00+02:00"
items = []
for n, l in enumerate(lines, 1):
    part, qty, price = l.split(":")
    items.append(f'''<ItemOut quantity="{qty}" lineNumber="{n}"><ItemID><SupplierPartID>{part}</SupplierPartID></ItemID>
<ItemDetail><UnitPrice><Money currency="{cur}">{price}</Money></UnitPrice><Description xml:lang="en">{part}</Description>
<UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">44000000</Classification></ItemDetail></ItemOut>''')
ext = f'<Extrinsic name="CostCenter">{cc}</Extrinsic>' if cc else ""
print(f'''<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="{oid}@buyer.example" timestamp="{date}">
<Header><From><Credential domain="NetworkID"><Identity>BUYER-1</Identity></Credential></From>
<To><Credential domain="NetworkID"><Identity>{sup}</Identity></Credential></To>
<Sender><Credential domain="NetworkID"><Identity>BUYER-1</Identity></Credential><UserAgent>t</UserAgent></Sender></Header>
<Request deploymentMode="{mode}"><OrderRequest><OrderRequestHeader orderID="{oid}" orderDate="{date}">
<Total><Money currency="{cur}">0</Money></Total><BillTo><Address><Name xml:lang="en">Buyer</Name></Address></BillTo>{ext}
</OrderRequestHeader>{"".join(items)}</OrderRequest></Request></cXML>''')
PY
}

# update ID VERSION PREVIOUS-PAYLOAD lines [cost centre]: order ID's
# update (type="update", payloadID ID-vVERSION@buyer.example), naming the
# version it replaces by DocumentReference (PREVIOUS-PAYLOAD "": by its
# order number only); with TYPE=delete its cancellation
update() {
	local id=$1 v=$2 prev=$3; shift 3
	order "$id" "$@" | sed -e "s/payloadID=\"$id@buyer.example\"/payloadID=\"$id-v$v@buyer.example\"/" \
		-e "s/<OrderRequestHeader orderID=/<OrderRequestHeader type=\"${TYPE:-update}\" orderID=/" \
		-e "${prev:+s#</BillTo>#</BillTo><DocumentReference payloadID=\"$prev\"/>#}"
}

cat > "$R/catalog.csv" <<'EOF2'
part,list_price,stock,blocked,currency
BOLT,10.00,100,no,
NUT,2.00,5,no,
BANNED,1.00,100,yes,
GEAR,10.00,100,no,EUR
GEAR,1500,100,no,JPY
EOF2
cat > "$R/suppliers.csv" <<'EOF2'
identity,blocked,reason
SUP-BAD,yes,sanctions list
EOF2
cat > "$R/budgets.csv" <<'EOF2'
cost_center,period,amount,currency
CC-1,2026-05,1500.00,
CC-2,2026-05,1500.00,
CC-3,2026-05,1500.00,
CC-4,2026-05,1500.00,
CC-5,2026-05,2000.00,
CC-5,2026-06,2000.00,
CC-6,2026-05,1500.00,EUR
CC-13,2026-05,1500.00,
CC-14,2026-05,1500.00,
EOF2
cat > "$R/rules.xml" <<'EOF2'
<rules catalog="catalog.csv" suppliers="suppliers.csv" budgets="budgets.csv">
  <rule id="blocked-supplier" test="og:supplier-blocked(to/@identity)">
    <reject code="BLOCKED" message="supplier {to/@identity} is blocked: {og:supplier-reason(to/@identity)}"/>
  </rule>
  <rule id="vip" partners="vip-buyer" test="true()"><approve/></rule>
  <rule id="budget" test="og:cost-center() != '' and og:budget-left(og:cost-center()) != ''
                          and og:gt(summary/total, og:budget-left(og:cost-center()))">
    <require role="budget-owner"/>
  </rule>
  <rule id="small" test="og:le(summary/total, '1000.00')"><approve/></rule>
  <rule id="manager" test="og:gt(summary/total, '1000.00')"><require role="manager"/></rule>
  <rule id="finance" test="og:gt(summary/total, '5000.00')"><require role="finance"/></rule>
  <line-rule id="banned" test="og:part-blocked(supplierPartID)"><reject reason="part {supplierPartID} is blocked"/></line-rule>
  <line-rule id="price" test="og:catalog-price(supplierPartID) != ''
        and og:gt(unitPrice, og:mul(og:catalog-price(supplierPartID), '1.05'))">
    <reject reason="price {unitPrice} over catalogue {og:catalog-price(supplierPartID)} + 5%"/>
  </line-rule>
  <line-rule id="stock" test="og:stock(supplierPartID) != '' and og:gt(quantity, og:stock(supplierPartID))">
    <backorder quantity="og:sub(quantity, og:stock(supplierPartID))" reason="only {og:stock(supplierPartID)} in stock"/>
  </line-rule>
</rules>
EOF2
conf() { printf '[pickup]\nquiet_seconds = 0\n[rules]\nfile = %s/rules.xml\npending_max_days = 7\n[numbering]\npo_pattern = PO-{partner}-{seq:4}\n%s' "$R" "$1" > "$SCRATCH/rules.ini"; }
conf ""
C="$SCRATCH/rules.ini"
s=$(new_spool)
order SMALL "BOLT:10:10.00" > "$s/in/small.xml"                  # 100.00: approve
order EXACT "BOLT:100:10.00" > "$s/in/exact.xml"                 # exactly 1000.00: still approve
order OVER "BOLT:100:10.0001" > "$s/in/over.xml"                 # 1000.01: manager
order BIG "BOLT:600:10.00" > "$s/in/big.xml"                     # 6000.00: manager then finance
order BLOCKED "BOLT:1:10.00" "" SUP-BAD > "$s/in/blocked.xml"    # reject, code and message
order LINES "BOLT:2:10.00 NUT:8:2.00 BANNED:1:1.00 BOLT:1:11.00" > "$s/in/lines.xml"
order ALLBAD "BANNED:2:1.00" > "$s/in/allbad.xml"
order TESTBIG "BOLT:120:10.00" CC-1 SUP-1 test > "$s/in/testbig.xml"   # test mode, 1200 on CC-1
og run -c "$C" --spool "$s" > "$SCRATCH/r1.out" 2> "$SCRATCH/r1.err"
st() { sqlite3 "$s/ledger.db" "SELECT $2 FROM orders WHERE order_id = '$1'"; }
check "approve: under the limit is confirmed with a PO number" test "$(st SMALL state)" = confirmed
check "exact: an order of exactly the limit is approved (decimal, not float)" test "$(st EXACT state)" = confirmed
check "exact: 1000.01 needs the manager" test "$(st OVER state)" = pending
check "chain: over 5000 waits for manager then finance" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(role, '>') FROM checkpoints c JOIN orders o ON o.id = c.order_ref WHERE o.order_id = 'BIG' ORDER BY seq")" = "manager>finance"
check "reject: blocked supplier rejected with code and message" \
	bash -c "test \"\$(sqlite3 '$s/ledger.db' \"SELECT state || '|' || message FROM orders WHERE order_id='BLOCKED'\")\" = 'rejected|supplier SUP-BAD is blocked: sanctions list'"
check "reject: the buyer gets a reject confirmation with the message, and no PO is written" \
	bash -c "grep -q 'type=\"reject\"' '$s'/out/buyer-1/confirmation/*-BLOCKED.xml && grep -q 'sanctions list' '$s'/out/buyer-1/confirmation/*-BLOCKED.xml && ! ls '$s'/out/buyer-1/po/*-BLOCKED.xml 2>/dev/null"
conf_lines=$(ls "$s"/out/buyer-1/confirmation/*-LINES.xml)
check "lines: a partial order gets a detail confirmation" grep -q 'type="detail"' "$conf_lines"
check "lines: the blocked part is rejected with its reason" grep -q "part BANNED is blocked" "$conf_lines"
check "lines: the price 5% over catalogue is rejected" grep -q "price 11.00 over catalogue 10.00" "$conf_lines"
check "lines: 8 nuts with 5 in stock: 5 accepted, 3 backordered" \
	bash -c "grep -q 'quantity=\"5\" type=\"accept\"' '$conf_lines' && grep -q 'quantity=\"3\" type=\"backordered\"' '$conf_lines' && grep -q 'only 5 in stock' '$conf_lines'"
check "lines: line states and quantities in the ledger" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(line_number || ':' || state || ':' || backordered_e4 || ':' || rejected_e4, ' ') FROM (SELECT l.* FROM order_lines l JOIN orders o ON o.id = l.order_ref WHERE o.order_id = 'LINES' ORDER BY line_number)")" = "1:accepted:0:0 2:backordered:30000:0 3:rejected:0:10000 4:rejected:0:10000"
check "lines: every line rejected rejects the order" test "$(st ALLBAD state)" = rejected
check "lines: ... and the buyer's rejection says why, line by line" \
	grep -q '<Comments xml:lang="en">every line of the order was rejected: line 1: part BANNED is blocked</Comments>' "$s"/out/buyer-1/confirmation/*-ALLBAD.xml
po_lines=$(ls "$s"/out/buyer-1/po/*-LINES.xml)
check "lines: the PO orders the accepted and backordered lines, not the rejected ones" \
	test "$(grep -o 'lineNumber="[0-9]*"' "$po_lines" | tr '\n' ' ')" = 'lineNumber="1" lineNumber="2" '
check "lines: the PO's total is that of the lines it orders (36.00 of 48.00)" \
	bash -c "grep -A1 '<Total>' '$po_lines' | grep -q '>36.00</Money>'"
check "lines: the ledger keeps the order's total and what it commits to" \
	test "$(st LINES total_e4)/$(st LINES committed_e4)" = 480000/360000
for f in $(find "$s/out" "$s/out-test" -name '*.xml' 2>/dev/null); do
	check "valid: ${f#"$s"/}" dtd_valid "$f"
done
check "hold: a held order has no PO and no confirmation yet" bash -c "! ls '$s'/out/buyer-1/*/*-OVER.xml 2>/dev/null"
check "numbering: PO numbers are gap-free per partner" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(po_number, ' ') FROM (SELECT po_number FROM orders WHERE po_number IS NOT NULL AND mode = 'production' ORDER BY po_number)")" = "PO-buyer-1-0001 PO-buyer-1-0002 PO-buyer-1-0003"
check "numbering: the PO carries our number, the buyer's travels along" \
	bash -c "grep -q 'orderID=\"PO-buyer-1-000' '$s'/out/buyer-1/po/*-SMALL.xml && grep -q '<Extrinsic name=\"buyerOrderID\">SMALL' '$s'/out/buyer-1/po/*-SMALL.xml"
check "test mode: outputs under out-test/ only" bash -c "! ls '$s'/out/*/*/*TESTBIG* 2>/dev/null"
og pending -c "$C" --spool "$s" > "$SCRATCH/pending.out"
check "pending: lists what waits for whom" grep -q "BIG .*manager, then finance" "$SCRATCH/pending.out"
og pending --json -c "$C" --spool "$s" > "$SCRATCH/pending.json" 2> "$SCRATCH/pending.err"
check "pending --json: valid JSON on stdout, the roles in order, nothing on stderr" \
	python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
big = [o for o in d if o['order'] == 'BIG']
sys.exit(0 if len(big) == 1 and big[0]['waits_for'] == ['manager', 'finance'] and big[0]['currency'] == 'EUR' and open(sys.argv[2]).read() == '' else 1)" "$SCRATCH/pending.json" "$SCRATCH/pending.err"
e=$(new_spool)
og pending --json -c "$C" --spool "$e" > "$SCRATCH/pending-none.json" 2> "$SCRATCH/pending-none.err"
check "pending --json on a spool without a ledger: nothing on stdout, the error once on stderr (exit 66)" \
	bash -c "test $? = 66 && test ! -s '$SCRATCH/pending-none.json' && test \$(grep -c 'ordergate pending' '$SCRATCH/pending-none.err') = 1"
og pending --jsn -c "$C" --spool "$s" > /dev/null 2> "$SCRATCH/pending-bad.err"
check "pending: an unknown option is said once, naming it" \
	bash -c "test \"\$(head -1 '$SCRATCH/pending-bad.err')\" = 'ordergate pending: unknown option --jsn' && test \$(wc -l < '$SCRATCH/pending-bad.err') = 2"
# the columns fit the data: a long partner name and a long chain stay in line
cp -a "$s" "$SCRATCH/pendwide"
sqlite3 "$SCRATCH/pendwide/ledger.db" "UPDATE orders SET partner = 'a-partner-with-a-name-much-longer-than-twenty' WHERE order_id = 'BIG'"
og pending -c "$C" --spool "$SCRATCH/pendwide" > "$SCRATCH/pending-wide.out"
check "pending: with a long partner name every column starts under its heading" \
	python3 -c "import re, sys
lines = open(sys.argv[1]).read().splitlines()
head, rows = lines[0], lines[1:]
cols = [head.index(h) for h in ('ORDER', 'PARTNER', 'WAITS FOR', 'SINCE')]
ok = len(rows) >= 2 and any('a-partner-with-a-name-much-longer-than-twenty' in r for r in rows)
for r in rows:
    ok = ok and all(r[c - 1] == ' ' and r[c] != ' ' for c in cols)
    ok = ok and re.match(r'\d{4}-\d\d-\d\dT', r[cols[3]:]) is not None
sys.exit(0 if ok else 1)" "$SCRATCH/pending-wide.out"

# decisions
dec() { og "$@" -c "$C" --spool "$s" > "$SCRATCH/d.out" 2>&1; echo $? >> "$SCRATCH/d.out"; }
dec approve BIG --as finance; check "chain: finance before manager is refused" grep -q "waits for manager first" "$SCRATCH/d.out"
dec approve BIG --as manager --by alice; check "chain: the manager approves first" grep -q "it now waits for finance" "$SCRATCH/d.out"
dec approve BIG --as manager; check "double: a second decision by the same role is refused" grep -q "manager already decided (approved by alice" "$SCRATCH/d.out"
dec approve BIG --as janitor; check "wrong role: a role the order does not need is refused" grep -q "needs no decision by janitor" "$SCRATCH/d.out"
check "wrong role: a refusal exits 1, as approve --help and the man page's exit codes say" \
	bash -c "test \"\$(tail -1 '$SCRATCH/d.out')\" = 1 && '$ORDERGATE' help approve | grep -q '1 refused' &&
		grep '^| 1 |' '$ROOT/docs/ordergate.1.md' | grep -q '\`approve\`, \`reject\`: the decision was refused' &&
		sed -n '/^\.B 1\$/,/^\.TP/p' '$ROOT/docs/ordergate.1' | tr '\n' ' ' | grep -q 'approve, reject: the decision was refused'"
dec approve NOPE --as manager; check "unknown: an unknown order is refused, exit 66" \
	bash -c "grep -q 'no order NOPE' '$SCRATCH/d.out' && test \"\$(tail -1 '$SCRATCH/d.out')\" = 66"
dec approve SMALL --as manager; check "decided: a confirmed order is refused" grep -q "is not waiting for approval: it is confirmed" "$SCRATCH/d.out"
dec reject OVER --as manager; check "reject needs a comment" grep -q "needs --comment" "$SCRATCH/d.out"
dec reject OVER --as manager --comment "  "
check "reject: a comment of blanks is no comment (the buyer would get a bare 'Order rejected')" \
	bash -c "grep -q 'needs --comment' '$SCRATCH/d.out' && test \"\$(sqlite3 '$s/ledger.db' \"SELECT state FROM orders WHERE order_id='OVER'\")\" = pending"
dec approve BIG --as finance --comment "budget ok"
check "chain: the last approval releases the PO and the confirmation" \
	bash -c "ls '$s'/out/buyer-1/po/*-BIG.xml '$s'/out/buyer-1/confirmation/*-BIG.xml >/dev/null && test \"\$(sqlite3 '$s/ledger.db' \"SELECT state FROM orders WHERE order_id='BIG'\")\" = confirmed"
check "chain: the released PO got the next number" test "$(st BIG po_number)" = "PO-buyer-1-0004"
check "history: decisions are events with who and when" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM events e JOIN orders o ON o.document_id = e.document_id WHERE o.order_id='BIG' AND e.kind = 'approved'")" = 2
# a rejection of an order waiting for two approvers (two checkpoints to
# reorder behind the message) reaches the buyer at once
order BIG2 "BOLT:600:10.00" > "$s/in/big2.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
dec reject BIG2 --as manager --comment "not this quarter"
check "chain: a rejection with two approvers pending writes the reject confirmation" \
	bash -c "grep -q 'type=\"reject\"' '$s'/out/buyer-1/confirmation/*-BIG2.xml && test \"\$(sqlite3 '$s/ledger.db' \"SELECT state FROM orders WHERE order_id='BIG2'\")\" = rejected"
check "chain: ... and the decision is not an error" bash -c "! grep -q 'cannot write' '$SCRATCH/d.out' && tail -1 '$SCRATCH/d.out' | grep -qx 0"
# a decision while another ordergate holds the spool (a watch): recorded,
# left for that one to publish, and no error line
order BIG3 "BOLT:600:10.00" > "$s/in/big3.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
flock -x "$s/ordergate.lock" "$ORDERGATE" approve BIG3 --as manager -c "$C" --spool "$s" > "$SCRATCH/lockd.out" 2>&1
check "locked spool: a decision is recorded, says the holder publishes, and exits 0" \
	bash -c "test $? = 0 && grep -q 'another ordergate is working on the spool' '$SCRATCH/lockd.out' && ! grep -q 'ordergate error' '$SCRATCH/lockd.out'"
# an approval file claimed, then a crash before it was applied: recovery
# puts it back into approvals/ and the next run applies it (on copies)
cp -a "$s" "$SCRATCH/apcrash"; cp -a "$s" "$SCRATCH/aptrial"
for d in apcrash aptrial; do
	printf 'order,role,decision,comment,by\nOVER,manager,reject,too expensive,carol\n' > "$SCRATCH/$d/approvals/late.csv"
done
at=$(ORDERGATE_FAULT=trace "$ORDERGATE" run -c "$C" --spool "$SCRATCH/aptrial" 2>&1 >/dev/null |
	sed -n 's|^fsio: step \([0-9]*\) rename .*/work/.*-approvals@late\.csv$|\1|p' | head -1)
{ ORDERGATE_FAULT=crash:$((${at:-0} + 1)) "$ORDERGATE" run -c "$C" --spool "$SCRATCH/apcrash" > /dev/null 2>&1; } 2>/dev/null
check "approval file: a crash after its claim leaves it in work/" \
	test "$(ls "$SCRATCH/apcrash/work" | grep -c -- '-approvals@late\.csv$')" = 1
og run -c "$C" --spool "$SCRATCH/apcrash" > "$SCRATCH/apcrash.out" 2>&1
check "approval file: recovery puts it back into approvals/" \
	grep -q "recovered: the approval file late.csv goes back to approvals/late.csv" "$SCRATCH/apcrash.out"
check "approval file: ... and the run applies it" \
	test "$(sqlite3 "$SCRATCH/apcrash/ledger.db" "SELECT state FROM orders WHERE order_id='OVER'")/$(ls "$SCRATCH/apcrash/work" "$SCRATCH/apcrash/approvals" | grep -c csv)" = rejected/0
# approval files
printf 'order,role,decision,comment,by\nOVER,manager,reject,too expensive,carol\nBIG,manager,approve,,dave\n' > "$s/approvals/batch1.csv"
og run -c "$C" --spool "$s" > "$SCRATCH/af.out" 2> "$SCRATCH/af.err"
afrc=$?
check "approval file: one with a refused line counts as failed (exit 1, '1 failed')" \
	bash -c "test $afrc = 1 && grep -q ', 1 failed' '$SCRATCH/af.out'"
check "approval file: the .why's error lists the refused line only, under its count" \
	grep -qx "error: 1 refused line: line 3: refused: order BIG is not waiting for approval.*" "$s"/failed/*-approvals@batch1.csv.why
check "approval file: ... and the applied line separately, labelled" \
	grep -q "^what to do: correct the refused lines in this file (in failed/) and retry it with the command below.*1 line of this file was applied and stays so (a retry reports it as already applied, never twice): line 2: order OVER .* rejected by manager" "$s"/failed/*-approvals@batch1.csv.why
check "approval file: the valid line is applied (rejection sent)" \
	bash -c "test \"\$(sqlite3 '$s/ledger.db' \"SELECT state FROM orders WHERE order_id='OVER'\")\" = rejected && grep -q 'too expensive' '$s'/out/buyer-1/confirmation/*-OVER.xml"
check "approval file: the refused line is reported in failed/" grep -q "line 3: refused: order BIG is not waiting for approval" "$s"/failed/*-approvals@batch1.csv.why
check "approval file: its retry line puts it back into approvals/" \
	grep -q "^  (or by hand: mv -n $s/failed/.*-approvals@batch1.csv $s/approvals/batch1.csv)\$" "$s"/failed/*-approvals@batch1.csv.why
apdoc=$(sqlite3 "$s/ledger.db" "SELECT id FROM documents WHERE name = 'batch1.csv'")
og reprocess "$apdoc" -c "$C" --spool "$s" > "$SCRATCH/ap-rep.out" 2>&1
check "approval file: reprocess puts it back into approvals/ (not in/)" \
	grep -q "^ordergate reprocess: $apdoc put back as $s/approvals/batch1.csv\$" "$SCRATCH/ap-rep.out"
# an approval file with a second name (a hard link from outside the spool):
# archived as a copy, so the other name can never change the archive
printf 'order,role,decision,comment,by\n' > "$SCRATCH/linked.csv"
ln "$SCRATCH/linked.csv" "$s/approvals/linked.csv"
og run -c "$C" --spool "$s" > /dev/null 2>&1
linked=$(ls "$s"/archive/*/*/*/*-approvals@linked.csv 2>/dev/null)
check "approval file with a hard link: archived as a copy of its own, the outside name left alone" \
	bash -c "cmp -s '$SCRATCH/linked.csv' '$linked' && test \"\$(stat -c %h '$linked')/\$(stat -c %h '$SCRATCH/linked.csv')\" = 1/1 && test -z \"\$(ls '$s/work')\""
# an approval file retried after a fix: the line its first pass applied is
# reported as already applied, not refused again; the corrected line is
# applied; conflicting lines (another decision, another approver) are
# still refused
order RETRY1 "BOLT:200:10.00" > "$s/in/retry1.xml"; order RETRY2 "BOLT:200:10.00" > "$s/in/retry2.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
printf 'order,role,decision,comment,by\nRETRY1,manager,approve,ok,erin\nRETRY2,manger,approve,ok,erin\n' > "$s/approvals/retry.csv"
og run -c "$C" --spool "$s" > "$SCRATCH/rt1.out" 2>&1
rt=$(sqlite3 "$s/ledger.db" "SELECT id FROM documents WHERE name = 'retry.csv'")
check "approval retry: the file with a bad role fails, its good line applied" \
	bash -c "test -n '$rt' && grep -q 'line 3: refused: order RETRY2 needs no decision by manger' '$s'/failed/$rt-approvals@retry.csv.why && test \"\$(sqlite3 '$s/ledger.db' \"SELECT state FROM orders WHERE order_id = 'RETRY1'\")\" = confirmed"
check "approval retry: the .why says to correct the file and retry it, the applied line kept" \
	grep -q "^what to do: correct the refused lines in this file (in failed/) and retry it with the command below.*line 2: order RETRY1 .* approved by manager" "$s/failed/$rt-approvals@retry.csv.why"
sed -i 's/RETRY2,manger,/RETRY2,manager,/' "$s/failed/$rt-approvals@retry.csv"
og reprocess "$rt" -c "$C" --spool "$s" > "$SCRATCH/rt2.out" 2>&1
rtrc=$?
check "approval retry: reprocessing the corrected file succeeds (exit 0, nothing failed, archived)" \
	bash -c "test $rtrc = 0 && ! ls '$s'/failed/*-approvals@retry.csv 2>/dev/null && test \"\$(ls '$s'/archive/*/*/*/*-approvals@retry.csv | wc -l)\" = 1"
check "approval retry: the line applied before is reported as already applied, not refused" \
	bash -c "grep -q 'line 2: already applied: order RETRY1 (.*): manager approved by erin at ' '$SCRATCH/rt2.out' && ! grep -q 'refused' '$SCRATCH/rt2.out'"
check "approval retry: the corrected line is applied (RETRY2 confirmed, its PO written)" \
	bash -c "test \"\$(sqlite3 '$s/ledger.db' \"SELECT state FROM orders WHERE order_id = 'RETRY2'\")\" = confirmed && ls '$s'/out/buyer-1/po/*-RETRY2.xml > /dev/null"
check "approval retry: RETRY1 was approved once, not twice" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM events e JOIN orders o ON o.document_id = e.document_id WHERE o.order_id = 'RETRY1' AND e.kind = 'approved'")" = 1
printf 'order,role,decision,comment,by\nRETRY1,manager,reject,changed my mind,erin\nRETRY2,manager,approve,ok,frank\nRETRY2,manager,approve,ok,erin\n' > "$s/approvals/conflict.csv"
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "approval retry: a reject after the approve, and the same approval by another approver, are still refused" \
	bash -c "grep -qx 'error: 2 refused lines: line 2: refused: order RETRY1 is not waiting for approval: it is confirmed; line 3: refused: order RETRY2 is not waiting for approval: it is confirmed' '$s'/failed/*-approvals@conflict.csv.why &&
		grep -q 'line 4: already applied: order RETRY2' '$s'/failed/*-approvals@conflict.csv.why"
# an approval file as a spreadsheet writes it: the comment with a comma in
# quotes reaches the buyer whole, the approver is the by column; a line with
# an unquoted comma is refused, not applied with a cut comment
order QUOTE1 "BOLT:200:10.00" > "$s/in/quote1.xml"; order QUOTE2 "BOLT:200:10.00" > "$s/in/quote2.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
printf 'order,role,decision,comment,by\r\nQUOTE1,manager,reject,"over budget, sorry",bob\r\nQUOTE2,manager,reject,over budget, sorry,bob\r\n' > "$s/approvals/quoted.csv"
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "approval file: a quoted comment with a comma reaches the buyer whole, by its approver" \
	bash -c "grep -q '<Comments xml:lang=\"en\">over budget, sorry</Comments>' '$s'/out/buyer-1/confirmation/*-QUOTE1.xml &&
		test \"\$(sqlite3 '$s/ledger.db' \"SELECT decided_by FROM checkpoints c JOIN orders o ON o.id = c.order_ref WHERE o.order_id = 'QUOTE1'\")\" = bob"
check "approval file: a line with an unquoted comma in its comment is refused, the order still waiting" \
	bash -c "grep -q 'line 3: refused: 6 fields, more than order,role,decision,comment,by (a comment with a comma goes in double quotes)' '$s'/failed/*-approvals@quoted.csv.why &&
		test \"\$(sqlite3 '$s/ledger.db' \"SELECT state FROM orders WHERE order_id = 'QUOTE2'\")\" = pending"
# a reject without a comment is refused as `ordergate reject` refuses it:
# the buyer would get a bare "rejected by the approver"
order NOCOM1 "BOLT:200:10.00" > "$s/in/nocom1.xml"; order NOCOM2 "BOLT:200:10.00" > "$s/in/nocom2.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
printf 'order,role,decision,comment,by\nNOCOM1,manager,reject,,bob\nNOCOM2,manager,reject,"  ",bob\n' > "$s/approvals/nocomment.csv"
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "approval file: a reject with an empty or blank comment is refused, saying it needs one, the order still waiting" \
	bash -c "grep -q 'line 2: refused: a reject needs a comment (the fourth field): the buyer is told why; line 3: refused: a reject needs a comment' '$s'/failed/*-approvals@nocomment.csv.why &&
		test \"\$(sqlite3 '$s/ledger.db' \"SELECT group_concat(state) FROM orders WHERE order_id IN ('NOCOM1', 'NOCOM2')\")\" = pending,pending"
check "approval retry: invariants hold" spool_invariants "$s"
# expiry
s2=$(new_spool); s_old=$s; s=$s2
order OLD "BOLT:200:10.00" > "$s/in/old.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
ORDERGATE_TIME=$(( $(date +%s) + 8 * 86400 )) og run -c "$C" --spool "$s" > "$SCRATCH/exp.out" 2> "$SCRATCH/exp.err"
check "expiry: a pending order older than pending_max_days is rejected" test "$(st OLD state)" = rejected
check "expiry: ... and the buyer told why" grep -q "not approved within 7 days" "$s"/out/buyer-1/confirmation/*-OLD.xml
check "expiry: the summary says so" grep -q "1 expired" "$SCRATCH/exp.out"
# budgets: spend approved this period counts; test spend never does
s=$(new_spool)
order CC-A "BOLT:100:10.00" CC-1 > "$s/in/a.xml"                  # 1000.00 confirmed on CC-1 (budget 1500)
og run -c "$C" --spool "$s" > /dev/null 2>&1
order CC-T "BOLT:40:10.00" CC-1 SUP-1 test > "$s/in/t.xml"         # test order 400: confirmed, not counted
og run -c "$C" --spool "$s" > /dev/null 2>&1
order CC-B "BOLT:50:10.00" CC-1 > "$s/in/b.xml"                    # 500.00: left exactly 500.00: not over
order CC-C "BOLT:51:10.00" CC-1 > "$s/in/c.xml"                    # 510.00: over the 500.00 left
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "budget: an order of exactly the budget left passes" test "$(st CC-B state)" = confirmed || sqlite3 "$s/ledger.db" "SELECT order_id, state, cost_center, period, mode, total_e4 FROM orders"
check "budget: one cent... ten over the budget left waits for the budget owner" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(role) FROM checkpoints c JOIN orders o ON o.id = c.order_ref WHERE o.order_id = 'CC-C'")" = "budget-owner"
order CC-D "BOLT:51:10.00" CC-1 > "$SCRATCH/d.xml"
before=$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders")
og explain -c "$C" --spool "$s" "$SCRATCH/d.xml" > "$SCRATCH/explain.out" 2>&1
check "explain: shows each rule, the values looked at and the decision" \
	bash -c "grep -q 'rule budget:' '$SCRATCH/explain.out' && grep -q \"og:spent('CC-1') = '1500.00'\" '$SCRATCH/explain.out' || grep -q \"og:budget-left('CC-1') = '0.00'\" '$SCRATCH/explain.out'; grep -q '^decision: hold' '$SCRATCH/explain.out'"
check "explain: the test order's spend is not counted (1000 + 500 = 1500 spent)" grep -q "og:budget-left('CC-1') = '0.00'" "$SCRATCH/explain.out"
check "explain: no side effects" test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders")" = "$before"
# budgets count what an order commits to, in the budget's currency: a
# partial order's rejected lines are not spend, an order in yen is not euros
order CC6-P "BOLT:90:10.00 BANNED:10:1.00" CC-6 > "$s/in/cc6p.xml"     # 910.00, 900.00 ordered
CUR=JPY order CC6-Y "BOLT:100:10" CC-6 > "$s/in/cc6y.xml"              # 1000 yen, confirmed
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "budget: the partial order and the yen order are confirmed" test "$(st CC6-P state)/$(st CC6-Y state)" = confirmed/confirmed
order CC6-E "BOLT:1:10.00" CC-6 > "$SCRATCH/cc6e.xml"
og explain -c "$C" --spool "$s" "$SCRATCH/cc6e.xml" > "$SCRATCH/explain6.out" 2>&1
check "budget: spent counts the lines ordered, not the rejected ones, and no yen (900.00)" \
	grep -q "og:budget-left('CC-6') = '600.00'" "$SCRATCH/explain6.out"
CUR=JPY order CC6-Z "BOLT:1:10" CC-6 > "$SCRATCH/cc6z.xml"
og explain -c "$C" --spool "$s" "$SCRATCH/cc6z.xml" > "$SCRATCH/explain6.out" 2>&1
check "budget: a euro budget is no budget for an order in yen" \
	grep -q "og:budget-left('CC-6') = ''" "$SCRATCH/explain6.out"
og export spend -c "$C" --spool "$s" > "$SCRATCH/spend6.csv" 2>&1
check "export spend: the partial order counts 900.00, the yen apart" \
	bash -c "grep -q '^buyer-1,CC-6,2026-05,EUR,1,900.00' '$SCRATCH/spend6.csv' && grep -q '^buyer-1,CC-6,2026-05,JPY,1,1000' '$SCRATCH/spend6.csv'"
# budgets and changes: an update replaces the version in force, so its
# rules read the spend without that version's (counted, it would count
# twice: the order only grows by the difference)
s=$(new_spool)
order UP-1 "BOLT:90:10.00" CC-13 > "$s/in/up1.xml"                   # 900.00 confirmed on CC-13 (1500)
og run -c "$C" --spool "$s" > /dev/null 2>&1
update UP-1 2 UP-1@buyer.example "BOLT:100:10.00" CC-13 > "$s/in/up1-2.xml"   # grows to 1000.00
og run -c "$C" --spool "$s" > "$SCRATCH/upd-run.out" 2>&1
check "budget, update: an order grown within its budget is confirmed, not held for the budget owner" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(type || '/' || state || '/' || (replaced_by IS NULL), ' ') FROM (SELECT * FROM orders WHERE order_id = 'UP-1' ORDER BY id)")" = "new/confirmed/0 update/confirmed/1"
check "budget, update: ... decided once (the spend its rules read is the ledger's, not decided again)" \
	bash -c "! grep -q 'decided again' '$SCRATCH/upd-run.out'"
check "budget, update: ... and the spend counts the update alone (1000.00)" \
	test "$(sqlite3 "$s/ledger.db" "SELECT total_e4 FROM budget_spend WHERE cost_center = 'CC-13'")" = 10000000
order UP-2 "BOLT:60:10.00" CC-14 > "$s/in/up2.xml"                   # 600.00 confirmed on CC-14 (1500)
order UP-3 "BOLT:60:10.00" CC-14 > "$s/in/up3.xml"                   # 600.00 confirmed: 1200.00 spent
og run -c "$C" --spool "$s" > /dev/null 2>&1
update UP-2 2 "" "BOLT:100:10.00" CC-14 > "$SCRATCH/up2-2.xml"       # by order number, grows to 1000.00
og explain -c "$C" --spool "$s" "$SCRATCH/up2-2.xml" > "$SCRATCH/explain-up.out" 2>&1
check "budget, update: explain shows the spend without the version it replaces (900.00 left, not 300.00)" \
	bash -c "grep -q \"og:budget-left('CC-14') = '900.00'\" '$SCRATCH/explain-up.out' && grep -q '^decision: hold.*waits for budget-owner' '$SCRATCH/explain-up.out'"
check "budget, update: ... and says which version it left out" \
	grep -q "(spend of CC-14 read without 600.00 of order UP-2 (document [0-9-]*), the version this update replaces)" "$SCRATCH/explain-up.out"
cp "$SCRATCH/up2-2.xml" "$s/in/"
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "budget, update: grown past its budget (1000.00 of the 900.00 left) it still waits for the budget owner" \
	test "$(sqlite3 "$s/ledger.db" "SELECT o.state || '/' || group_concat(c.role) FROM orders o JOIN checkpoints c ON c.order_ref = o.id WHERE o.order_id = 'UP-2' AND o.type = 'update'")" = "pending/budget-owner"
check "budget, update: ... while it waits, the version in force counts (1200.00)" \
	test "$(sqlite3 "$s/ledger.db" "SELECT total_e4 FROM budget_spend WHERE cost_center = 'CC-14'")" = 12000000
# budgets within one run: orders decided side by side by the workers must
# not each spend the same budget (1500 on CC-2: two of three 600s fit)
s=$(new_spool)
for o in 1 2 3; do order "CC2-$o" "BOLT:60:10.00" CC-2 > "$s/in/cc2-$o.xml"; done
og run -c "$C" --spool "$s" -j 2 > "$SCRATCH/same-run.out" 2>&1
cc_states() { sqlite3 "$s/ledger.db" "SELECT group_concat(state, ' ') FROM (SELECT state FROM orders WHERE cost_center = '$1' ORDER BY state)"; }
check "budget, one run: two of three orders fit the budget, the third waits for the budget owner" \
	test "$(cc_states CC-2)" = "confirmed confirmed pending"
check "budget, one run: never more confirmed than the budget (1200.00 of 1500.00)" \
	test "$(sqlite3 "$s/ledger.db" "SELECT SUM(total_e4) FROM orders WHERE cost_center = 'CC-2' AND state = 'confirmed'")" = 12000000
check "budget, one run: an order decided on a spend that changed was decided again" \
	grep -q "decided again" "$SCRATCH/same-run.out"
check "budget, one run: every input archived once" test "$(count "$s/archive")" = 3
# ... and within one file: a tar of three orders is decided order by order
for o in 1 2 3; do order "CC3-$o" "BOLT:60:10.00" CC-3 > "$SCRATCH/cc3-$o.xml"; done
(cd "$SCRATCH" && tar -cf "$s/in/cc3.tar" cc3-1.xml cc3-2.xml cc3-3.xml)
og run -c "$C" --spool "$s" -j 2 > /dev/null 2>&1
check "budget, one archive: its orders see each other's spend (two fit, one waits)" \
	test "$(cc_states CC-3)" = "confirmed confirmed pending"
# ... and many orders at once, with other cost centres' orders between them
for o in $(seq 1 12); do order "CC4-$o" "BOLT:25:10.00" CC-4 > "$s/in/cc4-$o.xml"; order "CC1X-$o" "NUT:1:2.00" > "$s/in/x-$o.xml"; done
og run -c "$C" --spool "$s" -j 2 > /dev/null 2>&1
check "budget, one run of 24: six 250.00 orders of CC-4 fit its 1500.00, six wait" \
	test "$(cc_states CC-4)" = "confirmed confirmed confirmed confirmed confirmed confirmed pending pending pending pending pending pending"
check "budget, one run of 24: the orders without a cost centre all confirmed" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders WHERE order_id LIKE 'CC1X-%' AND state = 'confirmed'")" = 12
# ... and 150 orders of random size on two months of CC-5 (2,000.00 each):
# whatever order they are decided in, no month goes over its budget and
# every order held would not have fit in what is left
s=$(new_spool)
python3 - "$s/in" <<'PY'
import random, sys
rnd = random.Random(5)
for n in range(150):
    month = "05" if n % 2 else "06"
    qty = rnd.randint(1, 40)
    date = f"2026-{month}-{rnd.randint(1, 28):02d}T10:00:00+02:00"
    open(f"{sys.argv[1]}/r{n:03d}.xml", "w").write(f'''<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="R-{n}@buyer.example" timestamp="{date}">
<Header><From><Credential domain="NetworkID"><Identity>BUYER-1</Identity></Credential></From>
<To><Credential domain="NetworkID"><Identity>SUP-1</Identity></Credential></To>
<Sender><Credential domain="NetworkID"><Identity>BUYER-1</Identity></Credential><UserAgent>t</UserAgent></Sender></Header>
<Request deploymentMode="production"><OrderRequest><OrderRequestHeader orderID="R-{n}" orderDate="{date}">
<Total><Money currency="EUR">0</Money></Total><BillTo><Address><Name xml:lang="en">Buyer</Name></Address></BillTo><Extrinsic name="CostCenter">CC-5</Extrinsic>
</OrderRequestHeader><ItemOut quantity="{qty}" lineNumber="1"><ItemID><SupplierPartID>BOLT</SupplierPartID></ItemID>
<ItemDetail><UnitPrice><Money currency="EUR">10.00</Money></UnitPrice><Description xml:lang="en">BOLT</Description>
<UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">44000000</Classification></ItemDetail></ItemOut></OrderRequest></Request></cXML>''')
PY
og run -c "$C" --spool "$s" -j 2 > /dev/null 2>&1
q5() { sqlite3 "$s/ledger.db" "$1"; }
check "budget, 150 orders: none in error, some confirmed and some held in each month" \
	test "$(q5 "SELECT count(*) FROM orders")/$(q5 "SELECT count(DISTINCT period) FROM orders WHERE state = 'confirmed'")/$(q5 "SELECT count(DISTINCT period) FROM orders WHERE state = 'pending'")" = 150/2/2
check "budget, 150 orders: no month over its 2,000.00" \
	test "$(q5 "SELECT count(*) FROM (SELECT period FROM orders WHERE state = 'confirmed' GROUP BY period HAVING SUM(total_e4) > 20000000)")" = 0
check "budget, 150 orders: every held order is larger than what its month has left" \
	test "$(q5 "WITH s AS (SELECT period, SUM(total_e4) AS c FROM orders WHERE state = 'confirmed' GROUP BY period)
		SELECT count(*) FROM orders o JOIN s ON s.period = o.period WHERE o.state = 'pending' AND o.total_e4 <= 20000000 - s.c")" = 0
# partner-limited rule, OAGIS and CSV confirmations follow the decision
P="$SCRATCH/partners"; mkdir -p "$P"
printf '[partner]\nname = vip-buyer\n[identity]\ncxml = NetworkID:BUYER-1\n[outbound]\npo = csv\nconfirmation = oagis\n' > "$P/vip.ini"
conf "[partners]
dir = $P
"
s=$(new_spool)
order VIP "BOLT:200:10.00 NUT:8:2.00 BANNED:1:1.00" > "$s/in/vip.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "partners: a rule limited to a partner applies to it (vip approved over the limit)" test "$(st VIP state)" = confirmed
ack=$(ls "$s"/out/vip-buyer/confirmation/*.xml)
check "oagis: the acknowledgement says Modified with a backordered line" \
	bash -c "grep -q 'actionCode=\"Modified\"' '$ack' && grep -q 'BackOrderedQuantity' '$ack'"
check "oagis: the acknowledgement is valid against the 10.4 XSD" \
	bash -c "xmllint --noout --nonet --schema '$ROOT/xslt/schemas/oagis-10.4/AcknowledgePurchaseOrder.xsd' '$ack' 2>/dev/null"
check "csv: the PO in CSV carries our PO number" grep -q "^PO-vip-buyer-0001," "$s"/out/vip-buyer/po/*.csv
check "csv: the PO in CSV has the two lines ordered, not the rejected one" \
	bash -c "test \"\$(tail -n +2 '$s'/out/vip-buyer/po/*.csv | cut -d, -f4 | tr -d '\r' | tr '\n' ' ')\" = '1 2 '"
check "invariants hold" spool_invariants "$s"
# OAGIS purchase order of a partial order, and of a held one released
printf '[partner]\nname = oagis-supplier\n[identity]\ncxml = NetworkID:BUYER-1\n[outbound]\npo = oagis\n' > "$P/vip.ini"
s=$(new_spool)
order OAG "BOLT:20:10.00 BANNED:1:1.00 NUT:2:2.00" > "$s/in/oag.xml"
order OAGH "BOLT:150:10.00 BANNED:3:1.00" > "$s/in/oagh.xml"          # 1503.00: the manager's
og run -c "$C" --spool "$s" > /dev/null 2>&1
po=$(ls "$s"/out/oagis-supplier/po/*-OAG.xml)
check "oagis PO: lines 1 and 3 ordered, the rejected line 2 not" \
	test "$(grep -o '<LineNumberID>[0-9]*</LineNumberID>' "$po" | tr '\n' ' ')" = '<LineNumberID>1</LineNumberID> <LineNumberID>3</LineNumberID> '
check "oagis PO: ExtendedAmount and TotalAmount are those of the lines ordered (204.00)" \
	bash -c "grep -q '<ExtendedAmount currencyCode=\"EUR\">204.00<' '$po' && grep -q '<TotalAmount currencyCode=\"EUR\">204.00<' '$po'"
check "oagis PO: valid against the 10.4 XSD" \
	bash -c "xmllint --noout --nonet --schema '$ROOT/xslt/schemas/oagis-10.4/ProcessPurchaseOrder.xsd' '$po' 2>/dev/null"
og approve OAGH --as manager -c "$C" --spool "$s" > /dev/null 2>&1
og run -c "$C" --spool "$s" > /dev/null 2>&1
po=$(ls "$s"/out/oagis-supplier/po/*-OAGH.xml 2>/dev/null)
check "released: the approved order's PO leaves out the line its rules rejected (1500.00)" \
	bash -c "test -n '$po' && test \"\$(grep -c '<LineNumberID>' '$po')\" = 1 && grep -q '<TotalAmount currencyCode=\"EUR\">1500.00<' '$po'"
check "released: committed 1500.00 of 1503.00" test "$(st OAGH total_e4)/$(st OAGH committed_e4)" = 15030000/15000000
check "invariants hold" spool_invariants "$s"
# show: a held order's approvals, whom it waits for and who decided
s=$(new_spool)
order SHOWN "BOLT:600:10.00" > "$s/in/shown.xml"                 # manager, then finance
og run -c "$C" --spool "$s" > /dev/null 2>&1
og approve SHOWN --as manager --by alice --comment "fine by me" -c "$C" --spool "$s" > /dev/null 2>&1
og show SHOWN -c "$C" --spool "$s" > "$SCRATCH/show-held.out" 2>&1
check "show: a held order lists its approvals, decided and still waiting" \
	bash -c "grep -A2 '^approvals:' '$SCRATCH/show-held.out' | grep -q '^  role=manager  state=approved  by=alice  at=.*  comment=fine by me\$' &&
		grep -A2 '^approvals:' '$SCRATCH/show-held.out' | grep -q '^  role=finance  state=pending\$'"
order SHOWN2 "BOLT:600:10.00" > "$s/in/shown2.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
og reject SHOWN2 --as manager --comment "no" -c "$C" --spool "$s" > /dev/null 2>&1
og show SHOWN2 -c "$C" --spool "$s" > "$SCRATCH/show-rejected.out" 2>&1
check "show: the approver a rejected order never reached is undecided, not pending" \
	bash -c "grep -A2 '^approvals:' '$SCRATCH/show-rejected.out' | tail -1 | grep -qx '  role=finance  state=undecided'"
og show SHOWN --json -c "$C" --spool "$s" > "$SCRATCH/show-held.json" 2>&1
check "show --json: ... and so does its JSON" python3 -c "
import json, sys; d = json.load(open('$SCRATCH/show-held.json'))
sys.exit(0 if [(a['role'], a['state']) for a in d[0]['approvals']] == [('manager', 'approved'), ('finance', 'pending')] else 1)"
# budgets are checked again when a held order is released: an order held
# for another approver reserves nothing, so by its last approval the spend
# may have grown past the budget; its budget rules run again then (the
# other rules do not), and ask the budget owner or reject it
R3="$SCRATCH/rules3"; mkdir -p "$R3"
cat > "$R3/budgets.csv" <<'EOF2'
cost_center,period,amount
CC-7,2026-05,1500.00
CC-8,2026-05,1500.00
CC-9,2026-05,1500.00
CC-10,2026-05,1500.00
CC-11,2026-05,1500.00
CC-12,2026-05,1500.00
CC-13,2026-05,1500.00
CC-15,2026-05,1500.00
EOF2
printf 'identity,blocked,reason\n' > "$R3/suppliers.csv"
cat > "$R3/rules.xml" <<'EOF2'
<rules budgets="budgets.csv" suppliers="suppliers.csv">
  <rule id="blocked-supplier" test="og:supplier-blocked(to/@identity)">
    <reject code="BLOCKED" message="supplier {to/@identity} is blocked"/>
  </rule>
  <rule id="over-budget" test="og:cost-center() != '' and og:budget-left(og:cost-center()) != ''
        and og:gt(summary/total, og:add(og:budget-left(og:cost-center()), '1000.00'))">
    <reject code="OVER_BUDGET" message="more than 1000.00 over the budget of {og:cost-center()}"/>
  </rule>
  <rule id="budget" test="og:cost-center() != '' and og:budget-left(og:cost-center()) != ''
        and og:gt(summary/total, og:budget-left(og:cost-center()))">
    <require role="budget-owner"/>
  </rule>
  <rule id="review" test="og:gt(summary/total, '750.00')"><require role="manager"/></rule>
</rules>
EOF2
printf '[pickup]\nquiet_seconds = 0\n[rules]\nfile = %s/rules.xml\npending_max_days = 7\n[numbering]\npo_pattern = PO-{partner}-{seq:4}\n' "$R3" > "$SCRATCH/rules3.ini"
C3="$SCRATCH/rules3.ini"
s=$(new_spool)
order H7 "BOLT:80:10.00" CC-7 > "$s/in/h7.xml"          # 800.00: the manager's, within budget
order H8 "BOLT:120:10.00" CC-8 > "$s/in/h8.xml"         # 1200.00: the manager's, within budget
order H9 "BOLT:80:10.00" CC-9 > "$s/in/h9.xml"          # 800.00: the manager's, within budget
order H10A "BOLT:80:10.00" CC-10 > "$s/in/h10a.xml"     # two of 800.00 on one 1500.00
order H10B "BOLT:80:10.00" CC-10 > "$s/in/h10b.xml"
order H12 "BOLT:160:10.00" CC-12 > "$s/in/h12.xml"      # 1600.00: budget owner, then manager
og run -c "$C3" --spool "$s" > /dev/null 2>&1
check "release budget: the orders wait for their approvers (and H12 for the budget owner first)" \
	test "$(st H7 state)/$(st H8 state)/$(st H9 state)/$(st H10A state)/$(st H10B state)/$(st H12 state)" = pending/pending/pending/pending/pending/pending
for o in 1 2; do order "A7-$o" "BOLT:70:10.00" CC-7 > "$s/in/a7-$o.xml"; order "A8-$o" "BOLT:70:10.00" CC-8 > "$s/in/a8-$o.xml"; done
order A9 "BOLT:70:10.00" CC-9 > "$s/in/a9.xml"
og run -c "$C3" --spool "$s" > /dev/null 2>&1
check "release budget: meanwhile 1400.00 of CC-7 and of CC-8 is confirmed, 700.00 of CC-9" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(cost_center || '=' || t, ' ') FROM (SELECT cost_center, SUM(total_e4) / 10000 AS t FROM orders WHERE state = 'confirmed' GROUP BY cost_center ORDER BY cost_center)")" = "CC-7=1400 CC-8=1400 CC-9=700"
og approve H7 --as manager --by alice -c "$C3" --spool "$s" > "$SCRATCH/rb7.out" 2>&1
rb7=$?
check "release budget: the manager's approval does not release an order the budget no longer covers" \
	test "$(st H7 state)" = pending
check "release budget: ... it waits for the budget owner, after the manager" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(role || ':' || state, '>') FROM (SELECT role, c.state FROM checkpoints c JOIN orders o ON o.id = c.order_ref WHERE o.order_id = 'H7' ORDER BY seq)")" = "manager:approved>budget-owner:pending"
check "release budget: ... no PO and no confirmation went out, nothing more counted (1400.00)" \
	bash -c "! ls '$s'/out/buyer-1/*/*-H7.xml >/dev/null 2>&1 && test \"\$(sqlite3 '$s/ledger.db' \"SELECT total_e4 FROM budget_spend WHERE cost_center = 'CC-7'\")\" = 14000000"
check "release budget: approve says so, naming the budget and what is left (exit 0)" \
	bash -c "test $rb7 = 0 && grep -q 'now waits for budget-owner' '$SCRATCH/rb7.out' && grep -q 'cost centre CC-7, 2026-05: budget 1500.00 EUR, spent 1400.00, left 100.00; this order 800.00' '$SCRATCH/rb7.out'"
og pending -c "$C3" --spool "$s" > "$SCRATCH/rb-pending.out" 2>&1
check "release budget: pending says why H7 waits for the budget owner, and how much is left" \
	bash -c "grep -q '^[^ ]* *H7 .*budget-owner' '$SCRATCH/rb-pending.out' && grep -q '^H7 (.*): budget-owner: .*cost centre CC-7, 2026-05: budget 1500.00 EUR, spent 1400.00, left 100.00' '$SCRATCH/rb-pending.out'"
og pending --json -c "$C3" --spool "$s" > "$SCRATCH/rb-pending.json" 2>&1
check "release budget: ... and so does pending --json" python3 -c "
import json, sys; d = [o for o in json.load(open('$SCRATCH/rb-pending.json')) if o['order'] == 'H7']
sys.exit(0 if len(d) == 1 and d[0]['waits_for'] == ['budget-owner'] and 'left 100.00' in d[0]['reason'] else 1)"
og show H7 -c "$C3" --spool "$s" > "$SCRATCH/rb-show.out" 2>&1
check "release budget: show lists the budget owner's checkpoint and why it was added" \
	bash -c "grep -A2 '^approvals:' '$SCRATCH/rb-show.out' | grep -q '^  role=budget-owner  state=pending  comment=.*left 100.00' && grep -q 'event=held.*budget-owner' '$SCRATCH/rb-show.out'"
# an expired order is rejected as any other, with the expiry's reason
cp -a "$s" "$SCRATCH/rbexpire"
ORDERGATE_TIME=$(( $(date +%s) + 8 * 86400 )) og run -c "$C3" --spool "$SCRATCH/rbexpire" > /dev/null 2>&1
check "release budget: held again and not approved in time, it expires as any held order" \
	bash -c "test \"\$(sqlite3 '$SCRATCH/rbexpire/ledger.db' \"SELECT state FROM orders WHERE order_id = 'H7'\")\" = rejected && grep -q 'not approved within 7 days' '$SCRATCH/rbexpire'/out/buyer-1/confirmation/*-H7.xml"
og approve H7 --as budget-owner --by bob -c "$C3" --spool "$s" > "$SCRATCH/rb7b.out" 2>&1
check "release budget: the budget owner's approval releases it (its approval is not asked again)" \
	bash -c "test \"\$(sqlite3 '$s/ledger.db' \"SELECT state FROM orders WHERE order_id = 'H7'\")\" = confirmed && ls '$s'/out/buyer-1/po/*-H7.xml > /dev/null"
# through an approval file: far over the budget, the budget rule rejects;
# two held orders released by one file: the second sees the first's spend;
# only the budget rules run again (the supplier blocked since is not)
printf 'identity,blocked,reason\nSUP-1,yes,since the hold\n' > "$R3/suppliers.csv"
printf 'order,role,decision,comment,by\nH8,manager,approve,,carol\nH10A,manager,approve,,carol\nH10B,manager,approve,,carol\nH9,manager,approve,,carol\n' > "$s/approvals/rb.csv"
og run -c "$C3" --spool "$s" > "$SCRATCH/rbfile.out" 2>&1
check "release budget, approval file: the file is applied and archived" \
	bash -c "ls '$s'/archive/*/*/*/*-approvals@rb.csv > /dev/null && ! ls '$s'/failed/*-approvals@rb.csv 2>/dev/null"
check "release budget, approval file: H8, now more than 1000.00 over what is left, is rejected" \
	test "$(st H8 state)" = rejected
check "release budget, approval file: ... the buyer's rejection names the budget rule, the budget and the figures" \
	grep -q '<Comments xml:lang="en">more than 1000.00 over the budget of CC-8 (rule over-budget, at its release: cost centre CC-8, 2026-05: budget 1500.00 EUR, spent 1400.00, left 100.00; this order 1200.00)</Comments>' "$s"/out/buyer-1/confirmation/*-H8.xml
check "release budget, approval file: of two held orders on one budget the first is released, the second waits for the budget owner" \
	test "$(st H10A state)/$(st H10B state)/$(sqlite3 "$s/ledger.db" "SELECT group_concat(role, '>') FROM (SELECT role FROM checkpoints c JOIN orders o ON o.id = c.order_ref WHERE o.order_id = 'H10B' ORDER BY seq)")" = "confirmed/pending/manager>budget-owner"
check "release budget, approval file: an order the budget still covers is released as before, no other rule run again" \
	test "$(st H9 state)" = confirmed
printf 'identity,blocked,reason\n' > "$R3/suppliers.csv"
check "release budget, approval file: the run's log says why H10B waits" \
	grep -q 'line 4: order H10B (.*) approved by manager, but not released: the budget rule budget, run again, asks for budget-owner (cost centre CC-10, 2026-05: budget 1500.00 EUR, spent 800.00, left 700.00; this order 800.00); it now waits for budget-owner' "$SCRATCH/rbfile.out"
# an order whose budget owner approved already is not asked again
order A12 "BOLT:70:10.00" CC-12 > "$s/in/a12.xml"
og run -c "$C3" --spool "$s" > /dev/null 2>&1
og approve H12 --as budget-owner -c "$C3" --spool "$s" > /dev/null 2>&1
og approve H12 --as manager -c "$C3" --spool "$s" > /dev/null 2>&1
check "release budget: the budget owner who approved before is not asked again" \
	test "$(st H12 state)/$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM checkpoints c JOIN orders o ON o.id = c.order_ref WHERE o.order_id = 'H12'")" = confirmed/2
# the report: H8, rejected at its release, did not expire; H7 in the copy did
og report -c "$C3" --spool "$s" --out "$SCRATCH/rb-report.html" > /dev/null 2>&1
og report -c "$C3" --spool "$SCRATCH/rbexpire" --out "$SCRATCH/rb-report-exp.html" > /dev/null 2>&1
check "release budget: the report counts H8 as rejected at its release, not as expired" \
	bash -c "grep -q '1 order rejected at its release by a budget rule, after every approver approved, is not counted' '$SCRATCH/rb-report.html' && ! grep -q 'declined without an approver' '$SCRATCH/rb-report.html'"
check "release budget: ... and an order that expired waiting for the budget owner as expired" \
	bash -c "grep -q 'orders\? declined without an approver.s rejection (not approved in time)' '$SCRATCH/rb-report-exp.html' && ! grep -q 'rejected at its release' '$SCRATCH/rb-report-exp.html'"
# a held update replaces the version in force only once approved, so that
# version still counts at its release: its budget rules read the spend
# without it (the update takes its place)
order U11 "BOLT:70:10.00" CC-11 > "$s/in/u11.xml"                              # 700.00 confirmed
order U13 "BOLT:70:10.00" CC-13 > "$s/in/u13.xml"                              # 700.00 confirmed
og run -c "$C3" --spool "$s" > /dev/null 2>&1
update U11 2 U11@buyer.example "BOLT:80:10.00" CC-11 > "$s/in/u11-2.xml"       # 800.00: the manager's
update U13 2 "" "BOLT:80:10.00" CC-13 > "$s/in/u13-2.xml"                      # 800.00: the manager's
og run -c "$C3" --spool "$s" > /dev/null 2>&1
order A11 "BOLT:60:10.00" CC-11 > "$s/in/a11.xml"                              # 600.00: 1300.00 spent
order A13-1 "BOLT:40:10.00" CC-13 > "$s/in/a13-1.xml"                          # 2 x 400.00: 1500.00 spent
order A13-2 "BOLT:40:10.00" CC-13 > "$s/in/a13-2.xml"
og run -c "$C3" --spool "$s" > /dev/null 2>&1
upd() { sqlite3 "$s/ledger.db" "SELECT $2 FROM orders WHERE order_id = '$1' AND type = 'update'"; }
check "release budget, update: both updates wait for the manager alone" \
	test "$(upd U11 state)/$(upd U13 state)/$(sqlite3 "$s/ledger.db" "SELECT group_concat(role) FROM checkpoints c JOIN orders o ON o.id = c.order_ref WHERE o.order_id IN ('U11', 'U13')")" = "pending/pending/manager,manager"
og approve "$(upd U11 document_id)" --as manager -c "$C3" --spool "$s" > "$SCRATCH/ru11.out" 2>&1
check "release budget, update: an update the budget covers without the version it replaces is released" \
	test "$(upd U11 state)/$(sqlite3 "$s/ledger.db" "SELECT total_e4 FROM budget_spend WHERE cost_center = 'CC-11'")" = "confirmed/14000000"
og approve "$(upd U13 document_id)" --as manager -c "$C3" --spool "$s" > "$SCRATCH/ru13.out" 2>&1
check "release budget, update: one grown past it waits for the budget owner, figures without the version it replaces" \
	bash -c "test \"\$(sqlite3 '$s/ledger.db' \"SELECT state FROM orders WHERE order_id = 'U13' AND type = 'update'\")\" = pending && grep -q 'cost centre CC-13, 2026-05: budget 1500.00 EUR, spent 800.00, left 700.00; this order 800.00); it now waits for budget-owner' '$SCRATCH/ru13.out'"
# a cancellation spends nothing: its budget rules, too, read the spend
# without the order it cancels (counted, a rule rejecting orders far over
# the budget rejected the cancellation of a large order)
order Z15 "BOLT:140:10.00" CC-15 > "$s/in/z15.xml"                             # 1400.00: the manager's
og run -c "$C3" --spool "$s" > /dev/null 2>&1
og approve Z15 --as manager -c "$C3" --spool "$s" > /dev/null 2>&1
TYPE=delete update Z15 2 Z15@buyer.example "BOLT:140:10.00" CC-15 > "$s/in/z15-2.xml"
og run -c "$C3" --spool "$s" > /dev/null 2>&1
check "release budget, cancellation: the cancellation of a large order is not rejected as over the budget; the order leaves the spend" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(type || '/' || state || '/' || (replaced_by IS NULL), ' ') FROM (SELECT * FROM orders WHERE order_id = 'Z15' ORDER BY id)")/$(sqlite3 "$s/ledger.db" "SELECT total_e4 FROM budget_spend WHERE cost_center = 'CC-15'")" = "new/confirmed/0 delete/confirmed/1/0"
check "release budget: invariants hold" spool_invariants "$s"
# every XPath of a rules file is compiled at load: a costCenter, quantity,
# message or reason that is not XPath is the file's error (check-config
# and run refuse it), not an order confirmed without its cost centre
R2="$SCRATCH/rules2"; mkdir -p "$R2"; cp "$R/budgets.csv" "$R2/"
printf '[pickup]\nquiet_seconds = 0\n[rules]\nfile = %s/mine.xml\n' "$R2" > "$SCRATCH/rules2.ini"
budget_rules() { # costCenter select
	cat > "$R2/mine.xml" <<EOF2
<rules budgets="budgets.csv">
  <costCenter select="$1"/>
  <rule id="budget" test="og:cost-center() != '' and og:budget-left(og:cost-center()) != ''
                          and og:gt(summary/total, og:budget-left(og:cost-center()))">
    <require role="budget-owner"/>
  </rule>
</rules>
EOF2
}
budget_rules "extrinsics/extrinsic[@name='CostCenter'][["
og check-config -c "$SCRATCH/rules2.ini" > "$SCRATCH/cc-bad.out" 2>&1
check "rules: check-config refuses a costCenter that is not XPath (78, file and line)" \
	bash -c "test $? = 78 && grep -q '$R2/mine.xml:2: costCenter: its select is not valid XPath' '$SCRATCH/cc-bad.out'"
s=$(new_spool)
order CCX "BOLT:500:10.00" CC-1 > "$s/in/ccx.xml"                   # 5000.00 on a 1500.00 budget
og run -c "$SCRATCH/rules2.ini" --spool "$s" > /dev/null 2>&1
check "rules: ... and run refuses to start, the order left in in/" \
	bash -c "test $? = 78 && test -f '$s/in/ccx.xml' && test -z \"\$(find '$s/out' '$s/archive' -type f)\""
# a costCenter that is XPath but fails on this order: the order fails, it
# is not confirmed as one without a cost centre (past its budget)
budget_rules "og:add(extrinsics/extrinsic[@name='CostCenter'], 0)"
og run -c "$SCRATCH/rules2.ini" --spool "$s" > /dev/null 2>&1
why=$(ls "$s"/failed/*-ccx.xml.why 2>/dev/null)
check "rules: a costCenter failing on an order fails it at decide, naming the rules file and line" \
	bash -c "test -n '$why' && grep -qx 'error: costCenter ($R2/mine.xml:2): og:add: \"CC-1\" is not a decimal number.*' '$why' && ! ls '$s'/out/*/po/* 2>/dev/null"
check "rules: ... and its .why sends the operator to the rules file, not to maps/rules.xml" \
	bash -c "grep -q '^what to do: fix the rules file at the place the error names' '$why' && ! grep -q 'maps/rules.xml' '$why'"
cat > "$R2/mine.xml" <<'EOF2'
<rules>
  <line-rule id="why" test="true()"><reject reason="only {og:stock(supplierPartID} left"/></line-rule>
</rules>
EOF2
og check-config -c "$SCRATCH/rules2.ini" > "$SCRATCH/reason-bad.out" 2>&1
check "rules: check-config refuses a reason whose {xpath} is not XPath, quoting it" \
	bash -c "test $? = 78 && grep -q \"mine.xml:2: rule \\\"why\\\" its reason's {og:stock(supplierPartID} is not valid XPath\" '$SCRATCH/reason-bad.out'"
# interim status: a partner may ask to hear that its order is held
printf '[partner]\nname = patient\n[identity]\ncxml = NetworkID:BUYER-1\n[outbound]\ninterim = yes\n' > "$P/vip.ini"
s=$(new_spool)
order HELD "BOLT:300:10.00" > "$s/in/held.xml"
og run -c "$C" --spool "$s" > /dev/null 2>&1
st=$(ls "$s"/out/patient/status/*.xml 2>/dev/null | head -1)
check "interim: a held order's buyer gets a 201 status saying whom it waits for" \
	bash -c "grep -q 'code=\"201\"' '$st' && grep -q 'held for approval by manager' '$st'"
check "interim: valid cXML (StatusUpdateRequest)" dtd_valid "$st"
check "interim: still no confirmation until the decision" bash -c "! ls '$s'/out/patient/confirmation/ 2>/dev/null | grep -q ."
# the sample rules (samples/rules/) compare amounts only with limits in the
# order's currency: 1166 JPY (about 7 EUR) is not held as if it were 1166 EUR,
# and an order in a currency without limits waits for manager and finance
printf '[rules]\nfile = %s/samples/rules/rules.xml\n' "$ROOT" > "$SCRATCH/sample-rules.ini"
sample_decision() { og explain -c "$SCRATCH/sample-rules.ini" "$1" 2>&1 | grep '^decision'; }
CUR=JPY order SJ1 "TEA:2:583" > "$SCRATCH/sj1.xml"
CUR=JPY order SJ2 "TEA:2:90000" > "$SCRATCH/sj2.xml"
CUR=EUR order SE1 "TEA:1:1000.01" > "$SCRATCH/se1.xml"
CUR=EUR order SE2 "TEA:1:1000.00" > "$SCRATCH/se2.xml"
CUR=CHF order SC1 "TEA:1:10.00" > "$SCRATCH/sc1.xml"
check "sample rules: the JPY sample (1166 JPY) is approved, not held for a manager" \
	test "$(sample_decision "$ROOT/samples/cxml/jpy-test-mode.xml")" = "decision: accept (rule auto-approve)"
check "sample rules: 1166 JPY approved, 180000 JPY waits for the manager" \
	test "$(sample_decision "$SCRATCH/sj1.xml")/$(sample_decision "$SCRATCH/sj2.xml")" = "decision: accept (rule auto-approve)/decision: hold; waits for manager"
check "sample rules: EUR limits unchanged (1000.00 approved, 1000.01 held)" \
	test "$(sample_decision "$SCRATCH/se2.xml")/$(sample_decision "$SCRATCH/se1.xml")" = "decision: accept (rule auto-approve)/decision: hold; waits for manager"
check "sample rules: an order in a currency without limits waits for manager and finance" \
	test "$(sample_decision "$SCRATCH/sc1.xml")" = "decision: hold; waits for manager, then finance"
# catalogue prices per currency (the optional currency column, as for
# budgets): a price rule compares a line with the list price in the order's
# currency, or with a row without one, never yen with euros
conf ""
s=$(new_spool)
order GEUR "GEAR:1:11.00" > "$s/in/geur.xml"                     # 10.00 EUR + 5% < 11.00
CUR=JPY order GJPY "GEAR:1:900" > "$s/in/gjpy.xml"               # 1500 JPY listed: within
CUR=USD order GUSD "GEAR:1:900.00" > "$s/in/gusd.xml"            # not listed in USD
CUR=JPY order BJPY "BOLT:1:11" > "$s/in/bjpy.xml"                # a row without currency: any
og run -c "$C" --spool "$s" > /dev/null 2>&1
check "catalogue currency: 11.00 EUR against 10.00 EUR listed is rejected (over 5%)" \
	grep -q "price 11.00 over catalogue 10.00" "$s"/out/buyer-1/confirmation/*-GEUR.xml
check "catalogue currency: 900 JPY is compared with the JPY row (1500), not the EUR one: confirmed" \
	test "$(st GJPY state)/$(grep -c 'over catalogue' "$s"/out/buyer-1/confirmation/*-GJPY.xml)" = "confirmed/0"
check "catalogue currency: a part not listed in the order's currency has no list price: confirmed" \
	test "$(st GUSD state)/$(grep -c 'over catalogue' "$s"/out/buyer-1/confirmation/*-GUSD.xml)" = "confirmed/0"
check "catalogue currency: a row without a currency applies to every currency" \
	grep -q "price 11 over catalogue 10.00" "$s"/out/buyer-1/confirmation/*-BJPY.xml
og explain -c "$C" "$s"/archive/*/*/*/*-gjpy.xml > "$SCRATCH/gjpy-explain.out" 2>&1
check "catalogue currency: explain shows the JPY list price" \
	grep -q "og:catalog-price('GEAR') = '1500'" "$SCRATCH/gjpy-explain.out"

# stock and blocked are the part's, whatever the currency: rows of one part
# that disagree are refused at load (only one would be read); a value given
# on one row only is the part's (an empty cell says nothing)
mkdir -p "$SCRATCH/cat2"
sed 's/^GEAR,1500,100,no,JPY$/GEAR,1500,3,no,JPY/' "$R/catalog.csv" > "$SCRATCH/cat2/catalog.csv"
cp "$R/suppliers.csv" "$R/budgets.csv" "$R/rules.xml" "$SCRATCH/cat2/"
printf '[rules]\nfile = %s/cat2/rules.xml\n' "$SCRATCH" > "$SCRATCH/cat2.ini"
og check-config "$SCRATCH/cat2.ini" > "$SCRATCH/cat2.out" 2>&1
check "catalogue: two rows of one part saying stock 100 and 3 are refused at load (78), naming the part and both values" \
	bash -c "test $? = 78 && grep -q 'catalog.csv: part GEAR has rows saying stock \"100\" and \"3\"' '$SCRATCH/cat2.out'"
sed 's/^GEAR,10.00,100,no,EUR$/GEAR,10.00,,,EUR/; s/^GEAR,1500,100,no,JPY$/GEAR,1500,3,yes,JPY/' "$R/catalog.csv" > "$SCRATCH/cat2/catalog.csv"
printf '[pickup]\nquiet_seconds = 0\n[rules]\nfile = %s/cat2/rules.xml\n' "$SCRATCH" > "$SCRATCH/cat2.ini"
s=$(new_spool)
order GBLK "GEAR:1:10.00" > "$s/in/gblk.xml"
og run -c "$SCRATCH/cat2.ini" --spool "$s" > /dev/null 2>&1
check "catalogue: blocked stated on the part's second row only applies to an EUR order too (the first row's cell is empty)" \
	grep -q "part GEAR is blocked" "$s"/out/buyer-1/confirmation/*-GBLK.xml

# a held order keeps its payment card number in the ledger until released
# (its PO is written from that copy); released, only the last four remain
s=$(new_spool)
printf '<rules xmlns="urn:ordergate:rules:1">\n<rule id="any" test="true()"><require role="manager"/></rule>\n</rules>\n' > "$SCRATCH/pc-rules.xml"
printf '[pickup]\nquiet_seconds = 0\n[rules]\nfile = %s\n' "$SCRATCH/pc-rules.xml" > "$SCRATCH/pc.ini"
cp "$ROOT/tests/data/golden/hub-update-pcard/input.xml" "$s/in/pc.xml"
og run -c "$SCRATCH/pc.ini" --spool "$s" > /dev/null 2>&1
held=$(sqlite3 "$s/ledger.db" "SELECT state || '/' || (instr(canonical, '4111111111111111') > 0) FROM orders")
og approve "$(sqlite3 "$s/ledger.db" "SELECT document_id FROM orders")" --as manager -c "$SCRATCH/pc.ini" --spool "$s" > /dev/null 2>&1
og run -c "$SCRATCH/pc.ini" --spool "$s" > /dev/null 2>&1
check "payment card: held, the ledger keeps the number; approved, the PO carries it and the ledger only its last four digits" \
	test "$held|$(sqlite3 "$s/ledger.db" "SELECT state || '/' || (instr(canonical, '4111111111111111') > 0) || '/' || (instr(canonical, '************1111') > 0) FROM orders")|$(grep -ho 'PCard number="[0-9*]*"' "$s"/out*/*/po/*.xml)" = 'pending/1|confirmed/0/1|PCard number="4111111111111111"'

finish

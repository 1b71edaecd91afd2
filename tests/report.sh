#!/usr/bin/env bash
# The HTML report (ordergate report, src/report.c): a spool filled by real
# runs (the golden and corpus orders plus orders made here for holds,
# rejections and backorders, decided by approvers at fixed times), shipments
# and invoices put into the ledger by hand, then the page rendered in
# headless Chromium and its text checked section by section: spend per
# trading partner and month (exact money, test orders left out), volumes,
# approval cycle times, reasons, reconciliation per line. Also: one file,
# nothing loaded from the network, ledger text escaped, the empty ledger.
# Set REPORT_KEEP=DIR to keep the page and the screenshot.
. "$(dirname "$0")/lib.sh"

T0=1780000000 # 2026-05-28T20:26:40Z: every order arrives at T0
C="$SCRATCH/report.ini"
printf '[pickup]\nquiet_seconds = 0\n[rules]\nfile = %s/samples/rules/rules.xml\n' "$ROOT" > "$C"

# order ID BUYER DATE "part:qty:price ..." [SUPPLIER] [MODE]
order() {
	python3 - "$@" <<'PY'
import sys
oid, buyer, date, lines = sys.argv[1:5]
sup = sys.argv[5] if len(sys.argv) > 5 else "128293714"
mode = sys.argv[6] if len(sys.argv) > 6 else "production"
items = ""
for n, l in enumerate(lines.split(), 1):
    part, q, price = l.split(":")
    items += f'''<ItemOut quantity="{q}" lineNumber="{n}"><ItemID><SupplierPartID>{part}</SupplierPartID></ItemID>
<ItemDetail><UnitPrice><Money currency="EUR">{price}</Money></UnitPrice><Description xml:lang="en">{part}</Description>
<UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">44000000</Classification></ItemDetail></ItemOut>
'''
print(f'''<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="{oid}@{buyer}.example" timestamp="{date}T09:00:00+00:00">
<Header><From><Credential domain="NetworkID"><Identity>{buyer}</Identity></Credential></From>
<To><Credential domain="NetworkID"><Identity>{sup}</Identity></Credential></To>
<Sender><Credential domain="NetworkID"><Identity>{buyer}</Identity></Credential><UserAgent>t</UserAgent></Sender></Header>
<Request deploymentMode="{mode}"><OrderRequest><OrderRequestHeader orderID="{oid}" orderDate="{date}T09:00:00+00:00">
<Total><Money currency="EUR">0</Money></Total><BillTo><Address><Name xml:lang="en">Buyer</Name></Address></BillTo>
</OrderRequestHeader>{items}</OrderRequest></Request></cXML>''')
PY
}

# Renders a page in headless Chromium: dom FILE.html OUT.dom [screenshot.png]
CHROMIUM=""
chromium_flags() {
	echo --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$SCRATCH/chromium.XXXXXX")"
}
dom() {
	# shellcheck disable=SC2046
	timeout 120 "$CHROMIUM" $(chromium_flags) --dump-dom "file://$1" > "$2" 2>> "$SCRATCH/chromium.err"
}
shot() {
	# shellcheck disable=SC2046
	(cd "$SCRATCH" && timeout 120 "$CHROMIUM" $(chromium_flags) --hide-scrollbars \
		--window-size=1280,2000 --screenshot="$2" "file://$1" >> "$SCRATCH/chromium.err" 2>&1)
}
find_chromium() {
	local c
	for c in chromium chromium-browser; do
		command -v "$c" > /dev/null && { CHROMIUM=$(command -v "$c"); return 0; }
	done
	return 1
}
if ! find_chromium; then
	# Debian package chromium; install it when we may
	if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi
	{ $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium; } \
		> "$SCRATCH/apt.log" 2>&1
	find_chromium || true
fi

# The visible text of an element (by id) of a DOM dump, whitespace folded.
text_of() { # text_of DOM ID
	python3 - "$1" "$2" <<'PY'
import sys, html.parser
class P(html.parser.HTMLParser):
    def __init__(s, want):
        super().__init__(); s.want, s.depth, s.out = want, 0, []
    def handle_starttag(s, tag, attrs):
        if s.depth: s.depth += 1
        elif dict(attrs).get("id") == s.want: s.depth = 1
        if s.depth and tag in ("td", "th", "title", "text", "p", "h3", "li", "div"): s.out.append(" ")
    def handle_endtag(s, tag):
        if s.depth: s.depth -= 1
    def handle_data(s, d):
        if s.depth: s.out.append(d)
p = P(sys.argv[2]); p.feed(open(sys.argv[1], encoding="utf-8").read())
print(" ".join("".join(p.out).split()))
PY
}
has() { # has DOM ID "text" : the element's text contains text
	local t; t=$(text_of "$1" "$2")
	case "$t" in *"$3"*) return 0 ;; esac
	echo "  #$2 lacks \"$3\"; it reads: ${t:0:600}" >&2
	return 1
}

# --- the spool ---
s=$(new_spool)
cp "$ROOT"/tests/corpus/cxml/order/*.xml "$s/in/"
# (the golden cases include markup-in-text: mk-buyer, 30.00 EUR, confirmed,
# one line still to ship; the figures below count it)
for f in "$ROOT"/tests/data/golden/*/input.xml; do cp "$f" "$s/in/$(basename "$(dirname "$f")").xml"; done
order A1 ACME-BUYER 2026-03-10 "PEN-BLUE-10:10:8.99" > "$s/in/a1.xml"          # 89.90: confirmed
order A2 ACME-BUYER 2026-04-02 "CHAIR-ERGO:3:449.00" > "$s/in/a2.xml"          # 1347.00: manager; 2 backordered
order A3 ACME-BUYER 2026-05-05 "223-4511:8:1505.00" > "$s/in/a3.xml"           # 12040.00: manager, finance
order Z1 ZINC-BUYER 2026-04-20 "PEN-BLUE-10:5:8.99 QA-ACME-AUTOTEST:1:10.00" > "$s/in/z1.xml" # line 2 rejected
order Z2 ZINC-BUYER 2026-04-21 "PEN-BLUE-10:1:8.99" BLOCKED-SUPPLIER > "$s/in/z2.xml"      # rejected
order Z3 ZINC-BUYER 2026-05-11 "CHAIR-ERGO:1:449.00 5555:2:763.20" > "$s/in/z3.xml"        # 1975.40: declined
order T1 ACME-BUYER 2026-05-12 "CHAIR-ERGO:2:449.00" 128293714 test > "$s/in/t1.xml"       # test: left out
ORDERGATE_TIME=$T0 og run -c "$C" --spool "$s" > "$SCRATCH/run.out" 2>&1
check "setup: the run translated every order" grep -q "0 failed" "$SCRATCH/run.out"
decide() { # decide SECONDS-AFTER-T0 approve|reject ORDER ROLE [comment]
	local at=$((T0 + $1)) what=$2 ord=$3 role=$4
	shift 4
	ORDERGATE_TIME=$at og "$what" "$ord" --as "$role" --by tester ${1+--comment "$1"} \
		-c "$C" --spool "$s" >> "$SCRATCH/decide.out" 2>&1
}
decide 3600 approve A3 manager
decide 7200 approve A2 manager
decide 10800 reject Z3 manager '<script>alert("x")</script> & too pricey'
decide 18000 approve A3 finance
q() { sqlite3 "$s/ledger.db" "$1"; }
check "setup: the decided orders are released" \
	test "$(q "SELECT group_concat(order_id || '=' || state, ' ') FROM (SELECT * FROM orders WHERE order_id IN ('A1','A2','A3','Z1','Z2','Z3') ORDER BY order_id)")" \
	= "A1=confirmed A2=confirmed A3=confirmed Z1=confirmed Z2=rejected Z3=rejected"

# shipments and invoices, one row per line: ship ORDER LINE QTY / invoice ORDER LINE QTY
n_doc=0
ship() {
	n_doc=$((n_doc + 1))
	q "INSERT INTO shipments(document_id, order_ref, shipment_id, ship_date, created)
	     SELECT document_id, id, 'SH-$n_doc', '2026-06-01', '2026-06-01T08:00:00+00:00'
	     FROM orders WHERE order_id = '$1' AND mode = 'production';
	   INSERT INTO shipment_lines(shipment_ref, line_number, quantity_e4)
	     VALUES ((SELECT MAX(id) FROM shipments), $2, $3 * 10000);"
}
invoice() {
	n_doc=$((n_doc + 1))
	q "INSERT INTO invoices(order_ref, invoice_number, invoice_date, partner, mode, currency,
	     subtotal_e4, tax_e4, shipping_e4, discount_e4, net_e4, created)
	     SELECT id, 'INV-$n_doc', '2026-06-02', partner, mode, currency, 0, 0, 0, 0, 0,
	     '2026-06-02T08:00:00+00:00' FROM orders WHERE order_id = '$1' AND mode = 'production';
	   INSERT INTO invoice_lines(invoice_ref, line_number, quantity_e4, unit_price_e4, amount_e4, tax_e4)
	     VALUES ((SELECT MAX(id) FROM invoices), $2, $3 * 10000, 0, 0, 0);"
}
ship A1 1 10; invoice A1 1 6; invoice A1 1 4                   # matched (two invoices)
ship A2 1 1; invoice A2 1 1                                    # open: 1 of 3 shipped
ship A3 1 8; invoice A3 1 10                                   # over-invoiced
ship Z1 1 5; invoice Z1 1 3                                    # under-invoiced; line 2 rejected
ship 3309 1 1; ship 3309 1 1; invoice 3309 1 2                 # over-shipped (quantity 1); line 2 open
ship SB-1001 1 3; invoice SB-1001 1 3                          # matched
check "setup: shipments and invoices are in the ledger" \
	test "$(q "SELECT (SELECT COUNT(*) FROM shipment_lines) || '/' || (SELECT COUNT(*) FROM invoice_lines)")" = "7/7"
check "setup: quantities as expected" \
	test "$(q "SELECT group_concat(quantity_e4 / 10000, ' ') FROM (SELECT l.quantity_e4 FROM order_lines l JOIN orders o ON o.id = l.order_ref WHERE o.order_id IN ('3309', 'SB-1001') ORDER BY o.order_id, l.line_number)")" = "1 9 3"

# --- the page ---
page="$SCRATCH/report.html"
og report --help > "$SCRATCH/help.out"
check "cli: report --help names --out" grep -q -- "--out FILE" "$SCRATCH/help.out"
ORDERGATE_TIME=$((T0 + 36000)) og report --spool "$s" --out "$page" 2> "$SCRATCH/report.err"
check "cli: report writes the page (exit 0)" test $? = 0 -a -s "$page"
check "cli: no stray temporary file" test -z "$(find "$SCRATCH" -maxdepth 1 -name 'report.html?*')"
ORDERGATE_TIME=$((T0 + 36000)) og report --spool "$s" > "$SCRATCH/stdout.html" 2>> "$SCRATCH/report.err"
check "cli: without --out the page goes to stdout, the same" cmp -s "$page" "$SCRATCH/stdout.html"
og report --spool "$SCRATCH/nowhere" --out "$SCRATCH/nowhere.html" 2> "$SCRATCH/noledger.err"
check "cli: a spool that does not exist: exit 66 (as run), said so, no page" \
	bash -c "test $? = 66 && grep -q 'ordergate report: no spool at $SCRATCH/nowhere' '$SCRATCH/noledger.err' && ! ls '$SCRATCH'/nowhere.html* 2>/dev/null"

check "single file: no http:// or https:// anywhere" bash -c "! grep -qiE 'https?://' '$page'"
check "single file: no script, link, iframe, img, object, @import or url()" \
	bash -c "! grep -qiE '<(script|link|iframe|img|object|embed|image|use|foreignobject)[ >/]|@import|url\(|src=|href=' '$page'"
check "single file: a Content-Security-Policy that loads nothing" \
	grep -q "default-src 'none'" "$page"
check "escaped: the approver's comment is text, not markup" \
	bash -c "grep -qF '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; too pricey' '$page' && ! grep -qi '<script' '$page'"
check "money: no float artefacts (long decimals, e+)" bash -c "! grep -qE '[0-9]\.[0-9]{5,}&nbsp;|[0-9]e\+[0-9]' '$page'"

if [ -z "$CHROMIUM" ]; then
	echo "# skipped: the browser checks: chromium is not installed and could not be (apt-get install chromium)"
	[ -s "$SCRATCH/apt.log" ] && tail -3 "$SCRATCH/apt.log" | sed 's/^/#   /'
else
	d="$SCRATCH/report.dom"
	dom "$page" "$d"
	check "browser: Chromium renders the page" grep -q "ordergate report" "$d"
	check "browser: the title" grep -q "<title>ordergate report</title>" "$d"
	check "browser: no script element in the DOM" bash -c "! grep -qi '<script' '$d'"
	check "header: the generated time" has "$d" generated "2026-05-29T06:26:40+00:00"
	check "header: test orders are left out, and it says how many" \
		has "$d" scope "Only production orders are counted: 4 test-mode orders are left out."
	check "summary: 12 production orders" has "$d" summary "12 orders"
	check "summary: by state" has "$d" summary "7 confirmed 0 approved 3 pending 2 rejected 0 declined"
	# spend: confirmed or approved, exact, per currency, test order T1 (898.00 for ACME) left out
	check "spend/partner: EUR total" has "$d" spend-partner "EUR · total 13,551.85 EUR in 5 orders"
	check "spend/partner: acme-buyer, exact, without the test order" \
		has "$d" spend-partner "acme-buyer: 13,476.90 EUR in 3 orders"
	check "spend/partner: zinc-buyer only its confirmed order, without its rejected line (as export spend)" has "$d" spend-partner "zinc-buyer: 44.95 EUR in 1 order"
	check "spend/partner: USD apart, never summed with EUR" has "$d" spend-partner "USD · total 118.68 USD in 2 orders"
	check "spend/partner: labelled as trading partner" has "$d" spend-partner "Trading partner"
	check "spend/month: EUR months" \
		has "$d" spend-month "2026-03: 89.90 EUR in 1 order 89.90 EUR 2026-03 2026-04: 1,391.95 EUR in 2 orders"
	check "spend/month: May without the test order" has "$d" spend-month "2026-05: 12,040.00 EUR in 1 order"
	check "spend/month: USD months" has "$d" spend-month "2020-03: 91.71 USD in 1 order"
	check "volumes: acme-buyer 3 confirmed" has "$d" volumes "acme-buyer 3 3 0 0 0 0"
	check "volumes: zinc-buyer 1 confirmed, 2 rejected" has "$d" volumes "zinc-buyer 3 1 0 0 2 0"
	check "volumes: dell pending" has "$d" volumes "dell 1 0 0 1 0 0"
	check "volumes: no test-only partner" bash -c "! grep -q 'jp-buyer' '$d'"
	check "cycle: 3 decided, median 3.0 h, max 5.0 h" has "$d" cycle "all decided 3 3.0 h 5.0 h"
	check "cycle: approved median of 2 h and 5 h" has "$d" cycle "approved 2 3.5 h 5.0 h"
	check "cycle: declined" has "$d" cycle "declined by an approver 1 3.0 h 3.0 h"
	check "cycle: per role, finance waited after the manager" has "$d" cycle "finance 1 4.0 h 4.0 h"
	check "cycle: per role, manager" has "$d" cycle "manager 3 2.0 h 3.0 h"
	check "cycle: what waits now" has "$d" waiting "Waiting now: 3 orders, the oldest for 10.0 h."
	check "reasons: the rejected order's rule message" \
		has "$d" reasons-orders "orders to supplier BLOCKED-SUPPLIER are blocked: unpaid invoices under dispute 1"
	check "reasons: the approver's comment, as text" \
		has "$d" reasons-orders '<script>alert("x")</script> & too pricey 1'
	check "reasons: rejected line" has "$d" reasons-rejected "part QA-ACME-AUTOTEST is blocked 1"
	check "reasons: backordered line, the test order's not counted" \
		has "$d" reasons-backordered "only 1 in stock 1"
	check "recon: matched" has "$d" recon-matched "matched 2"
	check "recon: open" has "$d" recon-open "open 3"
	check "recon: under-invoiced" has "$d" recon-under-invoiced "under-invoiced 1"
	check "recon: over-shipped" has "$d" recon-over-shipped "over-shipped 1"
	check "recon: over-invoiced" has "$d" recon-over-invoiced "over-invoiced 1"
	check "recon: rejected (the line, and the lines of rejected orders)" has "$d" recon-rejected "rejected 4"
	check "recon: awaiting approval" has "$d" recon-awaiting "awaiting approval 6"
	check "recon: the lines to look at, with quantities" \
		has "$d" recon-exceptions "3309 kasdflkjasdf 1 product:1861 1 EA 1 2 2 over-shipped"
	check "recon: under-invoiced line listed" has "$d" recon-exceptions "Z1 zinc-buyer 1 PEN-BLUE-10 5 EA 5 5 3 under-invoiced"
	check "recon: over-invoiced line listed" has "$d" recon-exceptions "A3 acme-buyer 1 223-4511 8 EA 8 8 10 over-invoiced"
	png="$SCRATCH/report.png"
	shot "$page" "$png"
	check "screenshot: a 1280x2000 PNG" python3 -c "
import struct, sys
b = open('$png', 'rb').read()
sys.exit(not (b[:8] == b'\x89PNG\r\n\x1a\n' and struct.unpack('>II', b[16:24]) == (1280, 2000) and len(b) > 20000))"
	if [ -n "${REPORT_KEEP:-}" ]; then
		mkdir -p "$REPORT_KEEP" && cp "$page" "$png" "$d" "$REPORT_KEEP/"
	fi

	# the empty ledger, and one with test orders only
	e=$(new_spool)
	og run --spool "$e" > /dev/null 2>&1
	og report --spool "$e" --out "$SCRATCH/empty.html"
	dom "$SCRATCH/empty.html" "$SCRATCH/empty.dom"
	check "empty ledger: says no orders yet" has "$SCRATCH/empty.dom" empty "No orders yet."
	check "empty ledger: no sections" bash -c "! grep -q 'id=\"spend-partner\"' '$SCRATCH/empty.dom'"
	shot "$SCRATCH/empty.html" "$SCRATCH/empty.png"
	[ -n "${REPORT_KEEP:-}" ] && cp "$SCRATCH/empty.png" "$REPORT_KEEP/"
	t=$(new_spool)
	order T9 ACME-BUYER 2026-05-12 "PEN-BLUE-10:1:8.99" 128293714 test > "$t/in/t9.xml"
	og run -c "$C" --spool "$t" > /dev/null 2>&1
	og report --spool "$t" --out "$SCRATCH/test-only.html"
	dom "$SCRATCH/test-only.html" "$SCRATCH/test-only.dom"
	check "test orders only: no production orders yet, 1 left out" \
		bash -c "grep -q 'No production orders yet.' '$SCRATCH/test-only.dom' && grep -q '1 test-mode order is left out' '$SCRATCH/test-only.dom'"
	# an order that expired after its first approver approved was not
	# approved: counted with the expired, not in the cycle times
	s=$(new_spool)
	order X1 ACME-BUYER 2026-05-05 "223-4511:8:1505.00" > "$s/in/x1.xml"   # manager, finance
	order X2 ACME-BUYER 2026-05-05 "223-4511:8:1505.00" > "$s/in/x2.xml"
	ORDERGATE_TIME=$T0 og run -c "$C" --spool "$s" > /dev/null 2>&1
	decide 3600 approve X1 manager
	decide 7200 approve X2 manager
	decide 10800 approve X2 finance
	ORDERGATE_TIME=$((T0 + 15 * 86400)) og run -c "$C" --spool "$s" > /dev/null 2>&1
	og report --spool "$s" --out "$SCRATCH/expired.html"
	dom "$SCRATCH/expired.html" "$SCRATCH/expired.dom"
	check "cycle: an order expired after one approval is not counted as approved" \
		has "$SCRATCH/expired.dom" cycle "all decided 1 3.0 h 3.0 h approved 1 3.0 h 3.0 h declined by an approver 0"
	check "cycle: ... but with the expired" \
		has "$SCRATCH/expired.dom" cycle "1 order declined without an approver's rejection (not approved in time) is not counted."
fi
finish

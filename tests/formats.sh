#!/usr/bin/env bash
# Formats and partners: OAGIS orders through the engine (outputs validated
# against the OAGIS 10.4 XSDs), round trips between cXML and OAGIS that keep
# every canonical field, and partner profiles (identities, SharedSecret,
# accepted formats and order types, test mode, outbound format per kind).
. "$(dirname "$0")/lib.sh"
GOLDEN="$ROOT/tests/data/golden"
OAGIS="$ROOT/tests/data/oagis"
XSD="$ROOT/xslt/schemas/oagis-10.4"
count() { find "$@" -type f 2>/dev/null | wc -l; }
xsd_valid() { xmllint --noout --nonet --schema "$XSD/$1" "$2" 2>"$SCRATCH/xsd.err" || { cat "$SCRATCH/xsd.err" >&2; return 1; }; }
printf '[pickup]\nquiet_seconds = 0\n' > "$SCRATCH/fast.ini"
export ORDERGATE_TIME=1767225600

# --- OAGIS in, OAGIS out ----------------------------------------------------------
s=$(new_spool)
cp "$OAGIS"/po-*.xml "$s/in/"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/oag.out" 2> "$SCRATCH/oag.err"
check "oagis: the four well-formed orders translated; the cancellation of an order never received refused" \
	bash -c "grep -q '6 documents in .*: 4 translated, 0 duplicates, 2 failed' '$SCRATCH/oag.out' && grep -q 'cancellation of order HUB-PO-9001: no earlier order .* so there is nothing to cancel' '$s'/failed/*-po-extensions.xml.why"
check "oagis: a total written with a thousands separator is refused, not guessed" \
	grep -q '/order/total: "1,018.40" is not a decimal number' "$s"/failed/*-po-oagis9.xml.why
for f in $(find "$s/out" "$s/out-test" -path '*/po/*' | sort); do
	check "oagis: ${f#"$s"/} valid against ProcessPurchaseOrder.xsd" xsd_valid ProcessPurchaseOrder.xsd "$f"
done
for f in $(find "$s/out" "$s/out-test" -path '*/confirmation/*' | sort); do
	check "oagis: ${f#"$s"/} valid against AcknowledgePurchaseOrder.xsd" xsd_valid AcknowledgePurchaseOrder.xsd "$f"
done
check "oagis: the acknowledgement says Accepted and echoes the BODID" \
	bash -c "grep -q 'actionCode=\"Accepted\"' $(find "$s/out" -path '*/confirmation/*' | head -1)"
check "oagis: systemEnvironmentCode Test goes to out-test/" test "$(count "$s/out-test")" -ge 2
check "oagis: invariants hold" spool_invariants "$s"
# an OAGIS BOD without a BODID, or a BODID again with other content: the
# reason names the BODID (it said payloadID, a cXML word) and what to send
sed 's#<BODID>ACME-BOD-0001</BODID>##; s/PO-1001/NOBOD-1/' "$OAGIS/po-simple.xml" > "$s/in/nobod.xml"
sed 's#unitCode="EA">10<#unitCode="EA">11<#' "$OAGIS/po-simple.xml" > "$s/in/rebod.xml"
og run -c "$SCRATCH/fast.ini" --spool "$s" > /dev/null 2>&1
check "oagis: a BOD without a BODID is refused naming ApplicationArea/BODID" \
	bash -c "grep -q '^error: the document has no BODID (ApplicationArea/BODID), so duplicates could not be recognised' '$s'/failed/*-nobod.xml.why && grep -q '^what to do: ask the sender to give every BOD a BODID' '$s'/failed/*-nobod.xml.why"
check "oagis: a BODID again with other content is refused naming the BODID and a Change" \
	bash -c "grep -q '^error: BODID \"ACME-BOD-0001\" from .* was already received as document' '$s'/failed/*-rebod.xml.why && grep -q 'actionCode=\"Change\" for changes' '$s'/failed/*-rebod.xml.why"

# --- money in the currency's decimals, in every outbound document ---------------
# JPY has none, BHD three: the canonical order (and so every PO and
# confirmation) states a price with at least the currency's decimals, more
# where the price has more (333.4 JPY, 0.0125 BHD). It said 333.00 JPY and
# 1.20 BHD: two decimals whatever the currency.
s=$(new_spool)
cp "$GOLDEN/jpy-rounding/input.xml" "$s/in/jpy.xml"
sed 's/20200925.153043.77/bhd-1/; s/orderID="SB-1001"/orderID="BHD-1"/; s/currency="[uU][sS][dD]"/currency="BHD"/g; s/>26.97</>3.6</; s/>8.99</>1.2</' \
	"$GOLDEN/plain-no-doctype/input.xml" | python3 -c "
import sys
src = sys.stdin.read()
a = src.index('<ItemOut'); b = src.index('</ItemOut>') + len('</ItemOut>')
two = src[a:b].replace('lineNumber=\"1\"', 'lineNumber=\"2\"').replace('>1.2<', '>0.0125<').replace('quantity=\"3\"', 'quantity=\"4\"')
sys.stdout.write(src[:b] + two + src[b:])" > "$SCRATCH/money-bhd.xml"
cp "$SCRATCH/money-bhd.xml" "$s/in/bhd.xml"
sed 's/currencyCode="USD"/currencyCode="JPY"/g; s/>23.45</>2345</; s/>25.00</>2500</; s/>234.50</>23450</; s/>1234.50</>123450</' \
	"$OAGIS/po-simple.xml" > "$s/in/oagis-jpy.xml"
sed 's/currencyCode="USD"/currencyCode="BHD"/g; s/<ID>PO-1001</<ID>PO-1002</; s/<BODID>[^<]*</<BODID>oagis-bhd</' \
	"$OAGIS/po-simple.xml" > "$s/in/oagis-bhd.xml"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/money.out" 2> "$SCRATCH/money.err"
check "money: the four JPY and BHD orders translated" grep -q "4 documents in .*: 4 translated, 0 duplicates, 0 failed" "$SCRATCH/money.out"
check "money: cXML PO in JPY: unit prices 333 and 333.4 (not 333.00, 333.40), total 1166" \
	bash -c "f=\$(grep -l JP-0001 '$s'/out*/*/po/*.xml) && grep -c '<Money currency=\"JPY\">333</Money>' \$f | grep -qx 1 && grep -q '<Money currency=\"JPY\">333.4</Money>' \$f && grep -q '<Money currency=\"JPY\">1166</Money>' \$f && ! grep -q 'JPY\">[0-9]*\.[0-9]0<' \$f"
check "money: cXML confirmation in JPY: Total 1166" \
	bash -c "grep -q '<Money currency=\"JPY\">1166</Money>' \$(grep -l JP-0001 '$s'/out*/*/confirmation/*.xml)"
check "money: cXML PO in BHD: unit prices 1.200 and 0.0125 (not 1.20), total 3.650" \
	bash -c "f=\$(grep -l BHD-1 '$s'/out*/*/po/*.xml) && grep -q '<Money currency=\"BHD\">1.200</Money>' \$f && grep -q '<Money currency=\"BHD\">0.0125</Money>' \$f && grep -q '<Money currency=\"BHD\">3.650</Money>' \$f"
check "money: cXML confirmation in BHD: Total 3.650" \
	bash -c "grep -q '<Money currency=\"BHD\">3.650</Money>' \$(grep -l BHD-1 '$s'/out*/*/confirmation/*.xml)"
check "money: the BHD order's stated total 3.6 is 3.600 in the ledger's canonical copy" \
	bash -c "sqlite3 '$s/ledger.db' \"SELECT canonical FROM orders WHERE order_id='BHD-1'\" | grep -q '<total>3.600</total>'"
check "money: OAGIS PO and acknowledgement in JPY: ChargeAmount 2345 and 2500 (not 2345.00)" \
	bash -c "for f in \$(grep -l 'currencyCode=\"JPY\"' '$s'/out*/*/po/*.xml '$s'/out*/*/confirmation/*.xml); do grep -q '<ChargeAmount currencyCode=\"JPY\">2345</ChargeAmount>' \$f && grep -q '<ChargeAmount currencyCode=\"JPY\">2500</ChargeAmount>' \$f || exit 1; n=\$((\${n:-0} + 1)); done; test \"\$n\" = 2"
check "money: OAGIS PO and acknowledgement in BHD: ChargeAmount 23.450 and 25.000 (not 23.45)" \
	bash -c "for f in \$(grep -l 'currencyCode=\"BHD\"' '$s'/out*/*/po/*.xml '$s'/out*/*/confirmation/*.xml); do grep -q '<ChargeAmount currencyCode=\"BHD\">23.450</ChargeAmount>' \$f && grep -q '<ChargeAmount currencyCode=\"BHD\">25.000</ChargeAmount>' \$f || exit 1; n=\$((\${n:-0} + 1)); done; test \"\$n\" = 2"
for f in $(grep -l 'currencyCode="\(JPY\|BHD\)"' "$s"/out*/*/po/*.xml); do
	check "money: ${f#"$s"/} valid against ProcessPurchaseOrder.xsd" xsd_valid ProcessPurchaseOrder.xsd "$f"
done
for f in $(grep -L ProcessPurchaseOrder "$s"/out*/*/po/*.xml); do
	check "money: ${f#"$s"/} is valid cXML" dtd_valid "$f"
done
og translate -f csv -o "$SCRATCH/money-csv" "$SCRATCH/money-bhd.xml" > /dev/null 2>&1
check "money: CSV PO in BHD: unitPrice 1.200 and amount 3.600; 0.0125 and 0.050" \
	bash -c "grep -q ',BHD,1,.*,1.200,3.600,' '$SCRATCH/money-csv/po.xml' && grep -q ',BHD,2,.*,0.0125,0.050,' '$SCRATCH/money-csv/po.xml'"
check "money: invariants hold" spool_invariants "$s"

# --- requested delivery dates: what each format's type allows --------------------
# cXML types OrderRequestHeader/@requestedDeliveryDate as %datetime.tz ("Time
# zone is required") but ItemOut/@requestedDeliveryDate as %date; OAGIS
# DateTimeType admits a date alone. A date-only header date goes out as 00:00
# in [engine] assume_timezone, flagged like the order date (it went out as
# "2020-10-05", not the declared type); an item's stays a date.
printf '[pickup]\nquiet_seconds = 0\n[engine]\nassume_timezone = +02:00\n' > "$SCRATCH/tz.ini"
s=$(new_spool)
sed 's/type="new">/type="new" requestedDeliveryDate="2020-10-05">/' "$GOLDEN/plain-no-doctype/input.xml" > "$SCRATCH/rdd.xml"
cp "$SCRATCH/rdd.xml" "$s/in/"
og run -c "$SCRATCH/tz.ini" --spool "$s" > /dev/null 2> "$SCRATCH/rdd.err"
f=$(ls "$s"/out/*/po/*-SB-1001.xml 2>/dev/null | head -1)
check "delivery date: a date-only header date goes out in the cXML PO as 2020-10-05T00:00:00+02:00" \
	test "$(xmllint --nonet --xpath 'string(//OrderRequestHeader/@requestedDeliveryDate)' "${f:-/nonexistent}" 2>/dev/null)" = 2020-10-05T00:00:00+02:00
check "delivery date: ... the item's stays the date 2020-10-01 (%date)" \
	test "$(xmllint --nonet --xpath 'string(//ItemOut/@requestedDeliveryDate)' "${f:-/nonexistent}" 2>/dev/null)" = 2020-10-01
check "delivery date: ... the PO is valid cXML" dtd_valid "$f"
check "delivery date: ... and the zone-assumed warning names it" \
	grep -q 'warning: zone-assumed: .*/order/requestedDeliveryDate "2020-10-05"' "$SCRATCH/rdd.err"
og translate -c "$SCRATCH/tz.ini" -f oagis -o "$SCRATCH/rdd-oagis" "$SCRATCH/rdd.xml" > /dev/null 2>&1
check "delivery date: the OAGIS PO says 2020-10-05T00:00:00+02:00 (header) and 2020-10-01 (line), valid" \
	bash -c "grep -q '<DateTime typeCode=\"RequiredDeliveryDateTime\">2020-10-05T00:00:00+02:00</DateTime>' '$SCRATCH/rdd-oagis/po.xml' && grep -q '<RequiredDeliveryDateTime>2020-10-01</RequiredDeliveryDateTime>' '$SCRATCH/rdd-oagis/po.xml' && xmllint --noout --nonet --schema '$XSD/ProcessPurchaseOrder.xsd' '$SCRATCH/rdd-oagis/po.xml' 2>/dev/null"
check "delivery date: invariants hold" spool_invariants "$s"

# --- round trips: cXML and OAGIS, every pair -----------------------------------------
cmp_xsl="$ROOT/tests/data/roundtrip-compare.xsl"
for src in "$GOLDEN/hub-update-pcard/input.xml" "$GOLDEN/plain-no-doctype/input.xml" \
	   "$ROOT/tests/corpus/cxml/order/officeluv-order.xml" "$ROOT/tests/corpus/cxml/order/cxmlphp-sample-order.xml" \
	   "$OAGIS/po-simple.xml" "$OAGIS/po-line-shipto.xml" "$OAGIS/po-test-change.xml"; do
	b=$(basename "$src" .xml)
	og translate "$src" > "$SCRATCH/$b.c1.xml" 2>/dev/null || { not_ok "roundtrip $b: translate"; continue; }
	for via in cxml oagis; do
		og translate -f "$via" -o "$SCRATCH/$b.$via" "$src" > /dev/null 2>&1 &&
			og translate "$SCRATCH/$b.$via/po.xml" > "$SCRATCH/$b.$via.c2.xml" 2>/dev/null
		if [ $? != 0 ]; then not_ok "roundtrip $b via $via: the written PO does not translate back"; continue; fi
		xsltproc --stringparam via "$via" "$cmp_xsl" "$SCRATCH/$b.c1.xml" > "$SCRATCH/a.xml"
		xsltproc --stringparam via "$via" "$cmp_xsl" "$SCRATCH/$b.$via.c2.xml" > "$SCRATCH/b.xml"
		if diff -u "$SCRATCH/a.xml" "$SCRATCH/b.xml" > "$SCRATCH/rt.diff"; then
			ok "roundtrip $b -> $via -> canonical keeps every field"
		else
			not_ok "roundtrip $b -> $via -> canonical lost:"; head -30 "$SCRATCH/rt.diff"
		fi
	done
done

# --- CSV: detection by header, a bad row fails only its order, inbox binding ----
s=$(new_spool)
cp "$ROOT"/tests/data/csv/sap-b1-two-orders.csv "$ROOT"/tests/data/csv/sap-b1-malformed.csv \
	"$ROOT"/tests/data/csv/erp-export-cp1252.csv "$s/in/"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/csv.out" 2> "$SCRATCH/csv.err"
check "csv: five orders from three files (one bad row)" grep -q "6 documents in .*: 5 translated, 0 duplicates, 1 failed" "$SCRATCH/csv.out"
check "csv: the bad row fails only its order, naming file, row and column" \
	grep -q 'sap-b1-malformed.csv: row 4, column 7 (OrderedQty)' "$s"/failed/*-sap-b1-malformed.csv_410101.why
check "csv: the other order of that file went through" test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders WHERE order_id='410102'")" = 1
check "csv: Windows-1252, decimal comma and quoted fields read exactly" \
	test "$(sqlite3 "$s/ledger.db" "SELECT unit_price_e4 || '|' || description FROM order_lines l JOIN orders o ON o.id = l.order_ref WHERE o.order_id = '4500012345' AND line_number = 1")" = '12345000|Schraube "M8" verzinkt'
check "csv: CSV orders are answered in CSV" test "$(count "$s/out/example-erp" -name '*.csv')" = 4
check "csv: formula cells are neutralised in CSV outputs" grep -q "'=HYPERLINK" "$s"/out/example-erp/po/*4500012345.csv
cp "$ROOT"/tests/data/csv/sap-b1-two-orders.csv "$s/in/again.csv"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/csv2.out" 2>&1
check "csv: the same file under another name: its orders are duplicates" grep -q "2 documents in .*: 0 translated, 2 duplicates" "$SCRATCH/csv2.out"
check "csv: invariants hold" spool_invariants "$s"
# the same CSV files zipped, and gzipped: their orders are the archive's members
s=$(new_spool)
mkdir -p "$SCRATCH/csvzip"
cp "$ROOT"/tests/data/csv/sap-b1-two-orders.csv "$ROOT"/tests/data/csv/sap-b1-malformed.csv "$SCRATCH/csvzip/"
(cd "$SCRATCH/csvzip" && zip -q "$s/in/csv.zip" sap-b1-two-orders.csv sap-b1-malformed.csv)
gzip -c "$ROOT"/tests/data/csv/erp-export-cp1252.csv > "$s/in/erp.csv.gz"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/csvz.out" 2> "$SCRATCH/csvz.err"
check "csv in a zip and gzipped: the same five orders and one bad row" \
	grep -q "6 documents in .*: 5 translated, 0 duplicates, 1 failed" "$SCRATCH/csvz.out"
check "csv in a zip: the bad row fails only its order, naming member, row and column" \
	grep -q 'csv.zip/sap-b1-malformed.csv: row 4, column 7 (OrderedQty)' "$s"/failed/*.why
check "csv gzipped: Windows-1252 read exactly, the file archived as sent" \
	bash -c "test \"\$(sqlite3 '$s/ledger.db' \"SELECT description FROM order_lines l JOIN orders o ON o.id = l.order_ref WHERE o.order_id = '4500012345' AND line_number = 1\")\" = 'Schraube \"M8\" verzinkt' && cmp -s '$s'/archive/*/*/*/*-erp.csv.gz <(gzip -c '$ROOT/tests/data/csv/erp-export-cp1252.csv')"
check "csv in archives: invariants hold" spool_invariants "$s"
# an inbox bound to a map that has no header signature
data="$SCRATCH/data"; mkdir -p "$data/maps/csv"
ln -s "$ROOT/xslt" "$data/xslt"; cp "$ROOT"/maps/csv/*.ini "$ROOT"/tests/data/csv/maps/*.ini "$data/maps/csv/"
s=$(new_spool); mkdir -p "$s/latin1"
cp "$ROOT"/tests/data/csv/latin1-orders.csv "$s/latin1/"
printf '[pickup]\nquiet_seconds = 0\n[engine]\ndata_dir = %s\n[inbox latin1]\ndir = %s/latin1\npartner = kunde\nformat = csv:latin1-tab\n' "$data" "$s" > "$SCRATCH/bind.ini"
og run -c "$SCRATCH/bind.ini" --spool "$s" > "$SCRATCH/bind.out" 2>&1
check "csv: an inbox bound to a map reads ISO-8859-1 without a header" \
	bash -c "grep -q 'translated, 0 duplicates, 0 failed' '$SCRATCH/bind.out' && test -n \"\$(ls '$s'/out/kunde/po/ 2>/dev/null)\""
# round trips through CSV keep what the CSV layout carries
for src in "$GOLDEN/hub-update-pcard/input.xml" "$OAGIS/po-simple.xml" "$ROOT/tests/data/csv/sap-b1-two-orders.csv"; do
	b=$(basename "$src"); d="$SCRATCH/csvrt-$b"
	og translate -f csv -o "$d" "$src" > /dev/null 2>&1
	po=$(find "$d" -name po.xml | sort | head -1)
	first=$(og translate "$src" 2>/dev/null | sed -n '1,/<\/order>/p')
	cp "$po" "$d/po.csv"
	second=$(og translate "$d/po.csv" 2>/dev/null | sed -n '/^<?xml/,/<\/order>/p')
	a=$(echo "$first" | xsltproc "$ROOT/tests/data/csv-subset.xsl" - 2>/dev/null)
	b2=$(echo "$second" | xsltproc "$ROOT/tests/data/csv-subset.xsl" - 2>/dev/null)
	if [ -n "$a" ] && [ "$a" = "$b2" ]; then ok "roundtrip $b -> csv -> canonical keeps the CSV layout's fields"
	else not_ok "roundtrip $b -> csv: '$a' vs '$b2'"; fi
done

# --- partner profiles --------------------------------------------------------------
P="$SCRATCH/partners"; mkdir -p "$P"
cat > "$P/small-buyer.ini" <<'INI'
[partner]
name = small-buyer
inbound = cxml
order_types = new
[identity]
cxml = NetworkId:AN01000000001
shared_secret = not-in-any-output
[outbound]
po = oagis
confirmation = cxml
INI
cat > "$P/zinc.ini" <<'INI'
[partner]
name = zinc
mode = test
[identity]
cxml = DUNS:123456789
INI
cat > "$P/acme-erp.ini" <<'INI'
[partner]
name = acme
inbound = oagis
[identity]
oagis = ACME-ERP-PROD
[outbound]
po = none
confirmation = cxml
INI
printf '[pickup]\nquiet_seconds = 0\n[partners]\ndir = %s\n' "$P" > "$SCRATCH/partners.ini"
og check-config "$SCRATCH/partners.ini" > "$SCRATCH/cc.out" 2>&1
check "partners: check-config reads the profiles" grep -q "configuration OK" "$SCRATCH/cc.out"
s=$(new_spool)
cp "$GOLDEN/plain-no-doctype/input.xml" "$s/in/good.xml"                         # small-buyer, right secret
sed 's/not-in-any-output/wrong-secret-123/; s/20200925.153043.77/bad-secret/' "$GOLDEN/plain-no-doctype/input.xml" > "$s/in/badsecret.xml"
sed 's/<SharedSecret>not-in-any-output<\/SharedSecret>//; s/20200925.153043.77/no-secret/' "$GOLDEN/plain-no-doctype/input.xml" > "$s/in/nosecret.xml"
sed 's/type="new"/type="update"/; s/20200925.153043.77/upd/' "$GOLDEN/plain-no-doctype/input.xml" > "$s/in/update.xml"
cp "$GOLDEN/hub-update-pcard/input.xml" "$s/in/zinc.xml"                           # zinc: test mode partner
cp "$ROOT/tests/corpus/cxml/order/officeluv-order.xml" "$s/in/stranger.xml"          # no profile
cp "$OAGIS/po-simple.xml" "$s/in/acme.xml"                                            # acme, OAGIS
og run -c "$SCRATCH/partners.ini" --spool "$s" > "$SCRATCH/pt.out" 2> "$SCRATCH/pt.err"
check "partners: exit 1 (refused documents)" test $? = 1
check "partners: the known sender with the right secret went through, PO as OAGIS" \
	bash -c "ls '$s'/out/small-buyer/po/*.xml >/dev/null 2>&1 && grep -q ProcessPurchaseOrder '$s'/out/small-buyer/po/*.xml"
check "partners: ... and its confirmation as cXML" grep -q ConfirmationRequest "$s"/out/small-buyer/confirmation/*.xml
why() { cat "$s"/failed/*-"$1".why; }
check "partners: a wrong SharedSecret is refused (401) without showing it" \
	bash -c "grep -q 'SharedSecret sent for partner small-buyer does not match' '$s'/failed/*-badsecret.xml.why && grep -q 'code=\"401\"' '$s'/out/small-buyer/response/*-document.xml"
check "partners: a missing SharedSecret is refused" grep -q "SharedSecret sent for partner small-buyer is missing" "$s"/failed/*-nosecret.xml.why
check "partners: an order type the partner does not send is refused (403)" \
	bash -c "grep -q 'accepts order types new only, not \"update\"' '$s'/failed/*-update.xml.why"
check "partners: an unknown sender is refused (401) once profiles exist" grep -q "unknown sender" "$s"/failed/*-stranger.xml.why
check "partners: ... naming the configured partners folder ([partners] dir), not maps/partners" \
	bash -c "grep -q '^error: unknown sender .*: no partner profile in $P names it' '$s'/failed/*-stranger.xml.why &&
		grep -q '^what to do: check the partner profile in $P (identities' '$s'/failed/*-stranger.xml.why &&
		! grep -q 'maps/partners' '$s'/failed/*-stranger.xml.why"
check "partners: the unknown sender gets a cXML Response too" grep -q 'code="401"' "$s"/out/kasdflkjasdf/response/*.xml
check "partners: a test-mode partner's production order goes to out-test/" test "$(count "$s/out-test/zinc")" = 2
check "partners: po = none writes no PO; the confirmation as cXML" \
	bash -c "test ! -d '$s/out/acme/po' && grep -q ConfirmationRequest '$s'/out/acme/confirmation/*.xml"
for f in $(find "$s/out" -path '*/response/*'); do
	check "partners: ${f#"$s"/} is valid cXML" dtd_valid "$f"
done
check "partners: the secrets appear in no output, reason, log or ledger" \
	bash -c "! grep -rq -e not-in-any-output -e wrong-secret-123 '$s/out' '$s/out-test' '$s/failed'/*.why '$SCRATCH/pt.err' '$SCRATCH/pt.out' && ! sqlite3 '$s/ledger.db' .dump | grep -q -e not-in-any-output -e wrong-secret-123"
check "partners: the payment card number goes to the supplier in the PO, and the ledger keeps only its last four digits" \
	bash -c "grep -q 'PCard number=\"4111111111111111\"' '$s'/out-test/zinc/po/*.xml && ! sqlite3 '$s/ledger.db' .dump | grep -q 4111111111111111 && test \"\$(sqlite3 '$s/ledger.db' \"SELECT COUNT(*) FROM orders WHERE canonical LIKE '%<pcard number=_************1111_%'\")\" = 1"
check "partners: invariants hold" spool_invariants "$s"
# a CSV order or shipment feed names no sender: with profiles, it must come
# through its partner's inbox, and the refusal says so and how to bind one
s=$(new_spool); mkdir -p "$s/zinc-up"
cp "$ROOT"/tests/data/csv/sap-b1-two-orders.csv "$s/in/orders.csv"
printf 'order,line,shipped,ship_date,carrier,tracking,shipment\n410021,1,1,2026-06-01,DHL,1Z,S-1\n' > "$s/in/feed.csv"
og run -c "$SCRATCH/partners.ini" --spool "$s" > /dev/null 2>&1
for f in orders.csv_410021 feed.csv_410021; do
	check "partners: a CSV file ($f) in in/ is refused saying a CSV must come through its partner's inbox" \
		bash -c "grep -q \"^error: unknown sender: a CSV file names no sender, and with partner profiles in $P every sender must be known: a CSV order or shipment feed must come through its partner's inbox\$\" '$s'/failed/*-$f.why &&
			grep -q '^what to do: have the partner upload it to an inbox bound to its profile: in the configuration, \[inbox NAME\] with dir = the folder it uploads to and partner = its profile.s name' '$s'/failed/*-$f.why"
done
# ... and done so, the same order goes through
{ cat "$SCRATCH/partners.ini"; printf '[inbox zinc-up]\ndir = %s/zinc-up\npartner = zinc\n' "$s"; } > "$SCRATCH/csv-inbox.ini"
mv "$s"/failed/*-orders.csv_410021 "$s/zinc-up/orders.csv"
og run -c "$SCRATCH/csv-inbox.ini" --spool "$s" > /dev/null 2>&1
check "partners: ... moved into an inbox bound to the partner, the CSV order goes through" \
	test "$(sqlite3 "$s/ledger.db" "SELECT count(*) FROM orders WHERE order_id = '410021'")" = 1
# encodings: XML declared as UTF-16 or ISO-8859-1 in; a partner asking for ISO-8859-1 out
python3 - "$GOLDEN/hub-update-pcard/input.xml" "$SCRATCH" <<'PY'
import sys
src = open(sys.argv[1], encoding="utf-8").read().split("?>", 1)[1]
open(sys.argv[2] + "/u16.xml", "wb").write(('<?xml version="1.0" encoding="UTF-16"?>' + src).encode("utf-16"))
open(sys.argv[2] + "/l1.xml", "wb").write(('<?xml version="1.0" encoding="ISO-8859-1"?>' + src.replace("\u2013", "-")).encode("latin-1"))
PY
for f in u16 l1; do
	check "encodings: $f input read correctly (umlauts intact)" \
		bash -c "'$ORDERGATE' translate '$SCRATCH/$f.xml' | grep -q 'Anna Käfer'"
done
cat > "$P/zinc.ini" <<'INI'
[partner]
name = zinc
mode = test
[identity]
cxml = DUNS:123456789
[outbound]
encoding = ISO-8859-1
INI
s=$(new_spool); cp "$SCRATCH/l1.xml" "$s/in/"
og run -c "$SCRATCH/partners.ini" --spool "$s" > /dev/null 2>&1
po=$(ls "$s"/out-test/zinc/po/*.xml | head -1)
check "encodings: the partner's PO is written in ISO-8859-1, declared so" \
	bash -c "head -1 '$po' | grep -q 'encoding=\"ISO-8859-1\"' && iconv -f ISO-8859-1 -t UTF-8 '$po' | grep -q 'Käfer' && ! grep -q 'Käfer' '$po'"
check "encodings: ... and still valid cXML" dtd_valid "$po"
# UTF-16 without a byte order mark, known by its XML declaration (XML 1.0,
# Appendix F: "00 3C 00 3F" big-endian, "3C 00 3F 00" little-endian): a
# real cXML order from samples/cxml converted with iconv, declared UTF-16,
# gives what the UTF-8 original gives: the same canonical order, PO and
# confirmation from translate, the same published outputs from a spool
# (plain, inside a zip, and from an inbox bound to a CSV map)
u8="$ROOT/samples/cxml/officeluv-order.xml"
for e in BE LE; do
	sed '1s/encoding="UTF-8"/encoding="UTF-16"/' "$u8" | iconv -f UTF-8 -t "UTF-16$e" > "$SCRATCH/nobom-$e.xml"
done
check "utf-16 without BOM: the inputs start 00 3C 00 3F (BE) and 3C 00 3F 00 (LE), declared UTF-16" \
	bash -c "test \"\$(head -c4 '$SCRATCH/nobom-BE.xml' | od -An -tx1 | tr -d ' ')/\$(head -c4 '$SCRATCH/nobom-LE.xml' | od -An -tx1 | tr -d ' ')\" = 003c003f/3c003f00 &&
		iconv -f UTF-16BE -t UTF-8 '$SCRATCH/nobom-BE.xml' | head -1 | grep -q 'encoding=\"UTF-16\"'"
og translate --id 20260101-000000-000001-000001 -o "$SCRATCH/u8-out" "$u8" > /dev/null 2>&1
check "utf-16 without BOM: the UTF-8 original translates (canonical, PO, confirmation)" \
	test "$(ls "$SCRATCH/u8-out" 2>/dev/null | tr '\n' ' ')" = "canonical.xml confirmation.xml po.xml "
for e in BE LE; do
	og translate --id 20260101-000000-000001-000001 -o "$SCRATCH/u16$e-out" "$SCRATCH/nobom-$e.xml" > /dev/null 2> "$SCRATCH/u16$e.err"
	check "utf-16$e without BOM: translate gives the original's canonical order, PO and confirmation, byte for byte" \
		diff -r "$SCRATCH/u8-out" "$SCRATCH/u16$e-out"
done
# the outputs of spool $1, "path sha256" per file, document IDs written ID
outputs_by_id() {
	(cd "$1" && find out -type f | sort | while read -r f; do
		printf '%s %s\n' "$(echo "$f" | sed -E 's/[0-9]{8}-[0-9]{6}-[0-9]{6}-[0-9]{6}(\.[0-9]+)?/ID/')" \
			"$(sed -E 's/[0-9]{8}-[0-9]{6}-[0-9]{6}-[0-9]{6}(\.[0-9]+)?/ID/g' "$f" | sha256sum | cut -c1-64)"
	done)
}
# the run whose summary is $1 translated one document, and spool $2 holds
# the same outputs as the UTF-8 original's (a function, so not in bash -c)
same_as_original() {
	local got want
	got=$(outputs_by_id "$2")
	want=$(outputs_by_id "$s8")
	grep -q '1 translated, 0 duplicates, 0 failed' "$1" && [ -n "$want" ] && [ "$got" = "$want" ]
}
s8=$(new_spool); cp "$u8" "$s8/in/order.xml"
og run -c "$SCRATCH/fast.ini" --spool "$s8" > /dev/null 2>&1
check "utf-16 without BOM: the UTF-8 original in a spool writes a PO and a confirmation" \
	test "$(outputs_by_id "$s8" | grep -c -e '/po/ID-' -e '/confirmation/ID-')" = 2
s=$(new_spool); cp "$SCRATCH/nobom-BE.xml" "$s/in/order.xml"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/u16run.out" 2>&1
check "utf-16BE without BOM in a spool: translated, the same outputs as the UTF-8 original" \
	same_as_original "$SCRATCH/u16run.out" "$s"
check "utf-16BE without BOM in a spool: archived as it came" \
	cmp -s "$SCRATCH/nobom-BE.xml" "$(ls "$s"/archive/*/*/*/*-order.xml)"
s=$(new_spool)
python3 - "$SCRATCH/nobom-BE.xml" "$s/in/orders.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("order.xml", open(sys.argv[1], "rb").read())
PY
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/u16zip.out" 2>&1
check "utf-16BE without BOM inside a zip: translated, the same outputs" \
	same_as_original "$SCRATCH/u16zip.out" "$s"
s=$(new_spool); mkdir -p "$s/bound"; cp "$SCRATCH/nobom-BE.xml" "$s/bound/order.xml"
printf '[pickup]\nquiet_seconds = 0\n[inbox bound]\ndir = %s/bound\npartner = kasdflkjasdf\nformat = csv:ordergate-po\n' "$s" > "$SCRATCH/u16bound.ini"
og run -c "$SCRATCH/u16bound.ini" --spool "$s" > "$SCRATCH/u16bound.out" 2>&1
check "utf-16BE without BOM from an inbox bound to a CSV map: read as XML, the same outputs" \
	same_as_original "$SCRATCH/u16bound.out" "$s"
check "utf-16 without BOM: invariants hold" spool_invariants "$s"
# a CSV file in UTF-16 with a byte order mark (a spreadsheet's "Unicode
# text" export) is CSV, not XML: read through its map's signature in in/
# and through an inbox bound to a map (it used to fail at parse as "not
# well-formed XML")
s=$(new_spool); mkdir -p "$s/bound"
printf 'orderID,orderDate,currency,lineNumber,supplierPartID,buyerPartID,description,quantity,unitOfMeasure,unitPrice,amount,requestedDeliveryDate,shipToName,shipToCity,shipToCountry\r\nU16-1,2026-05-06,EUR,1,P-1,,Stra\xc3\x9fe,2,EA,1.50,,,,,\r\n' > "$SCRATCH/u16.csv"
iconv -f UTF-8 -t UTF-16 "$SCRATCH/u16.csv" > "$s/in/u16le.csv"
sed 's/U16-1/U16-2/' "$SCRATCH/u16.csv" | iconv -f UTF-8 -t UTF-16BE | { printf '\xfe\xff'; cat; } > "$s/bound/u16be.csv"
printf '[pickup]\nquiet_seconds = 0\n[inbox bound]\ndir = %s/bound\npartner = kasdflkjasdf\nformat = csv:ordergate-po\n' "$s" > "$SCRATCH/u16csv.ini"
og run -c "$SCRATCH/u16csv.ini" --spool "$s" > "$SCRATCH/u16csv.out" 2>&1
check "utf-16 CSV with a BOM (LE in in/, BE in a bound inbox): read as CSV, both orders translated" \
	bash -c "grep -q '2 translated, 0 duplicates, 0 failed' '$SCRATCH/u16csv.out' && test \"\$(sqlite3 '$s/ledger.db' \"SELECT group_concat(l.description || ' ' || l.amount_e4, '/') FROM (SELECT * FROM order_lines ORDER BY order_ref) l\")\" = 'Straße 30000/Straße 30000'"
check "utf-16 CSV: invariants hold" spool_invariants "$s"
printf '[partner]\nname = bad\n[outbound]\npo = edifact\n' > "$P/bad.ini"
og check-config "$SCRATCH/partners.ini" > /dev/null 2> "$SCRATCH/bad.err"
check "partners: a bad profile names its file and line" grep -q "bad.ini:4: po: \"edifact\" is not cxml, oagis, csv or none" "$SCRATCH/bad.err"
# OAGIS discounts: the one header Allowance with an amount is the order's
# discount, whatever zero ones come before it (the first used to be taken)
python3 - "$ROOT/tests/data/negative/oagis-two-allowances.xml" > "$SCRATCH/one-allowance.xml" <<'PY'
import sys
s = open(sys.argv[1]).read()
s = s.replace('<Allowance typeCode="Promotion">',
              '<Allowance typeCode="None"><Amount currencyCode="USD">0</Amount></Allowance>'
              '<Allowance typeCode="Promotion">', 1)
s = s.replace('<Allowance typeCode="Loyalty">\n          <Amount currencyCode="USD">3.00</Amount>\n        </Allowance>', '')
print(s, end="")
PY
og translate "$SCRATCH/one-allowance.xml" > "$SCRATCH/one-allowance.c.xml" 2>/dev/null
check "oagis: the Allowance with an amount is the discount, zero ones before it are not" \
	bash -c "grep -A1 '<discount>' '$SCRATCH/one-allowance.c.xml' | grep -q '>5.00</amount>' && grep -q '<discount>5.00</discount>' '$SCRATCH/one-allowance.c.xml'"

# --- a line's stated amount (OAGIS ExtendedAmount) ---------------------------------
# A PurchaseOrderLine may state its ExtendedAmount ("typically the Unit Price
# times the Order Quantity"). It was never compared with quantity x unit
# price, so a sender whose system priced a line otherwise (a discount taken
# off the line, a typo) heard nothing. Now the order goes through with the
# computed amount and a line-amount-mismatch warning per line (like
# total-mismatch), compared exactly in the currency's decimals.
s=$(new_spool)
# the buyer's system took 10.00 off line 1 and stated its total to match
sed 's#<ExtendedAmount currencyCode="USD">234.50<#<ExtendedAmount currencyCode="USD">224.50<#; s#<TotalAmount currencyCode="USD">1234.50<#<TotalAmount currencyCode="USD">1224.50<#' \
	"$OAGIS/po-simple.xml" > "$s/in/line-amount.xml"
og run -c "$SCRATCH/fast.ini" --spool "$s" > "$SCRATCH/la.out" 2> "$SCRATCH/la.err"
check "line amount: an order whose line 1 states 224.50 for 10 x 23.45 is translated, not refused" \
	grep -q "1 documents\? in .*: 1 translated, 0 duplicates, 0 failed" "$SCRATCH/la.out"
check "line amount: the log warns line-amount-mismatch naming the line, both amounts and the currency" \
	grep -q 'warning: line-amount-mismatch: line 1 states an amount of 224.50 USD but its quantity times unit price, 10 x 23.45, comes to 234.50 USD; outbound documents carry 234.50 USD. Ask the sender' "$SCRATCH/la.err"
check "line amount: the ledger records it once, besides the total-mismatch" \
	test "$(sqlite3 "$s/ledger.db" "SELECT group_concat(substr(detail, 1, instr(detail, ':') - 1), ',') FROM (SELECT detail FROM events WHERE kind = 'warning' ORDER BY id)")" = "line-amount-mismatch,total-mismatch"
check "line amount: the canonical copy keeps the stated amount next to the computed one" \
	bash -c "sqlite3 '$s/ledger.db' \"SELECT canonical FROM orders WHERE order_id = 'PO-1001'\" | tr -d '\n ' | grep -q '<statedAmountcurrency=\"USD\">224.50</statedAmount>.*<amount>234.50</amount>'"
f=$(ls "$s"/out/*/po/*.xml 2>/dev/null | head -1)
check "line amount: the PO states the computed 234.50 for line 1 (and 1234.50 in all), valid OAGIS" \
	bash -c "test \"\$(xmllint --nonet --xpath 'string(//*[local-name()=\"PurchaseOrderLine\"][1]/*[local-name()=\"ExtendedAmount\"])' '${f:-/nonexistent}')\" = 234.50 && grep -q '<TotalAmount currencyCode=\"USD\">1234.50</TotalAmount>' '${f:-/nonexistent}' && ! grep -q '224.50' '${f:-/nonexistent}' && xmllint --noout --nonet --schema '$XSD/ProcessPurchaseOrder.xsd' '${f:-/nonexistent}' 2>/dev/null"
check "line amount: invariants hold" spool_invariants "$s"
# the same value written with more zeros is the same amount: no warning
sed 's#>234.50</ExtendedAmount>#>234.5000</ExtendedAmount>#' "$OAGIS/po-simple.xml" > "$SCRATCH/la-zeros.xml"
og translate "$SCRATCH/la-zeros.xml" > "$SCRATCH/la-zeros.c.xml" 2> "$SCRATCH/la-zeros.err"
check "line amount: 234.5000 stated for 234.50 is no mismatch (compared as amounts, not text)" \
	bash -c "grep -q '<statedAmount currency=\"USD\">234.50</statedAmount>' '$SCRATCH/la-zeros.c.xml' && ! grep -q 'line-amount-mismatch' '$SCRATCH/la-zeros.c.xml' '$SCRATCH/la-zeros.err'"
# JPY has no minor unit: line 2 is 233 x 497.5 = 115917.5, which the order
# carries as 115918; a sender stating the unrounded product is told, line 1
# (120 x 412.5 = 49500, stated so) is not
python3 - "$OAGIS/po-test-change.xml" > "$SCRATCH/la-jpy.xml" <<'PY2'
import sys
s = open(sys.argv[1]).read()
parts = s.split('</UnitPrice>')
assert len(parts) == 3
print(parts[0] + '</UnitPrice>\n        <ExtendedAmount currencyCode="JPY">49500</ExtendedAmount>'
      + parts[1] + '</UnitPrice>\n        <ExtendedAmount currencyCode="JPY">115917.5</ExtendedAmount>'
      + parts[2], end="")
PY2
og translate "$SCRATCH/la-jpy.xml" > "$SCRATCH/la-jpy.c.xml" 2> "$SCRATCH/la-jpy.err"
check "line amount: JPY: line 2 stating 115917.5 for 233 x 497.5 is told 115918 JPY goes out; line 1 is not named" \
	bash -c "grep -q 'line-amount-mismatch: line 2 states an amount of 115917.5 JPY but its quantity times unit price, 233 x 497.5, comes to 115918 JPY; outbound documents carry 115918 JPY' '$SCRATCH/la-jpy.err' && test \"\$(grep -c 'warning: line-amount-mismatch' '$SCRATCH/la-jpy.err')\" = 1 && xmllint --noout --nonet --schema '$XSD/ProcessPurchaseOrder.xsd' '$SCRATCH/la-jpy.xml' 2>/dev/null"
# a sender whose system prices every line its own way: the first ten lines
# are named, the others counted in one more warning (not one per line)
python3 - "$OAGIS/po-simple.xml" > "$SCRATCH/la-many.xml" <<'PY2'
import sys, re
s = open(sys.argv[1]).read()
a = s.index('<PurchaseOrderLine>'); b = s.rindex('</PurchaseOrderLine>') + len('</PurchaseOrderLine>')
one = s[a:s.index('</PurchaseOrderLine>') + len('</PurchaseOrderLine>')]
lines = [one.replace('<LineNumberID>1<', '<LineNumberID>%d<' % n).replace('>234.50</Ext', '>230.00</Ext')
         for n in range(1, 13)]
s = s[:a] + '\n      '.join(lines) + s[b:]
print(s.replace('>1234.50</TotalAmount>', '>2814.00</TotalAmount>'), end="")
PY2
og translate "$SCRATCH/la-many.xml" > "$SCRATCH/la-many.c.xml" 2> "$SCRATCH/la-many.err"
check "line amount: 12 lines off: 10 named, then one warning for the 2 more, the first of them line 11" \
	bash -c "test \"\$(grep -c 'warning: line-amount-mismatch: line [0-9]* states' '$SCRATCH/la-many.err')\" = 10 && grep -q 'warning: line-amount-mismatch: 2 more lines (of 12) state an amount other than their quantity times unit price, the first of them line 11' '$SCRATCH/la-many.err' && test \"\$(grep -c '<warning code=\"line-amount-mismatch\"' '$SCRATCH/la-many.c.xml')\" = 11"

# --- several quantities on one OAGIS line ------------------------------------------
# OAGIS allows any number of Quantity elements on a PurchaseOrderLine; the
# first one used to be taken silently (tests/data/negative/oagis-two-
# quantities.xml: refused now). The same quantity written twice is one
# statement, and a Quantity with a typeCode beside the one without says
# what else it counts: both still go through with the untyped quantity.
python3 - "$OAGIS/po-simple.xml" > "$SCRATCH/q-same.xml" <<'PY2'
import sys
s = open(sys.argv[1]).read()
print(s.replace('<Quantity unitCode="BX">40</Quantity>',
                '<Quantity unitCode="BX">40</Quantity>\n        <Quantity unitCode="bx">40.00</Quantity>', 1)
       .replace('<Quantity unitCode="EA">10</Quantity>',
                '<Quantity unitCode="KGM" typeCode="GrossWeight">4.2</Quantity>\n        <Quantity unitCode="EA">10</Quantity>', 1), end="")
PY2
og translate "$SCRATCH/q-same.xml" > "$SCRATCH/q-same.c.xml" 2> "$SCRATCH/q-same.err"
check "quantities: 40 BX twice (40, 40.00) is 40 BX; a typed weight beside 10 EA leaves 10 EA" \
	bash -c "test \"\$(xmllint --xpath 'concat(//line[@number=1]/quantity, \" \", //line[@number=1]/unitOfMeasure, \"/\", //line[@number=2]/quantity, \" \", //line[@number=2]/unitOfMeasure)' '$SCRATCH/q-same.c.xml')\" = '10 EA/40 BX' && xmllint --noout --nonet --schema '$XSD/ProcessPurchaseOrder.xsd' '$SCRATCH/q-same.xml' 2>/dev/null"
check "quantities: the typed weight is not carried, and the run says so (not-carried), once" \
	test "$(grep -c 'warning: not-carried: PurchaseOrderLine/Quantity with a typeCode beside the ordered Quantity' "$SCRATCH/q-same.err")/$(grep -c 'not-carried' "$SCRATCH/q-same.err")" = "1/1"
finish

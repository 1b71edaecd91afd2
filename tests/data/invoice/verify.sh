#!/usr/bin/env bash
# verify.sh: checks the invoice stylesheets against the canonical invoices in
# this directory. For every *.xml here:
#   - the input validates against xslt/invoice.rng (RelaxNG);
#   - invoice-to-cxml.xsl output validates against the cXML 1.2.071
#     InvoiceDetail.dtd, invoice-to-oagis.xsl output against the OAGIS 10.4
#     ProcessInvoice.xsd, and invoice-to-csv.xsl output parses as RFC 4180
#     CSV with CRLF record ends and one row per line;
#   - every amount, quantity, price, rate and reference printed in the three
#     outputs is the input's string, character for character (no rounding
#     drift, no number() reformatting), and zero charges are left out of the
#     XML documents;
#   - CSV text cells are quoted and formula-neutralised.
# Plus a few edge and negative checks (an order without payloadID, schema
# rejects a malformed amount, sheets refuse a missing parameter or a
# document that is not an invoice).
#
# Uses only bash, xsltproc and xmllint, never the network. Prints one
# "ok"/"not ok" line per check and ends with
#   invoice-verify: N passed, M failed
# exiting non-zero when anything failed.
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
XSLT=$ROOT/xslt
DTD=$XSLT/schemas/cxml-1.2.071/InvoiceDetail.dtd
XSD=$XSLT/schemas/oagis-10.4/ProcessInvoice.xsd
RNG=$XSLT/invoice.rng

PASSED=0
FAILED=0
OUT=$(mktemp -d "${TMPDIR:-/tmp}/invoice-verify.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

PARAMS=(--stringparam payloadID "20261122-100001.1@ordergate.test"
	--stringparam timestamp "2026-11-22T10:00:01+00:00"
	--stringparam senderDomain "NetworkID"
	--stringparam senderIdentity "ordergate-test"
	--stringparam userAgent "ordergate verify")

ok() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }

# eq "what" expected actual
eq() {
	if [ "$2" == "$3" ]; then
		ok "$1"
	else
		not_ok "$1: expected [$2], got [$3]"
	fi
}

# ns PATH: "A/B[2]/@c" -> "/*[local-name()='A']/*[local-name()='B'][2]/@c",
# for the OAGIS namespace; a leading "//" is kept.
ns() {
	local path=$1 out="" seg name pred IFS=/
	case $path in //*) out="/"; path=${path#//} ;; /*) path=${path#/} ;; esac
	for seg in $path; do
		case $seg in
		@* | *"("*) out+="/$seg" ;;
		*)
			name=${seg%%\[*}
			pred=${seg#"$name"}
			out+="/*[local-name()='$name']$pred"
			;;
		esac
	done
	printf '%s' "$out"
}

# nonzero VALUE: true when the decimal string has a digit other than 0
nonzero() { local v=${1//[-+.0]/}; [ -n "$v" ]; }

# neutralised TEXT: what the CSV sheet must write for a text cell (before
# quoting): a leading apostrophe in front of = + - @ TAB CR
neutralised() {
	case ${1:0:1} in
	'=' | '+' | '-' | '@' | $'\t' | $'\r') printf "'%s" "$1" ;;
	*) printf '%s' "$1" ;;
	esac
}

# ---------------------------------------------------------------------------
# CSV parser (RFC 4180). Fills CSV[row,col] (0-based), CSV_COLS[row] and
# CSV_ROWS; CSV_ERR holds the first syntax problem (bare LF, quote inside an
# unquoted cell, CR without LF, missing final CRLF, unterminated quote).
declare -A CSV
declare -a CSV_COLS
CSV_ROWS=0
CSV_ERR=""
parse_csv() {
	local data="" c i=0 len row=0 col=0 field="" inq=0 started=0
	IFS= read -r -d '' data <"$1"
	len=${#data}
	CSV=()
	CSV_COLS=()
	CSV_ERR=""
	while [ $i -lt $len ]; do
		c=${data:i:1}
		if [ $inq = 1 ]; then
			if [ "$c" == '"' ]; then
				if [ "${data:i+1:1}" == '"' ]; then
					field+='"'
					i=$((i + 2))
					continue
				fi
				inq=0
			else
				field+=$c
			fi
			i=$((i + 1))
			continue
		fi
		case $c in
		'"')
			if [ -n "$field" ]; then
				CSV_ERR=${CSV_ERR:-"row $row col $col: quote inside an unquoted cell"}
			fi
			inq=1
			started=1
			;;
		',')
			CSV[$row,$col]=$field
			col=$((col + 1))
			field=""
			started=1
			;;
		$'\r')
			if [ "${data:i+1:1}" != $'\n' ]; then
				CSV_ERR=${CSV_ERR:-"row $row: CR without LF"}
			fi
			CSV[$row,$col]=$field
			CSV_COLS[$row]=$((col + 1))
			row=$((row + 1))
			col=0
			field=""
			started=0
			i=$((i + 1))
			;;
		$'\n')
			CSV_ERR=${CSV_ERR:-"row $row: bare LF outside a quoted cell"}
			;;
		*)
			field+=$c
			started=1
			;;
		esac
		i=$((i + 1))
	done
	[ $inq = 0 ] || CSV_ERR=${CSV_ERR:-"unterminated quoted cell"}
	if [ $started = 1 ] || [ -n "$field" ]; then
		CSV_ERR=${CSV_ERR:-"last record has no CRLF"}
		CSV[$row,$col]=$field
		CSV_COLS[$row]=$((col + 1))
		row=$((row + 1))
	fi
	CSV_ROWS=$row
}

CSV_HEADER="invoiceID,invoiceDate,orderID,poNumber,lineNumber,supplierPartID,description,quantity,unitOfMeasure,unitPrice,amount,tax,currency,invoiceLine,invoiceSubtotal,invoiceTax,invoiceTaxRate,invoiceShipping,invoiceDiscount,invoiceNet"
CSV_NCOLS=20

# ---------------------------------------------------------------------------

# --- batched XPath -----------------------------------------------------------
# One xmllint run per document: the expressions are joined with a separator
# inside one concat() and the answer is split again.
SEP='|~|'
declare -a R
batch_xp() { # FILE EXPR... -> R[0..]
	local f=$1 e x="concat(''" rest
	shift
	for e in "$@"; do x+=",string($e),'$SEP'"; done
	x+=")"
	rest=$(xmllint --nonet --xpath "$x" "$f" 2>/dev/null)
	R=()
	while [[ $rest == *"$SEP"* ]]; do
		R+=("${rest%%"$SEP"*}")
		rest=${rest#*"$SEP"}
	done
}

# IN[key]: the input invoice's values, all read in one run
declare -A IN
load_input() { # FILE
	local f=$1 n i k
	local -a keys=(invoiceID invoiceDate currency mode orderID payloadID poNumber from to
		subtotal tax taxRate shipping discount net lineTaxes
		hasShipment shipmentID shipDate noticeDate)
	local -a exprs=(/invoice/invoiceID /invoice/invoiceDate /invoice/currency /invoice/mode
		/invoice/order/@orderID /invoice/order/@payloadID /invoice/order/@poNumber
		/invoice/from/@identity /invoice/to/@identity
		/invoice/summary/subtotal /invoice/summary/tax /invoice/summary/taxRate
		/invoice/summary/shipping /invoice/summary/discount /invoice/summary/net
		"count(/invoice/lines/line/tax)"
		"count(/invoice/shipment)" /invoice/shipment/@shipmentID
		/invoice/shipment/@shipDate /invoice/shipment/@noticeDate)
	n=$(xmllint --nonet --xpath "count(/invoice/lines/line)" "$f" 2>/dev/null)
	for ((i = 1; i <= n; i++)); do
		for k in @number @invoiceLine quantity unitOfMeasure supplierPartID description unitPrice amount tax; do
			keys+=("$i.${k#@}")
			exprs+=("/invoice/lines/line[$i]/$k")
		done
		keys+=("$i.hasTax")
		exprs+=("count(/invoice/lines/line[$i]/tax)")
	done
	batch_xp "$f" "${exprs[@]}"
	IN=()
	IN[lines]=$n
	for ((i = 0; i < ${#keys[@]}; i++)); do
		IN[${keys[$i]}]=${R[$i]-}
	done
}

# want "what" expected xpath: queued; flush FILE evaluates the queue
declare -a W_WHAT W_EXP W_XP
want() { W_WHAT+=("$1"); W_EXP+=("$2"); W_XP+=("$3"); }
flush() {
	local i
	if [ ${#W_XP[@]} -gt 0 ]; then
		batch_xp "$1" "${W_XP[@]}"
		for ((i = 0; i < ${#W_XP[@]}; i++)); do
			eq "${W_WHAT[$i]}" "${W_EXP[$i]}" "${R[$i]-<no answer>}"
		done
	fi
	W_WHAT=()
	W_EXP=()
	W_XP=()
}

check_cxml() { # output name   (IN loaded)
	local f=$1 t=$2 n=${IN[lines]} i q cur=${IN[currency]} rate=${IN[taxRate]}
	want "$t cxml: deploymentMode" "${IN[mode]}" //Request/@deploymentMode
	want "$t cxml: invoiceID" "${IN[invoiceID]}" //InvoiceDetailRequestHeader/@invoiceID
	want "$t cxml: invoiceDate" "${IN[invoiceDate]}" //InvoiceDetailRequestHeader/@invoiceDate
	want "$t cxml: From = supplier" "${IN[from]}" /cXML/Header/From/Credential/Identity
	want "$t cxml: To = buyer" "${IN[to]}" /cXML/Header/To/Credential/Identity
	want "$t cxml: Sender" "ordergate-test" /cXML/Header/Sender/Credential/Identity
	want "$t cxml: payloadID" "20261122-100001.1@ordergate.test" /cXML/@payloadID
	want "$t cxml: OrderReference orderID" "${IN[orderID]}" //OrderReference/@orderID
	want "$t cxml: OrderReference payloadID" "${IN[payloadID]}" //OrderReference/DocumentReference/@payloadID
	want "$t cxml: SupplierOrderInfo = poNumber" "${IN[poNumber]}" //SupplierOrderInfo/@orderID
	# the ship notice reference carries the notice's own date (the DTD:
	# "Date and time of the referenced ShipNoticeRequest"), never the ship
	# date; the ship date goes to InvoiceDetailShipping/@shippingDate; a
	# date the invoice lacks is left out
	want "$t cxml: one ShipNoticeIDInfo per shipment" "${IN[hasShipment]}" "count(//ShipNoticeIDInfo)"
	want "$t cxml: ShipNoticeIDInfo shipNoticeID" "${IN[shipmentID]}" "//ShipNoticeIDInfo/@shipNoticeID"
	want "$t cxml: ShipNoticeIDInfo shipNoticeDate = noticeDate" "${IN[noticeDate]}" "//ShipNoticeIDInfo/@shipNoticeDate"
	want "$t cxml: shipNoticeDate only when the notice date is known" "$([ -n "${IN[noticeDate]}" ] && echo "${IN[hasShipment]}" || echo 0)" "count(//ShipNoticeIDInfo/@shipNoticeDate)"
	want "$t cxml: shippingDate, when written, = shipDate" "0" "count(//InvoiceDetailShipping/@shippingDate[. != '${IN[shipDate]}'])"
	want "$t cxml: every Money in $cur" "0" "count(//Money[@currency != '$cur'])"
	want "$t cxml: one InvoiceDetailItem per line" "$n" "count(//InvoiceDetailItem)"
	if [ "${IN[lineTaxes]}" != 0 ]; then
		want "$t cxml: isTaxInLine" "yes" //InvoiceDetailLineIndicator/@isTaxInLine
	else
		want "$t cxml: no isTaxInLine" "0" "count(//InvoiceDetailLineIndicator/@isTaxInLine)"
	fi

	for ((i = 1; i <= n; i++)); do
		q="//InvoiceDetailItem[$i]"
		want "$t cxml line $i: invoiceLineNumber" "${IN[$i.invoiceLine]}" "$q/@invoiceLineNumber"
		want "$t cxml line $i: order lineNumber" "${IN[$i.number]}" "$q/InvoiceDetailItemReference/@lineNumber"
		want "$t cxml line $i: quantity" "${IN[$i.quantity]}" "$q/@quantity"
		want "$t cxml line $i: UnitOfMeasure" "${IN[$i.unitOfMeasure]}" "$q/UnitOfMeasure"
		want "$t cxml line $i: UnitPrice" "${IN[$i.unitPrice]}" "$q/UnitPrice/Money"
		want "$t cxml line $i: SubtotalAmount = amount" "${IN[$i.amount]}" "$q/SubtotalAmount/Money"
		want "$t cxml line $i: SupplierPartID" "${IN[$i.supplierPartID]}" "$q/InvoiceDetailItemReference/ItemID/SupplierPartID"
		if [ "${IN[$i.hasTax]}" = 1 ]; then
			want "$t cxml line $i: Tax" "${IN[$i.tax]}" "$q/Tax/Money"
			if [ -n "$rate" ]; then
				want "$t cxml line $i: TaxDetail percentageRate" "$rate" "$q/Tax/TaxDetail/@percentageRate"
				want "$t cxml line $i: TaxableAmount = amount" "${IN[$i.amount]}" "$q/Tax/TaxDetail/TaxableAmount/Money"
				want "$t cxml line $i: TaxAmount" "${IN[$i.tax]}" "$q/Tax/TaxDetail/TaxAmount/Money"
			fi
		else
			want "$t cxml line $i: no Tax" "0" "count($q/Tax)"
		fi
	done

	q="//InvoiceDetailSummary"
	want "$t cxml summary: SubtotalAmount" "${IN[subtotal]}" "$q/SubtotalAmount/Money"
	want "$t cxml summary: Tax" "${IN[tax]}" "$q/Tax/Money"
	if [ -n "$rate" ]; then
		want "$t cxml summary: TaxDetail percentageRate" "$rate" "$q/Tax/TaxDetail/@percentageRate"
	fi
	if nonzero "${IN[shipping]}"; then
		want "$t cxml summary: ShippingAmount" "${IN[shipping]}" "$q/ShippingAmount/Money"
	else
		want "$t cxml summary: no ShippingAmount for zero" "0" "count($q/ShippingAmount)"
	fi
	if nonzero "${IN[discount]}"; then
		want "$t cxml summary: InvoiceDetailDiscount" "${IN[discount]}" "$q/InvoiceDetailDiscount/Money"
	else
		want "$t cxml summary: no InvoiceDetailDiscount for zero" "0" "count($q/InvoiceDetailDiscount)"
	fi
	want "$t cxml summary: NetAmount" "${IN[net]}" "$q/NetAmount/Money"
	want "$t cxml summary: DueAmount" "${IN[net]}" "$q/DueAmount/Money"
	flush "$f"
}

check_oagis() { # output name   (IN loaded)
	local f=$1 t=$2 n=${IN[lines]} i q env cur=${IN[currency]} rate=${IN[taxRate]}
	if [ "${IN[mode]}" = test ]; then env=Test; else env=Production; fi

	want "$t oagis: systemEnvironmentCode" "$env" "$(ns /ProcessInvoice/@systemEnvironmentCode)"
	want "$t oagis: BODID = payloadID" "20261122-100001.1@ordergate.test" "$(ns /ProcessInvoice/ApplicationArea/BODID)"
	want "$t oagis: Sender LogicalID" "ordergate-test" "$(ns /ProcessInvoice/ApplicationArea/Sender/LogicalID)"
	want "$t oagis: CreationDateTime" "2026-11-22T10:00:01+00:00" "$(ns /ProcessInvoice/ApplicationArea/CreationDateTime)"
	q=$(ns //Invoice/InvoiceHeader)
	want "$t oagis: ID = invoiceID" "${IN[invoiceID]}" "$q$(ns /ID)"
	want "$t oagis: DocumentDateTime" "${IN[invoiceDate]}" "$q$(ns /DocumentDateTime)"
	want "$t oagis: SupplierParty = supplier" "${IN[from]}" "$q$(ns /SupplierParty/ID)"
	want "$t oagis: CustomerParty = buyer" "${IN[to]}" "$q$(ns /CustomerParty/ID)"
	want "$t oagis: PurchaseOrderReference ID" "${IN[orderID]}" "$q$(ns /PurchaseOrderReference/ID)"
	want "$t oagis: Shipment DocumentReference DocumentDateTime = noticeDate" "${IN[noticeDate]}" "$q$(ns "/DocumentReference[@typeCode='Shipment']/DocumentDateTime")"
	want "$t oagis: no Shipment DocumentDateTime without a notice date" "$([ -n "${IN[noticeDate]}" ] && echo "${IN[hasShipment]}" || echo 0)" "count($q$(ns "/DocumentReference[@typeCode='Shipment']/DocumentDateTime"))"
	want "$t oagis: PurchaseOrderReference payloadID" "${IN[payloadID]}" "$q$(ns "/PurchaseOrderReference/DocumentIDSet[@typeCode='PayloadID']/ID")"
	want "$t oagis: PurchaseOrderReference poNumber" "${IN[poNumber]}" "$q$(ns "/PurchaseOrderReference/DocumentIDSet[@typeCode='SupplierOrderID']/ID")"
	want "$t oagis: ExtendedAmount = subtotal" "${IN[subtotal]}" "$q$(ns /ExtendedAmount)"
	want "$t oagis: TotalAmount = net" "${IN[net]}" "$q$(ns /TotalAmount)"
	want "$t oagis: header Tax" "${IN[tax]}" "$q$(ns /Tax/Amount)"
	want "$t oagis: header tax rate" "$rate" "$q$(ns /Tax/Calculation/RateNumber)"
	if nonzero "${IN[shipping]}"; then
		want "$t oagis: Charge Shipping" "${IN[shipping]}" "$q$(ns "/Charge[@typeCode='Shipping']/Amount")"
	else
		want "$t oagis: no Charge for zero shipping" "0" "count($q$(ns /Charge))"
	fi
	if nonzero "${IN[discount]}"; then
		want "$t oagis: Allowance Discount" "${IN[discount]}" "$q$(ns "/Allowance[@typeCode='Discount']/Amount")"
	else
		want "$t oagis: no Allowance for zero discount" "0" "count($q$(ns /Allowance))"
	fi
	want "$t oagis: every currencyCode is $cur" "0" "count(//@currencyCode[. != '$cur'])"
	want "$t oagis: one InvoiceLine per line" "$n" "count($(ns //InvoiceLine))"

	for ((i = 1; i <= n; i++)); do
		q=$(ns "//Invoice/InvoiceLine[$i]")
		want "$t oagis line $i: LineNumberID" "${IN[$i.invoiceLine]}" "$q$(ns /LineNumberID)"
		want "$t oagis line $i: PO LineNumberID" "${IN[$i.number]}" "$q$(ns /PurchaseOrderReference/LineNumberID)"
		want "$t oagis line $i: Quantity" "${IN[$i.quantity]}" "$q$(ns /Quantity)"
		want "$t oagis line $i: unitCode" "${IN[$i.unitOfMeasure]}" "$q$(ns /Quantity/@unitCode)"
		want "$t oagis line $i: UnitPrice" "${IN[$i.unitPrice]}" "$q$(ns /UnitPrice/ChargeAmount)"
		want "$t oagis line $i: ExtendedAmount = amount" "${IN[$i.amount]}" "$q$(ns /ExtendedAmount)"
		if [ "${IN[$i.hasTax]}" = 1 ]; then
			want "$t oagis line $i: Tax" "${IN[$i.tax]}" "$q$(ns /Tax/Amount)"
			if [ -n "$rate" ]; then
				want "$t oagis line $i: Tax BasisAmount = amount" "${IN[$i.amount]}" "$q$(ns /Tax/BasisAmount)"
			fi
		else
			want "$t oagis line $i: no Tax" "0" "count($q$(ns /Tax))"
		fi
	done
	flush "$f"
}

check_csv() { # output name   (IN loaded)
	local f=$1 t=$2 n=${IN[lines]} i r c row ncols_ok=1 header

	parse_csv "$f"
	eq "$t csv: RFC 4180 syntax, CRLF record ends" "" "$CSV_ERR"
	eq "$t csv: header + one row per line" "$((n + 1))" "$CSV_ROWS"
	for ((r = 0; r < CSV_ROWS; r++)); do
		[ "${CSV_COLS[$r]}" = "$CSV_NCOLS" ] || ncols_ok=0
	done
	eq "$t csv: $CSV_NCOLS cells in every row" "1" "$ncols_ok"
	header=""
	for ((c = 0; c < ${CSV_COLS[0]:-0}; c++)); do
		header+=${header:+,}${CSV[0,$c]}
	done
	eq "$t csv: header" "$CSV_HEADER" "$header"

	for ((i = 1; i <= n && i < CSV_ROWS; i++)); do
		row="$t csv row $i"
		eq "$row: invoiceID" "$(neutralised "${IN[invoiceID]}")" "${CSV[$i,0]-}"
		eq "$row: invoiceDate" "${IN[invoiceDate]}" "${CSV[$i,1]-}"
		eq "$row: orderID" "$(neutralised "${IN[orderID]}")" "${CSV[$i,2]-}"
		eq "$row: poNumber" "$(neutralised "${IN[poNumber]}")" "${CSV[$i,3]-}"
		eq "$row: lineNumber" "${IN[$i.number]}" "${CSV[$i,4]-}"
		eq "$row: supplierPartID (neutralised)" "$(neutralised "${IN[$i.supplierPartID]}")" "${CSV[$i,5]-}"
		eq "$row: description (quoted, neutralised)" "$(neutralised "${IN[$i.description]}")" "${CSV[$i,6]-}"
		eq "$row: quantity" "${IN[$i.quantity]}" "${CSV[$i,7]-}"
		eq "$row: unitOfMeasure" "${IN[$i.unitOfMeasure]}" "${CSV[$i,8]-}"
		eq "$row: unitPrice" "${IN[$i.unitPrice]}" "${CSV[$i,9]-}"
		eq "$row: amount" "${IN[$i.amount]}" "${CSV[$i,10]-}"
		eq "$row: tax" "${IN[$i.tax]}" "${CSV[$i,11]-}"
		eq "$row: currency" "${IN[currency]}" "${CSV[$i,12]-}"
		eq "$row: invoiceLine" "${IN[$i.invoiceLine]}" "${CSV[$i,13]-}"
		eq "$row: invoiceSubtotal" "${IN[subtotal]}" "${CSV[$i,14]-}"
		eq "$row: invoiceTax" "${IN[tax]}" "${CSV[$i,15]-}"
		eq "$row: invoiceTaxRate" "${IN[taxRate]}" "${CSV[$i,16]-}"
		eq "$row: invoiceShipping" "${IN[shipping]}" "${CSV[$i,17]-}"
		eq "$row: invoiceDiscount" "${IN[discount]}" "${CSV[$i,18]-}"
		eq "$row: invoiceNet" "${IN[net]}" "${CSV[$i,19]-}"
	done
}

# ---------------------------------------------------------------------------

count=0
for in in "$HERE"/*.xml; do
	[ -e "$in" ] || continue
	count=$((count + 1))
	t=$(basename "$in" .xml)
	load_input "$in"

	if xmllint --noout --nonet --relaxng "$RNG" "$in" 2>"$OUT/$t.rng.err"; then
		ok "$t: input valid against invoice.rng"
	else
		not_ok "$t: input invalid against invoice.rng: $(<"$OUT/$t.rng.err")"
	fi

	# cXML
	if xsltproc --nonet "${PARAMS[@]}" -o "$OUT/$t.cxml.xml" "$XSLT/invoice-to-cxml.xsl" "$in" 2>"$OUT/$t.cxml.err"; then
		ok "$t: invoice-to-cxml.xsl ran"
		if xmllint --noout --nonet --dtdvalid "$DTD" "$OUT/$t.cxml.xml" 2>"$OUT/$t.dtd.err"; then
			ok "$t: cXML valid against InvoiceDetail.dtd"
		else
			not_ok "$t: cXML invalid against InvoiceDetail.dtd: $(<"$OUT/$t.dtd.err")"
		fi
		v=$(<"$OUT/$t.cxml.xml")
		case $v in
		*'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/InvoiceDetail.dtd">'*)
			ok "$t: cXML DOCTYPE names InvoiceDetail.dtd 1.2.071" ;;
		*) not_ok "$t: cXML DOCTYPE missing or wrong" ;;
		esac
		check_cxml "$OUT/$t.cxml.xml" "$t"
	else
		not_ok "$t: invoice-to-cxml.xsl failed: $(<"$OUT/$t.cxml.err")"
	fi

	# OAGIS
	if xsltproc --nonet "${PARAMS[@]}" -o "$OUT/$t.oagis.xml" "$XSLT/invoice-to-oagis.xsl" "$in" 2>"$OUT/$t.oagis.err"; then
		ok "$t: invoice-to-oagis.xsl ran"
		if xmllint --noout --nonet --schema "$XSD" "$OUT/$t.oagis.xml" 2>"$OUT/$t.xsd.err"; then
			ok "$t: OAGIS valid against ProcessInvoice.xsd"
		else
			not_ok "$t: OAGIS invalid against ProcessInvoice.xsd: $(<"$OUT/$t.xsd.err")"
		fi
		check_oagis "$OUT/$t.oagis.xml" "$t"
	else
		not_ok "$t: invoice-to-oagis.xsl failed: $(<"$OUT/$t.oagis.err")"
	fi

	# CSV
	if xsltproc --nonet "${PARAMS[@]}" -o "$OUT/$t.csv" "$XSLT/invoice-to-csv.xsl" "$in" 2>"$OUT/$t.csv.err"; then
		ok "$t: invoice-to-csv.xsl ran"
		check_csv "$OUT/$t.csv" "$t"
	else
		not_ok "$t: invoice-to-csv.xsl failed: $(<"$OUT/$t.csv.err")"
	fi
done
eq "four canonical invoices found" "4" "$count"

# --- negative checks -------------------------------------------------------

# the schema rejects an amount that is not an exact plain decimal
src=$(<"$HERE/simple.xml")
printf '%s\n' "${src/<amount>2289.60</<amount>2,289.60<}" >"$OUT/bad-amount.xml"
if xmllint --noout --nonet --relaxng "$RNG" "$OUT/bad-amount.xml" 2>/dev/null; then
	not_ok "invoice.rng rejects amount 2,289.60"
else
	ok "invoice.rng rejects amount 2,289.60"
fi
# ... and an invoice line without an amount
printf '%s\n' "${src/<amount>45.05<\/amount>/}" >"$OUT/no-amount.xml"
if xmllint --noout --nonet --relaxng "$RNG" "$OUT/no-amount.xml" 2>/dev/null; then
	not_ok "invoice.rng rejects a line without amount"
else
	ok "invoice.rng rejects a line without amount"
fi

# an order without payloadID (OAGIS without BODID): still valid, cXML falls
# back to OrderIDInfo
printf '%s\n' "${src/payloadID=\"933695160894@buyer.example\"/payloadID=\"\"}" >"$OUT/no-payload.xml"
if xmllint --noout --nonet --relaxng "$RNG" "$OUT/no-payload.xml" 2>/dev/null &&
	xsltproc --nonet "${PARAMS[@]}" -o "$OUT/no-payload.cxml.xml" "$XSLT/invoice-to-cxml.xsl" "$OUT/no-payload.xml" 2>/dev/null &&
	xmllint --noout --nonet --dtdvalid "$DTD" "$OUT/no-payload.cxml.xml" 2>/dev/null &&
	[ "$(xmllint --nonet --xpath 'string(//OrderIDInfo/@orderID)' "$OUT/no-payload.cxml.xml")" = myorder-1 ]; then
	ok "no payloadID: cXML valid with OrderIDInfo"
else
	not_ok "no payloadID: cXML valid with OrderIDInfo"
fi
if xsltproc --nonet "${PARAMS[@]}" -o "$OUT/no-payload.oagis.xml" "$XSLT/invoice-to-oagis.xsl" "$OUT/no-payload.xml" 2>/dev/null &&
	xmllint --noout --nonet --schema "$XSD" "$OUT/no-payload.oagis.xml" 2>/dev/null; then
	ok "no payloadID: OAGIS valid"
else
	not_ok "no payloadID: OAGIS valid"
fi

# a ship-to without a city keeps its street, postal code and country in
# the cXML invoice (an empty City, as the DTD needs one), still valid
vsd=$(cat "$HERE/vat-shipping-discount.xml")
printf '%s\n' "${vsd/<city>Wuppertal<\/city>/}" >"$OUT/no-city.xml"
if xmllint --noout --nonet --relaxng "$RNG" "$OUT/no-city.xml" 2>/dev/null &&
	xsltproc --nonet "${PARAMS[@]}" -o "$OUT/no-city.cxml.xml" "$XSLT/invoice-to-cxml.xsl" "$OUT/no-city.xml" 2>/dev/null &&
	xmllint --noout --nonet --dtdvalid "$DTD" "$OUT/no-city.cxml.xml" 2>/dev/null &&
	[ "$(xmllint --nonet --xpath 'concat(//Contact[@role="shipTo"]/PostalAddress/Street, "|",
		//Contact[@role="shipTo"]/PostalAddress/City, "|",
		//Contact[@role="shipTo"]/PostalAddress/PostalCode, "|",
		//Contact[@role="shipTo"]/PostalAddress/Country/@isoCountryCode)' "$OUT/no-city.cxml.xml")" = "Industriestr. 9||42103|DE" ]; then
	ok "ship-to without a city: cXML keeps street, postal code and country, valid"
else
	not_ok "ship-to without a city: cXML keeps street, postal code and country, valid"
fi

# a shipment recorded without dates (a CSV feed row without a ship date, in
# a ledger from before the notice date was kept): the invoice states
# neither, rather than a date made up; both outputs stay valid
tms=$(<"$HERE/test-mode-shipment.xml")
tms=${tms/ shipDate=\"2026-11-30T09:00:00-05:00\"/}
printf '%s\n' "${tms/ noticeDate=\"2026-11-30T11:15:00-05:00\"/}" >"$OUT/no-dates.xml"
if xmllint --noout --nonet --relaxng "$RNG" "$OUT/no-dates.xml" 2>/dev/null &&
	! grep -q 'shipDate=\|noticeDate=' "$OUT/no-dates.xml" &&
	xsltproc --nonet "${PARAMS[@]}" -o "$OUT/no-dates.cxml.xml" "$XSLT/invoice-to-cxml.xsl" "$OUT/no-dates.xml" 2>/dev/null &&
	xmllint --noout --nonet --dtdvalid "$DTD" "$OUT/no-dates.cxml.xml" 2>/dev/null &&
	[ "$(xmllint --nonet --xpath 'concat(count(//ShipNoticeIDInfo), "|", count(//@shipNoticeDate), "|", count(//@shippingDate))' "$OUT/no-dates.cxml.xml")" = "1|0|0" ] &&
	xsltproc --nonet "${PARAMS[@]}" -o "$OUT/no-dates.oagis.xml" "$XSLT/invoice-to-oagis.xsl" "$OUT/no-dates.xml" 2>/dev/null &&
	xmllint --noout --nonet --schema "$XSD" "$OUT/no-dates.oagis.xml" 2>/dev/null &&
	[ "$(xmllint --nonet --xpath "count(//*[local-name()='DocumentReference'][@typeCode='Shipment']/*[local-name()='DocumentDateTime'])" "$OUT/no-dates.oagis.xml")" = 0 ]; then
	ok "shipment without ship or notice date: no date made up, cXML and OAGIS valid"
else
	not_ok "shipment without ship or notice date: no date made up, cXML and OAGIS valid"
fi

# every sheet refuses to run without its required parameters
for sheet in invoice-to-cxml invoice-to-oagis; do
	if xsltproc --nonet --stringparam payloadID "" --stringparam timestamp "2026-11-22T10:00:01+00:00" \
		--stringparam senderDomain NetworkID --stringparam senderIdentity og \
		"$XSLT/$sheet.xsl" "$HERE/simple.xml" >/dev/null 2>"$OUT/noparam.err"; then
		not_ok "$sheet.xsl refuses an empty payloadID"
	else
		ok "$sheet.xsl refuses an empty payloadID"
	fi
done

# every sheet refuses a document that is not a canonical invoice
printf '<order version="1"/>\n' >"$OUT/not-invoice.xml"
for sheet in invoice-to-cxml invoice-to-oagis invoice-to-csv; do
	if xsltproc --nonet "${PARAMS[@]}" "$XSLT/$sheet.xsl" "$OUT/not-invoice.xml" >/dev/null 2>&1; then
		not_ok "$sheet.xsl refuses a non-invoice"
	else
		ok "$sheet.xsl refuses a non-invoice"
	fi
done

echo "invoice-verify: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]

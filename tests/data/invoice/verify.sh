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
# Plus a few negative checks (schema rejects a malformed amount, sheets
# refuse a missing parameter).
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

# xp FILE XPATH: the XPath's string value
xp() { xmllint --nonet --xpath "string($2)" "$1" 2>/dev/null; }

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

check_cxml() { # input output name
	local in=$1 f=$2 t=$3 n i p q v
	local cur mode sub tax rate ship disc net po
	cur=$(xp "$in" /invoice/currency)
	mode=$(xp "$in" /invoice/mode)
	sub=$(xp "$in" /invoice/summary/subtotal)
	tax=$(xp "$in" /invoice/summary/tax)
	rate=$(xp "$in" /invoice/summary/taxRate)
	ship=$(xp "$in" /invoice/summary/shipping)
	disc=$(xp "$in" /invoice/summary/discount)
	net=$(xp "$in" /invoice/summary/net)
	po=$(xp "$in" /invoice/order/@poNumber)
	n=$(xp "$in" "count(/invoice/lines/line)")

	eq "$t cxml: deploymentMode" "$mode" "$(xp "$f" //Request/@deploymentMode)"
	eq "$t cxml: invoiceID" "$(xp "$in" /invoice/invoiceID)" "$(xp "$f" //InvoiceDetailRequestHeader/@invoiceID)"
	eq "$t cxml: invoiceDate" "$(xp "$in" /invoice/invoiceDate)" "$(xp "$f" //InvoiceDetailRequestHeader/@invoiceDate)"
	eq "$t cxml: From = supplier" "$(xp "$in" /invoice/from/@identity)" "$(xp "$f" /cXML/Header/From/Credential/Identity)"
	eq "$t cxml: To = buyer" "$(xp "$in" /invoice/to/@identity)" "$(xp "$f" /cXML/Header/To/Credential/Identity)"
	eq "$t cxml: OrderReference orderID" "$(xp "$in" /invoice/order/@orderID)" "$(xp "$f" //OrderReference/@orderID)"
	eq "$t cxml: OrderReference payloadID" "$(xp "$in" /invoice/order/@payloadID)" "$(xp "$f" //OrderReference/DocumentReference/@payloadID)"
	eq "$t cxml: SupplierOrderInfo = poNumber" "$po" "$(xp "$f" //SupplierOrderInfo/@orderID)"
	eq "$t cxml: every Money in $cur" "0" "$(xp "$f" "count(//Money[@currency != '$cur'])")"
	eq "$t cxml: one InvoiceDetailItem per line" "$n" "$(xp "$f" "count(//InvoiceDetailItem)")"
	if [ "$(xp "$in" "count(/invoice/lines/line/tax)")" != 0 ]; then
		eq "$t cxml: isTaxInLine" "yes" "$(xp "$f" //InvoiceDetailLineIndicator/@isTaxInLine)"
	else
		eq "$t cxml: no isTaxInLine" "" "$(xp "$f" //InvoiceDetailLineIndicator/@isTaxInLine)"
	fi

	for ((i = 1; i <= n; i++)); do
		p="/invoice/lines/line[$i]"
		q="//InvoiceDetailItem[$i]"
		eq "$t cxml line $i: invoiceLineNumber" "$(xp "$in" "$p/@invoiceLine")" "$(xp "$f" "$q/@invoiceLineNumber")"
		eq "$t cxml line $i: order lineNumber" "$(xp "$in" "$p/@number")" "$(xp "$f" "$q/InvoiceDetailItemReference/@lineNumber")"
		eq "$t cxml line $i: quantity" "$(xp "$in" "$p/quantity")" "$(xp "$f" "$q/@quantity")"
		eq "$t cxml line $i: UnitOfMeasure" "$(xp "$in" "$p/unitOfMeasure")" "$(xp "$f" "$q/UnitOfMeasure")"
		eq "$t cxml line $i: UnitPrice" "$(xp "$in" "$p/unitPrice")" "$(xp "$f" "$q/UnitPrice/Money")"
		eq "$t cxml line $i: SubtotalAmount = amount" "$(xp "$in" "$p/amount")" "$(xp "$f" "$q/SubtotalAmount/Money")"
		eq "$t cxml line $i: SupplierPartID" "$(xp "$in" "$p/supplierPartID")" "$(xp "$f" "$q/InvoiceDetailItemReference/ItemID/SupplierPartID")"
		v=$(xp "$in" "$p/tax")
		if [ "$(xp "$in" "count($p/tax)")" = 1 ]; then
			eq "$t cxml line $i: Tax" "$v" "$(xp "$f" "$q/Tax/Money")"
			if [ -n "$rate" ]; then
				eq "$t cxml line $i: TaxDetail percentageRate" "$rate" "$(xp "$f" "$q/Tax/TaxDetail/@percentageRate")"
				eq "$t cxml line $i: TaxableAmount = amount" "$(xp "$in" "$p/amount")" "$(xp "$f" "$q/Tax/TaxDetail/TaxableAmount/Money")"
				eq "$t cxml line $i: TaxAmount" "$v" "$(xp "$f" "$q/Tax/TaxDetail/TaxAmount/Money")"
			fi
		else
			eq "$t cxml line $i: no Tax" "0" "$(xp "$f" "count($q/Tax)")"
		fi
	done

	q="//InvoiceDetailSummary"
	eq "$t cxml summary: SubtotalAmount" "$sub" "$(xp "$f" "$q/SubtotalAmount/Money")"
	eq "$t cxml summary: Tax" "$tax" "$(xp "$f" "$q/Tax/Money")"
	if [ -n "$rate" ]; then
		eq "$t cxml summary: TaxDetail percentageRate" "$rate" "$(xp "$f" "$q/Tax/TaxDetail/@percentageRate")"
	fi
	if nonzero "$ship"; then
		eq "$t cxml summary: ShippingAmount" "$ship" "$(xp "$f" "$q/ShippingAmount/Money")"
	else
		eq "$t cxml summary: no ShippingAmount for zero" "0" "$(xp "$f" "count($q/ShippingAmount)")"
	fi
	if nonzero "$disc"; then
		eq "$t cxml summary: InvoiceDetailDiscount" "$disc" "$(xp "$f" "$q/InvoiceDetailDiscount/Money")"
	else
		eq "$t cxml summary: no InvoiceDetailDiscount for zero" "0" "$(xp "$f" "count($q/InvoiceDetailDiscount)")"
	fi
	eq "$t cxml summary: NetAmount" "$net" "$(xp "$f" "$q/NetAmount/Money")"
	eq "$t cxml summary: DueAmount" "$net" "$(xp "$f" "$q/DueAmount/Money")"
}

check_oagis() { # input output name
	local in=$1 f=$2 t=$3 n i p q v
	local cur mode sub tax rate ship disc net po env
	cur=$(xp "$in" /invoice/currency)
	mode=$(xp "$in" /invoice/mode)
	sub=$(xp "$in" /invoice/summary/subtotal)
	tax=$(xp "$in" /invoice/summary/tax)
	rate=$(xp "$in" /invoice/summary/taxRate)
	ship=$(xp "$in" /invoice/summary/shipping)
	disc=$(xp "$in" /invoice/summary/discount)
	net=$(xp "$in" /invoice/summary/net)
	po=$(xp "$in" /invoice/order/@poNumber)
	n=$(xp "$in" "count(/invoice/lines/line)")
	if [ "$mode" = test ]; then env=Test; else env=Production; fi

	eq "$t oagis: systemEnvironmentCode" "$env" "$(xp "$f" "$(ns /ProcessInvoice/@systemEnvironmentCode)")"
	eq "$t oagis: BODID = payloadID" "20261122-100001.1@ordergate.test" "$(xp "$f" "$(ns /ProcessInvoice/ApplicationArea/BODID)")"
	eq "$t oagis: Sender LogicalID" "ordergate-test" "$(xp "$f" "$(ns /ProcessInvoice/ApplicationArea/Sender/LogicalID)")"
	eq "$t oagis: CreationDateTime" "2026-11-22T10:00:01+00:00" "$(xp "$f" "$(ns /ProcessInvoice/ApplicationArea/CreationDateTime)")"
	q=$(ns //Invoice/InvoiceHeader)
	eq "$t oagis: ID = invoiceID" "$(xp "$in" /invoice/invoiceID)" "$(xp "$f" "$q$(ns /ID)")"
	eq "$t oagis: DocumentDateTime" "$(xp "$in" /invoice/invoiceDate)" "$(xp "$f" "$q$(ns /DocumentDateTime)")"
	eq "$t oagis: PurchaseOrderReference ID" "$(xp "$in" /invoice/order/@orderID)" "$(xp "$f" "$q$(ns /PurchaseOrderReference/ID)")"
	eq "$t oagis: PurchaseOrderReference poNumber" "$po" "$(xp "$f" "$q$(ns "/PurchaseOrderReference/DocumentIDSet[@typeCode='SupplierOrderID']/ID")")"
	eq "$t oagis: ExtendedAmount = subtotal" "$sub" "$(xp "$f" "$q$(ns /ExtendedAmount)")"
	eq "$t oagis: TotalAmount = net" "$net" "$(xp "$f" "$q$(ns /TotalAmount)")"
	eq "$t oagis: header Tax" "$tax" "$(xp "$f" "$q$(ns /Tax/Amount)")"
	eq "$t oagis: header tax rate" "$rate" "$(xp "$f" "$q$(ns /Tax/Calculation/RateNumber)")"
	if nonzero "$ship"; then
		eq "$t oagis: Charge Shipping" "$ship" "$(xp "$f" "$q$(ns "/Charge[@typeCode='Shipping']/Amount")")"
	else
		eq "$t oagis: no Charge for zero shipping" "0" "$(xp "$f" "count($q$(ns /Charge))")"
	fi
	if nonzero "$disc"; then
		eq "$t oagis: Allowance Discount" "$disc" "$(xp "$f" "$q$(ns "/Allowance[@typeCode='Discount']/Amount")")"
	else
		eq "$t oagis: no Allowance for zero discount" "0" "$(xp "$f" "count($q$(ns /Allowance))")"
	fi
	eq "$t oagis: every currencyCode is $cur" "0" "$(xp "$f" "count(//@currencyCode[. != '$cur'])")"
	eq "$t oagis: one InvoiceLine per line" "$n" "$(xp "$f" "count($(ns //InvoiceLine))")"

	for ((i = 1; i <= n; i++)); do
		p="/invoice/lines/line[$i]"
		q=$(ns "//Invoice/InvoiceLine[$i]")
		eq "$t oagis line $i: LineNumberID" "$(xp "$in" "$p/@invoiceLine")" "$(xp "$f" "$q$(ns /LineNumberID)")"
		eq "$t oagis line $i: PO LineNumberID" "$(xp "$in" "$p/@number")" "$(xp "$f" "$q$(ns /PurchaseOrderReference/LineNumberID)")"
		eq "$t oagis line $i: Quantity" "$(xp "$in" "$p/quantity")" "$(xp "$f" "$q$(ns /Quantity)")"
		eq "$t oagis line $i: unitCode" "$(xp "$in" "$p/unitOfMeasure")" "$(xp "$f" "$q$(ns /Quantity/@unitCode)")"
		eq "$t oagis line $i: UnitPrice" "$(xp "$in" "$p/unitPrice")" "$(xp "$f" "$q$(ns /UnitPrice/ChargeAmount)")"
		eq "$t oagis line $i: ExtendedAmount = amount" "$(xp "$in" "$p/amount")" "$(xp "$f" "$q$(ns /ExtendedAmount)")"
		if [ "$(xp "$in" "count($p/tax)")" = 1 ]; then
			eq "$t oagis line $i: Tax" "$(xp "$in" "$p/tax")" "$(xp "$f" "$q$(ns /Tax/Amount)")"
			if [ -n "$rate" ]; then
				eq "$t oagis line $i: Tax BasisAmount = amount" "$(xp "$in" "$p/amount")" "$(xp "$f" "$q$(ns /Tax/BasisAmount)")"
			fi
		else
			eq "$t oagis line $i: no Tax" "0" "$(xp "$f" "count($q$(ns /Tax))")"
		fi
	done
}

check_csv() { # input output name
	local in=$1 f=$2 t=$3 n i p r c row ncols_ok=1 header
	local sub tax rate ship disc net
	sub=$(xp "$in" /invoice/summary/subtotal)
	tax=$(xp "$in" /invoice/summary/tax)
	rate=$(xp "$in" /invoice/summary/taxRate)
	ship=$(xp "$in" /invoice/summary/shipping)
	disc=$(xp "$in" /invoice/summary/discount)
	net=$(xp "$in" /invoice/summary/net)
	n=$(xp "$in" "count(/invoice/lines/line)")

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
		p="/invoice/lines/line[$i]"
		row="$t csv row $i"
		eq "$row: invoiceID" "$(neutralised "$(xp "$in" /invoice/invoiceID)")" "${CSV[$i,0]}"
		eq "$row: orderID" "$(neutralised "$(xp "$in" /invoice/order/@orderID)")" "${CSV[$i,2]}"
		eq "$row: poNumber" "$(neutralised "$(xp "$in" /invoice/order/@poNumber)")" "${CSV[$i,3]}"
		eq "$row: lineNumber" "$(xp "$in" "$p/@number")" "${CSV[$i,4]}"
		eq "$row: supplierPartID (neutralised)" "$(neutralised "$(xp "$in" "$p/supplierPartID")")" "${CSV[$i,5]}"
		eq "$row: description (quoted, neutralised)" "$(neutralised "$(xp "$in" "$p/description")")" "${CSV[$i,6]}"
		eq "$row: quantity" "$(xp "$in" "$p/quantity")" "${CSV[$i,7]}"
		eq "$row: unitOfMeasure" "$(xp "$in" "$p/unitOfMeasure")" "${CSV[$i,8]}"
		eq "$row: unitPrice" "$(xp "$in" "$p/unitPrice")" "${CSV[$i,9]}"
		eq "$row: amount" "$(xp "$in" "$p/amount")" "${CSV[$i,10]}"
		eq "$row: tax" "$(xp "$in" "$p/tax")" "${CSV[$i,11]}"
		eq "$row: currency" "$(xp "$in" /invoice/currency)" "${CSV[$i,12]}"
		eq "$row: invoiceLine" "$(xp "$in" "$p/@invoiceLine")" "${CSV[$i,13]}"
		eq "$row: invoiceSubtotal" "$sub" "${CSV[$i,14]}"
		eq "$row: invoiceTax" "$tax" "${CSV[$i,15]}"
		eq "$row: invoiceTaxRate" "$rate" "${CSV[$i,16]}"
		eq "$row: invoiceShipping" "$ship" "${CSV[$i,17]}"
		eq "$row: invoiceDiscount" "$disc" "${CSV[$i,18]}"
		eq "$row: invoiceNet" "$net" "${CSV[$i,19]}"
	done
}

# ---------------------------------------------------------------------------

count=0
for in in "$HERE"/*.xml; do
	[ -e "$in" ] || continue
	count=$((count + 1))
	t=$(basename "$in" .xml)

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
		check_cxml "$in" "$OUT/$t.cxml.xml" "$t"
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
		check_oagis "$in" "$OUT/$t.oagis.xml" "$t"
	else
		not_ok "$t: invoice-to-oagis.xsl failed: $(<"$OUT/$t.oagis.err")"
	fi

	# CSV
	if xsltproc --nonet "${PARAMS[@]}" -o "$OUT/$t.csv" "$XSLT/invoice-to-csv.xsl" "$in" 2>"$OUT/$t.csv.err"; then
		ok "$t: invoice-to-csv.xsl ran"
		check_csv "$in" "$OUT/$t.csv" "$t"
	else
		not_ok "$t: invoice-to-csv.xsl failed: $(<"$OUT/$t.csv.err")"
	fi
done
eq "three canonical invoices found" "3" "$count"

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

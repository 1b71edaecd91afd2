#!/usr/bin/env bash
# OAGIS stylesheet checks with xsltproc and xmllint only (no ordergate
# binary, never the network). Run from anywhere:
#   bash tests/data/oagis/verify.sh          check
#   UPDATE=1 bash tests/data/oagis/verify.sh rewrite expected/*.po.xml and
#                                            expected/*.ack.xml, then check
# expected/*.canonical.xml (the map's output) and enriched/*.xml (the
# engine's normalisation, computation and decision imitated by hand) are
# inputs of this script: regenerate the first with
#   xsltproc --nonet xslt/oagis-to-canonical.xsl tests/data/oagis/NAME.xml
# and review the diff after an intended map change.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
D="$ROOT/tests/data/oagis"
X="$ROOT/xslt"
XSD="$X/schemas/oagis-10.4"
export TZ=UTC
PASSED=0
FAILED=0
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/ordergate-oagis.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }
check() { # check "description" command...
	local what=$1; shift
	if "$@" >"$SCRATCH/check.out" 2>&1; then ok "$what"; else not_ok "$what"; head -20 "$SCRATCH/check.out"; fi
}
xsd_valid() { xmllint --noout --nonet --schema "$XSD/$1.xsd" "$2"; }
rng_valid() { xmllint --noout --nonet --relaxng "$X/canonical.rng" "$1"; }
same() { diff -u "$1" "$2"; }
attr() { xmllint --nonet --xpath "string($2)" "$1"; }

# fixed parameters of the supplier side (the engine passes its own)
ACK_PARAMS=(--stringparam payloadID ordergate-ack-0001
	--stringparam timestamp 2026-01-01T00:00:00+00:00
	--stringparam senderDomain LogicalID --stringparam senderIdentity lid://ordergate
	--stringparam userAgent ordergate --stringparam noticeDate 2026-01-01T00:00:00+00:00
	--stringparam confirmID CONF-0001)

# 1. the OAGIS 10.4 inputs are valid against the vendored XSD
#    (po-oagis9.xml and po-infor.xml use other namespaces: no schema exists)
for f in po-simple po-line-shipto po-test-change po-extensions; do
	check "$f.xml is valid OAGIS 10.4" xsd_valid ProcessPurchaseOrder "$D/$f.xml"
done

# 2. inbound map: output as expected
for f in "$D"/po-*.xml; do
	n=$(basename "$f" .xml)
	if xsltproc --nonet "$X/oagis-to-canonical.xsl" "$f" >"$SCRATCH/$n.canonical.xml" 2>"$SCRATCH/$n.err"; then
		check "map $n: as expected/$n.canonical.xml" same "$D/expected/$n.canonical.xml" "$SCRATCH/$n.canonical.xml"
	else
		not_ok "map $n failed: $(cat "$SCRATCH/$n.err")"
	fi
done

# 3. enriched canonicals are valid, outbound documents valid and as expected,
#    and OAGIS -> canonical -> OAGIS -> canonical keeps every field
for e in "$D"/enriched/*.xml; do
	n=$(basename "$e" .xml)
	check "enriched/$n.xml is valid against canonical.rng" rng_valid "$e"
	# round trip: the document is sent as the canonical sender sent it
	po="$SCRATCH/$n.po.xml"
	if xsltproc --nonet --stringparam payloadID ordergate-po-0001 \
		--stringparam timestamp 2026-01-01T00:00:00+00:00 \
		--stringparam senderDomain "$(attr "$e" /order/sender/@domain)" \
		--stringparam senderIdentity "$(attr "$e" /order/sender/@identity)" \
		--stringparam userAgent "$(attr "$e" /order/sender/@userAgent)" \
		"$X/canonical-to-oagis-order.xsl" "$e" >"$po" 2>"$SCRATCH/$n.err"; then
		[ "${UPDATE:-0}" = 1 ] && cp "$po" "$D/expected/$n.po.xml"
		check "po $n: valid ProcessPurchaseOrder 10.4" xsd_valid ProcessPurchaseOrder "$po"
		check "po $n: as expected/$n.po.xml" same "$D/expected/$n.po.xml" "$po"
		xsltproc --nonet "$X/oagis-to-canonical.xsl" "$po" >"$SCRATCH/$n.rt.xml" 2>"$SCRATCH/$n.err" &&
			xsltproc --nonet "$D/roundtrip-strip.xsl" "$SCRATCH/$n.rt.xml" >"$SCRATCH/$n.rt.strip.xml" &&
			xsltproc --nonet "$D/roundtrip-strip.xsl" "$e" >"$SCRATCH/$n.strip.xml"
		check "round trip $n: OAGIS -> canonical -> OAGIS -> canonical keeps every field" \
			same "$SCRATCH/$n.strip.xml" "$SCRATCH/$n.rt.strip.xml"
	else
		not_ok "po $n failed: $(cat "$SCRATCH/$n.err")"
	fi
	ack="$SCRATCH/$n.ack.xml"
	if [ "$(attr "$e" /order/decision/@action)" = hold ]; then
		if xsltproc --nonet "${ACK_PARAMS[@]}" "$X/canonical-to-oagis-ack.xsl" "$e" >"$ack" 2>"$SCRATCH/$n.err"; then
			not_ok "ack $n: an order on hold must not be acknowledged"
		else
			check "ack $n: refused while on hold" grep -q 'the order is on hold' "$SCRATCH/$n.err"
		fi
	elif xsltproc --nonet "${ACK_PARAMS[@]}" "$X/canonical-to-oagis-ack.xsl" "$e" >"$ack" 2>"$SCRATCH/$n.err"; then
		[ "${UPDATE:-0}" = 1 ] && cp "$ack" "$D/expected/$n.ack.xml"
		check "ack $n: valid AcknowledgePurchaseOrder 10.4" xsd_valid AcknowledgePurchaseOrder "$ack"
		check "ack $n: as expected/$n.ack.xml" same "$D/expected/$n.ack.xml" "$ack"
	else
		not_ok "ack $n failed: $(cat "$SCRATCH/$n.err")"
	fi
done

# 4. cXML-derived canonicals render to valid OAGIS too
for e in "$ROOT"/tests/data/golden/*/expected/canonical.xml "$ROOT"/tests/data/schema/valid-*.xml; do
	n=${e#"$ROOT"/tests/data/}
	xsltproc --nonet --stringparam payloadID p --stringparam timestamp 2026-01-01T00:00:00+00:00 \
		--stringparam senderDomain NetworkID --stringparam senderIdentity ORDERGATE \
		"$X/canonical-to-oagis-order.xsl" "$e" >"$SCRATCH/x.po.xml" 2>"$SCRATCH/x.err" &&
		check "po from $n: valid ProcessPurchaseOrder 10.4" xsd_valid ProcessPurchaseOrder "$SCRATCH/x.po.xml" ||
		not_ok "po from $n failed: $(cat "$SCRATCH/x.err")"
	xsltproc --nonet "${ACK_PARAMS[@]}" "$X/canonical-to-oagis-ack.xsl" "$e" >"$SCRATCH/x.ack.xml" 2>"$SCRATCH/x.err" &&
		check "ack from $n: valid AcknowledgePurchaseOrder 10.4" xsd_valid AcknowledgePurchaseOrder "$SCRATCH/x.ack.xml" ||
		not_ok "ack from $n failed: $(cat "$SCRATCH/x.err")"
done

# 5. documents the map must refuse, with a message naming the reason
for f in "$D"/negative/*.xml; do
	n=$(basename "$f" .xml)
	if xsltproc --nonet "$X/oagis-to-canonical.xsl" "$f" >/dev/null 2>"$SCRATCH/$n.err"; then
		not_ok "negative $n: the map accepted it"
	else
		check "negative $n: refused with \"$(cat "$D/negative/$n.expect")\"" \
			grep -qF -- "$(cat "$D/negative/$n.expect")" "$SCRATCH/$n.err"
	fi
done

echo "oagis-verify: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]

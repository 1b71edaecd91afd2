/*
 * shipment: see shipment.h.
 */
#include "shipment.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xpath.h>

#include "datetime.h"
#include "util.h"

static char *xp_string(xmlXPathContextPtr xp, const char *expr)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, xp);
	char *s = NULL;
	if (r) {
		xmlChar *v = xmlXPathCastToString(r);
		s = xstrdup(v ? str_trim((char *)v) : "");
		xmlFree(v);
		xmlXPathFreeObject(r);
	}
	return s ? s : xstrdup("");
}

static double xp_count(xmlXPathContextPtr xp, const char *expr)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, xp);
	double n = r ? xmlXPathCastToNumber(r) : 0;
	xmlXPathFreeObject(r);
	return n;
}

static int add_line(struct shipment_info *s, const char *num, const char *qty, const char *uom,
		    char **err)
{
	char *end = NULL;
	long n = strtol(num, &end, 10);
	dec_t q;
	if (!*num || *end || n <= 0) {
		*err = xasprintf("a shipped line has no valid line number (\"%s\")", num);
		return -1;
	}
	if (dec_parse(qty, &q) < 0 || q <= 0) {
		*err = xasprintf("line %ld: shipped quantity \"%s\" is not a positive decimal", n, qty);
		return -1;
	}
	if (strlen(uom) > SHIPMENT_UOM_MAX) {
		*err = xasprintf("line %ld: the unit of measure \"%.40s...\" is longer than %d "
				 "characters", n, uom, SHIPMENT_UOM_MAX);
		return -1;
	}
	for (int i = 0; i < s->nlines; i++)
		if (s->lines[i].number == n) {
			if (strcasecmp(s->lines[i].uom, uom)) {
				*err = xasprintf("line %ld is shipped in two units of measure (%s "
						 "and %s); ask the sender to state each line's "
						 "quantity in the order's unit",
						 n, s->lines[i].uom, uom);
				return -1;
			}
			dec_add(s->lines[i].quantity, q, &s->lines[i].quantity);
			return 0;
		}
	s->lines = xrealloc(s->lines, sizeof *s->lines * (size_t)(s->nlines + 1));
	memset(&s->lines[s->nlines], 0, sizeof s->lines[s->nlines]);
	s->lines[s->nlines].number = n;
	strcpy(s->lines[s->nlines].uom, uom);
	s->lines[s->nlines++].quantity = q;
	return 0;
}

static int normalise_date(char **date, const char *what, const char *zone, char **err)
{
	if (!*date || !**date)
		return 0;
	char out[DATETIME_MAX];
	if (datetime_normalize(*date, zone, out) == DATETIME_INVALID) {
		*err = xasprintf("%s \"%s\" is not a date", what, *date);
		return -1;
	}
	free(*date);
	*date = xstrdup(out);
	return 0;
}

int shipment_read(xmlDocPtr doc, const char *zone, struct shipment_info *s, char **err)
{
	*err = NULL;
	memset(s, 0, sizeof s[0]);
	xmlXPathContextPtr xp = xmlXPathNewContext(doc);
	int rc = 0;
	const char *root = (const char *)xmlDocGetRootElement(doc)->name;
	if (!strcmp(root, "cXML")) {
		if (xp_count(xp, "count(//ShipNoticeRequest/ShipNoticePortion)") != 1) {
			*err = xstrdup("a ShipNoticeRequest must carry exactly one ShipNoticePortion (one "
				       "order); ask the sender to send one notice per order");
			rc = -1;
		} else {
			const char *h = "//ShipNoticeRequest/ShipNoticeHeader";
			char *q;
			s->order_key = xp_string(xp, "string(//ShipNoticePortion/OrderReference/@orderID)");
			s->shipment_id = xp_string(xp, (q = xasprintf("string(%s/@shipmentID)", h)));
			free(q);
			if (!*s->shipment_id) {
				*err = xstrdup("the ShipNoticeHeader has no shipmentID; every shipment "
					       "needs one of its own, so that a second shipment of "
					       "the order can be told from this one sent again: ask "
					       "the sender to fill it in");
				rc = -1;
			}
			s->ship_date = xp_string(xp, (q = xasprintf("string(%s/@shipmentDate)", h)));
			free(q);
			s->notice_date = xp_string(xp, (q = xasprintf("string(%s/@noticeDate)", h)));
			free(q);
			s->carrier = xp_string(xp, "string(//ShipControl/CarrierIdentifier[1])");
			s->tracking = xp_string(xp, "string(//ShipControl/ShipmentIdentifier[1])");
			xmlXPathObjectPtr items = rc < 0 ? NULL :
				xmlXPathEvalExpression((const xmlChar *)"//ShipNoticePortion/ShipNoticeItem", xp);
			for (int i = 0; rc == 0 && items && items->nodesetval && i < items->nodesetval->nodeNr;
			     i++) {
				xmlNodePtr it = items->nodesetval->nodeTab[i];
				xmlChar *ln = xmlGetProp(it, (const xmlChar *)"lineNumber");
				xmlChar *qt = xmlGetProp(it, (const xmlChar *)"quantity");
				xp->node = it;
				char *uom = xp_string(xp, "string(UnitOfMeasure)");
				rc = add_line(s, ln ? (const char *)ln : "", qt ? (const char *)qt : "", uom,
					      err);
				free(uom);
				xmlFree(ln);
				xmlFree(qt);
			}
			xmlXPathFreeObject(items);
			/* Fulfill.dtd: "If a ShipNoticePortion element contains no
			 * ShipNoticeItem elements, the entire referenced order is
			 * included in the shipment." */
			if (rc == 0 && s->nlines == 0)
				s->whole_order = 1;
		}
	} else {
		s->order_key = xp_string(xp, "string(/csv-shipment/field[@name='orderID'])");
		s->shipment_id = xp_string(xp, "string(/csv-shipment/field[@name='shipment.id'])");
		s->ship_date = xp_string(xp, "string(/csv-shipment/field[@name='shipment.date'])");
		s->carrier = xp_string(xp, "string(/csv-shipment/field[@name='shipment.carrier'])");
		s->tracking = xp_string(xp, "string(/csv-shipment/field[@name='shipment.tracking'])");
		xmlXPathObjectPtr lines = xmlXPathEvalExpression((const xmlChar *)"/csv-shipment/line", xp);
		for (int i = 0; rc == 0 && lines && lines->nodesetval && i < lines->nodesetval->nodeNr; i++) {
			xp->node = lines->nodesetval->nodeTab[i];
			char *num = xp_string(xp, "string(field[@name='line.number'])");
			char *qty = xp_string(xp, "string(field[@name='line.quantity'])");
			rc = add_line(s, num, qty, "", err);
			free(num);
			free(qty);
		}
		xmlXPathFreeObject(lines);
	}
	if (rc == 0 && !*s->order_key) {
		*err = xstrdup("the shipment names no order (orderID)");
		rc = -1;
	}
	if (rc == 0 && s->nlines == 0 && !s->whole_order) {
		*err = xasprintf("the shipment for order %s lists no shipped line", s->order_key);
		rc = -1;
	}
	if (rc == 0)
		rc = normalise_date(&s->ship_date, "ship date", zone, err);
	if (rc == 0)
		rc = normalise_date(&s->notice_date, "notice date (noticeDate)", zone, err);
	xmlXPathFreeContext(xp);
	return rc;
}

void shipment_info_release(struct shipment_info *s)
{
	free(s->order_key);
	free(s->shipment_id);
	free(s->ship_date);
	free(s->carrier);
	free(s->tracking);
	free(s->notice_date);
	free(s->lines);
	memset(s, 0, sizeof *s);
}

/*
 * shipment: reads what shipped from a fulfilment document: a cXML
 * ShipNoticeRequest (one ShipNoticePortion, i.e. one order, per notice) or a
 * CSV shipment feed read through a column map with document = shipment
 * (an INI file in maps/csv; the neutral <csv-shipment> document). The result names
 * the order (the buyer's order number or our PO number), the shipment
 * (id, ship date and the notice's own date with their zones kept, carrier,
 * tracking; a date not given is empty, never made up) and the quantity shipped
 * per order line, in exact decimals. A ShipNoticePortion without any
 * ShipNoticeItem ships the entire order (Fulfill.dtd): it is read with no
 * lines and whole_order set. Matching it to the ledger's order is the
 * caller's job (batch.c): an unknown order or line, or more than confirmed,
 * is refused there, and a whole order's lines are filled in there from what
 * remains to ship.
 * Memory: shipment_info_release().
 */
#ifndef OG_SHIPMENT_H
#define OG_SHIPMENT_H

#include <libxml/tree.h>

#include "dec.h"

/* the longest unit of measure a canonical order carries (docs/canonical.md) */
#define SHIPMENT_UOM_MAX 32

struct shipment_line {
	long number;
	dec_t quantity;
	/* the unit the quantity is in, as the notice states it (cXML
	 * ShipNoticeItem/UnitOfMeasure); empty: not stated, the order line's */
	char uom[SHIPMENT_UOM_MAX + 1];
};

struct shipment_info {
	char *order_key;   /* order number or PO number */
	char *shipment_id, *ship_date, *carrier, *tracking;
	/* the notice's own date (cXML ShipNoticeHeader/@noticeDate), zone
	 * kept; NULL for a CSV feed, which has none (the caller records the
	 * feed's receipt time instead: docs/operations.md) */
	char *notice_date;
	struct shipment_line *lines;
	int nlines;
	int whole_order; /* no lines listed: everything that remains of the order */
};

/* root is "cXML" or "csv-shipment". -1 with *err naming what is missing. */
int shipment_read(xmlDocPtr doc, const char *assume_zone, struct shipment_info *out, char **err);
void shipment_info_release(struct shipment_info *s);

#endif

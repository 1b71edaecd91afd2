/*
 * canon: the canonical order after mapping (docs/canonical.md). Refuses
 * identifiers and codes over their length limits ("Length limits"),
 * normalises dates, decimals and codes in place, computes line amounts and
 * the summary in exact decimals, validates against xslt/canonical.rng,
 * and reads the fields the ledger needs into a struct order_info.
 *
 * Errors: -1 with *err naming the element path and the value (caller frees).
 * Memory: order_info owns its strings; canon_info_release() frees them.
 */
#ifndef OG_CANON_H
#define OG_CANON_H

#include <libxml/tree.h>

#include "dec.h"

struct line_info {
	long number;
	dec_t quantity, unit_price, amount;
	char *uom, *supplier_part, *description;
	/* from the decision: accepted, rejected, backordered, or pending (hold) */
	char *state;
	dec_t rejected, backordered;
	char *reason;
	dec_t tax; /* invoices: the line's tax */
};

struct order_info {
	char *format, *payload_id, *timestamp, *mode;
	char *sender_domain, *sender_identity, *from_domain, *from_identity;
	char *to_domain, *to_identity;
	char *order_id, *order_date, *type, *currency, *previous_payload_id;
	dec_t stated_total, subtotal, shipping, tax, discount, total;
	/* after the decision: the total without the lines it rejected whole
	 * (what the purchase order commits to and the budgets count) */
	dec_t committed;
	int has_stated_total;
	struct line_info *lines;
	int nlines;
	char **warnings;
	int nwarnings;
};

/* Loads the schema; path is <data>/xslt/canonical.rng. */
int canon_init(const char *schema_path, char **err);
void canon_shutdown(void);
/* How many element or attribute paths of the schema carry pattern facets
 * checked by rngpat (0: the schema could not be split, libxml2 checks
 * them); for tests. */
int canon_pattern_paths(void);

/* Adds a warning to the document's (logged, and recorded in the ledger):
 * "code: text". */
void canon_note_warning(struct order_info *info, const char *code, const char *text);
/* Normalise, compute, validate. assume_zone for date-times without zone. */
int canon_complete(xmlDocPtr doc, const char *assume_zone, struct order_info *info, char **err);
/* Validation alone (used after rules add their decision). */
int canon_validate(xmlDocPtr doc, char **err);
/* After the decision has been read into info's lines (rejected quantities):
 * sets info->committed and, when some lines were rejected whole and some
 * were not, adds summary/accepted (their subtotal, and the total with the
 * order's charges) for the purchase order. 0, or -1 with *err. */
int canon_accepted(xmlDocPtr doc, struct order_info *info, char **err);
void canon_info_release(struct order_info *info);

/* The first child element of n named name, or NULL. */
xmlNodePtr canon_child(xmlNodePtr n, const char *name);
/* Its text content, "" when there is none (caller frees). */
char *canon_child_str(xmlNodePtr n, const char *name);

#endif

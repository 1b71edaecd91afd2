/*
 * partner: trading-partner profiles, one INI file each under
 * <data_dir>/maps/partners/ (or [partners] dir). A profile says how to
 * recognise the partner (cXML credentials, OAGIS logical IDs, the inbox it
 * uploads to), how to authenticate it (cXML SharedSecret, compared in
 * constant time and never logged), what it may send (formats, order
 * types), whether everything it sends is test traffic, and in which format
 * each outbound kind goes to it. docs/maps.md describes the file.
 *
 * Memory: partner_load() fills a struct partners the caller releases with
 * partner_release(). Lookups return pointers into it.
 */
#ifndef OG_PARTNER_H
#define OG_PARTNER_H

#include <libxml/tree.h>

#define PARTNER_MAX_IDS 16

struct partner {
	char *name;
	char *file;
	char *mode;           /* NULL, "test" or "production" */
	char *inbound;        /* comma list of formats, NULL = any */
	char *order_types;    /* comma list of new/update/delete, NULL = any */
	char *cxml_ids[PARTNER_MAX_IDS]; /* "domain:identity", domain lowercased */
	int ncxml;
	char *oagis_ids[PARTNER_MAX_IDS];
	int noagis;
	char *secret;         /* cXML SharedSecret, or NULL */
	char *po_format;      /* cxml, oagis, csv, none; NULL = as received */
	char *confirmation_format;
	char *csv_map;        /* for CSV from this partner */
	char *encoding;       /* of what is written to it; NULL: UTF-8 */
	char *invoice_format; /* [outbound] invoice; NULL: the order's format */
	int interim;          /* [outbound] interim = yes: a held order's buyer gets a 201 status */
	char *tax_rate;       /* [invoice] tax_rate, percent, or NULL */
	char *invoice_shipping; /* [invoice] shipping, a flat charge per invoice */
	char *discount_rate;  /* [invoice] discount_rate, percent */
};

struct partners {
	struct partner *p;
	int n;
	int require_known;    /* refuse senders without a profile */
	char *dir;            /* the folder the profiles were loaded from */
};

/* Loads every *.ini in dir (a missing dir means no profiles). -1 with
 * *err naming the file and line. */
int partner_load(struct partners *ps, const char *dir, int require_known, char **err);
void partner_release(struct partners *ps);
const struct partner *partner_by_name(const struct partners *ps, const char *name);

/* The result of recognising and authenticating a document's sender. */
struct partner_auth {
	const struct partner *partner; /* NULL: unknown sender, allowed (open mode) */
	int status;   /* 0 ok, else the cXML status code to answer (401, 403) */
	char *reason; /* why not, when status != 0 (caller frees) */
	char *sender; /* the sender's identity as the document gives it (caller frees) */
};

/* Recognises the sender of a parsed document of the given format (cxml,
 * oagis, csv); bound is the partner an inbox binds (or NULL). */
void partner_authenticate(const struct partners *ps, const char *format, xmlDocPtr doc,
			  const char *bound, struct partner_auth *out);
/* After mapping: may this partner send this order type? 0 or 403. */
int partner_check_order_type(const struct partner *p, const char *type, char **reason);
/* 1 if item is in the comma-separated list (case-insensitive). */
int partner_list_has(const char *list, const char *item);

#endif

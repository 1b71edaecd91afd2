/*
 * testutil: helpers shared by the unit suites: the engine set up once per
 * process, temporary folders, small files, and builders for cXML and
 * canonical orders held in memory (the unit tests need no file outside
 * the repository).
 */
#ifndef OG_TEST_UTIL_H
#define OG_TEST_UTIL_H

#include <stddef.h>

#include "config.h"

/* Unchecked fixture: loads the default configuration (config_load with no
 * file, so ORDERGATE_DATADIR or the compiled-in data dir) and runs
 * pipeline_init once per process. Check runs unchecked fixtures in the
 * parent, so with CK_FORK every test inherits the loaded engine. */
void t_engine_setup(void);
/* Called once by main() after every suite ran: pipeline_shutdown. */
void t_engine_shutdown(void);
const struct config *t_cfg(void);
/* Trusts the engine's own folders (xslt/, maps/) and, if not NULL, extra
 * (xmlsafe_init); t_trust(NULL) puts back what the tests start from. */
void t_trust(const char *extra);

/* A fresh folder under /tmp (caller frees) and its recursive removal. */
char *t_tempdir(void);
void t_rmtree(const char *path);

void t_write_file(const char *path, const char *data, size_t len);
/* Whole file, NUL-terminated; NULL when it cannot be read. */
char *t_read_file(const char *path, size_t *len);
int t_is_dir(const char *path);

/* One ItemOut of a generated cXML OrderRequest. */
struct t_line {
	const char *number;   /* @lineNumber, NULL: left out */
	const char *quantity; /* @quantity */
	const char *price;    /* UnitPrice/Money */
	const char *currency; /* UnitPrice/Money/@currency */
};

/* A generated cXML OrderRequest; NULL fields take the defaults shown. */
struct t_order {
	const char *currency;     /* Total/Money/@currency: "USD" */
	const char *total;        /* Total/Money: "0.30"; "" leaves Total out */
	const char *order_date;   /* @orderDate: "2024-03-01T10:00:00-05:00" */
	const char *timestamp;    /* cXML/@timestamp: "2024-03-01T10:00:00-05:00" */
	const char *payload_id;   /* cXML/@payloadID: "pid-1@buyer.example" */
	const char *header_extra; /* markup after Total (Shipping, Tax), none */
	const struct t_line *lines;
	int nlines;               /* 0 and lines NULL: one line 3 x 0.10 USD;
				     -1: no ItemOut at all */
};

/* Returns the document (caller frees). */
char *t_cxml(const struct t_order *o);

/* A canonical order (docs/canonical.md) as the map would write it, before
 * the engine's normalisation. header_xml goes right after <currency>
 * (total, shipping, tax, discount; may be ""); lines_xml holds the <line>
 * elements. */
char *t_canonical(const char *currency, const char *header_xml, const char *order_date,
		  const char *lines_xml);
/* One canonical <line> (caller frees). */
char *t_canon_line(const char *number, const char *quantity, const char *price,
		   const char *price_currency);

#endif

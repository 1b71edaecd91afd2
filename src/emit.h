/*
 * emit: renders the outbound documents for one decided canonical order, in
 * the format each kind goes out in: the purchase order to the supplier and
 * the confirmation to the buyer, as cXML, OAGIS or CSV, each through its
 * stylesheet (a table: kind x format), with payloadIDs of our own
 * (<documentID>.<kind>@<payload_host>) and zoned timestamps. Every XML
 * document is validated against the vendored schema of its format (cXML
 * 1.2.071 DTDs, OAGIS 10.4 XSDs) before it may be published, so nothing
 * invalid leaves: the result tree itself, then its serialised text is
 * checked for characters XML does not allow (or, for an output encoding
 * other than UTF-8, the text is parsed back and validated). Also renders
 * cXML Responses (status codes) for documents that are refused.
 */
#ifndef OG_EMIT_H
#define OG_EMIT_H

#include <libxml/tree.h>

#include "config.h"
#include "util.h"

#define EMIT_MAX 4

struct output_doc {
	char *kind;       /* po, confirmation, invoice, response */
	char *format;     /* cxml, oagis, csv */
	char *payload_id;
	struct buf data;
	int chunks; /* a large order's: rendered in this many chunks (0: whole) */
};

/* The outbound formats of one order; "none" (or NULL) writes nothing. */
struct emit_formats {
	const char *po;
	const char *confirmation;
	const char *invoice;  /* set only when rendering an invoice */
	const char *encoding; /* NULL: UTF-8; else what the partner asks for */
	long chunk_lines;     /* > 0: a large order, rendered this many lines at a time
			       * where the format allows (XML in UTF-8); the canonical
			       * order's lines are freed as they are rendered */
	/* called (when set) with each run of the canonical order's lines
	 * [first, end) just before they are freed */
	void (*lines_done)(void *arg, xmlDocPtr canonical, xmlNodePtr first, xmlNodePtr end);
	void *lines_arg;
};

int emit_init(const struct config *cfg, char **err);
/* Compiles every schema now (emit_init leaves the XSDs until first use):
 * for check-config, so that a broken schema is found before a run. */
int emit_load_all_schemas(const struct config *cfg, char **err);
void emit_shutdown(void);
/* 1 if format names an outbound format ordergate can write. */
int emit_known_format(const char *format);
/* Renders the kinds the formats ask for. Returns the number of documents
 * written into out[], or -1 with *err set. */
int emit_render(const struct config *cfg, xmlDocPtr canonical, const char *doc_id,
		const struct emit_formats *formats, struct output_doc out[EMIT_MAX], char **err);
/* A cXML Response carrying status code and text (401, 403, 406, 409 ...). */
int emit_cxml_response(const struct config *cfg, const char *doc_id, int code,
		       const char *text, struct output_doc *out, char **err);
/* A cXML StatusUpdateRequest (201 Accepted) telling the buyer its order
 * is held for approval: the interim status a partner profile may ask for. */
struct order_info;
int emit_cxml_interim(const struct config *cfg, const char *doc_id,
		      const struct order_info *info, const char *text, struct output_doc *out,
		      char **err);
/* The file extension for a format: "xml" or "csv". */
const char *emit_extension(const char *format);
/* 1 when s[0..len) is UTF-8 holding only characters XML 1.0 allows, raw or
 * as character references; else 0 with *at the offending byte offset. */
int emit_chars_ok(const char *s, size_t len, size_t *at);
void emit_output_release(struct output_doc *o);

#endif

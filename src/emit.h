/*
 * emit: renders the outbound documents for one decided canonical order:
 * the purchase order to the supplier and the confirmation to the buyer,
 * each through its stylesheet, with payloadIDs of our own
 * (<documentID>.<kind>@<payload_host>) and zoned timestamps. Each rendered
 * cXML document is parsed back and validated against the vendored cXML
 * 1.2.071 DTD before it may be published, so nothing invalid leaves.
 */
#ifndef OG_EMIT_H
#define OG_EMIT_H

#include <libxml/tree.h>

#include "config.h"
#include "util.h"

#define EMIT_MAX 4

struct output_doc {
	char *kind;       /* po, confirmation */
	char *format;     /* cxml */
	char *payload_id;
	struct buf data;
};

int emit_init(const struct config *cfg, char **err);
void emit_shutdown(void);
/* Renders every outbound kind. Returns the number of documents written
 * into out[], or -1 with *err set. */
int emit_render(const struct config *cfg, xmlDocPtr canonical, const char *doc_id,
		struct output_doc out[EMIT_MAX], char **err);
void emit_output_release(struct output_doc *o);

#endif

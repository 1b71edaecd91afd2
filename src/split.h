/*
 * split: large partner orders mapped in chunks of lines (docs/performance.md,
 * "Large orders"). A whole-tree parse of an order costs about ten times its
 * size in memory, and its mapped canonical tree as much again; for a
 * document of [engine] chunk_above_kb or more the input is read with
 * libxml2's streaming reader instead (the same safe options as xmlsafe):
 *
 * - split_open reads the document once and keeps a skeleton: every node
 *   except the line elements (cXML ItemOut under cXML/Request/OrderRequest,
 *   OAGIS PurchaseOrderLine under ProcessPurchaseOrder/DataArea/
 *   PurchaseOrder). Detection and authentication read the skeleton.
 * - split_map reads it again and applies the map to the skeleton plus
 *   chunk_lines lines at a time (with the stylesheet parameter lineOffset,
 *   the lines before the chunk), copying each chunk's canonical lines into
 *   the first chunk's canonical order.
 *
 * Equivalence with the whole-tree map is checked, not assumed: every
 * chunk's canonical order apart from its lines must equal the first one's
 * byte for byte, or split_map answers "not splittable" and the caller maps
 * the whole tree. Anything this module does not handle (another format, an
 * encoding that is not ASCII-compatible (UTF-16), an internal DTD subset,
 * a node other than whitespace among the lines, a
 * second order in the document, any parse error, so that the error message
 * is the whole parser's) also answers NULL / 1 and the document takes the
 * ordinary path.
 */
#ifndef OG_SPLIT_H
#define OG_SPLIT_H

#include <stddef.h>

#include <libxml/tree.h>
#include <libxslt/xsltInternals.h>

#include "xform.h"

struct split;

/* Reads data (kept by the caller until split_close). NULL: not splittable. */
struct split *split_open(const char *data, size_t len);
/* The skeleton (owned by the split). */
xmlDocPtr split_skeleton(struct split *s);
/* The number of line elements. */
long split_lines(const struct split *s);
/* Maps chunk by chunk. Returns 0 with *out the canonical order, 1 when the
 * chunks do not agree (map the whole tree instead), -1 with *err when the
 * map stopped. params are the map's own; lineOffset is added. */
int split_map(struct split *s, xsltStylesheetPtr map, const struct xform_param *params,
	      int nparams, long chunk_lines, xmlDocPtr *out, char **err);
void split_close(struct split *s);

#endif

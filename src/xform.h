/*
 * xform: libxslt for the engine's own (trusted) stylesheets applied to
 * partner data (untrusted). Stylesheets are compiled once per process and
 * cached by path; a stylesheet with errors is refused. Every transform runs
 * with security prefs that forbid writing files, creating folders and any
 * network access, and allow reading only inside the trusted folders; with
 * the safe parse options for document(); with a template depth, variable
 * and XPath operation limit. Errors land in xmlsafe_errors().
 */
#ifndef OG_XFORM_H
#define OG_XFORM_H

#include <libxml/tree.h>
#include <libxslt/xsltInternals.h>

#include "util.h"

struct xform_param {
	const char *name;
	const char *value; /* a plain string, quoted by xform */
};

void xform_init(void);
void xform_shutdown(void);
/* Returns the compiled stylesheet or NULL with *err set (caller frees). */
xsltStylesheetPtr xform_load(const char *path, char **err);
/* Applies sheet; returns the result document or NULL with *err set. */
xmlDocPtr xform_apply(xsltStylesheetPtr sheet, xmlDocPtr doc, const struct xform_param *params,
		      int nparams, char **err);
/* 1 when the stylesheet's output is UTF-8 (its xsl:output names UTF-8 or
 * no encoding). */
int xform_writes_utf8(xsltStylesheetPtr sheet);
/* Serialises a result as the stylesheet's xsl:output says. */
int xform_serialize(xsltStylesheetPtr sheet, xmlDocPtr result, struct buf *out);
/* Splicing the serialised text of a large order in pieces (emit's chunked
 * outputs, the ledger's canonical text): a tree holding the element
 * <og-splice-mark/> where its lines were is serialised; xform_mark_at
 * finds the mark in that text: the bytes before it (*pre), where the text
 * after it starts (*post), and what the serialiser writes between two
 * sibling elements there (*sep: "\n" and the mark's indentation when it
 * indents, else ""; caller frees). -1 when the mark is not there. */
#define XFORM_MARK "og-splice-mark"
int xform_mark_at(struct buf *text, size_t *pre, size_t *post, char **sep);
/* Appends n elements of doc to out in UTF-8, each as a whole-document
 * serialisation writes it at depth level (format: indented), sep between
 * them. */
int xform_dump_nodes(xmlDocPtr doc, xmlNodePtr *nodes, size_t n, int level, int format,
		     const char *sep, struct buf *out);

#endif

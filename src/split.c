/*
 * split: see split.h.
 */
#include "split.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "util.h"
#include "xmlsafe.h"

#define PATH_DEPTH 3

/* Where an order keeps its lines: the elements from the root down to the
 * lines' parent, and the line element (local names). */
static const struct shape {
	const char *path[PATH_DEPTH];
	const char *line;
} shapes[] = {
	{ { "cXML", "Request", "OrderRequest" }, "ItemOut" },
	{ { "ProcessPurchaseOrder", "DataArea", "PurchaseOrder" }, "PurchaseOrderLine" },
};

struct split {
	const char *data;
	size_t len;
	const struct shape *shape;
	xmlDocPtr skeleton;
	long nlines;
};

static void reader_error(void *arg, xmlErrorPtr e)
{
	(void)e;
	*(int *)arg = 1;
}

static xmlTextReaderPtr open_reader(const char *data, size_t len, int *failed)
{
	if (len > INT_MAX)
		return NULL;
	xmlTextReaderPtr r = xmlReaderForMemory(data, (int)len, "document", NULL, XMLSAFE_OPTIONS);
	if (r)
		xmlTextReaderSetStructuredErrorHandler(r, reader_error, failed);
	return r;
}

static const char *skip_past(const char *p, const char *end, const char *what)
{
	size_t n = strlen(what);
	for (; p + n <= end; p++)
		if (!memcmp(p, what, n))
			return p + n;
	return end;
}

/* 1 when the prolog holds a DOCTYPE with an internal subset (declarations
 * are xmlsafe's business: such a document takes the whole-tree path). */
static int has_internal_subset(const char *p, const char *end)
{
	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || (unsigned char)*p >= 0x80) {
			p++; /* blanks and a byte order mark */
		} else if (end - p >= 2 && !memcmp(p, "<?", 2)) {
			p = skip_past(p + 2, end, "?>");
		} else if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
			p = skip_past(p + 4, end, "-->");
		} else if (end - p >= 9 && !memcmp(p, "<!DOCTYPE", 9)) {
			for (p += 9; p < end && *p != '>'; p++) {
				if (*p == '[')
					return 1;
				if (*p == '"' || *p == '\'') {
					const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
					p = q ? q : end - 1;
				}
			}
			return 0;
		} else {
			return 0; /* the root element, or something the parser will refuse */
		}
	}
	return 0;
}

/* Where the reader is against the shape's path: an element at depth d is
 * on it when its ancestors are (matched: how many path elements are open
 * around the reader) and it has the path's name there. */
static int on_path(const struct shape *shape, int d, int matched, const char *name)
{
	return d < PATH_DEPTH && d == matched && !strcmp(name, shape->path[d]);
}

/* The end of a path element closes it. */
static void leave(int d, int *matched)
{
	if (d < PATH_DEPTH && *matched == d + 1)
		*matched = d;
}

/* A line element at depth d inside the whole path. */
static int is_line_at(const struct shape *shape, int d, int matched, const char *name)
{
	return d == PATH_DEPTH && matched == PATH_DEPTH && !strcmp(name, shape->line);
}

static void attach(xmlDocPtr doc, xmlNodePtr parent, xmlNodePtr copy)
{
	xmlAddChild(parent ? parent : (xmlNodePtr)doc, copy);
}

struct split *split_open(const char *data, size_t len)
{
	/* UTF-16 and other encodings the prolog scan cannot read go whole */
	if (len == 0 || memchr(data, '\0', len < 4096 ? len : 4096) ||
	    has_internal_subset(data, data + len))
		return NULL;
	int failed = 0;
	xmlTextReaderPtr r = open_reader(data, len, &failed);
	if (!r)
		return NULL;
	struct split *s = xcalloc(1, sizeof *s);
	s->data = data;
	s->len = len;
	s->skeleton = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr stack[PATH_DEPTH] = { NULL };
	int seen[PATH_DEPTH] = { 0 };
	int matched = 0; /* path elements open around the reader */
	int in_lines = 0, ok = 1;
	int ret = xmlTextReaderRead(r);
	while (ret == 1 && ok) {
		int type = xmlTextReaderNodeType(r);
		int d = xmlTextReaderDepth(r);
		xmlNodePtr node = xmlTextReaderCurrentNode(r);
		xmlNodePtr parent = d > 0 ? stack[d - 1] : NULL;
		int skip = 0;
		if (d > PATH_DEPTH || (d > 0 && d > matched)) {
			ok = 0; /* cannot happen: subtrees off the path are skipped */
			break;
		}
		if (type == XML_READER_TYPE_END_ELEMENT) {
			leave(d, &matched);
		} else if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
			xmlDtdPtr dtd = (xmlDtdPtr)node;
			if (!s->skeleton->intSubset)
				xmlCreateIntSubset(s->skeleton, dtd->name, dtd->ExternalID,
						   dtd->SystemID);
		} else if (type == XML_READER_TYPE_ELEMENT) {
			const char *name = (const char *)xmlTextReaderConstLocalName(r);
			if (d == 0) {
				for (size_t i = 0; i < ARRAY_SIZE(shapes) && !s->shape; i++)
					if (!strcmp(name, shapes[i].path[0]))
						s->shape = &shapes[i];
				if (!s->shape) {
					ok = 0;
					break;
				}
			}
			if (on_path(s->shape, d, matched, name)) {
				if (seen[d]++) {
					ok = 0; /* a second order: the map names the problem */
					break;
				}
				xmlNodePtr copy = xmlDocCopyNode(node, s->skeleton, 2);
				attach(s->skeleton, parent, copy);
				stack[d] = copy;
				if (!xmlTextReaderIsEmptyElement(r))
					matched = d + 1;
			} else if (is_line_at(s->shape, d, matched, name)) {
				s->nlines++;
				in_lines = 1;
				skip = 1;
			} else if (d == PATH_DEPTH && in_lines) {
				ok = 0; /* an element after the lines: order matters to the map */
			} else {
				xmlNodePtr whole = xmlTextReaderExpand(r);
				if (!whole) {
					ok = 0;
					break;
				}
				attach(s->skeleton, parent, xmlDocCopyNode(whole, s->skeleton, 1));
				skip = 1;
			}
		} else if (type == XML_READER_TYPE_ENTITY_REFERENCE) {
			ok = 0;
		} else if (node && (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
				    type == XML_READER_TYPE_WHITESPACE ||
				    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
				    type == XML_READER_TYPE_COMMENT ||
				    type == XML_READER_TYPE_PROCESSING_INSTRUCTION)) {
			if (d == PATH_DEPTH && in_lines) {
				if (!xmlIsBlankNode(node))
					ok = 0; /* text or a comment among the lines */
			} else {
				attach(s->skeleton, parent, xmlDocCopyNode(node, s->skeleton, 1));
			}
		}
		ret = skip ? xmlTextReaderNext(r) : xmlTextReaderRead(r);
	}
	xmlDocPtr rdoc = xmlTextReaderCurrentDoc(r);
	if (rdoc && rdoc->intSubset &&
	    (rdoc->intSubset->entities || rdoc->intSubset->pentities))
		ok = 0;
	xmlFreeTextReader(r);
	xmlFreeDoc(rdoc);
	if (!ok || ret < 0 || failed || !s->shape || s->nlines == 0 ||
	    !xmlDocGetRootElement(s->skeleton)) {
		split_close(s);
		return NULL;
	}
	return s;
}

xmlDocPtr split_skeleton(struct split *s)
{
	return s->skeleton;
}

long split_lines(const struct split *s)
{
	return s->nlines;
}

void split_close(struct split *s)
{
	if (!s)
		return;
	xmlFreeDoc(s->skeleton);
	free(s);
}

/* The first child element of n with local name name. */
static xmlNodePtr child_named(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
			return c;
	return NULL;
}

/* A fresh chunk: the skeleton, and where its lines go. */
static xmlDocPtr new_chunk(struct split *s, xmlNodePtr *lines_parent)
{
	xmlDocPtr chunk = xmlCopyDoc(s->skeleton, 1);
	xmlNodePtr n = xmlDocGetRootElement(chunk);
	for (int d = 1; d < PATH_DEPTH && n; d++)
		n = child_named(n, s->shape->path[d]);
	*lines_parent = n;
	return chunk;
}

/* The canonical order without its lines, as text: what every chunk must
 * agree on. */
static char *header_text(xmlDocPtr canonical)
{
	xmlNodePtr root = xmlDocGetRootElement(canonical);
	xmlNodePtr lines = child_named(root, "lines");
	xmlNodePtr next = lines ? lines->next : NULL;
	if (lines)
		xmlUnlinkNode(lines);
	xmlBufferPtr b = xmlBufferCreate();
	xmlNodeDump(b, canonical, root, 0, 0);
	char *text = xstrdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	if (lines) {
		if (next)
			xmlAddPrevSibling(next, lines);
		else
			xmlAddChild(root, lines);
	}
	return text;
}

/* Maps one chunk; folds its lines into *base. 0, 1 (disagrees) or -1. */
static int map_chunk(xmlDocPtr chunk, xsltStylesheetPtr map, const struct xform_param *params,
		     int nparams, xmlDocPtr *base, char **header, char **err)
{
	xmlsafe_errors_reset();
	xmlDocPtr res = xform_apply(map, chunk, params, nparams, err);
	if (!res)
		return -1;
	/* the map's warnings depend on the lines a chunk holds: they are not
	 * part of what the chunks must agree on, and are gathered once each */
	xmlNodePtr warnings = xmlNewDocNode(res, NULL, (const xmlChar *)"w", NULL);
	xmlNodePtr root = xmlDocGetRootElement(res);
	for (xmlNodePtr c = root ? root->children : NULL, next; c; c = next) {
		next = c->next;
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "warning")) {
			xmlUnlinkNode(c);
			xmlAddChild(warnings, c);
		}
	}
	char *h = header_text(res);
	if (!*base) {
		*base = res;
		*header = h;
	}
	xmlNodePtr into = xmlDocGetRootElement(*base);
	for (xmlNodePtr w = warnings->children, next; w; w = next) {
		next = w->next;
		xmlChar *text = xmlNodeGetContent(w);
		int known = 0;
		for (xmlNodePtr c = into->children; c && !known; c = c->next)
			if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "warning")) {
				xmlChar *t = xmlNodeGetContent(c);
				known = t && text && xmlStrEqual(t, text);
				xmlFree(t);
			}
		xmlFree(text);
		if (!known)
			xmlAddChild(into, xmlDocCopyNode(w, *base, 1));
	}
	xmlFreeNode(warnings);
	if (*base == res)
		return 0;
	int same = !strcmp(h, *header);
	free(h);
	xmlNodePtr to = child_named(xmlDocGetRootElement(*base), "lines");
	xmlNodePtr from = child_named(xmlDocGetRootElement(res), "lines");
	if (!same || !to || !from) {
		xmlFreeDoc(res);
		return 1;
	}
	for (xmlNodePtr c = from->children; c; c = c->next)
		xmlAddChild(to, xmlDocCopyNode(c, *base, 1));
	xmlFreeDoc(res);
	return 0;
}

/* Maps the chunk gathered so far (lineOffset = the lines before it) and
 * starts the next one empty. */
static int flush(xmlDocPtr *chunk, long *in_chunk, long *done, char offset[32],
		 xsltStylesheetPtr map, const struct xform_param *params, int nparams,
		 xmlDocPtr *base, char **header, char **err)
{
	snprintf(offset, 32, "%ld", *done);
	int rc = map_chunk(*chunk, map, params, nparams, base, header, err);
	xmlFreeDoc(*chunk);
	*chunk = NULL;
	*done += *in_chunk;
	*in_chunk = 0;
	return rc;
}

int split_map(struct split *s, xsltStylesheetPtr map, const struct xform_param *params,
	      int nparams, long chunk_lines, xmlDocPtr *out, char **err)
{
	*out = NULL;
	*err = NULL;
	if (chunk_lines < 1)
		chunk_lines = 1;
	int failed = 0;
	xmlTextReaderPtr r = open_reader(s->data, s->len, &failed);
	if (!r)
		return 1;
	struct xform_param *p = xcalloc((size_t)nparams + 1, sizeof *p);
	memcpy(p, params, (size_t)nparams * sizeof *p);
	char offset[32];
	p[nparams].name = "lineOffset";
	p[nparams].value = offset;
	xmlDocPtr base = NULL, chunk = NULL;
	xmlNodePtr parent = NULL;
	char *header = NULL;
	long done = 0, in_chunk = 0;
	int matched = 0, rc = 0;
	int ret = xmlTextReaderRead(r);
	while (ret == 1 && rc == 0) {
		int type = xmlTextReaderNodeType(r);
		int d = xmlTextReaderDepth(r);
		int skip = 0;
		if (type == XML_READER_TYPE_END_ELEMENT) {
			leave(d, &matched);
		} else if (type == XML_READER_TYPE_ELEMENT) {
			const char *name = (const char *)xmlTextReaderConstLocalName(r);
			if (on_path(s->shape, d, matched, name)) {
				if (!xmlTextReaderIsEmptyElement(r))
					matched = d + 1;
			} else if (is_line_at(s->shape, d, matched, name)) {
				xmlNodePtr line = xmlTextReaderExpand(r);
				if (!line) {
					rc = 1;
					break;
				}
				if (!chunk)
					chunk = new_chunk(s, &parent);
				xmlAddChild(parent, xmlDocCopyNode(line, chunk, 1));
				if (++in_chunk == chunk_lines)
					rc = flush(&chunk, &in_chunk, &done, offset, map, p, nparams + 1,
						   &base, &header, err);
				skip = 1;
			} else {
				skip = 1;
			}
		}
		if (rc == 0)
			ret = skip ? xmlTextReaderNext(r) : xmlTextReaderRead(r);
	}
	if (rc == 0 && (ret < 0 || failed))
		rc = 1;
	if (rc == 0 && chunk)
		rc = flush(&chunk, &in_chunk, &done, offset, map, p, nparams + 1, &base, &header, err);
	if (rc == 0 && done != s->nlines)
		rc = 1;
	xmlFreeDoc(chunk);
	xmlFreeTextReader(r);
	free(p);
	free(header);
	if (rc != 0) {
		xmlFreeDoc(base);
		return rc;
	}
	*out = base;
	return 0;
}

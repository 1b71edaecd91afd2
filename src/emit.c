/*
 * emit: see emit.h. Outbound kinds and formats are a table.
 */
#include "emit.h"

#include <errno.h>
#include <iconv.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <libxml/xmlschemas.h>

#include "canon.h"
#include "xform.h"
#include "xmlsafe.h"

enum validator { V_NONE, V_DTD, V_XSD };

static const struct kind {
	const char *kind, *format, *sheet;
	enum validator v;
	const char *schema; /* under xslt/schemas/ */
	/* for rendering in chunks: the element the sheet writes per line, and
	 * what it writes one for (canonical lines/line or decision/line) */
	const char *line, *driver;
} kinds[] = {
	{ "po", "cxml", "canonical-to-cxml-order.xsl", V_DTD, "cxml-1.2.071/cXML.dtd", "ItemOut",
	  "lines" },
	{ "confirmation", "cxml", "canonical-to-cxml-confirmation.xsl", V_DTD,
	  "cxml-1.2.071/Fulfill.dtd", "ConfirmationItem", "decision" },
	{ "po", "oagis", "canonical-to-oagis-order.xsl", V_XSD,
	  "oagis-10.4/ProcessPurchaseOrder.xsd", "PurchaseOrderLine", "lines" },
	{ "confirmation", "oagis", "canonical-to-oagis-ack.xsl", V_XSD,
	  "oagis-10.4/AcknowledgePurchaseOrder.xsd", "PurchaseOrderLine", "lines" },
	{ "po", "csv", "canonical-to-csv-order.xsl", V_NONE, NULL, NULL, NULL },
	{ "confirmation", "csv", "canonical-to-csv-confirmation.xsl", V_NONE, NULL, NULL, NULL },
	{ "invoice", "cxml", "invoice-to-cxml.xsl", V_DTD, "cxml-1.2.071/InvoiceDetail.dtd", NULL,
	  NULL },
	{ "invoice", "oagis", "invoice-to-oagis.xsl", V_XSD, "oagis-10.4/ProcessInvoice.xsd", NULL,
	  NULL },
	{ "invoice", "csv", "invoice-to-csv.xsl", V_NONE, NULL, NULL, NULL },
};

static struct {
	xmlDtdPtr dtd;
	xmlSchemaPtr xsd;
	int loaded;
} schemas[ARRAY_SIZE(kinds)];
static xmlDtdPtr response_dtd;

static int sheet_exists(const struct config *cfg, const char *sheet)
{
	char *path = config_xslt_path(cfg, sheet);
	struct stat st;
	int ok = stat(path, &st) == 0;
	free(path);
	return ok;
}

static int load_schema(const struct config *cfg, size_t i, char **err)
{
	if (schemas[i].loaded || kinds[i].v == V_NONE || !cfg->validate_outputs)
		return 0;
	char *path = xasprintf("%s/xslt/schemas/%s", cfg->data_dir, kinds[i].schema);
	xmlsafe_errors_reset();
	if (kinds[i].v == V_DTD) {
		schemas[i].dtd = xmlParseDTD(NULL, (const xmlChar *)path);
	} else {
		xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(path);
		if (pc)
			schemas[i].xsd = xmlSchemaParse(pc);
		xmlSchemaFreeParserCtxt(pc);
	}
	if (!schemas[i].dtd && !schemas[i].xsd) {
		*err = xasprintf("cannot load the schema %s: %s", path, xmlsafe_errors());
		free(path);
		return -1;
	}
	free(path);
	schemas[i].loaded = 1;
	return 0;
}

int emit_init(const struct config *cfg, char **err)
{
	*err = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if ((!strcmp(kinds[i].format, "csv") || !strcmp(kinds[i].kind, "invoice")) &&
		    !sheet_exists(cfg, kinds[i].sheet))
			continue; /* optional in a data dir; rendering says what is missing */
		char *path = config_xslt_path(cfg, kinds[i].sheet);
		xsltStylesheetPtr s = xform_load(path, err);
		free(path);
		/* the OAGIS XSDs take a quarter of a second to compile: they are
		 * compiled when a worker first writes OAGIS (check-config compiles
		 * them all through emit_load_all_schemas) */
		if (!s || (kinds[i].v != V_XSD && load_schema(cfg, i, err) < 0))
			return -1;
	}
	if (cfg->validate_outputs && !response_dtd) {
		for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
			if (kinds[i].v == V_DTD && !strcmp(kinds[i].kind, "po"))
				response_dtd = schemas[i].dtd;
	}
	return 0;
}

int emit_load_all_schemas(const struct config *cfg, char **err)
{
	*err = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (load_schema(cfg, i, err) < 0)
			return -1;
	return 0;
}

void emit_shutdown(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (schemas[i].dtd)
			xmlFreeDtd(schemas[i].dtd);
		if (schemas[i].xsd)
			xmlSchemaFree(schemas[i].xsd);
		memset(&schemas[i], 0, sizeof schemas[i]);
	}
	response_dtd = NULL;
}

int emit_known_format(const char *format)
{
	if (!format || !strcasecmp(format, "none"))
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcasecmp(kinds[i].format, format))
			return 1;
	return 0;
}

const char *emit_extension(const char *format)
{
	return format && !strcmp(format, "csv") ? "csv" : "xml";
}

void emit_output_release(struct output_doc *o)
{
	free(o->kind);
	free(o->format);
	free(o->payload_id);
	buf_release(&o->data);
	memset(o, 0, sizeof *o);
}

static void schema_error(void *user, xmlErrorPtr e)
{
	struct buf *b = user;
	if (!e || b->len > 1500)
		return;
	if (b->len)
		buf_adds(b, "; ");
	if (e->line > 0)
		buf_printf(b, "line %d: ", e->line);
	const char *m = e->message ? e->message : "invalid";
	size_t n = strlen(m);
	while (n && m[n - 1] == '\n')
		n--;
	buf_add(b, m, n);
}

/* Validates a document tree against its schema. */
static int validate_tree(const char *what, enum validator v, xmlDtdPtr dtd, xmlSchemaPtr xsd,
			 const char *schema, xmlDocPtr doc, char **err)
{
	int ok;
	struct buf msgs = BUF_INIT;
	xmlsafe_errors_reset();
	if (v == V_DTD) {
		xmlValidCtxtPtr vc = xmlNewValidCtxt();
		ok = xmlValidateDtd(vc, doc, dtd);
		xmlFreeValidCtxt(vc);
		buf_adds(&msgs, xmlsafe_errors());
	} else {
		xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(xsd);
		xmlSchemaSetValidStructuredErrors(vc, schema_error, &msgs);
		ok = xmlSchemaValidateDoc(vc, doc) == 0;
		xmlSchemaFreeValidCtxt(vc);
	}
	if (!ok)
		*err = xasprintf("the %s we wrote is not valid against %s (a map or stylesheet "
				 "bug; nothing was published): %s",
				 what, schema, buf_str(&msgs));
	buf_release(&msgs);
	return ok ? 0 : -1;
}

/* Parses serialised bytes back and validates them (for documents built
 * as text, and for encodings emit_chars_ok cannot read). */
static int validate(const char *what, enum validator v, xmlDtdPtr dtd, xmlSchemaPtr xsd,
		    const char *schema, const struct buf *data, char **err)
{
	if (v == V_NONE)
		return 0;
	xmlsafe_errors_reset();
	xmlDocPtr doc = xmlReadMemory(data->data, (int)data->len, "output", NULL, XMLSAFE_OPTIONS);
	if (!doc) {
		*err = xasprintf("the %s stylesheet wrote malformed XML: %s", what, xmlsafe_errors());
		return -1;
	}
	int rc = validate_tree(what, v, dtd, xsd, schema, doc, err);
	xmlFreeDoc(doc);
	return rc;
}

static int xml_char_allowed(unsigned long c)
{
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
	       (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

int emit_chars_ok(const char *s, size_t len, size_t *at)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		*at = (size_t)(p - (const unsigned char *)s);
		unsigned long c = *p;
		size_t n = 1;
		if (c >= 0x80) {
			if (c >= 0xC2 && c <= 0xDF)
				n = 2, c &= 0x1F;
			else if (c >= 0xE0 && c <= 0xEF)
				n = 3, c &= 0x0F;
			else if (c >= 0xF0 && c <= 0xF4)
				n = 4, c &= 0x07;
			else
				return 0;
			if ((size_t)(end - p) < n)
				return 0;
			for (size_t i = 1; i < n; i++) {
				if ((p[i] & 0xC0) != 0x80)
					return 0;
				c = (c << 6) | (p[i] & 0x3F);
			}
			/* overlong forms */
			if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000))
				return 0;
		} else if (c == '&' && end - p > 2 && p[1] == '#') {
			/* a character reference must name a character XML allows */
			const unsigned char *q = p + 2;
			int hex = *q == 'x';
			q += hex;
			unsigned long v = 0;
			int digits = 0;
			for (; q < end && *q != ';'; q++, digits++) {
				int d = *q >= '0' && *q <= '9'		? *q - '0'
					: hex && *q >= 'a' && *q <= 'f' ? *q - 'a' + 10
					: hex && *q >= 'A' && *q <= 'F' ? *q - 'A' + 10
									: -1;
				if (d < 0 || digits > 8)
					return 0;
				v = v * (hex ? 16 : 10) + (unsigned long)d;
			}
			if (q == end || digits == 0 || !xml_char_allowed(v))
				return 0;
		}
		if (!xml_char_allowed(c))
			return 0;
		p += n;
	}
	return 1;
}

/* Re-encodes a written document for a partner that wants another
 * encoding: XML through libxml2 (which rewrites the declaration), CSV
 * through iconv. A character the encoding lacks is an error, never a '?'. */
static int reencode(struct output_doc *o, const char *encoding, char **err)
{
	if (!encoding || !strcasecmp(encoding, "UTF-8"))
		return 0;
	struct buf out = BUF_INIT;
	if (strcmp(o->format, "csv")) {
		xmlDocPtr doc = xmlReadMemory(o->data.data, (int)o->data.len, "output", NULL,
					      XMLSAFE_OPTIONS);
		xmlChar *mem = NULL;
		int len = 0;
		if (doc)
			xmlDocDumpMemoryEnc(doc, &mem, &len, encoding);
		xmlFreeDoc(doc);
		if (!mem) {
			*err = xasprintf("cannot write the %s in %s", o->kind, encoding);
			return -1;
		}
		buf_add(&out, mem, (size_t)len);
		xmlFree(mem);
	} else {
		iconv_t cd = iconv_open(encoding, "UTF-8");
		if (cd == (iconv_t)-1) {
			*err = xasprintf("unknown encoding %s", encoding);
			return -1;
		}
		char *in = o->data.data;
		size_t inleft = o->data.len;
		while (inleft > 0) {
			buf_grow(&out, inleft * 4 + 16);
			char *dst = out.data + out.len;
			size_t room = out.cap - out.len - 1, before = room;
			size_t r = iconv(cd, &in, &inleft, &dst, &room);
			out.len += before - room;
			if (r == (size_t)-1 && errno != E2BIG) {
				*err = xasprintf("the %s holds a character %s cannot write", o->kind,
						 encoding);
				iconv_close(cd);
				buf_release(&out);
				return -1;
			}
		}
		iconv_close(cd);
	}
	buf_release(&o->data);
	o->data = out;
	return 0;
}

static const struct kind *find_kind(const char *kind, const char *format, size_t *index)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i].kind, kind) && !strcasecmp(kinds[i].format, format)) {
			*index = i;
			return &kinds[i];
		}
	return NULL;
}

/* ---- rendering in chunks of lines (large orders) -------------------- */

/* A line's number, trimmed as the sheets compare it (caller frees). */
static char *line_number(xmlNodePtr line)
{
	xmlChar *v = xmlGetProp(line, (const xmlChar *)"number");
	const char *p = v ? (const char *)v : "";
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	size_t len = strlen(p);
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r' ||
		       p[len - 1] == '\n'))
		len--;
	char *n = xstrndup(p, len);
	xmlFree(v);
	return n;
}

static int is_line(xmlNodePtr n)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, "line");
}

/* The canonical order with only the lines (and decision lines) whose
 * numbers are in set. */
static xmlDocPtr chunk_doc(xmlDocPtr canonical, xmlHashTablePtr set)
{
	xmlDocPtr d = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root = xmlDocGetRootElement(canonical);
	xmlNodePtr r = xmlDocCopyNode(root, d, 2);
	xmlDocSetRootElement(d, r);
	for (xmlNodePtr c = root->children; c; c = c->next) {
		int filtered = c->type == XML_ELEMENT_NODE &&
			       (!strcmp((const char *)c->name, "lines") ||
				!strcmp((const char *)c->name, "decision"));
		if (!filtered) {
			xmlAddChild(r, xmlDocCopyNode(c, d, 1));
			continue;
		}
		xmlNodePtr cc = xmlAddChild(r, xmlDocCopyNode(c, d, 2));
		for (xmlNodePtr x = c->children; x; x = x->next) {
			if (is_line(x)) {
				char *n = line_number(x);
				int in = xmlHashLookup(set, (const xmlChar *)n) != NULL;
				free(n);
				if (!in)
					continue;
			}
			xmlAddChild(cc, xmlDocCopyNode(x, d, 1));
		}
	}
	return d;
}

/* The first element named name, in document order. */
static xmlNodePtr find_element(xmlNodePtr n, const char *name)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)n->name, name))
			return n;
		xmlNodePtr f = find_element(n->children, name);
		if (f)
			return f;
	}
	return NULL;
}

struct splice {
	struct buf prefix, suffix, body, whole;
	char *sep;
	int level, have_ends, nbody;
};

/* Takes one chunk's result apart: its line elements go to the body, the
 * text around them must be the same in every chunk. 0, or 1 when the
 * result is not shaped for splicing (render whole). */
static int splice_add(struct splice *sp, const struct kind *kd, xsltStylesheetPtr sheet,
		      xmlDocPtr res)
{
	xmlNodePtr first = find_element(res->children, kd->line);
	struct buf text = BUF_INIT;
	if (!first) {
		/* no line here: the chunk adds nothing; its text is the whole
		 * output when no chunk has a line */
		if (!sp->whole.len && xform_serialize(sheet, res, &sp->whole) < 0)
			return 1;
		return 0;
	}
	xmlNodePtr parent = first->parent;
	size_t n = 0, cap = 64;
	xmlNodePtr *lines = xmalloc(cap * sizeof *lines);
	int after = 0, rc = 0;
	for (xmlNodePtr c = parent->children; c && !rc; c = c->next) {
		int named = c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, kd->line);
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE ||
		    c->type == XML_ENTITY_REF_NODE || (named && after))
			rc = 1; /* mixed content or lines apart: not spliceable */
		else if (named) {
			if (n == cap)
				lines = xrealloc(lines, (cap *= 2) * sizeof *lines);
			lines[n++] = c;
		} else if (n)
			after = 1;
	}
	if (rc) {
		free(lines);
		return 1;
	}
	xmlNodePtr mark = xmlNewDocNode(res, NULL, (const xmlChar *)XFORM_MARK, NULL);
	xmlAddPrevSibling(lines[0], mark);
	for (size_t i = 0; i < n; i++)
		xmlUnlinkNode(lines[i]);
	int level = 0;
	for (xmlNodePtr a = parent; a && a->type == XML_ELEMENT_NODE; a = a->parent)
		level++;
	size_t pre = 0, post = 0;
	char *sep = NULL;
	rc = xform_serialize(sheet, res, &text) < 0 || xform_mark_at(&text, &pre, &post, &sep) < 0;
	if (!rc && !sp->have_ends) {
		buf_add(&sp->prefix, text.data, pre);
		buf_add(&sp->suffix, text.data + post, text.len - post);
		sp->sep = sep;
		sep = NULL;
		sp->level = level;
		sp->have_ends = 1;
	} else if (!rc && (pre != sp->prefix.len || memcmp(text.data, sp->prefix.data, pre) ||
			   text.len - post != sp->suffix.len ||
			   memcmp(text.data + post, sp->suffix.data, sp->suffix.len) ||
			   level != sp->level)) {
		rc = 1; /* the text around the lines depends on the chunk */
	}
	free(sep);
	if (!rc) {
		/* indented output: each line on its own line, indented as the
		 * mark was */
		if (sp->nbody)
			buf_adds(&sp->body, sp->sep);
		rc = xform_dump_nodes(res, lines, n, level, *sp->sep != '\0', sp->sep, &sp->body) < 0;
		sp->nbody += (int)n;
	}
	for (size_t i = 0; i < n; i++)
		xmlFreeNode(lines[i]);
	free(lines);
	buf_release(&text);
	return rc;
}

static void splice_release(struct splice *sp)
{
	buf_release(&sp->prefix);
	buf_release(&sp->suffix);
	buf_release(&sp->body);
	buf_release(&sp->whole);
	free(sp->sep);
	sp->sep = NULL;
}

/* One kind rendered in chunks. */
struct plan {
	const struct kind *kd;
	size_t k;
	xsltStylesheetPtr sheet;
	struct xform_param params[8];
	int np, check, rendered;
	struct output_doc *o;
	struct splice sp;
};

/* 1 when the decision's lines follow the order's lines (so that spliced
 * confirmation items come out in the whole rendering's order) and no line
 * number repeats. */
static int decision_in_line_order(xmlNodePtr lines, xmlNodePtr decision)
{
	xmlHashTablePtr pos = xmlHashCreate(1024);
	long i = 0;
	int ok = 1;
	for (xmlNodePtr c = lines->children; c && ok; c = c->next) {
		if (!is_line(c))
			continue;
		char *n = line_number(c);
		ok = xmlHashAddEntry(pos, (const xmlChar *)n, (void *)(intptr_t)++i) == 0;
		free(n);
	}
	intptr_t last = 0;
	for (xmlNodePtr c = decision ? decision->children : NULL; c && ok; c = c->next) {
		if (!is_line(c))
			continue;
		char *n = line_number(c);
		intptr_t at = (intptr_t)xmlHashLookup(pos, (const xmlChar *)n);
		free(n);
		ok = at > last;
		last = at;
	}
	xmlHashFree(pos, NULL);
	return ok;
}

static int has_line_in(xmlNodePtr parent)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (is_line(c))
			return 1;
	return 0;
}

/* 1 when a large order's outputs can go in chunks: it has lines, a
 * partial decision names some (else that is the whole rendering's error),
 * and the decision's lines follow the order's. */
static int chunkable(xmlDocPtr canonical)
{
	xmlNodePtr root = xmlDocGetRootElement(canonical);
	xmlNodePtr lines = canon_child(root, "lines");
	xmlNodePtr decision = canon_child(root, "decision");
	xmlChar *action = decision ? xmlGetProp(decision, (const xmlChar *)"action") : NULL;
	int partial_without_lines = action && !xmlStrcmp(action, (const xmlChar *)"partial") &&
				    !has_line_in(decision);
	xmlFree(action);
	return lines && !partial_without_lines && decision_in_line_order(lines, decision);
}

/* Renders every plan chunk_lines order lines at a time: each chunk is the
 * canonical order with only those lines and their decision lines, rendered
 * and validated as a document of its own; each output is the text around
 * the lines (the same in every chunk, or it is an error) with every
 * chunk's lines spliced in. The canonical order's lines are freed as they
 * are done. 0, or -1 with *err. */
static int render_blocks(xmlDocPtr canonical, struct plan *plans, int nplans,
			 const struct emit_formats *formats, char **err)
{
	long chunk_lines = formats->chunk_lines;
	xmlNodePtr root = xmlDocGetRootElement(canonical);
	xmlNodePtr lines = canon_child(root, "lines");
	int decision_lines = has_line_in(canon_child(root, "decision"));
	xmlNodePtr cur = lines ? lines->children : NULL;
	long blocks = 0;
	while (cur) {
		xmlHashTablePtr set = xmlHashCreate((int)chunk_lines * 2);
		xmlNodePtr first = cur;
		long taken = 0;
		for (; cur && taken < chunk_lines; cur = cur->next) {
			if (!is_line(cur))
				continue;
			char *n = line_number(cur);
			xmlHashAddEntry(set, (const xmlChar *)n, (void *)1);
			free(n);
			taken++;
		}
		xmlDocPtr chunk = chunk_doc(canonical, set);
		xmlHashFree(set, NULL);
		int chunk_decides = has_line_in(canon_child(xmlDocGetRootElement(chunk), "decision"));
		for (int i = 0; i < nplans && !*err; i++) {
			struct plan *p = &plans[i];
			/* a kind that writes an item per decision line has nothing
			 * to say about lines without one */
			if (!strcmp(p->kd->driver, "decision") &&
			    (decision_lines ? !chunk_decides : p->rendered))
				continue;
			p->rendered = 1;
			p->o->chunks++;
			xmlsafe_errors_reset();
			xmlDocPtr res = xform_apply(p->sheet, chunk, p->params, p->np, err);
			if (!res) {
				char *e = *err;
				*err = xasprintf("rendering the %s (%s) failed: %s", p->kd->kind,
						 p->kd->format, e);
				free(e);
				break;
			}
			if (p->check && validate_tree(p->kd->kind, p->kd->v, schemas[p->k].dtd,
						      schemas[p->k].xsd, p->kd->schema, res, err) < 0) {
				xmlFreeDoc(res);
				break;
			}
			if (splice_add(&p->sp, p->kd, p->sheet, res))
				*err = xasprintf("cannot render the %s (%s) of this large order in chunks "
						 "of lines: its stylesheet writes the text around the "
						 "lines differently for each chunk (or not as one run of "
						 "elements); raise [engine] chunk_above_kb above the "
						 "document's size to render it whole",
						 p->kd->kind, p->kd->format);
			xmlFreeDoc(res);
		}
		xmlFreeDoc(chunk);
		if (*err)
			return -1;
		/* the block is done: its lines go, and the memory with them */
		if (formats->lines_done)
			formats->lines_done(formats->lines_arg, canonical, first, cur);
		for (xmlNodePtr c = first, next; c != cur; c = next) {
			next = c->next;
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
		if (++blocks % 8 == 0)
			malloc_trim(0);
	}
	for (int i = 0; i < nplans; i++) {
		struct plan *p = &plans[i];
		struct buf *out = &p->o->data;
		if (p->sp.have_ends) {
			buf_add(out, p->sp.prefix.data, p->sp.prefix.len);
			buf_add(out, p->sp.body.data, p->sp.body.len);
			buf_add(out, p->sp.suffix.data, p->sp.suffix.len);
		} else {
			buf_add(out, p->sp.whole.data, p->sp.whole.len);
		}
		splice_release(&p->sp);
		size_t at = 0;
		if (p->check && !emit_chars_ok(out->data, out->len, &at)) {
			*err = xasprintf("the %s stylesheet wrote a character XML does not allow, at "
					 "byte %zu of its output (a map or stylesheet bug; nothing was "
					 "published)",
					 p->kd->kind, at);
			return -1;
		}
	}
	return 0;
}

int emit_render(const struct config *cfg, xmlDocPtr canonical, const char *doc_id,
		const struct emit_formats *formats, struct output_doc out[EMIT_MAX], char **err)
{
	*err = NULL;
	char now[32];
	iso_time(og_now(), now);
	const char *wanted[][2] = { { "po", formats->po },
				    { "confirmation", formats->confirmation },
				    { "invoice", formats->invoice } };
	int n = 0;
	/* a large order's chunked kinds: possible when the decision's lines
	 * follow the order's (else every kind is rendered whole) */
	struct plan plans[EMIT_MAX];
	int nplans = 0;
	int chunked = formats->chunk_lines > 0 && chunkable(canonical);
	for (size_t w = 0; w < ARRAY_SIZE(wanted); w++) {
		const char *fmt = wanted[w][1];
		if (!fmt || !strcasecmp(fmt, "none"))
			continue;
		size_t k;
		const struct kind *kd = find_kind(wanted[w][0], fmt, &k);
		if (!kd) {
			*err = xasprintf("no stylesheet writes a %s as %s", wanted[w][0], fmt);
			goto fail;
		}
		char *path = config_xslt_path(cfg, kd->sheet);
		xsltStylesheetPtr sheet = xform_load(path, err);
		free(path);
		if (!sheet || load_schema(cfg, k, err) < 0)
			goto fail;
		char *payload = xasprintf("%s.%s@%s", doc_id, kd->kind, cfg->payload_host);
		struct xform_param params[] = {
			{ "payloadID", payload },	  { "timestamp", now },
			{ "senderDomain", cfg->our_domain }, { "senderIdentity", cfg->our_identity },
			{ "userAgent", cfg->user_agent },   { "noticeDate", now },
			{ "confirmID", doc_id },
		};
		int np = strcmp(kd->kind, "confirmation") ? 5 : (int)ARRAY_SIZE(params);
		int check = cfg->validate_outputs && kd->v != V_NONE;
		int on_tree = check && xform_writes_utf8(sheet);
		if (chunked && kd->line && xform_writes_utf8(sheet) &&
		    (!formats->encoding || !strcasecmp(formats->encoding, "UTF-8"))) {
			/* rendered below, after every kind that needs the whole order */
			struct plan *p = &plans[nplans++];
			memset(p, 0, sizeof *p);
			p->kd = kd;
			p->k = k;
			p->sheet = sheet;
			memcpy(p->params, params, sizeof params);
			/* the decision may name lines of other chunks only */
			p->params[np].name = "linesElsewhere";
			p->params[np].value = "yes";
			p->np = np + 1;
			p->check = check;
			p->o = &out[n++];
			memset(p->o, 0, sizeof *p->o);
			p->o->kind = xstrdup(kd->kind);
			p->o->format = xstrdup(kd->format);
			p->o->payload_id = payload;
			continue;
		}
		xmlsafe_errors_reset();
		xmlDocPtr res = xform_apply(sheet, canonical, params, np, err);
		if (!res) {
			char *e = *err;
			*err = xasprintf("rendering the %s (%s) failed: %s", kd->kind, kd->format, e);
			free(e);
			free(payload);
			goto fail;
		}
		struct output_doc *o = &out[n++];
		memset(o, 0, sizeof *o);
		o->kind = xstrdup(kd->kind);
		o->format = xstrdup(kd->format);
		o->payload_id = payload;
		/* the result tree is validated as it is, not parsed back from
		 * its text; the text of a valid tree is well-formed unless a
		 * character XML does not allow got into the tree (libxml2
		 * writes those as they are or as character references), which
		 * emit_chars_ok looks for when the text is UTF-8 */
		if (on_tree && validate_tree(kd->kind, kd->v, schemas[k].dtd, schemas[k].xsd,
					     kd->schema, res, err) < 0) {
			xmlFreeDoc(res);
			goto fail;
		}
		int rc = xform_serialize(sheet, res, &o->data);
		xmlFreeDoc(res);
		if (rc < 0) {
			*err = xasprintf("cannot serialise the %s", kd->kind);
			goto fail;
		}
		size_t at = 0;
		if (on_tree && !emit_chars_ok(o->data.data, o->data.len, &at)) {
			*err = xasprintf("the %s stylesheet wrote a character XML does not allow, "
					 "at byte %zu of its output (a map or stylesheet bug; nothing "
					 "was published)",
					 kd->kind, at);
			goto fail;
		}
		if (check && !on_tree &&
		    validate(kd->kind, kd->v, schemas[k].dtd, schemas[k].xsd, kd->schema, &o->data,
			     err) < 0)
			goto fail;
		if (reencode(o, formats->encoding, err) < 0)
			goto fail;
	}
	if (nplans && render_blocks(canonical, plans, nplans, formats, err) < 0)
		goto fail;
	return n;
fail:
	for (int i = 0; i < nplans; i++)
		splice_release(&plans[i].sp);
	for (int i = 0; i < n; i++)
		emit_output_release(&out[i]);
	return -1;
}

static void xml_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '&': buf_adds(b, "&amp;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				buf_addch(b, ' ');
			else
				buf_addch(b, *s);
		}
	}
}

int emit_cxml_response(const struct config *cfg, const char *doc_id, int code,
		       const char *text, struct output_doc *out, char **err)
{
	static const struct {
		int code;
		const char *text;
	} names[] = { { 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
		      { 406, "Not Acceptable" }, { 409, "Conflict" }, { 450, "Not Implemented" },
		      { 500, "Internal Server Error" } };
	const char *name = "Bad Request";
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].code == code)
			name = names[i].text;
	char now[32];
	iso_time(og_now(), now);
	memset(out, 0, sizeof *out);
	out->kind = xstrdup("response");
	out->format = xstrdup("cxml");
	out->payload_id = xasprintf("%s.response@%s", doc_id, cfg->payload_host);
	struct buf *b = &out->data;
	buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd\">\n"
		    "<cXML payloadID=\"");
	xml_escape(b, out->payload_id);
	buf_printf(b, "\" timestamp=\"%s\" xml:lang=\"en-US\">\n  <Response>\n"
		      "    <Status code=\"%d\" text=\"%s\" xml:lang=\"en-US\">",
		   now, code, name);
	xml_escape(b, text);
	buf_adds(b, "</Status>\n  </Response>\n</cXML>\n");
	if (cfg->validate_outputs && response_dtd &&
	    validate("response", V_DTD, response_dtd, NULL, "cxml-1.2.071/cXML.dtd", b, err) < 0) {
		emit_output_release(out);
		return -1;
	}
	return 0;
}

static void credential(struct buf *b, const char *tag, const char *domain, const char *identity)
{
	buf_printf(b, "    <%s>\n      <Credential domain=\"", tag);
	xml_escape(b, domain ? domain : "");
	buf_adds(b, "\">\n        <Identity>");
	xml_escape(b, identity ? identity : "");
	buf_printf(b, "</Identity>\n      </Credential>\n    </%s>\n", tag);
}

int emit_cxml_interim(const struct config *cfg, const char *doc_id,
		      const struct order_info *info, const char *text, struct output_doc *out,
		      char **err)
{
	char now[32];
	iso_time(og_now(), now);
	memset(out, 0, sizeof *out);
	out->kind = xstrdup("status");
	out->format = xstrdup("cxml");
	out->payload_id = xasprintf("%s.status@%s", doc_id, cfg->payload_host);
	struct buf *b = &out->data;
	buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd\">\n"
		    "<cXML payloadID=\"");
	xml_escape(b, out->payload_id);
	buf_printf(b, "\" timestamp=\"%s\" xml:lang=\"en-US\">\n  <Header>\n", now);
	/* from the supplier to the buyer, as the confirmation will be */
	credential(b, "From", info->to_domain, info->to_identity);
	credential(b, "To", info->from_domain, info->from_identity);
	buf_adds(b, "    <Sender>\n      <Credential domain=\"");
	xml_escape(b, cfg->our_domain);
	buf_adds(b, "\">\n        <Identity>");
	xml_escape(b, cfg->our_identity);
	buf_adds(b, "</Identity>\n      </Credential>\n      <UserAgent>");
	xml_escape(b, cfg->user_agent);
	buf_printf(b, "</UserAgent>\n    </Sender>\n  </Header>\n  <Request deploymentMode=\"%s\">\n"
		      "    <StatusUpdateRequest>\n      <DocumentReference payloadID=\"",
		   info->mode && !strcmp(info->mode, "test") ? "test" : "production");
	xml_escape(b, info->payload_id ? info->payload_id : "");
	buf_adds(b, "\"/>\n      <Status code=\"201\" text=\"Accepted\" xml:lang=\"en-US\">");
	xml_escape(b, text);
	buf_adds(b, "</Status>\n    </StatusUpdateRequest>\n  </Request>\n</cXML>\n");
	if (cfg->validate_outputs && response_dtd &&
	    validate("status", V_DTD, response_dtd, NULL, "cxml-1.2.071/cXML.dtd", b, err) < 0) {
		emit_output_release(out);
		return -1;
	}
	return 0;
}

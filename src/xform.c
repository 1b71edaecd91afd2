/*
 * xform: see xform.h.
 */
#include "xform.h"

#include <stdlib.h>
#include <string.h>

#include <libexslt/exslt.h>
#include <libxslt/imports.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/variables.h>
#include <libxslt/xsltutils.h>

#include "xmlsafe.h"

#define MAX_SHEETS 32
#define XFORM_MAX_DEPTH 2000
#define XFORM_MAX_VARS 20000
/* XPath steps per transform: large enough for any genuine order (it grows
 * with the document); the per-document CPU limit is the real bound */
#define XFORM_OP_LIMIT 4000000000UL

static struct {
	char *path;
	xsltStylesheetPtr sheet;
} cache[MAX_SHEETS];
static int ncache;
static xsltSecurityPrefsPtr prefs;

static int forbid(xsltSecurityPrefsPtr sec, xsltTransformContextPtr ctxt, const char *value)
{
	(void)sec;
	(void)ctxt;
	(void)value;
	return 0;
}

static int read_inside_trusted(xsltSecurityPrefsPtr sec, xsltTransformContextPtr ctxt,
			       const char *value)
{
	(void)sec;
	(void)ctxt;
	return xmlsafe_trusted_path(value);
}

void xform_init(void)
{
	if (prefs)
		return;
	exsltRegisterAll();
	prefs = xsltNewSecurityPrefs();
	xsltSetSecurityPrefs(prefs, XSLT_SECPREF_WRITE_FILE, forbid);
	xsltSetSecurityPrefs(prefs, XSLT_SECPREF_CREATE_DIRECTORY, forbid);
	xsltSetSecurityPrefs(prefs, XSLT_SECPREF_WRITE_NETWORK, forbid);
	xsltSetSecurityPrefs(prefs, XSLT_SECPREF_READ_NETWORK, forbid);
	xsltSetSecurityPrefs(prefs, XSLT_SECPREF_READ_FILE, read_inside_trusted);
	xsltSetDefaultSecurityPrefs(prefs);
}

void xform_shutdown(void)
{
	for (int i = 0; i < ncache; i++) {
		free(cache[i].path);
		xsltFreeStylesheet(cache[i].sheet);
	}
	ncache = 0;
	if (prefs) {
		xsltSetDefaultSecurityPrefs(NULL);
		xsltFreeSecurityPrefs(prefs);
		prefs = NULL;
	}
	xsltCleanupGlobals();
}

xsltStylesheetPtr xform_load(const char *path, char **err)
{
	*err = NULL;
	for (int i = 0; i < ncache; i++)
		if (!strcmp(cache[i].path, path))
			return cache[i].sheet;
	if (ncache == MAX_SHEETS) {
		*err = xasprintf("%s: too many stylesheets (at most %d)", path, MAX_SHEETS);
		return NULL;
	}
	xform_init();
	xmlsafe_errors_reset();
	xmlDocPtr doc = xmlsafe_parse_trusted(path, err);
	if (!doc)
		return NULL;
	xsltStylesheetPtr sheet = xsltParseStylesheetDoc(doc);
	if (!sheet || sheet->errors) {
		const char *e = xmlsafe_errors();
		*err = xasprintf("stylesheet %s has errors: %s", path, *e ? e : "cannot compile");
		if (sheet)
			xsltFreeStylesheet(sheet);
		else
			xmlFreeDoc(doc);
		return NULL;
	}
	cache[ncache].path = xstrdup(path);
	cache[ncache].sheet = sheet;
	ncache++;
	return sheet;
}

xmlDocPtr xform_apply(xsltStylesheetPtr sheet, xmlDocPtr doc, const struct xform_param *params,
		      int nparams, char **err)
{
	*err = NULL;
	xsltTransformContextPtr ctxt = xsltNewTransformContext(sheet, doc);
	if (!ctxt) {
		*err = xstrdup("cannot create the transform context");
		return NULL;
	}
	xsltSetCtxtSecurityPrefs(prefs, ctxt);
	xsltSetCtxtParseOptions(ctxt, XMLSAFE_OPTIONS);
	ctxt->maxTemplateDepth = XFORM_MAX_DEPTH;
	ctxt->maxTemplateVars = XFORM_MAX_VARS;
	ctxt->opLimit = XFORM_OP_LIMIT;
	if (ctxt->xpathCtxt) {
		ctxt->xpathCtxt->opLimit = XFORM_OP_LIMIT;
		ctxt->xpathCtxt->opCount = 0;
	}
	for (int i = 0; i < nparams; i++)
		xsltQuoteOneUserParam(ctxt, (const xmlChar *)params[i].name,
				      (const xmlChar *)(params[i].value ? params[i].value : ""));
	xmlDocPtr res = xsltApplyStylesheetUser(sheet, doc, NULL, NULL, NULL, ctxt);
	if (!res || ctxt->state != XSLT_STATE_OK) {
		const char *e = xmlsafe_errors();
		*err = xstrdup(*e ? e : "the stylesheet stopped without a message");
		xmlFreeDoc(res);
		res = NULL;
	}
	xsltFreeTransformContext(ctxt);
	return res;
}

/* The encoding of the stylesheet's xsl:output, or NULL when it names none. */
static const xmlChar *output_encoding(xsltStylesheetPtr sheet)
{
	const xmlChar *enc = NULL;
	XSLT_GET_IMPORT_PTR(enc, sheet, encoding);
	return enc;
}

int xform_writes_utf8(xsltStylesheetPtr sheet)
{
	const xmlChar *enc = output_encoding(sheet);
	return !enc || !xmlStrcasecmp(enc, (const xmlChar *)"UTF-8") ||
	       !xmlStrcasecmp(enc, (const xmlChar *)"UTF8");
}

/* As xsltSaveResultToString (the same encoder choice, the same bytes),
 * but written straight into out: no whole-document copies on the way */
int xform_serialize(xsltStylesheetPtr sheet, xmlDocPtr result, struct buf *out)
{
	if (!result->children)
		return -1;
	xmlCharEncodingHandlerPtr encoder = NULL;
	if (!xform_writes_utf8(sheet))
		encoder = xmlFindCharEncodingHandler((const char *)output_encoding(sheet));
	xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(buf_write_cb, NULL, out, encoder);
	if (!ob) {
		xmlCharEncCloseFunc(encoder);
		return -1;
	}
	xsltSaveResultTo(ob, result, sheet);
	return xmlOutputBufferClose(ob) < 0 ? -1 : 0;
}

int xform_mark_at(struct buf *text, size_t *pre, size_t *post, char **sep)
{
	const char *m = strstr(buf_str(text), "<" XFORM_MARK "/>");
	if (!m)
		return -1;
	*pre = (size_t)(m - text->data);
	*post = *pre + strlen("<" XFORM_MARK "/>");
	size_t k = *pre;
	while (k > 0 && text->data[k - 1] == ' ')
		k--;
	*sep = k > 0 && text->data[k - 1] == '\n' ? xstrndup(text->data + k - 1, *pre - k + 1)
						    : xstrdup("");
	return 0;
}

int xform_dump_nodes(xmlDocPtr doc, xmlNodePtr *nodes, size_t n, int level, int format,
		     const char *sep, struct buf *out)
{
	xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(buf_write_cb, NULL, out, NULL);
	if (!ob)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (i)
			xmlOutputBufferWriteString(ob, sep);
		/* the encoding xsltSaveResultTo and the canonical dump pass: no
		 * character references for non-ASCII text */
		xmlNodeDumpOutput(ob, doc, nodes[i], level, format, "UTF-8");
	}
	return xmlOutputBufferClose(ob) < 0 ? -1 : 0;
}

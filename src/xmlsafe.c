/*
 * xmlsafe: see xmlsafe.h.
 */
#define _GNU_SOURCE
#include "xmlsafe.h"


#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/entities.h>
#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxslt/xsltutils.h>

#define MAX_TRUSTED 8
#define MAX_ERRORS 5

static char *trusted[MAX_TRUSTED];
static int ntrusted_dirs;
static struct buf errors = BUF_INIT;
static int nerrors;
static int generic_open; /* a generic message has begun and not ended */

int xmlsafe_trusted_path(const char *path)
{
	if (!path)
		return 0;
	if (!strncmp(path, "file://", 7))
		path += 7;
	if (strstr(path, "://"))
		return 0;
	char *real = realpath(path, NULL);
	if (!real)
		return 0;
	int ok = 0;
	for (int i = 0; i < ntrusted_dirs && !ok; i++) {
		size_t n = strlen(trusted[i]);
		ok = !strncmp(real, trusted[i], n) && (real[n] == '/' || real[n] == '\0');
	}
	free(real);
	return ok;
}

static xmlParserInputPtr guarded_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)id;
	if (url && xmlsafe_trusted_path(url)) {
		const char *p = !strncmp(url, "file://", 7) ? url + 7 : url;
		return xmlNewInputFromFile(ctxt, p);
	}
	if (nerrors < MAX_ERRORS) {
		buf_printf(&errors, "%srefused to load external resource \"%s\"",
			   errors.len ? "\n" : "", url ? url : "(null)");
		nerrors++;
	}
	return NULL;
}

static void capture_structured(void *user, xmlErrorPtr e)
{
	(void)user;
	if (!e || e->level == XML_ERR_WARNING || nerrors >= MAX_ERRORS)
		return;
	const char *m = e->message ? e->message : "unknown error";
	size_t n = strlen(m);
	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	/* the same message repeated (entity loops) says nothing new */
	if (n && errors.len >= n && !memcmp(errors.data + errors.len - n, m, n))
		return;
	if (errors.len)
		buf_adds(&errors, "; ");
	generic_open = 0;
	if (e->line > 0)
		buf_printf(&errors, "line %d, column %d: ", e->line, e->int2);
	buf_add(&errors, m, n);
	nerrors++;
}

static void capture_generic(void *user, const char *fmt, ...) OG_PRINTF(2, 3);
static void capture_generic(void *user, const char *fmt, ...)
{
	(void)user;
	if (nerrors >= MAX_ERRORS)
		return;
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	/* generic errors arrive in pieces; a message ends with '\n' */
	if (!generic_open && errors.len)
		buf_adds(&errors, "; ");
	generic_open = 1;
	for (const char *p = tmp; *p; p++)
		if (*p != '\n')
			buf_addch(&errors, *p);
		else if (p[1])
			buf_addch(&errors, ' ');
	if (strchr(tmp, '\n')) {
		generic_open = 0;
		nerrors++;
	}
}

void xmlsafe_init(const char *const *dirs, int n)
{
	xmlInitParser();
	for (int i = 0; i < ntrusted_dirs; i++)
		free(trusted[i]);
	ntrusted_dirs = 0;
	for (int i = 0; i < n && ntrusted_dirs < MAX_TRUSTED; i++) {
		char *real = realpath(dirs[i], NULL);
		if (real)
			trusted[ntrusted_dirs++] = real;
	}
	xmlSetExternalEntityLoader(guarded_loader);
	xmlSetStructuredErrorFunc(NULL, capture_structured);
	xmlSetGenericErrorFunc(NULL, capture_generic);
	xsltSetGenericErrorFunc(NULL, capture_generic);
	xmlSubstituteEntitiesDefault(0);
	xmlLoadExtDtdDefaultValue = 0;
	xmlPedanticParserDefault(0);
}

void xmlsafe_errors_reset(void)
{
	buf_reset(&errors);
	nerrors = 0;
	generic_open = 0;
}

const char *xmlsafe_errors(void)
{
	return buf_str(&errors);
}

struct entity_check {
	const xmlChar *bad;
	const char *why;
};

static void check_general(void *payload, void *data, const xmlChar *name)
{
	struct entity_check *c = data;
	xmlEntityPtr e = payload;
	if (c->bad || !e)
		return;
	c->bad = name;
	c->why = e->etype == XML_INTERNAL_GENERAL_ENTITY ? "declares the general entity"
							  : "declares the external entity";
}

static void check_parameter(void *payload, void *data, const xmlChar *name)
{
	struct entity_check *c = data;
	xmlEntityPtr e = payload;
	if (c->bad || !e)
		return;
	if (e->etype == XML_EXTERNAL_PARAMETER_ENTITY || e->SystemID || e->ExternalID) {
		c->bad = name;
		c->why = "declares the external parameter entity";
	}
}

/* Skips past the first occurrence of tok at or after p; end if none. */
static const char *skip_past(const char *p, const char *end, const char *tok)
{
	size_t n = strlen(tok);
	const char *q = memmem(p, (size_t)(end - p), tok, n);
	return q ? q + n : end;
}

/* Reads the prolog as text, before any parsing, so that an entity
 * declaration in the DOCTYPE's internal subset is refused before libxml2
 * spends a cycle on it. Only the prolog is read (comments and processing
 * instructions skipped), and inside the internal subset comments and quoted
 * literals are skipped, so text in the body or in a comment never counts.
 * The check after parsing stays the authority (it also sees UTF-16). */
static const char *prescan_entities(const char *data, size_t len, char name[64])
{
	const char *p = data, *end = data + (len < 1048576 ? len : 1048576);
	if (end - p >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	for (;;) {
		while (p < end && xml_space(*p))
			p++;
		if (end - p >= 2 && !memcmp(p, "<?", 2))
			p = skip_past(p, end, "?>");
		else if (end - p >= 4 && !memcmp(p, "<!--", 4))
			p = skip_past(p + 4, end, "-->");
		else if (end - p >= 9 && !memcmp(p, "<!DOCTYPE", 9))
			break;
		else
			return NULL; /* the root element (or garbage): no DOCTYPE */
	}
	/* the DOCTYPE's external id, up to '[' or '>' */
	for (p += 9; p < end && *p != '[' && *p != '>'; p++)
		if (*p == '"' || *p == '\'') {
			const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
			p = q ? q : end;
		}
	if (p >= end || *p == '>')
		return NULL;
	for (p++; p < end && *p != ']';) {
		if (*p == '"' || *p == '\'') {
			const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
			p = q ? q + 1 : end;
		} else if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
			p = skip_past(p + 4, end, "-->");
		} else if (end - p >= 8 && !memcmp(p, "<!ENTITY", 8)) {
			const char *q = p + 8;
			while (q < end && xml_space(*q))
				q++;
			int param = q < end && *q == '%';
			if (param)
				q++;
			while (q < end && xml_space(*q))
				q++;
			size_t n = 0;
			while (q + n < end && n < 63 && !xml_space(q[n]) && q[n] != '>')
				n++;
			memcpy(name, q, n);
			name[n] = '\0';
			if (!param)
				return "declares the general entity";
			/* the declaration's end, outside quotes */
			const char *r = q + n;
			int external = 0;
			while (r < end && *r != '>') {
				if (*r == '"' || *r == '\'') {
					const char *z = memchr(r + 1, *r, (size_t)(end - r - 1));
					r = z ? z + 1 : end;
					continue;
				}
				if (end - r >= 6 && (!memcmp(r, "SYSTEM", 6) || !memcmp(r, "PUBLIC", 6)))
					external = 1;
				r++;
			}
			if (external)
				return "declares the external parameter entity";
			p = r;
		} else {
			p++;
		}
	}
	return NULL;
}

xmlDocPtr xmlsafe_parse(const char *data, size_t len, char **err)
{
	*err = NULL;
	char ename[64];
	const char *why = prescan_entities(data, len, ename);
	if (why) {
		*err = xasprintf("the DOCTYPE %s \"%s\"; entity declarations are refused "
				 "because they can read local files or expand without limit. "
				 "Ask the sender to remove the internal subset",
				 why, ename);
		return NULL;
	}
	if (len > INT_MAX) {
		*err = xstrdup("document is larger than 2 GB");
		return NULL;
	}
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		*err = xstrdup("out of memory creating the XML parser");
		return NULL;
	}
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, data, (int)len, "document", NULL, XMLSAFE_OPTIONS);
	int wellformed = ctxt->wellFormed;
	xmlFreeParserCtxt(ctxt);
	if (!doc || !wellformed) {
		const char *e = xmlsafe_errors();
		*err = xasprintf("not well-formed XML: %s", *e ? e : "empty document");
		xmlFreeDoc(doc);
		return NULL;
	}
	if (doc->intSubset) {
		struct entity_check c = { NULL, NULL };
		if (doc->intSubset->entities)
			xmlHashScan(doc->intSubset->entities, check_general, &c);
		if (!c.bad && doc->intSubset->pentities)
			xmlHashScan(doc->intSubset->pentities, check_parameter, &c);
		if (c.bad) {
			*err = xasprintf("the DOCTYPE %s \"%s\"; entity declarations are refused "
					 "because they can read local files or expand without "
					 "limit. Ask the sender to remove the internal subset",
					 c.why, (const char *)c.bad);
			xmlFreeDoc(doc);
			return NULL;
		}
	}
	if (!xmlDocGetRootElement(doc)) {
		*err = xstrdup("no root element");
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

xmlDocPtr xmlsafe_parse_trusted(const char *path, char **err)
{
	*err = NULL;
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	if (!doc) {
		const char *e = xmlsafe_errors();
		*err = xasprintf("%s: %s", path, *e ? e : "cannot read");
	}
	return doc;
}

/*
 * detect: see detect.h.
 */
#include "detect.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xpath.h>

#include "util.h"

static const struct format formats[] = {
	{ "cxml", "cXML", NULL, "/cXML/Request/OrderRequest", "cxml-to-canonical.xsl",
	  "cXML OrderRequest", 0 },
	{ "cxml", "cXML", NULL, "/cXML/Request/ShipNoticeRequest", NULL, "cXML ShipNoticeRequest", 1 },
	{ "csv", "csv-order", NULL, NULL, "csv-to-canonical.xsl", "CSV order", 0 },
	{ "csv", "csv-shipment", NULL, NULL, NULL, "CSV shipment", 1 },
	{ "oagis", "ProcessPurchaseOrder", "http://www.openapplications.org/oagis/10", NULL,
	  "oagis-to-canonical.xsl", "OAGIS 10 ProcessPurchaseOrder", 0 },
	{ "oagis", "ProcessPurchaseOrder", "http://www.openapplications.org/oagis/9", NULL,
	  "oagis-to-canonical.xsl", "OAGIS 9 ProcessPurchaseOrder", 0 },
	{ "oagis", "ProcessPurchaseOrder", "http://schema.infor.com/InforOAGIS/2", NULL,
	  "oagis-to-canonical.xsl", "Infor OAGIS ProcessPurchaseOrder", 0 },
};

int detect_formats(const struct format **table)
{
	*table = formats;
	return (int)ARRAY_SIZE(formats);
}

/* How an XML document's first bytes may look without markup being read
 * yet (XML 1.0, Appendix F): UTF-16 with a byte order mark, UTF-16 without
 * one, known by the "<?" of its XML declaration ("00 3C 00 3F" big-endian,
 * "3C 00 3F 00" little-endian), or UTF-8 (with or without its mark),
 * whitespace and then '<'. libxml2 decodes each of them. UTF-16 with a
 * mark is XML only when its first character past whitespace is '<' too:
 * a spreadsheet's "Unicode text" export is UTF-16 CSV with a mark. */
int detect_xml_start(const char *data, size_t len)
{
	const unsigned char *u = (const unsigned char *)data;
	if (len >= 2 && ((u[0] == 0xfe && u[1] == 0xff) || (u[0] == 0xff && u[1] == 0xfe))) {
		int be = u[0] == 0xfe;
		for (size_t i = 2; i + 1 < len; i += 2) {
			unsigned c = be ? (unsigned)u[i] << 8 | u[i + 1] : (unsigned)u[i + 1] << 8 | u[i];
			if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
				return c == '<';
		}
		return 0;
	}
	if (len >= 4 && (!memcmp(data, "\0<\0?", 4) || !memcmp(data, "<\0?\0", 4)))
		return 1;
	size_t i = 0;
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	return i < len && data[i] == '<';
}

int detect_bytes(const char *data, size_t len, char **err)
{
	*err = NULL;
	if (len == 0) {
		*err = xstrdup("the file is empty");
		return -1;
	}
	if ((len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b) ||
	    (len >= 4 && !memcmp(data, "PK\x03\x04", 4))) {
		/* the engine unpacks what is dropped before it comes here (within
		 * [unpack] max_depth, refused there beyond it); what arrives is
		 * compressed data given to a command that reads one document */
		*err = xstrdup("compressed data (gzip or zip), not a document; unpack it and give "
			       "the document inside (ordergate run unpacks such files dropped into "
			       "the spool)");
		return -1;
	}
	if (detect_xml_start(data, len))
		return 0;
	*err = xstrdup("not XML (the first character is not '<'), and no CSV map in maps/csv "
		       "recognises its header row; bind the inbox to a map ([inbox] format = "
		       "csv:NAME) or add a signature to the map");
	return -1;
}

const struct format *detect_xml(xmlDocPtr doc, char **err)
{
	*err = NULL;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	const char *name = (const char *)root->name;
	const char *ns = root->ns ? (const char *)root->ns->href : NULL;
	int root_known = 0;
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		const struct format *f = &formats[i];
		if (strcmp(f->root, name))
			continue;
		if ((f->ns == NULL) != (ns == NULL) || (f->ns && strcmp(f->ns, ns)))
			continue;
		root_known = 1;
		if (!f->map && !f->shipment) {
			*err = xasprintf("%s documents are recognised but not supported by this "
					 "version; no map is installed for them", f->what);
			return NULL;
		}
		if (f->must_have) {
			xmlXPathContextPtr xp = xmlXPathNewContext(doc);
			xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)f->must_have, xp);
			int found = r && r->nodesetval && r->nodesetval->nodeNr > 0;
			xmlXPathFreeObject(r);
			xmlXPathFreeContext(xp);
			if (!found)
				continue;
		}
		return f;
	}
	if (root_known) {
		xmlXPathContextPtr xp2 = xmlXPathNewContext(doc);
		xmlXPathObjectPtr k = xmlXPathEvalExpression(
			(const xmlChar *)"name(/cXML/*[2]/*[1] | /cXML/Response)", xp2);
		const char *kind = k && k->stringval && *k->stringval ? (const char *)k->stringval
								      : "nothing recognisable";
		*err = xasprintf("this cXML document carries %s, not an OrderRequest or a "
				 "ShipNoticeRequest; ordergate takes purchase orders and ship "
				 "notices only, so send it to the system that handles %s",
				 kind, kind);
		xmlXPathFreeObject(k);
		xmlXPathFreeContext(xp2);
		return NULL;
	}
	/* a root that names a namespaced format (ProcessPurchaseOrder) in
	 * no namespace or another one: say which namespaces are read */
	struct buf want = BUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (formats[i].ns && !strcmp(formats[i].root, name))
			buf_printf(&want, "%s\"%s\"", want.len ? ", " : "", formats[i].ns);
	int oagis_ns = 0;
	for (size_t i = 0; ns && i < ARRAY_SIZE(formats); i++)
		oagis_ns |= formats[i].ns && !strcmp(formats[i].ns, ns);
	if (oagis_ns && !want.len)
		/* another BOD of a namespace read (AcknowledgePurchaseOrder,
		 * SyncPurchaseOrder, ProcessInvoice): nothing to correct in it */
		*err = xasprintf("this OAGIS BOD is %s (namespace \"%s\"), not a "
				 "ProcessPurchaseOrder: ordergate takes OAGIS purchase orders as "
				 "ProcessPurchaseOrder only; if it is a purchase order (a Sync or "
				 "Change BOD), ask the sender to send it as a ProcessPurchaseOrder, "
				 "otherwise send it to the system that handles %s",
				 name, ns, name);
	else if (want.len)
		*err = xasprintf("root element <%s> is %s%s%s; ordergate reads an OAGIS %s in "
				 "these namespaces only: %s; ask the sender to declare the "
				 "namespace of their OAGIS release (xmlns=\"...\" on the root)",
				 name, ns ? "in the namespace \"" : "in no namespace", ns ? ns : "",
				 ns ? "\"" : "", name, buf_str(&want));
	else if (!strcasecmp(name, "cXML") && strcmp(name, "cXML"))
		*err = xasprintf("root element <%s> is not <cXML> (element names are "
				 "case-sensitive); ask the sender to fix the document",
				 name);
	else
		*err = xasprintf("unknown document type: root element <%s>%s%s%s; ordergate "
				 "reads cXML OrderRequest and OAGIS ProcessPurchaseOrder documents",
				 name, ns ? " in namespace \"" : "", ns ? ns : "", ns ? "\"" : "");
	buf_release(&want);
	return NULL;
}

char *detect_cxml_version(xmlDocPtr doc)
{
	const char *sys = doc->intSubset && doc->intSubset->SystemID
				  ? (const char *)doc->intSubset->SystemID
				  : "";
	const char *p = strstr(sys, "/cXML/");
	if (!p)
		p = strstr(sys, "/cxml/");
	if (!p)
		return xstrdup("");
	p += 6;
	size_t n = strspn(p, "0123456789.");
	return n && p[n] == '/' ? xstrndup(p, n) : xstrdup("");
}

/*
 * emit: see emit.h. Outbound kinds are a table.
 */
#include "emit.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/valid.h>

#include "xform.h"
#include "xmlsafe.h"

static const struct kind {
	const char *kind, *format, *sheet, *dtd;
} kinds[] = {
	{ "po", "cxml", "canonical-to-cxml-order.xsl", "cXML.dtd" },
	{ "confirmation", "cxml", "canonical-to-cxml-confirmation.xsl", "Fulfill.dtd" },
};

static xmlDtdPtr dtds[ARRAY_SIZE(kinds)];

int emit_init(const struct config *cfg, char **err)
{
	*err = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		char *path = config_xslt_path(cfg, kinds[i].sheet);
		xsltStylesheetPtr s = xform_load(path, err);
		free(path);
		if (!s)
			return -1;
		if (!cfg->validate_outputs || dtds[i])
			continue;
		char *dtd = xasprintf("%s/xslt/schemas/cxml-1.2.071/%s", cfg->data_dir, kinds[i].dtd);
		xmlsafe_errors_reset();
		dtds[i] = xmlParseDTD(NULL, (const xmlChar *)dtd);
		if (!dtds[i]) {
			*err = xasprintf("cannot load the DTD %s: %s", dtd, xmlsafe_errors());
			free(dtd);
			return -1;
		}
		free(dtd);
	}
	return 0;
}

void emit_shutdown(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (dtds[i])
			xmlFreeDtd(dtds[i]);
		dtds[i] = NULL;
	}
}

void emit_output_release(struct output_doc *o)
{
	free(o->kind);
	free(o->format);
	free(o->payload_id);
	buf_release(&o->data);
	memset(o, 0, sizeof *o);
}

static int validate(size_t k, const struct buf *data, char **err)
{
	xmlsafe_errors_reset();
	xmlDocPtr doc = xmlReadMemory(data->data, (int)data->len, "output", NULL, XMLSAFE_OPTIONS);
	if (!doc) {
		*err = xasprintf("the %s stylesheet wrote malformed XML: %s", kinds[k].kind,
				 xmlsafe_errors());
		return -1;
	}
	xmlValidCtxtPtr vc = xmlNewValidCtxt();
	int ok = xmlValidateDtd(vc, doc, dtds[k]);
	xmlFreeValidCtxt(vc);
	xmlFreeDoc(doc);
	if (!ok) {
		*err = xasprintf("the %s we wrote is not valid against %s (a map or stylesheet "
				 "bug; nothing was published): %s",
				 kinds[k].kind, kinds[k].dtd, xmlsafe_errors());
		return -1;
	}
	return 0;
}

int emit_render(const struct config *cfg, xmlDocPtr canonical, const char *doc_id,
		struct output_doc out[EMIT_MAX], char **err)
{
	*err = NULL;
	char now[32];
	iso_time(og_now(), now);
	int n = 0;
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		char *path = config_xslt_path(cfg, kinds[k].sheet);
		xsltStylesheetPtr sheet = xform_load(path, err);
		free(path);
		if (!sheet)
			goto fail;
		char *payload = xasprintf("%s.%s@%s", doc_id, kinds[k].kind, cfg->payload_host);
		char *confirm_id = xasprintf("%s", doc_id);
		struct xform_param params[] = {
			{ "payloadID", payload },	  { "timestamp", now },
			{ "senderDomain", cfg->our_domain }, { "senderIdentity", cfg->our_identity },
			{ "userAgent", cfg->user_agent },   { "noticeDate", now },
			{ "confirmID", confirm_id },
		};
		xmlsafe_errors_reset();
		xmlDocPtr res = xform_apply(sheet, canonical, params, (int)ARRAY_SIZE(params), err);
		free(confirm_id);
		if (!res) {
			char *e = *err;
			*err = xasprintf("rendering the %s failed: %s", kinds[k].kind, e);
			free(e);
			free(payload);
			goto fail;
		}
		struct output_doc *o = &out[n];
		memset(o, 0, sizeof *o);
		o->kind = xstrdup(kinds[k].kind);
		o->format = xstrdup(kinds[k].format);
		o->payload_id = payload;
		n++;
		int rc = xform_serialize(sheet, res, &o->data);
		xmlFreeDoc(res);
		if (rc < 0) {
			*err = xasprintf("cannot serialise the %s", kinds[k].kind);
			goto fail;
		}
		if (cfg->validate_outputs && validate(k, &o->data, err) < 0)
			goto fail;
	}
	return n;
fail:
	for (int i = 0; i < n; i++)
		emit_output_release(&out[i]);
	return -1;
}

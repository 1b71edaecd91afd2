/*
 * partner: see partner.h.
 */
#define _GNU_SOURCE
#include "partner.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <iconv.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xpath.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "dec.h"
#include "util.h"

static char *lower_dup(const char *s)
{
	char *p = xstrdup(s);
	for (char *q = p; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	return p;
}

int partner_list_has(const char *list, const char *item)
{
	if (!list || !item)
		return 0;
	char *copy = xstrdup(list);
	int hit = 0;
	for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && !hit;
	     t = strtok_r(NULL, ",", &save))
		hit = !strcasecmp(str_trim(t), item);
	free(copy);
	return hit;
}

struct load_state {
	struct partner *p;
	char *err;
};

static int fail(struct load_state *st, const char *fmt, ...) OG_PRINTF(2, 3);
static int fail(struct load_state *st, const char *fmt, ...)
{
	if (!st->err) {
		char tmp[512];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(tmp, sizeof tmp, fmt, ap);
		va_end(ap);
		st->err = xstrdup(tmp);
	}
	return 0;
}

static int valid_format(const char *v, int allow_none)
{
	return !strcasecmp(v, "cxml") || !strcasecmp(v, "oagis") || !strcasecmp(v, "csv") ||
	       (allow_none && !strcasecmp(v, "none"));
}

static void set(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_state *st = user;
	struct partner *p = st->p;
	if (!name)
		return 1;
	if (!strcasecmp(section, "partner")) {
		if (!strcasecmp(name, "name")) {
			char *safe = safe_name(value, 64);
			int ok = !strcmp(safe, value) && *value;
			free(safe);
			if (!ok)
				return fail(st, "name: \"%s\" may hold only letters, digits, '.', '_' "
					    "and '-' (it names the partner's folder)", value);
			set(&p->name, value);
		} else if (!strcasecmp(name, "mode")) {
			if (strcasecmp(value, "test") && strcasecmp(value, "production"))
				return fail(st, "mode: \"%s\" is not test or production", value);
			free(p->mode);
			p->mode = lower_dup(value);
		} else if (!strcasecmp(name, "inbound")) {
			char *copy = xstrdup(value);
			for (char *save = NULL, *t = strtok_r(copy, ",", &save); t;
			     t = strtok_r(NULL, ",", &save))
				if (!valid_format(str_trim(t), 0)) {
					fail(st, "inbound: \"%s\" is not cxml, oagis or csv", str_trim(t));
					free(copy);
					return 0;
				}
			free(copy);
			set(&p->inbound, value);
		} else if (!strcasecmp(name, "order_types")) {
			set(&p->order_types, value);
		} else {
			return fail(st, "unknown key \"%s\" in [partner]", name);
		}
		return 1;
	}
	if (!strcasecmp(section, "identity")) {
		if (!strcasecmp(name, "cxml")) {
			const char *colon = strchr(value, ':');
			if (!colon || colon == value || !colon[1])
				return fail(st, "cxml: \"%s\" is not DOMAIN:IDENTITY", value);
			if (p->ncxml == PARTNER_MAX_IDS)
				return fail(st, "more than %d cxml identities", PARTNER_MAX_IDS);
			char *dom = xstrndup(value, (size_t)(colon - value));
			char *ld = lower_dup(str_trim(dom));
			p->cxml_ids[p->ncxml++] = xasprintf("%s:%s", ld, colon + 1);
			free(dom);
			free(ld);
		} else if (!strcasecmp(name, "oagis")) {
			if (p->noagis == PARTNER_MAX_IDS)
				return fail(st, "more than %d oagis identities", PARTNER_MAX_IDS);
			p->oagis_ids[p->noagis++] = xstrdup(value);
		} else if (!strcasecmp(name, "shared_secret")) {
			set(&p->secret, value);
		} else {
			return fail(st, "unknown key \"%s\" in [identity]", name);
		}
		return 1;
	}
	if (!strcasecmp(section, "outbound")) {
		if (!strcasecmp(name, "interim")) {
			if (strcasecmp(value, "yes") && strcasecmp(value, "no"))
				return fail(st, "interim: \"%s\" is not yes or no", value);
			p->interim = !strcasecmp(value, "yes");
			return 1;
		}
		if (!strcasecmp(name, "encoding")) {
			iconv_t cd = iconv_open(value, "UTF-8");
			if (cd == (iconv_t)-1)
				return fail(st, "encoding: \"%s\" is not an encoding iconv knows", value);
			iconv_close(cd);
			set(&p->encoding, value);
			return 1;
		}
		char **field = !strcasecmp(name, "po")		 ? &p->po_format
			       : !strcasecmp(name, "confirmation") ? &p->confirmation_format
			       : !strcasecmp(name, "invoice")	 ? &p->invoice_format
								   : NULL;
		if (!field)
			return fail(st, "unknown key \"%s\" in [outbound] (po, confirmation, encoding)",
				    name);
		if (!valid_format(value, 1))
			return fail(st, "%s: \"%s\" is not cxml, oagis, csv or none", name, value);
		free(*field);
		*field = lower_dup(value);
		return 1;
	}
	if (!strcasecmp(section, "invoice")) {
		char **field = !strcasecmp(name, "tax_rate")	  ? &p->tax_rate
			       : !strcasecmp(name, "shipping")	  ? &p->invoice_shipping
			       : !strcasecmp(name, "discount_rate") ? &p->discount_rate
								    : NULL;
		dec_t v;
		if (!field)
			return fail(st, "unknown key \"%s\" in [invoice] (tax_rate, shipping, "
				    "discount_rate)", name);
		if (dec_parse(value, &v) < 0)
			return fail(st, "%s: \"%s\" is not a decimal of at most 4 places", name, value);
		if (v < 0)
			return fail(st, "%s: \"%s\" is negative; an invoice's %s is 0 or more", name,
				    value, !strcasecmp(name, "shipping") ? "shipping" : "rate");
		/* a rate is a percentage: a discount over 100% would make the
		 * invoice negative, a tax over it is a typo */
		if (field != &p->invoice_shipping && v > 100 * DEC_SCALE)
			return fail(st, "%s: \"%s\" is over 100; the rate is a percentage (19 for "
				    "19%%)", name, value);
		set(field, value);
		return 1;
	}
	if (!strcasecmp(section, "csv") && !strcasecmp(name, "map")) {
		set(&p->csv_map, value);
		return 1;
	}
	return fail(st, "unknown key \"%s\" in section [%s]", name, section);
}

static void partner_free(struct partner *p)
{
	free(p->name);
	free(p->file);
	free(p->mode);
	free(p->inbound);
	free(p->order_types);
	for (int i = 0; i < p->ncxml; i++)
		free(p->cxml_ids[i]);
	for (int i = 0; i < p->noagis; i++)
		free(p->oagis_ids[i]);
	free(p->secret);
	free(p->po_format);
	free(p->confirmation_format);
	free(p->csv_map);
	free(p->encoding);
	free(p->invoice_format);
	free(p->tax_rate);
	free(p->invoice_shipping);
	free(p->discount_rate);
	memset(p, 0, sizeof *p);
}

static int cmp_partner(const void *a, const void *b)
{
	return strcmp(((const struct partner *)a)->file, ((const struct partner *)b)->file);
}

int partner_load(struct partners *ps, const char *dir, int require_known, char **err)
{
	memset(ps, 0, sizeof *ps);
	ps->require_known = require_known;
	ps->dir = xstrdup(dir);
	*err = NULL;
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : (*err = xasprintf("%s: %s", dir, strerror(errno)), -1);
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)) && rc == 0) {
		if (e->d_name[0] == '.' || !str_ends_with(e->d_name, ".ini"))
			continue;
		ps->p = xrealloc(ps->p, sizeof *ps->p * (size_t)(ps->n + 1));
		struct partner *p = &ps->p[ps->n++];
		memset(p, 0, sizeof *p);
		p->file = xasprintf("%s/%s", dir, e->d_name);
		struct load_state st = { p, NULL };
		int line = ini_parse(p->file, on_key, &st);
		if (line != 0 || st.err) {
			*err = line < 0 ? xasprintf("%s: cannot read", p->file)
					: xasprintf("%s:%d: %s", p->file, line,
						    st.err ? st.err : "not a section or key = value");
			free(st.err);
			rc = -1;
		} else if (!p->name) {
			*err = xasprintf("%s: [partner] name is missing", p->file);
			rc = -1;
		}
	}
	closedir(d);
	if (rc == 0 && ps->n > 1) {
		qsort(ps->p, (size_t)ps->n, sizeof *ps->p, cmp_partner);
		for (int i = 0; i < ps->n && rc == 0; i++)
			for (int j = i + 1; j < ps->n && rc == 0; j++)
				if (!strcmp(ps->p[i].name, ps->p[j].name)) {
					*err = xasprintf("%s and %s both name the partner \"%s\"",
							 ps->p[i].file, ps->p[j].file, ps->p[i].name);
					rc = -1;
				}
	}
	if (rc < 0)
		partner_release(ps);
	return rc;
}

void partner_release(struct partners *ps)
{
	for (int i = 0; i < ps->n; i++)
		partner_free(&ps->p[i]);
	free(ps->p);
	free(ps->dir);
	memset(ps, 0, sizeof *ps);
}

const struct partner *partner_by_name(const struct partners *ps, const char *name)
{
	for (int i = 0; name && i < ps->n; i++)
		if (!strcmp(ps->p[i].name, name))
			return &ps->p[i];
	return NULL;
}

static char *xpath_string(xmlXPathContextPtr xp, const char *expr)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, xp);
	char *s = NULL;
	if (r) {
		xmlChar *v = xmlXPathCastToString(r);
		s = xstrdup(v ? (const char *)v : "");
		xmlFree(v);
		xmlXPathFreeObject(r);
	}
	return s ? s : xstrdup("");
}

/* Every cXML credential of From and Sender as "domain:identity". */
static int cxml_credentials(xmlXPathContextPtr xp, char ***out)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression(
		(const xmlChar *)"/cXML/Header/From/Credential | /cXML/Header/Sender/Credential", xp);
	int n = 0;
	*out = NULL;
	if (r && r->nodesetval) {
		*out = xcalloc((size_t)r->nodesetval->nodeNr + 1, sizeof(char *));
		for (int i = 0; i < r->nodesetval->nodeNr; i++) {
			xmlNodePtr c = r->nodesetval->nodeTab[i];
			xmlChar *dom = xmlGetProp(c, (const xmlChar *)"domain");
			char *ident = NULL;
			for (xmlNodePtr k = c->children; k; k = k->next)
				if (k->type == XML_ELEMENT_NODE &&
				    !strcmp((const char *)k->name, "Identity")) {
					xmlChar *t = xmlNodeGetContent(k);
					ident = xstrdup(t ? (const char *)t : "");
					xmlFree(t);
				}
			char *ld = lower_dup(dom ? (const char *)dom : "");
			(*out)[n++] = xasprintf("%s:%s", ld, ident ? str_trim(ident) : "");
			free(ld);
			free(ident);
			xmlFree(dom);
		}
	}
	xmlXPathFreeObject(r);
	return n;
}

/* Compares secrets in constant time: equal-length digests, CRYPTO_memcmp. */
static int secret_equal(const char *a, const char *b)
{
	unsigned char da[32], db[32];
	unsigned int la = 0, lb = 0;
	EVP_Digest(a, strlen(a), da, &la, EVP_sha256(), NULL);
	EVP_Digest(b, strlen(b), db, &lb, EVP_sha256(), NULL);
	return la == 32 && lb == 32 && CRYPTO_memcmp(da, db, 32) == 0;
}

void partner_authenticate(const struct partners *ps, const char *format, xmlDocPtr doc,
			  const char *bound, struct partner_auth *out)
{
	memset(out, 0, sizeof *out);
	xmlXPathContextPtr xp = xmlXPathNewContext(doc);
	char **creds = NULL;
	int ncreds = 0;
	char *logical = NULL;
	const struct partner *found = bound ? partner_by_name(ps, bound) : NULL;
	if (!strcmp(format, "cxml"))
		ncreds = cxml_credentials(xp, &creds);
	else if (!strcmp(format, "oagis"))
		logical = xpath_string(xp, "string(/*/*[local-name()='ApplicationArea']"
					   "/*[local-name()='Sender']/*[local-name()='LogicalID'])");
	for (int i = 0; i < ps->n && !found; i++) {
		const struct partner *p = &ps->p[i];
		for (int k = 0; k < p->ncxml && !found; k++)
			for (int c = 0; c < ncreds && !found; c++)
				if (!strcmp(p->cxml_ids[k], creds[c]))
					found = p;
		for (int k = 0; k < p->noagis && !found && logical && *logical; k++)
			if (!strcmp(p->oagis_ids[k], str_trim(logical)))
				found = p;
	}
	const char *who = ncreds ? creds[0] : logical && *logical ? logical : "(no identity)";
	char *buyer = !strcmp(format, "cxml")
			      ? xpath_string(xp, "string((/cXML/Header/From/Credential[not(@type = "
						 "'marketplace')]/Identity)[1])")
			      : NULL;
	if (buyer && *str_trim(buyer))
		out->sender = xstrdup(str_trim(buyer));
	else if (ncreds && strchr(creds[0], ':'))
		out->sender = xstrdup(strchr(creds[0], ':') + 1);
	else if (logical && *str_trim(logical))
		out->sender = xstrdup(str_trim(logical));
	free(buyer);
	if (!found) {
		const char *dir = ps->dir ? ps->dir : "the partners folder";
		if (ps->require_known && !strcmp(format, "csv")) {
			/* a CSV file carries no sender identity: only its inbox can
			 * say whose it is */
			out->status = 401;
			out->reason = xasprintf(
				"unknown sender: a CSV file names no sender, and with partner "
				"profiles in %s every sender must be known: a CSV order or "
				"shipment feed must come through its partner's inbox",
				dir);
		} else if (ps->require_known) {
			out->status = 401;
			out->reason = xasprintf("unknown sender %s: no partner profile in %s names it; "
						"add a profile if this is a new partner",
						who, dir);
		}
	} else {
		out->partner = found;
		if (found->inbound && !partner_list_has(found->inbound, format)) {
			out->status = 403;
			out->reason = xasprintf("partner %s does not send %s documents (its profile "
						"allows %s)",
						found->name, format, found->inbound);
		} else if (found->secret && !strcmp(format, "cxml")) {
			char *secret = xpath_string(xp, "string(/cXML/Header/Sender/Credential/SharedSecret)");
			if (!secret_equal(str_trim(secret), found->secret)) {
				out->status = 401;
				out->reason = xasprintf("the SharedSecret sent for partner %s %s; the "
							"document was not accepted",
							found->name,
							*str_trim(secret) ? "does not match its profile"
									  : "is missing");
			}
			/* wipe the copy: the secret must not linger in memory dumps */
			OPENSSL_cleanse(secret, strlen(secret));
			free(secret);
		}
	}
	for (int i = 0; i < ncreds; i++)
		free(creds[i]);
	free(creds);
	free(logical);
	xmlXPathFreeContext(xp);
}

int partner_check_order_type(const struct partner *p, const char *type, char **reason)
{
	*reason = NULL;
	if (!p || !p->order_types || partner_list_has(p->order_types, type ? type : "new"))
		return 0;
	*reason = xasprintf("partner %s accepts order types %s only, not \"%s\"%s", p->name,
			    p->order_types, type ? type : "new",
			    type && strcmp(type, "new") ? "; send a cancellation and a new order "
							  "instead"
							: "");
	return 403;
}

/*
 * rngpat: see rngpat.h.
 */
#include "rngpat.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlschemastypes.h>

#include "util.h"
#include "xmlsafe.h"

#define RNG_NS "http://relaxng.org/ns/structure/1.0"
#define XSD_TYPES "http://www.w3.org/2001/XMLSchema-datatypes"
#define XSD_NS "http://www.w3.org/2001/XMLSchema"
#define MAX_REF_DEPTH 64

/* One element or attribute on a path from the root: the patterns its
 * value must match (one of them), and the paths below it. */
struct rngpat {
	char *name; /* element name, "@name" for an attribute, NULL at the root */
	xmlSchemaFacetPtr *re; /* each compiled once, as libxml2 would per value */
	char **src;
	int nre;
	struct rngpat **kids;
	int nkids;
};

struct walk {
	xmlNodePtr grammar;
	xmlNodePtr *strip; /* the pattern params, removed once all is placed */
	int nstrip;
	int depth;
	int bad; /* a pattern this module cannot place */
};

static int is_rng(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns &&
	       !strcmp((const char *)n->ns->href, RNG_NS) &&
	       (!name || !strcmp((const char *)n->name, name));
}

static char *attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *r = v ? xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return r;
}

static xmlNodePtr find_define(const struct walk *w, const char *name)
{
	for (xmlNodePtr d = w->grammar->children; d; d = d->next) {
		if (!is_rng(d, "define"))
			continue;
		char *n = attr(d, "name");
		int same = n && !strcmp(n, name);
		free(n);
		if (same)
			return d;
	}
	return NULL;
}

/* 1 when a pattern param is reachable from n (refs followed, each define
 * once). */
static int has_pattern(const struct walk *w, xmlNodePtr n, xmlNodePtr **seen, int *nseen)
{
	if (is_rng(n, "param")) {
		char *name = attr(n, "name");
		int p = name && !strcmp(name, "pattern");
		free(name);
		if (p)
			return 1;
	}
	if (is_rng(n, "ref")) {
		char *name = attr(n, "name");
		xmlNodePtr d = name ? find_define(w, name) : NULL;
		free(name);
		if (!d)
			return 1; /* unknown: assume the worst */
		for (int i = 0; i < *nseen; i++)
			if ((*seen)[i] == d)
				return 0;
		*seen = xrealloc(*seen, sizeof **seen * (size_t)(*nseen + 1));
		(*seen)[(*nseen)++] = d;
		n = d;
	}
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && has_pattern(w, c, seen, nseen))
			return 1;
	return 0;
}

static int any_pattern(const struct walk *w, xmlNodePtr n)
{
	xmlNodePtr *seen = NULL;
	int nseen = 0;
	int r = has_pattern(w, n, &seen, &nseen);
	free(seen);
	return r;
}

/* The datatype library in effect at n. */
static char *library_of(xmlNodePtr n)
{
	for (; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
		char *lib = attr(n, "datatypeLibrary");
		if (lib)
			return lib;
	}
	return xstrdup("");
}

/* When n is (or refers, through defines of one pattern each, to) a
 * <data type="token"> of the XML Schema library with exactly one param,
 * a pattern, and nothing else: returns 1, the pattern and its param.
 * 0 when n holds no pattern at all; -1 for anything else. */
static int token_pattern(const struct walk *w, xmlNodePtr n, char **pattern, xmlNodePtr *param)
{
	for (int hops = 0; is_rng(n, "ref") && hops < MAX_REF_DEPTH; hops++) {
		char *name = attr(n, "name");
		xmlNodePtr d = name ? find_define(w, name) : NULL;
		free(name);
		if (!d)
			return -1;
		xmlNodePtr only = NULL;
		int count = 0;
		for (xmlNodePtr c = d->children; c; c = c->next)
			if (c->type == XML_ELEMENT_NODE) {
				only = c;
				count++;
			}
		if (count != 1)
			return any_pattern(w, d) ? -1 : 0;
		n = only;
	}
	if (!is_rng(n, "data"))
		return any_pattern(w, n) ? -1 : 0;
	if (!any_pattern(w, n))
		return 0;
	char *type = attr(n, "type"), *lib = library_of(n);
	int ok = type && !strcmp(type, "token") && !strcmp(lib, XSD_TYPES);
	free(type);
	free(lib);
	xmlNodePtr p = NULL;
	int count = 0;
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			p = c;
			count++;
		}
	if (!ok || count != 1 || !is_rng(p, "param"))
		return -1;
	xmlChar *v = xmlNodeGetContent(p);
	*pattern = xstrdup(v ? (const char *)v : "");
	xmlFree(v);
	*param = p;
	return 1;
}

static struct rngpat *kid(struct rngpat *at, const char *name)
{
	for (int i = 0; i < at->nkids; i++)
		if (!strcmp(at->kids[i]->name, name))
			return at->kids[i];
	struct rngpat *k = xcalloc(1, sizeof *k);
	k->name = xstrdup(name);
	at->kids = xrealloc(at->kids, sizeof *at->kids * (size_t)(at->nkids + 1));
	at->kids[at->nkids++] = k;
	return k;
}

/* The value at `at` must match one of n patterns. */
static void record(struct walk *w, struct rngpat *at, char **patterns, xmlNodePtr *params, int n)
{
	if (!at->name || at->nre) {
		/* a value at the root, or a path reached twice: not placed */
		w->bad = 1;
		return;
	}
	at->re = xcalloc((size_t)n, sizeof *at->re);
	at->src = xcalloc((size_t)n, sizeof *at->src);
	xmlSchemaTypePtr token = xmlSchemaGetPredefinedType((const xmlChar *)"token",
							    (const xmlChar *)XSD_NS);
	for (int i = 0; i < n; i++) {
		/* the facet xmlRelaxNGSchemaFacetCheck builds for each value */
		at->src[i] = xstrdup(patterns[i]);
		at->re[i] = xmlSchemaNewFacet();
		at->nre++;
		if (!at->re[i] || !token) {
			w->bad = 1;
			continue;
		}
		at->re[i]->type = XML_SCHEMA_FACET_PATTERN;
		at->re[i]->value = (const xmlChar *)at->src[i];
		if (xmlSchemaCheckFacet(at->re[i], token, NULL, (const xmlChar *)"token") != 0)
			w->bad = 1;
	}
	/* a define used at several paths gives the same param each time */
	w->strip = xrealloc(w->strip, sizeof *w->strip * (size_t)(w->nstrip + n));
	for (int i = 0; i < n; i++) {
		int known = 0;
		for (int k = 0; k < w->nstrip && !known; k++)
			known = w->strip[k] == params[i];
		if (!known)
			w->strip[w->nstrip++] = params[i];
	}
}

static void collect(struct walk *w, xmlNodePtr n, struct rngpat *at);

static void collect_children(struct walk *w, xmlNodePtr n, struct rngpat *at)
{
	for (xmlNodePtr c = n->children; c && !w->bad; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			collect(w, c, at);
}

static void collect_choice(struct walk *w, xmlNodePtr n, struct rngpat *at)
{
	int alts = 0, patterned = 0;
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		alts++;
		char *p = NULL;
		xmlNodePtr param = NULL;
		int r = token_pattern(w, c, &p, &param);
		free(p);
		if (r == 1)
			patterned++;
	}
	if (patterned == 0) {
		collect_children(w, n, at);
		return;
	}
	if (patterned != alts) {
		w->bad = 1; /* patterned tokens mixed with other content */
		return;
	}
	char **pats = xcalloc((size_t)alts, sizeof *pats);
	xmlNodePtr *params = xcalloc((size_t)alts, sizeof *params);
	int k = 0;
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			token_pattern(w, c, &pats[k], &params[k]), k++;
	record(w, at, pats, params, alts);
	for (int i = 0; i < alts; i++)
		free(pats[i]);
	free(pats);
	free(params);
}

static void collect(struct walk *w, xmlNodePtr n, struct rngpat *at)
{
	if (!is_rng(n, NULL)) {
		w->bad = 1; /* foreign elements: not expected in this schema */
		return;
	}
	const char *what = (const char *)n->name;
	if (!strcmp(what, "element") || !strcmp(what, "attribute")) {
		char *name = attr(n, "name"), *ns = attr(n, "ns");
		int placeable = name && !strchr(name, ':') && (!ns || !*ns);
		if (!placeable) {
			if (any_pattern(w, n))
				w->bad = 1; /* under a name class or a namespace */
		} else {
			char *key = *what == 'a' ? xasprintf("@%s", name) : xstrdup(name);
			struct rngpat *k = kid(at, key);
			free(key);
			collect_children(w, n, k);
		}
		free(name);
		free(ns);
	} else if (!strcmp(what, "ref")) {
		char *name = attr(n, "name");
		xmlNodePtr d = name ? find_define(w, name) : NULL;
		free(name);
		if (!d || ++w->depth > MAX_REF_DEPTH) {
			w->bad = 1;
			return;
		}
		collect_children(w, d, at);
		w->depth--;
	} else if (!strcmp(what, "group") || !strcmp(what, "interleave") ||
		   !strcmp(what, "optional") || !strcmp(what, "zeroOrMore") ||
		   !strcmp(what, "oneOrMore") || !strcmp(what, "mixed")) {
		collect_children(w, n, at);
	} else if (!strcmp(what, "choice")) {
		collect_choice(w, n, at);
	} else if (!strcmp(what, "data")) {
		char *p = NULL;
		xmlNodePtr param = NULL;
		int r = token_pattern(w, n, &p, &param);
		if (r < 0)
			w->bad = 1;
		else if (r == 1)
			record(w, at, &p, &param, 1);
		free(p);
	} else if (!strcmp(what, "text") || !strcmp(what, "empty") || !strcmp(what, "value") ||
		   !strcmp(what, "notAllowed")) {
		/* no pattern here */
	} else if (!strcmp(what, "list")) {
		if (any_pattern(w, n))
			w->bad = 1;
	} else {
		w->bad = 1; /* externalRef, parentRef, grammar, ...: not placed */
	}
}

void rngpat_free(struct rngpat *rp)
{
	if (!rp)
		return;
	for (int i = 0; i < rp->nre; i++) {
		if (rp->re[i])
			xmlSchemaFreeFacet(rp->re[i]);
		free(rp->src[i]);
	}
	free(rp->re);
	free(rp->src);
	for (int i = 0; i < rp->nkids; i++)
		rngpat_free(rp->kids[i]);
	free(rp->kids);
	free(rp->name);
	free(rp);
}

static int count_paths(const struct rngpat *rp)
{
	int n = rp->nre > 0;
	for (int i = 0; i < rp->nkids; i++)
		n += count_paths(rp->kids[i]);
	return n;
}

int rngpat_count(const struct rngpat *rp)
{
	return rp ? count_paths(rp) : 0;
}

/* 1 when an element of the schema sets a namespace (inherited by the
 * elements below it, which rngpat only looks for in no namespace). */
static int sets_namespace(xmlNodePtr n)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		char *ns = attr(n, "ns");
		int set = ns && *ns;
		free(ns);
		if (set || sets_namespace(n->children))
			return 1;
	}
	return 0;
}

/* Finds the patterns in a parsed schema; NULL when any cannot be placed. */
static struct rngpat *split(xmlDocPtr doc)
{
	xmlNodePtr g = xmlDocGetRootElement(doc);
	if (!is_rng(g, "grammar") || sets_namespace(g))
		return NULL;
	struct walk w;
	memset(&w, 0, sizeof w);
	w.grammar = g;
	xmlNodePtr start = NULL;
	for (xmlNodePtr c = g->children; c && !w.bad; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		char *combine = attr(c, "combine");
		if (combine || (!is_rng(c, "define") && !is_rng(c, "start")) ||
		    (is_rng(c, "start") && start))
			w.bad = 1; /* combined definitions, div, include: not placed */
		free(combine);
		if (is_rng(c, "start"))
			start = c;
		if (is_rng(c, "define")) {
			char *name = attr(c, "name");
			if (!name || find_define(&w, name) != c)
				w.bad = 1; /* defined twice */
			free(name);
		}
	}
	struct rngpat *root = xcalloc(1, sizeof *root);
	if (!start)
		w.bad = 1;
	else if (!w.bad)
		collect_children(&w, start, root);
	if (!w.bad)
		for (int i = 0; i < w.nstrip; i++) {
			xmlUnlinkNode(w.strip[i]);
			xmlFreeNode(w.strip[i]);
		}
	free(w.strip);
	if (w.bad) {
		rngpat_free(root);
		return NULL;
	}
	return root;
}

static xmlRelaxNGPtr parse_schema(xmlRelaxNGParserCtxtPtr pc)
{
	xmlRelaxNGPtr s = pc ? xmlRelaxNGParse(pc) : NULL;
	xmlRelaxNGFreeParserCtxt(pc);
	return s;
}

int rngpat_load(const char *path, xmlRelaxNGPtr *schema, struct rngpat **rp, char **err)
{
	*err = NULL;
	*schema = NULL;
	*rp = NULL;
	xmlsafe_errors_reset();
	char *perr = NULL;
	xmlDocPtr doc = xmlsafe_parse_trusted(path, &perr);
	free(perr);
	struct rngpat *split_off = doc ? split(doc) : NULL;
	if (split_off) {
		*schema = parse_schema(xmlRelaxNGNewDocParserCtxt(doc));
		*rp = split_off;
	}
	xmlFreeDoc(doc);
	if (!split_off)
		*schema = parse_schema(xmlRelaxNGNewParserCtxt(path));
	if (!*schema) {
		*err = xasprintf("cannot load the schema %s: %s", path, xmlsafe_errors());
		rngpat_free(*rp);
		*rp = NULL;
		return -1;
	}
	return 0;
}

static int check_value(const struct rngpat *p, xmlNodePtr node, const xmlChar *v, char **err)
{
	const xmlChar *value = v ? v : (const xmlChar *)"";
	/* what libxml2 does for each value (xmlRelaxNGSchemaTypeCheck, then
	 * xmlRelaxNGSchemaFacetCheck), with the facet compiled once: for a
	 * token, the pattern applies to the whitespace-collapsed value */
	xmlSchemaTypePtr token = xmlSchemaGetPredefinedType((const xmlChar *)"token",
							    (const xmlChar *)XSD_NS);
	for (int i = 0; i < p->nre; i++) {
		xmlSchemaValPtr val = NULL;
		int ok = xmlSchemaValPredefTypeNode(token, value, &val, node) == 0 &&
			 xmlSchemaValidateFacet(token, p->re[i], value, val) == 0;
		if (val)
			xmlSchemaFreeValue(val);
		if (ok)
			return 0;
	}
	struct buf pats = BUF_INIT;
	for (int i = 0; i < p->nre; i++) {
		if (i)
			buf_adds(&pats, " | ");
		buf_adds(&pats, p->src[i]);
	}
	xmlChar *where = xmlGetNodePath(node);
	size_t len = strlen((const char *)value);
	char *shown = xstrndup((const char *)value, len > 80 ? 80 : len);
	*err = xasprintf("%s: \"%s\" does not match the pattern %s", where ? (const char *)where : "?",
			 shown, buf_str(&pats));
	free(shown);
	xmlFree(where);
	buf_release(&pats);
	return -1;
}

static int check_element(const struct rngpat *p, xmlNodePtr e, char **err)
{
	if (p->nre) {
		/* as libxml2 reads a data pattern's value: text and CDATA joined */
		struct buf text = BUF_INIT;
		for (xmlNodePtr c = e->children; c; c = c->next)
			if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
			    c->content)
				buf_adds(&text, (const char *)c->content);
		int rc = check_value(p, e, (const xmlChar *)buf_str(&text), err);
		buf_release(&text);
		if (rc < 0)
			return -1;
	}
	for (int i = 0; i < p->nkids; i++) {
		const struct rngpat *k = p->kids[i];
		if (k->name[0] != '@' || !k->nre)
			continue;
		xmlAttrPtr a = xmlHasNsProp(e, (const xmlChar *)k->name + 1, NULL);
		if (!a || a->type != XML_ATTRIBUTE_NODE)
			continue;
		xmlChar *v = xmlNodeListGetString(e->doc, a->children, 1);
		int rc = check_value(k, (xmlNodePtr)a, v, err);
		xmlFree(v);
		if (rc < 0)
			return -1;
	}
	for (xmlNodePtr c = e->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || c->ns)
			continue;
		for (int i = 0; i < p->nkids; i++)
			if (!strcmp(p->kids[i]->name, (const char *)c->name)) {
				if (check_element(p->kids[i], c, err) < 0)
					return -1;
				break;
			}
	}
	return 0;
}

int rngpat_check(const struct rngpat *rp, xmlDocPtr doc, char **err)
{
	*err = NULL;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (!rp || !root || root->ns)
		return 0;
	for (int i = 0; i < rp->nkids; i++)
		if (!strcmp(rp->kids[i]->name, (const char *)root->name))
			return check_element(rp->kids[i], root, err);
	return 0;
}

/*
 * rngpat: the pattern facets of a RelaxNG schema, compiled once.
 *
 * libxml2 compiles a <param name="pattern"> regular expression again every
 * time it checks a value against it (xmlRelaxNGSchemaFacetCheck builds,
 * compiles and frees a facet per value), which was about half the cost of
 * validating a canonical order. rngpat_load() reads the schema, finds
 * every pattern facet and the element or attribute path it governs,
 * compiles each once, and gives back the same schema without its pattern
 * params for libxml2 to check everything else. rngpat_check() then checks
 * the values at those paths with the calls libxml2 makes per value
 * (xmlSchemaValPredefTypeNode, xmlSchemaValidateFacet) on the same value
 * (an element's text and CDATA children joined, or the attribute's value):
 * it must match the pattern, or one of them for a choice of patterned
 * tokens. A unit test compares the verdicts with the whole schema's.
 *
 * Only schemas whose patterns sit at fixed paths are split this way: a
 * pattern rngpat cannot place (under a name class, in a list, an except, a
 * choice mixed with other content, another datatype library or type than
 * token, a namespace) makes rngpat_load() return 0 with *rp NULL, and the
 * caller validates with the whole schema as before.
 *
 * Memory: rngpat_load() gives the caller the schema and a struct rngpat;
 * rngpat_free() releases the latter. Errors: -1 with *err (caller frees).
 */
#ifndef OG_RNGPAT_H
#define OG_RNGPAT_H

#include <libxml/relaxng.h>
#include <libxml/tree.h>

struct rngpat;

/* Loads the schema at path. On success returns 0 and sets *schema; *rp is
 * the split-off patterns (with *schema lacking them) or NULL (with
 * *schema the whole schema). */
int rngpat_load(const char *path, xmlRelaxNGPtr *schema, struct rngpat **rp, char **err);
/* 0 when every patterned value in doc matches; else -1 and *err names
 * the node, the value and the pattern. */
int rngpat_check(const struct rngpat *rp, xmlDocPtr doc, char **err);
/* How many values the patterns govern (paths, not occurrences); for tests. */
int rngpat_count(const struct rngpat *rp);
void rngpat_free(struct rngpat *rp);

#endif

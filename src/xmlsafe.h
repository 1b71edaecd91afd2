/*
 * xmlsafe: libxml2 configured for hostile documents (design brief, section 4).
 *
 * - Partner documents are parsed from memory with NONET|NOCDATA and never
 *   NOENT, DTDLOAD, DTDVALID or HUGE; a DOCTYPE naming a remote DTD is
 *   accepted and never loaded.
 * - A document whose internal subset declares general entities or external
 *   parameter entities is rejected (a parameter entity that only switches a
 *   conditional section is harmless and accepted).
 * - One external entity loader for the whole process refuses every URL and
 *   every file outside the trusted folders given to xmlsafe_init() (the
 *   engine's xslt/ and maps/), whoever asks: parser, XSLT, validator.
 * - libxml2 and libxslt errors are captured per document into a buffer that
 *   the caller turns into the document's failure reason; nothing goes to
 *   stderr unattributed.
 */
#ifndef OG_XMLSAFE_H
#define OG_XMLSAFE_H

#include <libxml/tree.h>

#include "util.h"

/* Safe parse options for partner documents. */
#define XMLSAFE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOWARNING)

void xmlsafe_init(const char *const *trusted_dirs, int ntrusted);
/* 1 when path (resolved) lies inside a trusted folder. */
int xmlsafe_trusted_path(const char *path);

/* Errors captured since the last reset, one per line. */
void xmlsafe_errors_reset(void);
const char *xmlsafe_errors(void);

/* Parses a partner document. On failure returns NULL and sets *err to a
 * message with line and column (caller frees). */
xmlDocPtr xmlsafe_parse(const char *data, size_t len, char **err);

/* Parses a trusted file of ours (stylesheet inputs, schemas). */
xmlDocPtr xmlsafe_parse_trusted(const char *path, char **err);

#endif

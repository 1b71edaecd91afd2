/*
 * detect: which inbound format a document is, from its content (first
 * bytes, then root element and namespace), never from its file name. One
 * table row per format; a row without a map names what is missing.
 */
#ifndef OG_DETECT_H
#define OG_DETECT_H

#include <stddef.h>
#include <libxml/tree.h>

struct format {
	const char *name;      /* "cxml" */
	const char *root;      /* local name of the root element */
	const char *ns;        /* namespace URI, NULL for none */
	const char *must_have; /* XPath that must match, NULL for none */
	const char *map;       /* stylesheet under xslt/ (orders); NULL for shipments */
	const char *what;      /* human name */
	int shipment;          /* a fulfilment document, read by shipment.c */
};

/* 1 when the first bytes are those of XML: '<' after whitespace (and a
 * UTF-8 byte order mark), UTF-16 with a byte order mark, or UTF-16 without
 * one that starts with its XML declaration (XML 1.0, Appendix F). */
int detect_xml_start(const char *data, size_t len);
/* Checks the first bytes. Returns 0 for XML, -1 with *err otherwise. */
int detect_bytes(const char *data, size_t len, char **err);
/* Finds the row for a parsed document, or NULL with *err set. */
const struct format *detect_xml(xmlDocPtr doc, char **err);
/* The whole table, for loading every map up front. */
int detect_formats(const struct format **table);
/* The cXML version named by the DOCTYPE system id, or "" (caller frees). */
char *detect_cxml_version(xmlDocPtr doc);

#endif

/*
 * csv: CSV purchase orders read through a column map (maps/csv/NAME.ini).
 *
 * A map says how one layout is written (delimiter, quote, header row,
 * encoding, decimal separator, date format, line number base), which column
 * holds the order number, which columns become which canonical fields and
 * which constants fill the fields no column gives (every setting is
 * described in maps/csv/example-erp.ini). csv_read() decodes a file to
 * UTF-8 with iconv (a UTF-8 or UTF-16 byte order mark wins over the map's
 * encoding), splits it into records (RFC 4180: quoted fields with
 * delimiters, doubled quotes and line breaks; CRLF, LF or CR; empty
 * trailing fields), groups the rows into orders by order number in order
 * of first appearance, and writes one neutral XML document per order:
 *
 *   <csv-order map="sap-b1" file="po.csv" orderNumber="409811" firstRow="3">
 *     <field name="orderID">409811</field>
 *     <field name="currency">USD</field>
 *     <line row="3"><field name="line.quantity">2.0</field>...</line>
 *   </csv-order>
 *
 * with constants applied, decimals as plain "." numbers, dates as ISO
 * YYYY-MM-DD (or "YYYY-MM-DD hh:mm:ss"), 0-based line numbers made 1-based.
 * xslt/csv-to-canonical.xsl maps that into the canonical order.
 *
 * Errors. A row that cannot be read (a number or date that is not one, an
 * empty required field, more columns than the header, a control character,
 * text after a closing quote, an order header field that contradicts the
 * order's earlier rows, a line number given twice, no order number) fails
 * ITS order only: that csv_order gets error = "FILE: row R, column C
 * (NAME): what" and no XML; other orders are unaffected. Rows are physical
 * line numbers (the header is row 1), columns 1-based, NAME the header
 * name (or the canonical field without a header). A problem of the whole
 * file returns -1 with *err: bytes not valid in the map's encoding, no
 * header row, a mapped column the header lacks, a quote that is never
 * closed (the rest of the file cannot be told apart from the field), no
 * data rows.
 *
 * Memory: a csv_map is freed with csv_map_free(), an order array with
 * csv_orders_free(); *err strings are the caller's to free.
 */
#ifndef OG_CSV_H
#define OG_CSV_H

#include <stddef.h>

#include "util.h"

struct csv_map;

/* Loads maps/csv/NAME.ini; the map's name is NAME (the file name without
 * ".ini"). -1 with *err = "PATH:LINE: what is wrong" (an unknown field or
 * key, a bad value), or "PATH: what is wrong" when no one line is to blame
 * (a required field that no column or constant gives). */
int csv_map_load(const char *path, struct csv_map **out, char **err);
void csv_map_free(struct csv_map *map);
const char *csv_map_name(const struct csv_map *map);

/* 1 when the map has a signature and the first record of data (decoded in
 * the map's encoding, split with its delimiter and quote) names every
 * column of it (trimmed, case-insensitive, any order); 0 otherwise. */
int csv_map_matches_header(const struct csv_map *map, const char *data, size_t len);

/* Format detection by header: loads every *.ini in DIR (maps/csv) in name
 * order and returns 1 with *out (caller frees) for the one map whose
 * signature the data's header matches, 0 when none does (or DIR does not
 * exist), -1 with *err when a map is broken or two maps match. */
int csv_map_detect(const char *dir, const char *data, size_t len, struct csv_map **out,
		   char **err);

struct csv_order {
	char *order_number; /* NULL for a failed row that belongs to no order */
	int first_row;      /* row of its first record */
	int nlines;
	struct buf xml;     /* the neutral document; empty when error is set */
	char *error;        /* NULL, or "FILE: row R, column C (NAME): ..." */
	char sha256[65];    /* of the order's records (decoded text, no row
			       numbers or file name): the same order in
			       another file has the same digest */
};

/* Reads a whole file held in memory. file_name is only shown (in errors and
 * the file attribute). On success returns 0 with *orders (*n entries). */
int csv_read(const struct csv_map *map, const char *data, size_t len, const char *file_name,
	     struct csv_order **orders, int *n, char **err);
void csv_orders_free(struct csv_order *orders, int n);

#endif

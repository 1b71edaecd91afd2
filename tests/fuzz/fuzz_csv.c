/*
 * fuzz_csv: the CSV reader through two real maps (maps/csv/example-erp.ini:
 * semicolon, Windows-1252, decimal comma; maps/csv/sap-b1.ini), loaded once.
 * Oracles: no sanitizer report; every order is either an error or a neutral
 * XML document that libxml2 parses (so no cell can break out of its element)
 * with a 64-hex-digit digest.
 */
#include "fuzz_common.h"

#include <libxml/parser.h>

#include "csv.h"

#ifndef OG_DATADIR
#error "build with -DOG_DATADIR=\"<repo root>\""
#endif

static struct csv_map *maps[2];
static const char *names[2] = { "example-erp", "sap-b1" };

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, quiet);
	for (int i = 0; i < 2; i++) {
		char path[4096], *err = NULL;
		snprintf(path, sizeof path, "%s/maps/csv/%s.ini", OG_DATADIR, names[i]);
		if (csv_map_load(path, &maps[i], &err) < 0)
			FUZZ_DIE("%s: %s", path, err);
	}
	return 0;
}

static void check_orders(struct csv_order *orders, int n)
{
	for (int i = 0; i < n; i++) {
		struct csv_order *o = &orders[i];
		FUZZ_CHECK(strlen(o->sha256) == 64 || o->error, "order %d: digest \"%s\"", i,
			   o->sha256);
		if (o->error)
			continue;
		FUZZ_CHECK(o->xml.len > 0, "order %d: no error and no XML", i);
		xmlDocPtr d = xmlReadMemory(o->xml.data, (int)o->xml.len, "csv-order.xml", NULL,
					    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
		FUZZ_CHECK(d != NULL, "order %d: neutral XML is not well-formed:\n%.*s", i,
			   (int)(o->xml.len > 2000 ? 2000 : o->xml.len), o->xml.data);
		xmlFreeDoc(d);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *text = fuzz_copy(data, len);
	for (int m = 0; m < 2; m++) {
		struct csv_order *orders = NULL;
		int n = 0;
		char *err = NULL;
		(void)csv_map_matches_header(maps[m], text, len);
		if (csv_read(maps[m], text, len, "fuzz.csv", &orders, &n, &err) == 0) {
			FUZZ_CHECK(n >= 0, "negative order count %d", n);
			check_orders(orders, n);
			csv_orders_free(orders, n);
		} else {
			FUZZ_CHECK(err != NULL, "csv_read failed without a reason");
		}
		free(err);
	}
	free(text);
	return 0;
}

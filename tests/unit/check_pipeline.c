/*
 * pipeline: whole documents held in memory, from bytes to outputs.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pipeline.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"
#include "wire.h"

#define DOC_ID "20240301-100000-000042-000001"

static const struct doc_job job = { .id = DOC_ID,
				     .name = "order.xml",
				     .received = "2024-03-01T10:00:01+00:00" };

static void run_with(const struct config *cfg, const char *xml, size_t len, int outputs,
		     struct doc_result *res)
{
	memset(res, 0, sizeof *res);
	pipeline_run(cfg, &job, xml, len, outputs, res);
}

static void run(const char *xml, struct doc_result *res)
{
	run_with(t_cfg(), xml, strlen(xml), 1, res);
}

/* Runs a generated order and returns the result. */
static void run_order(const struct t_order *o, struct doc_result *res)
{
	char *xml = t_cxml(o);
	run(xml, res);
	free(xml);
}

static void assert_ok(const struct doc_result *r)
{
	ck_assert_msg(r->ok, "failed at %s: %s", r->stage ? r->stage : "?",
		      r->reason ? r->reason : "?");
	ck_assert_ptr_null(r->stage);
	ck_assert_ptr_null(r->reason);
}

static int contains(const struct buf *b, const char *s);

static void assert_failed(const struct doc_result *r, const char *stage, const char *w1,
			  const char *w2)
{
	ck_assert_msg(!r->ok, "expected a failure at %s, got ok", stage);
	ck_assert_ptr_nonnull(r->stage);
	ck_assert_msg(!strcmp(r->stage, stage), "failed at %s (want %s): %s", r->stage, stage,
		      r->reason);
	ck_assert_ptr_nonnull(r->reason);
	ck_assert_ptr_nonnull(r->hint);
	ck_assert_uint_gt(strlen(r->hint), 0);
	if (w1)
		ck_assert_msg(strstr(r->reason, w1) != NULL, "reason \"%s\" lacks \"%s\"", r->reason,
			      w1);
	if (w2)
		ck_assert_msg(strstr(r->reason, w2) != NULL, "reason \"%s\" lacks \"%s\"", r->reason,
			      w2);
	/* a refused cXML document is answered with one cXML Response, nothing else */
	ck_assert_int_le(r->noutputs, 1);
	if (r->noutputs == 1) {
		ck_assert_str_eq(r->outputs[0].kind, "response");
		ck_assert_str_eq(r->outputs[0].format, "cxml");
		ck_assert_int_ge(r->status, 400);
		ck_assert(contains(&r->outputs[0].data, "<Status code=\""));
	}
}

static int contains(const struct buf *b, const char *s)
{
	return b->data && strstr(b->data, s) != NULL;
}

/* gunzip of archive_gz equals the input */
static void assert_archive(const struct doc_result *r, const char *xml, size_t len)
{
	ck_assert_uint_gt(r->archive_gz.len, 10);
	ck_assert_int_eq((unsigned char)r->archive_gz.data[0], 0x1f);
	ck_assert_int_eq((unsigned char)r->archive_gz.data[1], 0x8b);
	z_stream z;
	memset(&z, 0, sizeof z);
	ck_assert_int_eq(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	char *out = xmalloc(len + 16);
	z.next_in = (Bytef *)r->archive_gz.data;
	z.avail_in = (uInt)r->archive_gz.len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)(len + 16);
	int rc = inflate(&z, Z_FINISH);
	size_t got = z.total_out;
	inflateEnd(&z);
	ck_assert_int_eq(rc, Z_STREAM_END);
	ck_assert_uint_eq(got, len);
	ck_assert_mem_eq(out, xml, len);
	free(out);
}

START_TEST(order_translated_with_outputs)
{
	struct t_order o = { 0 };
	char *xml = t_cxml(&o);
	struct doc_result r;
	run(xml, &r);
	assert_ok(&r);
	char sha[65];
	sha256_hex(xml, strlen(xml), sha);
	ck_assert_str_eq(r.sha256, sha);
	ck_assert_int_eq(r.size, (int64_t)strlen(xml));
	/* archive_form = as-sent (the default): the claimed file itself is
	 * archived, the worker sends no copy; gzip: a gzip copy */
	ck_assert_uint_eq(r.archive_gz.len, 0);
	ck_assert_int_eq(r.archive_as_sent, 1);
	ck_assert_str_eq(r.archive_sha256, sha);
	ck_assert_int_eq(r.archive_size, (int64_t)strlen(xml));
	struct config gz = *t_cfg();
	gz.archive_gzip = 1;
	struct doc_result rz;
	run_with(&gz, xml, strlen(xml), 1, &rz);
	assert_archive(&rz, xml, strlen(xml));
	ck_assert_int_eq(rz.archive_as_sent, 0);
	pipeline_result_release(&rz);
	ck_assert_str_eq(r.id, DOC_ID);
	ck_assert_str_eq(r.name, "order.xml");
	ck_assert_str_eq(r.decision, "accept");
	ck_assert_str_eq(r.partner, "buyer1");
	ck_assert_str_eq(r.sender_key, "networkid:Buyer1");

	ck_assert_str_eq(r.info.format, "cxml");
	ck_assert_str_eq(r.info.payload_id, "pid-1@buyer.example");
	ck_assert_str_eq(r.info.order_id, "PO-1");
	ck_assert_str_eq(r.info.currency, "USD");
	ck_assert_str_eq(r.info.mode, "production");
	ck_assert_str_eq(r.info.order_date, "2024-03-01T10:00:00-05:00");
	ck_assert_int_eq(r.info.nlines, 1);
	ck_assert_int_eq(r.info.total, 3000);

	ck_assert(contains(&r.canonical, "<order version=\"1\">"));
	ck_assert(contains(&r.canonical, "documentID=\"" DOC_ID "\""));
	ck_assert(contains(&r.canonical, "received=\"2024-03-01T10:00:01+00:00\""));
	ck_assert(contains(&r.canonical, "<amount>0.30</amount>"));
	ck_assert(contains(&r.canonical, "<summary>"));
	ck_assert(contains(&r.canonical, "<total>0.30</total>"));
	ck_assert(contains(&r.canonical, "<decision action=\"accept\" rule=\"default\"/>"));
	ck_assert(!contains(&r.canonical, "s3cret")); /* the shared secret is not copied */

	ck_assert_int_eq(r.noutputs, 2);
	ck_assert_str_eq(r.outputs[0].kind, "po");
	ck_assert_str_eq(r.outputs[1].kind, "confirmation");
	for (int i = 0; i < 2; i++) {
		ck_assert_str_eq(r.outputs[i].format, "cxml");
		char *want = xasprintf(DOC_ID ".%s@%s", r.outputs[i].kind, t_cfg()->payload_host);
		ck_assert_str_eq(r.outputs[i].payload_id, want);
		char *attr = xasprintf("payloadID=\"%s\"", want);
		ck_assert_msg(contains(&r.outputs[i].data, attr), "%s lacks %s", r.outputs[i].kind,
			      attr);
		free(attr);
		free(want);
		ck_assert(contains(&r.outputs[i].data, "<cXML "));
		ck_assert(contains(&r.outputs[i].data, ">0.30</Money>"));
	}
	pipeline_result_release(&r);
	free(xml);
}
END_TEST

START_TEST(without_outputs_stops_after_decision)
{
	struct t_order o = { 0 };
	char *xml = t_cxml(&o);
	struct doc_result r;
	run_with(t_cfg(), xml, strlen(xml), 0, &r);
	assert_ok(&r);
	ck_assert_int_eq(r.noutputs, 0);
	ck_assert_str_eq(r.decision, "accept");
	ck_assert(contains(&r.canonical, "<decision"));
	pipeline_result_release(&r);
	free(xml);
}
END_TEST

static const struct {
	const char *currency, *quantity, *price, *amount;
} money_cases[] = {
	{ "USD", "3", "0.1", "0.30" },
	{ "USD", "3", "33.333", "100.00" },
	{ "EUR", "2", "0.005", "0.01" },
	{ "JPY", "3", "33.5", "101" },
	{ "JPY", "7", "1250", "8750" },
	{ "KWD", "3", "0.3335", "1.001" },
};

START_TEST(money_is_exact)
{
	struct t_line l = { "1", money_cases[_i].quantity, money_cases[_i].price, NULL };
	struct t_order o = { 0 };
	o.currency = money_cases[_i].currency;
	o.total = money_cases[_i].amount;
	o.lines = &l;
	o.nlines = 1;
	struct doc_result r;
	run_order(&o, &r);
	assert_ok(&r);
	char *amount = xasprintf("<amount>%s</amount>", money_cases[_i].amount);
	char *sub = xasprintf("<subtotal>%s</subtotal>", money_cases[_i].amount);
	char *money = xasprintf("<Money currency=\"%s\">%s</Money>", money_cases[_i].currency,
				money_cases[_i].amount);
	ck_assert_msg(contains(&r.canonical, amount), "canonical lacks %s:\n%s", amount,
		      r.canonical.data);
	ck_assert(contains(&r.canonical, sub));
	ck_assert_int_eq(r.info.nwarnings, 0); /* the stated total matches */
	ck_assert_int_eq(r.noutputs, 2);
	ck_assert_msg(contains(&r.outputs[0].data, money), "po lacks %s", money);
	ck_assert_msg(contains(&r.outputs[1].data, money), "confirmation lacks %s", money);
	free(money);
	free(sub);
	free(amount);
	pipeline_result_release(&r);
}
END_TEST

START_TEST(total_mismatch_is_a_warning)
{
	struct t_order o = { 0 };
	o.total = "5.00";
	struct doc_result r;
	run_order(&o, &r);
	assert_ok(&r);
	ck_assert_int_eq(r.info.nwarnings, 1);
	ck_assert(str_starts_with(r.info.warnings[0], "total-mismatch"));
	ck_assert(contains(&r.canonical, "<warning code=\"total-mismatch\">"));
	ck_assert(contains(&r.canonical, "<total>0.30</total>"));
	ck_assert_int_eq(r.noutputs, 2);
	ck_assert(contains(&r.outputs[0].data, ">0.30</Money>"));
	pipeline_result_release(&r);
}
END_TEST

START_TEST(bad_decimal_fails_normalise)
{
	struct t_line l = { "1", "3", "12,5", NULL };
	struct t_order o = { 0 };
	o.lines = &l;
	o.nlines = 1;
	struct doc_result r;
	run_order(&o, &r);
	assert_failed(&r, "normalise", "/order/lines/line/unitPrice", "\"12,5\"");
	pipeline_result_release(&r);

	struct t_line two[] = { { "1", "1", "1.00", NULL }, { "2", "1.5e2", "1", NULL } };
	o.lines = two;
	o.nlines = 2;
	run_order(&o, &r);
	assert_failed(&r, "normalise", "/order/lines/line[2]/quantity", "\"1.5e2\"");
	pipeline_result_release(&r);
}
END_TEST

START_TEST(date_without_zone_assumed)
{
	struct t_order o = { 0 };
	o.order_date = "2024-03-01T10:00:00";
	o.timestamp = "2024-03-01 09:59:58";
	struct doc_result r;
	run_order(&o, &r);
	assert_ok(&r);
	ck_assert_msg(contains(&r.canonical,
			       "<orderDate zoneAssumed=\"true\">2024-03-01T10:00:00+00:00</orderDate>"),
		      "%s", r.canonical.data);
	ck_assert(contains(&r.canonical, "timestamp=\"2024-03-01T09:59:58+00:00\""));
	ck_assert(contains(&r.canonical, "timestampZoneAssumed=\"true\""));
	ck_assert_int_eq(r.noutputs, 2);
	pipeline_result_release(&r);

	/* the configured zone */
	struct config c = *t_cfg();
	char zone[] = "-05:00";
	c.assume_timezone = zone;
	char *xml = t_cxml(&o);
	run_with(&c, xml, strlen(xml), 1, &r);
	assert_ok(&r);
	ck_assert(contains(&r.canonical,
			   "<orderDate zoneAssumed=\"true\">2024-03-01T10:00:00-05:00</orderDate>"));
	pipeline_result_release(&r);
	free(xml);
}
END_TEST

START_TEST(duplicate_line_numbers_fail)
{
	struct t_line l[] = { { "1", "1", "1", NULL }, { "1", "2", "2", NULL } };
	struct t_order o = { 0 };
	o.lines = l;
	o.nlines = 2;
	o.total = "5.00";
	struct doc_result r;
	run_order(&o, &r);
	assert_failed(&r, "normalise", "line number 1 appears twice", NULL);
	pipeline_result_release(&r);
}
END_TEST

START_TEST(line_numbers_default_to_position)
{
	struct t_line l[] = { { NULL, "1", "1", NULL }, { NULL, "2", "2", NULL } };
	struct t_order o = { 0 };
	o.lines = l;
	o.nlines = 2;
	o.total = "5.00";
	struct doc_result r;
	run_order(&o, &r);
	assert_ok(&r);
	ck_assert_int_eq(r.info.nlines, 2);
	ck_assert_int_eq(r.info.lines[0].number, 1);
	ck_assert_int_eq(r.info.lines[1].number, 2);
	ck_assert_int_eq(r.info.total, 50000);
	pipeline_result_release(&r);
}
END_TEST

START_TEST(other_line_currency_fails)
{
	struct t_line l[] = { { "1", "1", "1", "USD" }, { "2", "1", "1", "EUR" } };
	struct t_order o = { 0 };
	o.lines = l;
	o.nlines = 2;
	struct doc_result r;
	run_order(&o, &r);
	assert_failed(&r, "normalise", "EUR", "USD");
	pipeline_result_release(&r);

	/* the same currency in another case is the same currency */
	struct t_line same[] = { { "1", "3", "0.1", "usd" } };
	o.lines = same;
	o.nlines = 1;
	run_order(&o, &r);
	assert_ok(&r);
	pipeline_result_release(&r);
}
END_TEST

START_TEST(missing_lines_fail)
{
	struct t_order o = { 0 };
	o.nlines = -1;
	struct doc_result r;
	run_order(&o, &r);
	assert_failed(&r, "normalise", "/order/lines", "no lines");
	pipeline_result_release(&r);
}
END_TEST

START_TEST(missing_total_currency_fails)
{
	struct t_order o = { 0 };
	o.total = "";
	struct doc_result r;
	run_order(&o, &r);
	assert_failed(&r, "normalise", "/order/currency", NULL);
	pipeline_result_release(&r);
}
END_TEST

static const struct {
	const char *what;
	const char *xml;
	size_t len; /* 0: strlen */
	const char *stage;
	const char *words;
} refused_docs[] = {
	{ "cXML Response",
	  "<?xml version=\"1.0\"?>\n<!DOCTYPE cXML SYSTEM "
	  "\"http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd\">\n"
	  "<cXML payloadID=\"r1\" timestamp=\"2024-03-01T10:00:00Z\">"
	  "<Response><Status code=\"200\" text=\"OK\"/></Response></cXML>",
	  0, "detect", "Response" },
	{ "lowercase root", "<cxml><Request><OrderRequest/></Request></cxml>", 0, "detect",
	  "case-sensitive" },
	{ "OAGIS without a PurchaseOrder",
	  "<ProcessPurchaseOrder xmlns=\"http://www.openapplications.org/oagis/10\"/>", 0,
	  "map", "exactly one is supported" },
	{ "empty", "", 0, "detect", "empty" },
	/* compressed input is unpacked by pipeline_run_input, never here */
	{ "gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10, "detect", "compressed" },
	{ "text", "PO-1;3;0.10\n", 0, "detect", "not XML" },
	{ "malformed", "<cXML>\n<Request>\n<OrderRequest>\n</Request></cXML>", 0, "parse",
	  "line 4" },
	{ "entity",
	  "<!DOCTYPE cXML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	  "<cXML><Request><OrderRequest>&x;</OrderRequest></Request></cXML>",
	  0, "parse", "entity" },
	{ "internal entity",
	  "<!DOCTYPE cXML [<!ENTITY co \"Acme\">]>"
	  "<cXML><Request><OrderRequest>&co;</OrderRequest></Request></cXML>",
	  0, "parse", "\"co\"" },
	/* refused at map: it has no BillTo, the first thing the map checks */
	{ "empty OrderRequest", "<cXML><Header/><Request><OrderRequest/></Request></cXML>", 0,
	  "map", "has no BillTo" },
};

START_TEST(refused_documents)
{
	size_t len = refused_docs[_i].len ? refused_docs[_i].len : strlen(refused_docs[_i].xml);
	struct doc_result r;
	run_with(t_cfg(), refused_docs[_i].xml, len, 1, &r);
	assert_failed(&r, refused_docs[_i].stage, refused_docs[_i].words, NULL);
	ck_assert(!r.reason || !strstr(r.reason, "root:x:"));
	/* even a failed document is hashed and archived */
	char sha[65];
	sha256_hex(refused_docs[_i].xml, len, sha);
	ck_assert_str_eq(r.sha256, sha);
	ck_assert_int_eq(r.size, (int64_t)len);
	pipeline_result_release(&r);
}
END_TEST

START_TEST(fail_replaces_earlier_failure)
{
	struct doc_result r;
	memset(&r, 0, sizeof r);
	r.ok = 1;
	pipeline_fail(&r, "read", "hint one", "first %d", 1);
	pipeline_fail(&r, "emit", "hint two", "second %s", "x");
	ck_assert_int_eq(r.ok, 0);
	ck_assert_str_eq(r.stage, "emit");
	ck_assert_str_eq(r.hint, "hint two");
	ck_assert_str_eq(r.reason, "second x");
	pipeline_result_release(&r);
}
END_TEST

START_TEST(reproducible_with_fixed_time)
{
	const char *old = getenv("ORDERGATE_TIME");
	char *saved = old ? xstrdup(old) : NULL;
	setenv("ORDERGATE_TIME", "1700000000", 1);
	struct t_order o = { 0 };
	struct doc_result a, b;
	run_order(&o, &a);
	run_order(&o, &b);
	if (saved)
		setenv("ORDERGATE_TIME", saved, 1);
	else
		unsetenv("ORDERGATE_TIME");
	free(saved);
	assert_ok(&a);
	assert_ok(&b);
	ck_assert_uint_eq(a.canonical.len, b.canonical.len);
	ck_assert_mem_eq(a.canonical.data, b.canonical.data, a.canonical.len);
	ck_assert_int_eq(a.noutputs, b.noutputs);
	for (int i = 0; i < a.noutputs; i++) {
		ck_assert_uint_eq(a.outputs[i].data.len, b.outputs[i].data.len);
		ck_assert_mem_eq(a.outputs[i].data.data, b.outputs[i].data.data,
				 a.outputs[i].data.len);
	}
	pipeline_result_release(&a);
	pipeline_result_release(&b);
}
END_TEST

static void assert_same_result(const struct doc_result *a, const struct doc_result *b)
{
#define SAME_STR(x)                                                                  \
	do {                                                                         \
		if (!(a->x))                                                         \
			ck_assert_msg(!(b->x), #x ": NULL came back as \"%s\"", b->x); \
		else                                                                 \
			ck_assert_str_eq(a->x, b->x);                                \
	} while (0)
	ck_assert_int_eq(a->ok, b->ok);
	SAME_STR(id);
	SAME_STR(name);
	ck_assert_int_eq(a->container, b->container);
	ck_assert_int_eq(a->member, b->member);
	ck_assert_uint_eq(a->input.len, b->input.len);
	SAME_STR(stage);
	SAME_STR(reason);
	SAME_STR(hint);
	ck_assert_str_eq(a->sha256, b->sha256);
	ck_assert_int_eq(a->size, b->size);
	SAME_STR(partner);
	SAME_STR(sender_key);
	SAME_STR(decision);
	SAME_STR(info.format);
	SAME_STR(info.payload_id);
	SAME_STR(info.timestamp);
	SAME_STR(info.mode);
	SAME_STR(info.sender_domain);
	SAME_STR(info.sender_identity);
	SAME_STR(info.from_domain);
	SAME_STR(info.from_identity);
	SAME_STR(info.to_domain);
	SAME_STR(info.to_identity);
	SAME_STR(info.order_id);
	SAME_STR(info.order_date);
	SAME_STR(info.type);
	SAME_STR(info.currency);
	SAME_STR(info.previous_payload_id);
	ck_assert_int_eq(a->info.stated_total, b->info.stated_total);
	ck_assert_int_eq(a->info.has_stated_total, b->info.has_stated_total);
	ck_assert_int_eq(a->info.subtotal, b->info.subtotal);
	ck_assert_int_eq(a->info.shipping, b->info.shipping);
	ck_assert_int_eq(a->info.tax, b->info.tax);
	ck_assert_int_eq(a->info.discount, b->info.discount);
	ck_assert_int_eq(a->info.total, b->info.total);
	ck_assert_int_eq(a->info.nlines, b->info.nlines);
	for (int i = 0; i < a->info.nlines; i++) {
		ck_assert_int_eq(a->info.lines[i].number, b->info.lines[i].number);
		ck_assert_int_eq(a->info.lines[i].quantity, b->info.lines[i].quantity);
		ck_assert_int_eq(a->info.lines[i].unit_price, b->info.lines[i].unit_price);
		ck_assert_int_eq(a->info.lines[i].amount, b->info.lines[i].amount);
		SAME_STR(info.lines[i].uom);
		SAME_STR(info.lines[i].supplier_part);
		SAME_STR(info.lines[i].description);
	}
	ck_assert_int_eq(a->info.nwarnings, b->info.nwarnings);
	for (int i = 0; i < a->info.nwarnings; i++)
		SAME_STR(info.warnings[i]);
	ck_assert_uint_eq(a->canonical.len, b->canonical.len);
	if (a->canonical.len)
		ck_assert_mem_eq(a->canonical.data, b->canonical.data, a->canonical.len);
	ck_assert_int_eq(a->noutputs, b->noutputs);
	for (int i = 0; i < a->noutputs; i++) {
		SAME_STR(outputs[i].kind);
		SAME_STR(outputs[i].format);
		SAME_STR(outputs[i].payload_id);
		ck_assert_uint_eq(a->outputs[i].data.len, b->outputs[i].data.len);
		ck_assert_mem_eq(a->outputs[i].data.data, b->outputs[i].data.data,
				 a->outputs[i].data.len);
	}
	ck_assert_uint_eq(a->archive_gz.len, b->archive_gz.len);
	if (a->archive_gz.len)
		ck_assert_mem_eq(a->archive_gz.data, b->archive_gz.data, a->archive_gz.len);
	ck_assert_int_eq(a->archive_as_sent, b->archive_as_sent);
	ck_assert_str_eq(a->archive_sha256, b->archive_sha256);
	ck_assert_int_eq(a->archive_size, b->archive_size);
#undef SAME_STR
}

START_TEST(result_wire_round_trip)
{
	struct t_line l[] = { { "1", "3", "0.1", NULL }, { "2", "1", "2", NULL } };
	struct t_order o = { 0 };
	o.lines = l;
	o.nlines = 2;
	o.total = "9.99"; /* a warning travels too */
	struct doc_result r, back;
	run_order(&o, &r);
	assert_ok(&r);
	ck_assert_int_eq(r.info.nwarnings, 1);
	struct buf msg = BUF_INIT;
	pipeline_result_encode(&r, &msg);
	ck_assert_int_eq(pipeline_result_decode(&msg, &back), 0);
	assert_same_result(&r, &back);
	pipeline_result_release(&back);

	/* through a real pipe, framed */
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	struct buf got = BUF_INIT;
	if (msg.len < 60000) { /* fits the pipe buffer without a reader */
		ck_assert_int_eq(wire_send(p[1], &msg), 0);
		ck_assert_int_eq(wire_recv(p[0], &got), 0);
		ck_assert_int_eq(pipeline_result_decode(&got, &back), 0);
		assert_same_result(&r, &back);
		pipeline_result_release(&back);
	}
	close(p[0]);
	close(p[1]);
	buf_release(&got);
	buf_release(&msg);
	pipeline_result_release(&r);

	/* a failed result keeps its NULLs */
	run(refused_docs[0].xml, &r);
	ck_assert_int_eq(r.ok, 0);
	pipeline_result_encode(&r, &msg);
	ck_assert_int_eq(pipeline_result_decode(&msg, &back), 0);
	assert_same_result(&r, &back);
	ck_assert_ptr_null(back.decision);
	ck_assert_ptr_null(back.info.payload_id);
	pipeline_result_release(&back);
	buf_release(&msg);
	pipeline_result_release(&r);
}
END_TEST

/* Every cut of an encoded result is refused and frees cleanly. */
START_TEST(result_decode_truncated)
{
	struct t_line l[] = { { "1", "3", "0.1", NULL }, { "2", "1", "2", NULL } };
	struct t_order o = { 0 };
	o.lines = l;
	o.nlines = 2;
	o.total = "9.99";
	struct doc_result r, back;
	run_order(&o, &r);
	assert_ok(&r);
	struct buf msg = BUF_INIT;
	pipeline_result_encode(&r, &msg);
	size_t step = msg.len > 4000 ? 7 : 1;
	for (size_t cut = 0; cut < msg.len; cut += (cut < 600 ? 1 : step)) {
		struct buf part = BUF_INIT;
		buf_add(&part, msg.data, cut);
		int rc = pipeline_result_decode(&part, &back);
		ck_assert_msg(rc == -1, "a result cut at %zu of %zu bytes decoded", cut, msg.len);
		pipeline_result_release(&back);
		buf_release(&part);
	}
	/* and junk */
	struct buf junk = BUF_INIT;
	for (int i = 0; i < 4096; i++)
		buf_addch(&junk, (char)(i * 31 + 7));
	ck_assert_int_eq(pipeline_result_decode(&junk, &back), -1);
	pipeline_result_release(&back);
	buf_release(&junk);
	buf_release(&msg);
	pipeline_result_release(&r);
}
END_TEST

START_TEST(run_file_reads_regular_files_only)
{
	char *dir = t_tempdir();
	struct t_order o = { 0 };
	char *xml = t_cxml(&o);
	char *path = xasprintf("%s/order.xml", dir);
	t_write_file(path, xml, strlen(xml));
	struct doc_result r;

	memset(&r, 0, sizeof r);
	pipeline_run_file(t_cfg(), &job, path, &r);
	assert_ok(&r);
	ck_assert_int_eq(r.noutputs, 2);
	pipeline_result_release(&r);

	char *link = xasprintf("%s/link.xml", dir);
	ck_assert_int_eq(symlink(path, link), 0);
	memset(&r, 0, sizeof r);
	pipeline_run_file(t_cfg(), &job, link, &r);
	assert_failed(&r, "read", "symbolic link", NULL);
	pipeline_result_release(&r);

	memset(&r, 0, sizeof r);
	pipeline_run_file(t_cfg(), &job, dir, &r);
	assert_failed(&r, "read", "not a regular file", NULL);
	pipeline_result_release(&r);

	char *missing = xasprintf("%s/missing.xml", dir);
	memset(&r, 0, sizeof r);
	pipeline_run_file(t_cfg(), &job, missing, &r);
	assert_failed(&r, "read", "cannot open", NULL);
	pipeline_result_release(&r);

	struct config small = *t_cfg();
	small.max_document_bytes = 100;
	memset(&r, 0, sizeof r);
	pipeline_run_file(&small, &job, path, &r);
	assert_failed(&r, "read", "over the limit", NULL);
	pipeline_result_release(&r);

	t_rmtree(dir);
	free(missing);
	free(link);
	free(path);
	free(xml);
	free(dir);
}
END_TEST

Suite *suite_pipeline(void)
{
	Suite *s = suite_create("pipeline");
	TCase *tc = tcase_create("run");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, t_engine_setup, NULL);
	tcase_add_test(tc, order_translated_with_outputs);
	tcase_add_test(tc, without_outputs_stops_after_decision);
	tcase_add_loop_test(tc, money_is_exact, 0, (int)ARRAY_SIZE(money_cases));
	tcase_add_test(tc, total_mismatch_is_a_warning);
	tcase_add_test(tc, bad_decimal_fails_normalise);
	tcase_add_test(tc, date_without_zone_assumed);
	tcase_add_test(tc, duplicate_line_numbers_fail);
	tcase_add_test(tc, line_numbers_default_to_position);
	tcase_add_test(tc, other_line_currency_fails);
	tcase_add_test(tc, missing_lines_fail);
	tcase_add_test(tc, missing_total_currency_fails);
	tcase_add_loop_test(tc, refused_documents, 0, (int)ARRAY_SIZE(refused_docs));
	tcase_add_test(tc, fail_replaces_earlier_failure);
	tcase_add_test(tc, reproducible_with_fixed_time);
	suite_add_tcase(s, tc);
	tc = tcase_create("wire");
	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, t_engine_setup, NULL);
	tcase_add_test(tc, result_wire_round_trip);
	tcase_add_test(tc, result_decode_truncated);
	suite_add_tcase(s, tc);
	tc = tcase_create("file");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, t_engine_setup, NULL);
	tcase_add_test(tc, run_file_reads_regular_files_only);
	suite_add_tcase(s, tc);
	return s;
}

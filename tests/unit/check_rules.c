/*
 * rules: the decide stage (docs/rules.md). Every test writes its own rules
 * file and tables into a temporary folder, loads them in place of the
 * engine's (none), decides on canonical orders built in memory and puts the
 * engine's rules back afterwards, so the other suites see no difference even
 * with CK_FORK=no.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "canon.h"
#include "config.h"
#include "ledger.h"
#include "pipeline.h"
#include "rules.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"
#include "xmlsafe.h"

static char *tmp_dir, *rules_path, *ledger_path;
static struct config cfg;
static int cfg_loaded, rules_swapped;

static const char CATALOG[] = "# part, list price, stock, blocked\n"
			      "part,list_price,stock,blocked\n"
			      "P-1,10.00,3,no\n"
			      "P-2,2.00,100,yes\n"
			      "P-3,5.00,100,no\n";
static const char SUPPLIERS[] = "identity,blocked,reason\n"
				"BAD-SUP,yes,sanctions list\n"
				"123456789,no,\n";
static const char BUDGETS[] = "cost_center,period,amount\n"
			      "CC-1,2024-03,1500.00\n"
			      "CC-1,2024-04,99.00\n"
			      "CC-2,2024-03,10\n";

/* --- helpers ---------------------------------------------------------------- */

static void write_in_tmp(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", tmp_dir, name);
	t_write_file(p, text, strlen(text));
	free(p);
}


static void setup(void)
{
	tmp_dir = t_tempdir();
	rules_path = xasprintf("%s/rules.xml", tmp_dir);
	ledger_path = xasprintf("%s/ledger.db", tmp_dir);
	write_in_tmp("catalog.csv", CATALOG);
	write_in_tmp("suppliers.csv", SUPPLIERS);
	write_in_tmp("budgets.csv", BUDGETS);
	char *err = NULL;
	ck_assert_msg(config_load(&cfg, NULL, &err) == 0, "config_load: %s", err ? err : "?");
	cfg_loaded = 1;
	free(cfg.ledger_path);
	cfg.ledger_path = xstrdup(ledger_path); /* not there until a test makes it */
}

static void teardown(void)
{
	if (rules_swapped) {
		/* the engine's rules (none) and trusted folders, as t_engine_setup left them */
		rules_shutdown();
		t_trust(NULL);
		char *err = NULL;
		int rc = rules_init(t_cfg(), &err);
		free(err);
		ck_assert_int_eq(rc, 0);
		rules_swapped = 0;
	}
	if (cfg_loaded)
		config_release(&cfg);
	cfg_loaded = 0;
	t_rmtree(tmp_dir);
	free(tmp_dir);
	free(rules_path);
	free(ledger_path);
	tmp_dir = rules_path = ledger_path = NULL;
}

/* Writes text as the rules file and loads it; returns rules_init's rc. */
static int try_rules(const char *text, char **err)
{
	t_write_file(rules_path, text, strlen(text));
	free(cfg.rules_file);
	cfg.rules_file = xstrdup(rules_path);
	rules_shutdown();
	rules_swapped = 1;
	t_trust(tmp_dir);
	*err = NULL;
	return rules_init(&cfg, err);
}

static void load_rules(const char *text)
{
	char *err = NULL;
	int rc = try_rules(text, &err);
	ck_assert_msg(rc == 0, "rules_init: %s", err ? err : "?");
	ck_assert_ptr_null(err);
}

/* s with the first from replaced by to (caller frees). */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	ck_assert_msg(at != NULL, "\"%s\" not found", from);
	return xasprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

/* One canonical line: part P-<number>. */
static char *line(const char *number, const char *qty, const char *price)
{
	return t_canon_line(number, qty, price, NULL);
}

/* lines: "number:quantity:price" separated by spaces. */
static char *lines_of(const char *spec)
{
	struct buf b = BUF_INIT;
	char *copy = xstrdup(spec);
	for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char *q = strchr(t, ':');
		ck_assert_ptr_nonnull(q);
		*q++ = '\0';
		char *p = strchr(q, ':');
		ck_assert_ptr_nonnull(p);
		*p++ = '\0';
		char *l = line(t, q, p);
		buf_adds(&b, l);
		free(l);
	}
	free(copy);
	return buf_detach(&b);
}

struct order_spec {
	const char *lines;   /* lines_of() spec, NULL: "1:3:0.10" */
	const char *date;    /* NULL: 2024-03-01 */
	const char *cc;      /* extrinsic CostCenter, NULL: none */
	const char *to;      /* to/@identity, NULL: 123456789 */
	const char *line_xml; /* raw <line> elements instead of lines */
};

static char *order_xml(const struct order_spec *o)
{
	char *ls = o->line_xml ? xstrdup(o->line_xml) : lines_of(o->lines ? o->lines : "1:3:0.10");
	char *xml = t_canonical("USD", "", o->date ? o->date : "2024-03-01", ls);
	free(ls);
	if (o->cc) {
		char *ext = xasprintf("<extrinsics><extrinsic name=\"CostCenter\">%s</extrinsic>"
				      "</extrinsics>",
				      o->cc);
		char *n = replace(xml, "<extrinsics/>", ext);
		free(ext);
		free(xml);
		xml = n;
	}
	if (o->to) {
		char *attr = xasprintf("identity=\"%s\"/>\n  <orderID>", o->to);
		char *n = replace(xml, "identity=\"123456789\"/>\n  <orderID>", attr);
		free(attr);
		free(xml);
		xml = n;
	}
	return xml;
}

struct decided {
	xmlDocPtr doc;
	struct order_info info;
	char *cc;
	struct buf trace;
	char *err;
	int d;
};

static void decide(const struct order_spec *o, const char *partner, struct decided *r)
{
	memset(r, 0, sizeof *r);
	char *xml = order_xml(o);
	r->doc = xmlReadMemory(xml, (int)strlen(xml), "canonical", NULL, XMLSAFE_OPTIONS);
	free(xml);
	ck_assert_ptr_nonnull(r->doc);
	char *err = NULL;
	int rc = canon_complete(r->doc, "+00:00", &r->info, &err);
	ck_assert_msg(rc == 0, "canon_complete: %s", err ? err : "?");
	r->d = rules_decide(r->doc, &r->info, partner, &r->cc, &r->trace, &r->err);
}

static void decided_free(struct decided *r)
{
	xmlFreeDoc(r->doc);
	canon_info_release(&r->info);
	free(r->cc);
	buf_release(&r->trace);
	free(r->err);
	memset(r, 0, sizeof *r);
}

static void assert_decision(const struct decided *r, int want)
{
	ck_assert_msg(r->d == want, "decision %d (%s), want %s; err: %s", r->d,
		      rules_decision_name(r->d), rules_decision_name(want), r->err ? r->err : "-");
	ck_assert_ptr_null(r->err);
}

static char *xp(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	char *full = xasprintf("string(%s)", expr);
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)full, ctx);
	char *s = xstrdup(o && o->stringval ? (const char *)o->stringval : "<no result>");
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	free(full);
	return s;
}

static void assert_xp(xmlDocPtr doc, const char *expr, const char *want)
{
	char *got = xp(doc, expr);
	ck_assert_msg(!strcmp(got, want), "%s = \"%s\", want \"%s\"", expr, got, want);
	free(got);
}

static void assert_has(const char *hay, const char *needle)
{
	ck_assert_msg(hay && strstr(hay, needle), "\"%s\" lacks \"%s\"", hay ? hay : "(null)",
		      needle);
}

/* A rules file with one order rule rejecting with message tpl when test holds. */
static void load_reject_rule(const char *test, const char *tpl)
{
	char *text = xasprintf("<rules catalog=\"catalog.csv\" suppliers=\"suppliers.csv\""
			       " budgets=\"budgets.csv\">\n"
			       "  <rule id=\"r\" test=\"%s\"><reject code=\"HIT\" message=\"%s\"/></rule>\n"
			       "</rules>\n",
			       test, tpl);
	load_rules(text);
	free(text);
}

/* --- exact decimals ------------------------------------------------------------ */

static const struct {
	const char *test;
	const char *lines; /* the order */
	int want;
} exact_cases[] = {
	{ "og:eq('1000.00', '1000')", NULL, 1 },
	{ "og:gt('1000.00', '1000')", NULL, 0 },
	{ "og:ge('1000.00', '1000')", NULL, 1 },
	{ "og:lt('1000.00', '1000')", NULL, 0 },
	{ "og:le('1000.00', '1000')", NULL, 1 },
	{ "og:lt('999.9999', '1000')", NULL, 1 },
	{ "og:le('1000.0001', '1000')", NULL, 0 },
	{ "og:gt('1000.0001', '1000')", NULL, 1 },
	{ "og:ge('999.9999', '1000')", NULL, 0 },
	{ "og:gt('-1', '-2')", NULL, 1 },
	{ "og:lt('-0.01', '0')", NULL, 1 },
	{ "og:eq(' 5 ', '5.0')", NULL, 1 },
	{ "og:eq(og:add('0.1', '0.2'), '0.3')", NULL, 1 },
	{ "og:eq(og:sub('0.3', '0.1'), '0.2')", NULL, 1 },
	{ "og:eq(og:mul('0.3333', '3'), '0.9999')", NULL, 1 },
	{ "og:eq(og:mul('1.2345', '0.5'), '0.6173')", NULL, 1 },  /* 0.61725 rounds up */
	{ "og:eq(og:mul('-1.2345', '0.5'), '-0.6173')", NULL, 1 }, /* away from zero */
	{ "og:eq(og:mul('1.00005', '1'), '1.0001')", NULL, -1 },  /* 5 decimals: not a decimal */
	/* the order's own total, exactly at and just over the limit */
	{ "og:le(summary/total, '1000.00')", "1:100:10.00", 1 },
	{ "og:gt(summary/total, '1000.00')", "1:100:10.00", 0 },
	{ "og:gt(summary/total, '1000.00')", "1:1:1000.01", 1 },
	{ "og:le(summary/total, '1000.00')", "1:1:1000.01", 0 },
	{ "og:eq(summary/total, og:add(lines/line[1]/amount, lines/line[2]/amount))",
	  "1:3:0.10 2:1:0.20", 1 },
	{ "og:eq(summary/total, '0.5')", "1:3:0.10 2:1:0.20", 1 },
};

START_TEST(decimal_comparisons_are_exact)
{
	load_reject_rule(exact_cases[_i].test, "hit");
	struct order_spec o = { .lines = exact_cases[_i].lines };
	struct decided r;
	decide(&o, "acme", &r);
	if (exact_cases[_i].want < 0) {
		ck_assert_msg(r.d == -1, "%s: decided %s, want an error", exact_cases[_i].test,
			      rules_decision_name(r.d));
		assert_has(r.err, "\"r\"");
	} else {
		ck_assert_msg(r.err == NULL, "%s: %s", exact_cases[_i].test, r.err);
		ck_assert_msg(r.d == (exact_cases[_i].want ? DECISION_REJECT : DECISION_ACCEPT),
			      "%s: decided %s, want %s", exact_cases[_i].test,
			      rules_decision_name(r.d), exact_cases[_i].want ? "true" : "false");
	}
	decided_free(&r);
}
END_TEST

/* The arithmetic functions' results as strings, through a message template. */
START_TEST(arithmetic_results)
{
	load_reject_rule("true()", "{og:add('0.1', '0.2')}|{og:add('0.10', '0.20')}|"
				   "{og:mul('1.2345', '0.5')}|{og:mul('-1.2345', '0.5')}|"
				   "{og:sub('1', '1.0001')}|{og:mul('2.50', '4')}|"
				   "{og:mul(summary/total, '1.05')}");
	struct order_spec o = { .lines = "1:100:10.00" };
	struct decided r;
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_REJECT);
	assert_xp(r.doc, "/order/decision/message", "0.3|0.3|0.6173|-0.6173|-0.0001|10|1050");
	decided_free(&r);
}
END_TEST

static const struct {
	const char *test;
	const char *value; /* shown in the error */
} bad_args[] = {
	{ "og:gt(summary/total, 'abc')", "abc" },
	{ "og:le('1e3', '1000')", "1e3" },
	{ "og:eq('1,000.00', '1000')", "1,000.00" },
	{ "og:gt(og:catalog-price('NOT-LISTED'), '1')", "\"\"" },
	{ "og:add('x', '1') = '1'", "x" },
	{ "og:lt(orderID, '5')", "PO-1" },
};

START_TEST(non_decimal_argument_is_error)
{
	char *text = xasprintf("<rules catalog=\"catalog.csv\">\n"
			       "  <rule id=\"fine\" test=\"false()\"><approve/></rule>\n"
			       "  <rule id=\"bad-arg\" test=\"%s\"><approve/></rule>\n"
			       "</rules>\n",
			       bad_args[_i].test);
	load_rules(text);
	free(text);
	struct order_spec o = { 0 };
	struct decided r;
	decide(&o, "acme", &r);
	ck_assert_int_eq(r.d, -1);
	ck_assert_ptr_nonnull(r.err);
	assert_has(r.err, "\"bad-arg\"");
	assert_has(r.err, "rules.xml:3");
	assert_has(r.err, bad_args[_i].value);
	assert_has(r.err, "not a decimal");
	ck_assert_ptr_null(r.cc);
	/* nothing decided */
	assert_xp(r.doc, "count(/order/decision)", "0");
	decided_free(&r);
}
END_TEST

START_TEST(line_rule_error_names_rule)
{
	load_rules("<rules>\n"
		   "  <line-rule id=\"qty\" test=\"og:gt(description, '1')\"><reject/></line-rule>\n"
		   "</rules>\n");
	struct order_spec o = { 0 };
	struct decided r;
	decide(&o, "acme", &r);
	ck_assert_int_eq(r.d, -1);
	assert_has(r.err, "\"qty\"");
	assert_has(r.err, "Widget 1");
	decided_free(&r);
	/* a wrong number of arguments is the file's error, at load */
	char *err = NULL;
	ck_assert_int_eq(try_rules("<rules>\n"
				   "  <rule id=\"arity\" test=\"og:gt('1')\"><approve/></rule>\n"
				   "</rules>\n",
				   &err),
			 -1);
	assert_has(err, "rule \"arity\" calls og:gt() with 1 argument; it takes 2");
	free(err);
}
END_TEST

/* A function libxml2 resolves only when it runs: an error naming the rule. */
/* A misspelt og: function is the rules file's error, found at load (and
 * by check-config), not every order's at decide time. */
START_TEST(misspelt_og_function_fails_at_load)
{
	static const char *const bad[][2] = {
		{ "test=\"og:budget-lef('CC-1') = ''\"><approve/>",
		  "calls og:budget-lef(), which does not exist (docs/rules.md lists the og: "
		  "functions), in its test" },
		{ "test=\"true() and og:gt (og:spnt(og:cost-center()), 1)\"><approve/>",
		  "og:spnt(), which does not exist" },
		{ "test=\"true()\"><reject message=\"left {og:budgetleft('x')}\"/>",
		  "og:budgetleft(), which does not exist (docs/rules.md lists the og: functions), "
		  "in its message" },
		/* the wrong number of arguments, nested calls and literals counted right */
		{ "test=\"og:gt(summary/total, '1,0', 3)\"><approve/>",
		  "calls og:gt() with 3 arguments; it takes 2, in its test" },
		{ "test=\"og:le(og:add(1, count(lines/line[@n = '1,2'])))\"><approve/>",
		  "calls og:le() with 1 argument; it takes 2, in its test" },
		{ "test=\"og:cost-center('x') = ''\"><approve/>",
		  "calls og:cost-center() with 1 argument; it takes 0" },
		{ "test=\"og:spent( ) = ''\"><approve/>", "calls og:spent() with 0 arguments; it takes 1" },
		{ "test=\"true()\"><backorder quantity=\"og:sub(quantity)\"/>",
		  "calls og:sub() with 1 argument; it takes 2, in its quantity" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *text = xasprintf("<rules>\n  <%s id=\"typo\" %s</%s>\n</rules>\n",
				       strstr(bad[i][0], "backorder") ? "line-rule" : "rule", bad[i][0],
				       strstr(bad[i][0], "backorder") ? "line-rule" : "rule");
		char *err = NULL;
		ck_assert_msg(try_rules(text, &err) == -1, "loaded: %s", text);
		assert_has(err, "rules.xml:2: rule \"typo\" calls ");
		assert_has(err, bad[i][1]);
		free(err);
		free(text);
	}
	char *err = NULL;
	ck_assert_int_eq(try_rules("<rules><costCenter select=\"og:cost-centre()\"/></rules>\n",
				   &err),
			 -1);
	assert_has(err, "costCenter calls og:cost-centre(), which does not exist");
	free(err);
	/* not calls: inside string literals, other prefixes, names only */
	load_rules("<rules>\n  <rule id=\"fine\" test=\"contains(partner, 'og:nope(') or "
		   "contains(&quot;x&quot;, &quot;og:zz(&quot;) or blog:x(1) or og:gt(1, 0) or "
		   "og:eq(og:add(1, 2), og:mul(lines/line[position() &lt; 3][1]/quantity, '2,5')) or "
		   "og:partner() = og:cost-center()\"><approve/></rule>\n</rules>\n");
}
END_TEST

START_TEST(unknown_function_fails_at_decide)
{
	static const char *const tests[] = { "nope:fn(1)", "nope:gt(1, 2, 3)" };
	for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
		char *text = xasprintf("<rules>\n"
				       "  <rule id=\"typo-%zu\" test=\"%s\"><approve/></rule>\n"
				       "</rules>\n",
				       i, tests[i]);
		load_rules(text);
		free(text);
		struct order_spec o = { 0 };
		struct decided r;
		decide(&o, "acme", &r);
		ck_assert_msg(r.d == -1, "%s: decided %s", tests[i], rules_decision_name(r.d));
		char *id = xasprintf("\"typo-%zu\"", i);
		assert_has(r.err, id);
		assert_has(r.err, "rules.xml:2");
		free(id);
		decided_free(&r);
	}
}
END_TEST

/* --- order rules ---------------------------------------------------------------- */

START_TEST(approve_stops_order_rules)
{
	load_rules("<rules>\n"
		   "  <rule id=\"ok\" test=\"true()\"><approve/></rule>\n"
		   "  <rule id=\"never\" test=\"true()\"><reject code=\"NO\" message=\"no\"/></rule>\n"
		   "  <rule id=\"mgr\" test=\"true()\"><require role=\"manager\"/></rule>\n"
		   "</rules>\n");
	struct order_spec o = { 0 };
	struct decided r;
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_ACCEPT);
	assert_xp(r.doc, "/order/decision/@action", "accept");
	assert_xp(r.doc, "/order/decision/@rule", "ok");
	assert_xp(r.doc, "count(/order/decision/*)", "0");
	ck_assert_ptr_null(strstr(buf_str(&r.trace), "never"));
	decided_free(&r);

	/* checkpoints required before the approve still count; none after it */
	load_rules("<rules>\n"
		   "  <rule id=\"mgr\" test=\"true()\"><require role=\"manager\"/></rule>\n"
		   "  <rule id=\"ok\" test=\"true()\"><approve/></rule>\n"
		   "  <rule id=\"fin\" test=\"true()\"><require role=\"finance\"/></rule>\n"
		   "</rules>\n");
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_HOLD);
	assert_xp(r.doc, "count(/order/decision/checkpoint)", "1");
	assert_xp(r.doc, "/order/decision/checkpoint/@role", "manager");
	decided_free(&r);

	/* an approve that does not fire stops nothing */
	load_rules("<rules>\n"
		   "  <rule id=\"ok\" test=\"false()\"><approve/></rule>\n"
		   "  <rule id=\"fin\" test=\"true()\"><require role=\"finance\"/></rule>\n"
		   "</rules>\n");
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_HOLD);
	assert_xp(r.doc, "/order/decision/checkpoint/@role", "finance");
	decided_free(&r);
}
END_TEST

START_TEST(reject_with_code_and_message)
{
	load_rules("<rules suppliers=\"suppliers.csv\">\n"
		   "  <rule id=\"mgr\" test=\"true()\"><require role=\"manager\"/></rule>\n"
		   "  <rule id=\"blocked\" test=\"og:supplier-blocked(to/@identity)\">\n"
		   "    <reject code=\"SUPPLIER_BLOCKED\"\n"
		   "            message=\"orders to {to/@identity} ({og:supplier-reason(to/@identity)})"
		   " from {og:partner()}: {summary/total} {currency} &amp; &lt;more&gt;\"/>\n"
		   "  </rule>\n"
		   "  <rule id=\"later\" test=\"true()\"><reject code=\"LATER\" message=\"x\"/></rule>\n"
		   "  <line-rule id=\"lr\" test=\"true()\"><backorder/></line-rule>\n"
		   "</rules>\n");
	struct order_spec o = { .to = "BAD-SUP" };
	struct decided r;
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_REJECT);
	assert_xp(r.doc, "/order/decision/@action", "reject");
	assert_xp(r.doc, "/order/decision/@rule", "blocked");
	assert_xp(r.doc, "/order/decision/@code", "SUPPLIER_BLOCKED");
	assert_xp(r.doc, "/order/decision/message",
		  "orders to BAD-SUP (sanctions list) from acme: 0.30 USD & <more>");
	/* a rejected order: no checkpoints, no line decisions */
	assert_xp(r.doc, "count(/order/decision/checkpoint)", "0");
	assert_xp(r.doc, "count(/order/decision/line)", "0");
	ck_assert_int_eq(canon_validate(r.doc, &r.err), 0);
	decided_free(&r);

	/* the supplier that is not blocked: on to the next rule */
	o.to = "123456789";
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_REJECT);
	assert_xp(r.doc, "/order/decision/@code", "LATER");
	decided_free(&r);
}
END_TEST

/* A reject without a message still says which rule rejected the order. */
START_TEST(reject_default_message_names_rule)
{
	load_rules("<rules>\n"
		   "  <rule id=\"no-message\" test=\"true()\"><reject code=\"C\"/></rule>\n"
		   "</rules>\n");
	struct order_spec o = { 0 };
	struct decided r;
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_REJECT);
	assert_xp(r.doc, "/order/decision/@code", "C");
	char *m = xp(r.doc, "/order/decision/message");
	decided_free(&r);
	int named = strstr(m, "no-message") != NULL;
	char shown[160];
	snprintf(shown, sizeof shown, "%s", m);
	free(m);
	ck_assert_msg(named, "default rejection message \"%s\" does not name the rule", shown);
}
END_TEST

START_TEST(require_chain_in_order_without_duplicates)
{
	load_rules("<rules>\n"
		   "  <rule id=\"r-mgr\" test=\"true()\"><require role=\"manager\"/></rule>\n"
		   "  <rule id=\"r-skip\" test=\"false()\"><require role=\"ceo\"/></rule>\n"
		   "  <rule id=\"r-fin\" test=\"true()\"><require role=\"finance\"/></rule>\n"
		   "  <rule id=\"r-mgr2\" test=\"true()\"><require role=\"manager\"/></rule>\n"
		   "  <rule id=\"r-bud\" test=\"true()\"><require role=\"budget-owner\"/></rule>\n"
		   "  <line-rule id=\"lr\" test=\"number(@number) = 2\">"
		   "<reject reason=\"no\"/></line-rule>\n"
		   "</rules>\n");
	struct order_spec o = { .lines = "1:1:1.00 2:1:2.00" };
	struct decided r;
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_HOLD);
	assert_xp(r.doc, "/order/decision/@action", "hold");
	assert_xp(r.doc, "count(/order/decision/checkpoint)", "3");
	assert_xp(r.doc, "/order/decision/checkpoint[1]/@role", "manager");
	assert_xp(r.doc, "/order/decision/checkpoint[1]", "r-mgr");
	assert_xp(r.doc, "/order/decision/checkpoint[2]/@role", "finance");
	assert_xp(r.doc, "/order/decision/checkpoint[3]/@role", "budget-owner");
	assert_xp(r.doc, "count(/order/decision/checkpoint[@state='pending'])", "3");
	/* on hold, every line decision is kept, the accepted ones too */
	assert_xp(r.doc, "/order/decision/line[@number='2']/@action", "reject");
	assert_has(buf_str(&r.trace), "waits for manager, then finance, then budget-owner");
	ck_assert_int_eq(canon_validate(r.doc, &r.err), 0);
	decided_free(&r);
}
END_TEST

static const struct {
	const char *partner;
	int want;
} partner_cases[] = {
	{ "zinc", DECISION_REJECT },
	{ "ACME", DECISION_REJECT },
	{ "other", DECISION_ACCEPT },
	{ "zin", DECISION_ACCEPT },
	{ NULL, DECISION_ACCEPT },
};

START_TEST(partner_limited_rules)
{
	load_rules("<rules>\n"
		   "  <rule id=\"only\" partners=\"acme, zinc\" test=\"true()\">"
		   "<reject code=\"P\" message=\"for {og:partner()}\"/></rule>\n"
		   "  <line-rule id=\"lonly\" partners=\"other\" test=\"true()\">"
		   "<backorder reason=\"b\"/></line-rule>\n"
		   "</rules>\n");
	struct order_spec o = { 0 };
	struct decided r;
	const char *p = partner_cases[_i].partner;
	decide(&o, p, &r);
	int want = partner_cases[_i].want;
	/* the line rule is other's alone */
	if (want == DECISION_ACCEPT && p && !strcmp(p, "other"))
		want = DECISION_PARTIAL;
	assert_decision(&r, want);
	if (want == DECISION_REJECT) {
		char *m = xasprintf("for %s", p);
		assert_xp(r.doc, "/order/decision/message", m);
		free(m);
	} else {
		assert_has(buf_str(&r.trace), "rule only: not for partner");
	}
	decided_free(&r);
}
END_TEST

START_TEST(partner_function)
{
	load_rules("<rules>\n"
		   "  <rule id=\"p\" test=\"og:partner() = 'acme'\"><require role=\"x\"/></rule>\n"
		   "</rules>\n");
	struct order_spec o = { 0 };
	struct decided r;
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_HOLD);
	decided_free(&r);
	decide(&o, "zinc", &r);
	assert_decision(&r, DECISION_ACCEPT);
	decided_free(&r);
}
END_TEST

/* --- line rules ------------------------------------------------------------------ */

START_TEST(line_rules_first_fire_wins)
{
	load_rules("<rules>\n"
		   "  <line-rule id=\"keep-1\" test=\"supplierPartID = 'P-1'\"><accept/></line-rule>\n"
		   "  <line-rule id=\"too-many\" test=\"og:gt(quantity, '5')\">\n"
		   "    <reject reason=\"quantity {quantity} of {supplierPartID} is too high\"/>\n"
		   "  </line-rule>\n"
		   "  <line-rule id=\"rest\" test=\"true()\"><backorder reason=\"later\"/></line-rule>\n"
		   "</rules>\n");
	struct order_spec o = { .lines = "1:10:1.00 2:10:1.00 3:2:1.00" };
	struct decided r;
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_PARTIAL);
	assert_xp(r.doc, "/order/decision/@action", "partial");
	/* an accepted line is not listed unless the order is held */
	assert_xp(r.doc, "count(/order/decision/line[@number='1'])", "0");
	assert_xp(r.doc, "/order/decision/line[@number='2']/@action", "reject");
	assert_xp(r.doc, "/order/decision/line[@number='2']/@quantity", "10");
	assert_xp(r.doc, "/order/decision/line[@number='2']/@reason",
		  "quantity 10 of P-2 is too high");
	/* backorder without a quantity: all of it */
	assert_xp(r.doc, "/order/decision/line[@number='3']/@action", "backorder");
	assert_xp(r.doc, "/order/decision/line[@number='3']/@quantity", "2");
	assert_xp(r.doc, "count(/order/decision/line[@number='3']/@accepted)", "0");
	assert_xp(r.doc, "/order/decision/line[@number='3']/@reason", "later");
	ck_assert_int_eq(canon_validate(r.doc, &r.err), 0);
	decided_free(&r);
}
END_TEST

static const struct {
	const char *qty_expr; /* the backorder's quantity attribute, NULL: none */
	const char *line_qty;
	int want;             /* decision */
	const char *backordered;
	const char *accepted; /* NULL: no attribute */
} backorder_cases[] = {
	{ "og:sub(quantity, og:stock(supplierPartID))", "5", DECISION_PARTIAL, "2", "3" },
	{ "'8'", "5", DECISION_PARTIAL, "5", NULL },
	{ "'5'", "5", DECISION_PARTIAL, "5", NULL },
	{ NULL, "5", DECISION_PARTIAL, "5", NULL },
	{ "'1'", "2.5", DECISION_PARTIAL, "1", "1.5" },
	{ "'0.0001'", "1", DECISION_PARTIAL, "0.0001", "0.9999" },
	{ "'0'", "5", DECISION_ACCEPT, NULL, NULL },
	{ "'-2'", "5", DECISION_ACCEPT, NULL, NULL },
	{ "'lots'", "5", -1, NULL, NULL },
};

START_TEST(backorder_quantity_clamped)
{
	char *text = xasprintf("<rules catalog=\"catalog.csv\">\n"
			       "  <line-rule id=\"stock\" test=\"true()\">\n"
			       "    <backorder %s%s%s reason=\"only {og:stock(supplierPartID)} in stock\"/>\n"
			       "  </line-rule>\n"
			       "</rules>\n",
			       backorder_cases[_i].qty_expr ? "quantity=\"" : "",
			       backorder_cases[_i].qty_expr ? backorder_cases[_i].qty_expr : "",
			       backorder_cases[_i].qty_expr ? "\"" : "");
	load_rules(text);
	free(text);
	char *l = line("1", backorder_cases[_i].line_qty, "10.00");
	struct order_spec o = { .line_xml = l };
	struct decided r;
	decide(&o, "acme", &r);
	free(l);
	if (backorder_cases[_i].want < 0) {
		ck_assert_int_eq(r.d, -1);
		assert_has(r.err, "\"stock\"");
		assert_has(r.err, "lots");
		decided_free(&r);
		return;
	}
	assert_decision(&r, backorder_cases[_i].want);
	if (!backorder_cases[_i].backordered) {
		assert_xp(r.doc, "count(/order/decision/line)", "0");
	} else {
		assert_xp(r.doc, "/order/decision/line/@action", "backorder");
		assert_xp(r.doc, "/order/decision/line/@quantity", backorder_cases[_i].backordered);
		assert_xp(r.doc, "/order/decision/line/@reason", "only 3 in stock");
		if (backorder_cases[_i].accepted)
			assert_xp(r.doc, "/order/decision/line/@accepted", backorder_cases[_i].accepted);
		else
			assert_xp(r.doc, "count(/order/decision/line/@accepted)", "0");
		ck_assert_int_eq(canon_validate(r.doc, &r.err), 0);
	}
	decided_free(&r);
}
END_TEST

START_TEST(all_lines_rejected_rejects_order)
{
	static const char rules[] =
		"<rules catalog=\"catalog.csv\">\n"
		"  <rule id=\"mgr\" test=\"true()\"><require role=\"manager\"/></rule>\n"
		"  <line-rule id=\"ok-3\" test=\"supplierPartID = 'P-3'\"><accept/></line-rule>\n"
		"  <line-rule id=\"blocked\" test=\"og:part-blocked(supplierPartID)\">"
		"<reject reason=\"part {supplierPartID} is blocked\"/></line-rule>\n"
		"  <line-rule id=\"price\" test=\"og:catalog-price(supplierPartID) != ''"
		" and og:gt(unitPrice, og:mul(og:catalog-price(supplierPartID), '1.05'))\">"
		"<reject reason=\"price {unitPrice}\"/></line-rule>\n"
		"</rules>\n";
	load_rules(rules);
	/* P-1 at 10.51 > 10.50; P-2 is blocked */
	struct order_spec o = { .lines = "1:1:10.51 2:1:1.00" };
	struct decided r;
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_REJECT);
	assert_xp(r.doc, "/order/decision/@rule", "price");
	assert_xp(r.doc, "/order/decision/message",
		  "every line of the order was rejected: line 1: price 10.51; line 2: part P-2 is blocked");
	assert_xp(r.doc, "count(/order/decision/checkpoint)", "0");
	assert_xp(r.doc, "count(/order/decision/line[@action='reject'])", "2");
	assert_xp(r.doc, "/order/decision/line[@number='1']/@reason", "price 10.51");
	assert_xp(r.doc, "/order/decision/line[@number='2']/@reason", "part P-2 is blocked");
	ck_assert_int_eq(canon_validate(r.doc, &r.err), 0);
	decided_free(&r);

	/* seven lines rejected: the first five named, the rest counted */
	o.lines = "1:1:1.00 2:1:1.00 3:1:1.00 4:1:1.00 5:1:1.00 6:1:1.00 7:1:1.00";
	load_rules("<rules>\n  <line-rule id=\"all\" test=\"number(@number) != 3\">"
		   "<reject reason=\"no {@number}\"/></line-rule>\n"
		   "  <line-rule id=\"three\" test=\"true()\"><reject/></line-rule>\n</rules>\n");
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_REJECT);
	assert_xp(r.doc, "/order/decision/message",
		  "every line of the order was rejected: line 1: no 1; line 2: no 2; line 3: rejected; "
		  "line 4: no 4; line 5: no 5; and 2 more");
	decided_free(&r);
	load_rules(rules);

	/* exactly at catalogue + 5%: not over; one line rejected of two: held (approver) */
	o.lines = "1:1:10.50 2:1:1.00";
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_HOLD);
	assert_xp(r.doc, "count(/order/decision/line[@action='reject'])", "1");
	decided_free(&r);

	/* an accepted line keeps the order alive */
	o.lines = "1:1:10.51 3:1:1.00";
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_HOLD);
	decided_free(&r);
}
END_TEST

START_TEST(one_line_rejected_is_partial)
{
	load_rules("<rules catalog=\"catalog.csv\">\n"
		   "  <line-rule id=\"blocked\" test=\"og:part-blocked(supplierPartID)\">"
		   "<reject reason=\"blocked\"/></line-rule>\n"
		   "</rules>\n");
	struct order_spec o = { .lines = "1:1:1.00 2:1:1.00" };
	struct decided r;
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_PARTIAL);
	assert_xp(r.doc, "count(/order/decision/line)", "1");
	assert_xp(r.doc, "/order/decision/line/@number", "2");
	assert_xp(r.doc, "count(/order/decision/message)", "0");
	decided_free(&r);
}
END_TEST

/* --- lookups --------------------------------------------------------------------- */

START_TEST(lookups)
{
	load_reject_rule("true()", "{og:catalog-price('P-1')}|{og:stock('P-1')}|"
				   "{og:in-catalog('P-1')}|{og:in-catalog('NOPE')}|"
				   "{og:part-blocked('P-2')}|{og:part-blocked('P-1')}|"
				   "{og:part-blocked('NOPE')}|[{og:catalog-price('NOPE')}]|"
				   "[{og:stock('NOPE')}]|{og:supplier-blocked('BAD-SUP')}|"
				   "{og:supplier-reason('BAD-SUP')}|{og:supplier-blocked('123456789')}|"
				   "[{og:supplier-reason('123456789')}]|{og:supplier-blocked('X')}|"
				   "{og:budget('CC-1')}|[{og:budget('CC-9')}]|{og:budget-left('CC-1')}|"
				   "[{og:budget-left('CC-9')}]|{og:spent('CC-1')}|{og:budget-left('CC-2')}|"
				   "{og:cost-center()}|{og:partner()}");
	struct order_spec o = { .cc = "CC-1" };
	struct decided r;
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_REJECT);
	assert_xp(r.doc, "/order/decision/message",
		  "10.00|3|true|false|true|false|false|[]|[]|true|sanctions list|false|[]|false|"
		  "1500.00|[]|1500.00|[]|0.00|10.00|CC-1|acme");
	ck_assert_ptr_nonnull(r.cc);
	ck_assert_str_eq(r.cc, "CC-1");
	decided_free(&r);

	/* the budget follows the order's period */
	o.date = "2024-04-30";
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_REJECT);
	char *m = xp(r.doc, "/order/decision/message");
	assert_has(m, "|99.00|[]|99.00|[]|0.00||CC-1|acme");
	free(m);
	decided_free(&r);
}
END_TEST

/* The sample's budget rule, with and without a budget for the period. */
START_TEST(budget_rule_requires_owner)
{
	load_rules("<rules budgets=\"budgets.csv\">\n"
		   "  <rule id=\"budget\" test=\"og:cost-center() != ''"
		   " and og:budget-left(og:cost-center()) != ''"
		   " and og:gt(summary/total, og:budget-left(og:cost-center()))\">"
		   "<require role=\"budget-owner\"/></rule>\n"
		   "</rules>\n");
	static const struct {
		const char *lines, *cc, *date;
		int want;
	} cases[] = {
		{ "1:1:1500.00", "CC-1", NULL, DECISION_ACCEPT },
		{ "1:1:1500.01", "CC-1", NULL, DECISION_HOLD },
		{ "1:1:100.00", "CC-1", "2024-04-02", DECISION_HOLD },
		{ "1:1:99999.00", "CC-9", NULL, DECISION_ACCEPT },
		{ "1:1:99999.00", NULL, NULL, DECISION_ACCEPT },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct order_spec o = { .lines = cases[i].lines, .cc = cases[i].cc,
					.date = cases[i].date };
		struct decided r;
		decide(&o, "acme", &r);
		ck_assert_msg(r.d == cases[i].want, "case %zu: %s (%s)", i, rules_decision_name(r.d),
			      r.err ? r.err : "-");
		decided_free(&r);
	}
}
END_TEST

START_TEST(cost_center_expression)
{
	/* the default expression: the CostCenter extrinsic ... */
	load_rules("<rules><rule id=\"r\" test=\"og:cost-center() = ''\"><approve/></rule></rules>\n");
	struct order_spec o = { .cc = "CC-1" };
	struct decided r;
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_ACCEPT);
	ck_assert_str_eq(r.cc, "CC-1");
	assert_xp(r.doc, "count(/order/decision/@rule)", "0"); /* r did not fire */
	decided_free(&r);

	/* ... or a line's accounting segment */
	char *l = line("1", "1", "1.00");
	char *dist = replace(l, "    </line>",
			     "      <distribution><accounting name=\"Cost\">"
			     "<segment type=\"CostCenter\" id=\"CC-7\"/></accounting>"
			     "<charge>1.00</charge></distribution>\n    </line>");
	free(l);
	struct order_spec od = { .line_xml = dist };
	decide(&od, "acme", &r);
	assert_decision(&r, DECISION_ACCEPT);
	ck_assert_ptr_nonnull(r.cc);
	ck_assert_str_eq(r.cc, "CC-7");
	decided_free(&r);
	free(dist);

	/* none: NULL for the caller, '' for og:cost-center() */
	struct order_spec none = { 0 };
	decide(&none, "acme", &r);
	assert_decision(&r, DECISION_ACCEPT);
	assert_xp(r.doc, "/order/decision/@rule", "r");
	ck_assert_ptr_null(r.cc);
	decided_free(&r);

	/* an expression of one's own */
	load_rules("<rules>\n"
		   "  <costCenter select=\"concat('X-', orderID)\"/>\n"
		   "  <rule id=\"r\" test=\"og:cost-center() = 'X-PO-1'\">"
		   "<require role=\"cc\"/></rule>\n"
		   "</rules>\n");
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_HOLD);
	ck_assert_str_eq(r.cc, "X-PO-1");
	decided_free(&r);
}
END_TEST

/* An expression that compiles but fails on an order (an og: function
 * given a non-decimal) fails the order, naming where, like a failing
 * test: a cost centre that could not be computed would skip the budget
 * rules, a message or reason would go out with a hole in it. */
START_TEST(failing_expressions_fail_the_order)
{
	static const struct {
		const char *rules, *where;
	} cases[] = {
		{ "<rules budgets=\"budgets.csv\">\n"
		  "  <costCenter select=\"og:add(extrinsics/extrinsic[@name='Nope'], 1)\"/>\n"
		  "  <rule id=\"budget\" test=\"og:cost-center() != ''\"><require role=\"owner\"/></rule>\n"
		  "</rules>\n",
		  "costCenter (" },
		{ "<rules>\n"
		  "  <rule id=\"msg\" test=\"true()\"><reject message=\"over by {og:sub(nope, 1)}\"/></rule>\n"
		  "</rules>\n",
		  "rule \"msg\" (" },
		{ "<rules>\n"
		  "  <line-rule id=\"why\" test=\"true()\"><reject reason=\"{og:mul(nope, 2)} left\"/></line-rule>\n"
		  "</rules>\n",
		  "rule \"why\" (" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		load_rules(cases[i].rules);
		struct order_spec o = { .cc = "CC-1" };
		struct decided r;
		decide(&o, "acme", &r);
		ck_assert_msg(r.d == -1, "case %zu decided %s", i, rules_decision_name(r.d));
		assert_has(r.err, cases[i].where);
		assert_has(r.err, "rules.xml:2");
		assert_has(r.err, "not a decimal");
		assert_xp(r.doc, "count(/order/decision)", "0");
		if (i == 0) /* explain does not say the order has none */
			assert_has(buf_str(&r.trace), "cost centre (could not be computed)");
		decided_free(&r);
	}
}
END_TEST

START_TEST(trace_explains)
{
	load_rules("<rules catalog=\"catalog.csv\" budgets=\"budgets.csv\">\n"
		   "  <rule id=\"auto\" test=\"og:le(summary/total,\n"
		   "       '1000.00')\"><approve/></rule>\n"
		   "  <line-rule id=\"stock\" test=\"og:stock(supplierPartID) != ''"
		   " and og:gt(quantity, og:stock(supplierPartID))\">\n"
		   "    <backorder quantity=\"og:sub(quantity, og:stock(supplierPartID))\""
		   " reason=\"only {og:stock(supplierPartID)} in stock\"/>\n"
		   "  </line-rule>\n"
		   "</rules>\n");
	struct order_spec o = { .lines = "1:5:1.00", .cc = "CC-1" };
	struct decided r;
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_PARTIAL);
	const char *t = buf_str(&r.trace);
	assert_has(t, rules_path);
	assert_has(t, "order PO-1 from acme, period 2024-03, cost centre CC-1");
	assert_has(t, "rule auto: og:le(summary/total, '1000.00')\n");
	assert_has(t, "og:le('5.00', '1000.00') = true");
	assert_has(t, "-> fired: approve");
	assert_has(t, "line 1:");
	assert_has(t, "line-rule stock: og:stock(supplierPartID) != ''");
	assert_has(t, "og:stock('P-1') = '3'");
	assert_has(t, "og:gt('5', '3') = true");
	assert_has(t, "og:sub('5', '3') = 2");
	assert_has(t, "line 1: backorder 2: only 3 in stock");
	assert_has(t, "decision: partial (rule auto)");
	decided_free(&r);

	/* a lookup of a part that is not listed */
	o.lines = "9:1:1.00";
	decide(&o, NULL, &r);
	assert_decision(&r, DECISION_ACCEPT);
	assert_has(buf_str(&r.trace), "og:stock('P-9') = '' (not listed)");
	assert_has(buf_str(&r.trace), "-> not fired");
	decided_free(&r);

	/* no trace wanted: no trouble */
	struct decided q;
	memset(&q, 0, sizeof q);
	char *xml = order_xml(&o);
	q.doc = xmlReadMemory(xml, (int)strlen(xml), "c", NULL, XMLSAFE_OPTIONS);
	free(xml);
	char *err = NULL;
	ck_assert_int_eq(canon_complete(q.doc, "+00:00", &q.info, &err), 0);
	ck_assert_int_eq(rules_decide(q.doc, &q.info, "acme", NULL, NULL, &q.err), DECISION_ACCEPT);
	decided_free(&q);
}
END_TEST

/* --- broken rules files ------------------------------------------------------------ */

static const struct {
	const char *text;
	const char *where; /* "rules.xml:N:" or another file's name */
	const char *what;
} broken[] = {
	{ "<rules>\n  <rule id=\"a\" test=\"true()\"><approve/></rule>\n  <bogus/>\n</rules>\n",
	  "rules.xml:3:", "unknown element <bogus>" },
	{ "<rules>\n  <rule test=\"true()\"><approve/></rule>\n</rules>\n", "rules.xml:2:",
	  "needs an id" },
	{ "<rules>\n\n  <rule id=\"\" test=\"true()\"><approve/></rule>\n</rules>\n", "rules.xml:3:",
	  "needs an id" },
	{ "<rules>\n  <rule id=\"t\"><approve/></rule>\n</rules>\n", "rules.xml:2:",
	  "rule \"t\" needs a test" },
	{ "<rules>\n  <line-rule id=\"t\" test=\"\"><accept/></line-rule>\n</rules>\n",
	  "rules.xml:2:", "needs a test" },
	{ "<rules>\n  <rule id=\"two\" test=\"true()\">\n    <approve/>\n    <reject/>\n  </rule>\n"
	  "</rules>\n",
	  "rules.xml:2:", "rule \"two\" needs exactly one action" },
	{ "<rules>\n  <rule id=\"none\" test=\"true()\"/>\n</rules>\n", "rules.xml:2:",
	  "needs exactly one action" },
	{ "<rules>\n  <rule id=\"ok\" test=\"true()\"><approve/></rule>\n"
	  "  <rule id=\"bad-xpath\" test=\"summary/total[\"><approve/></rule>\n</rules>\n",
	  "rules.xml:3:", "rule \"bad-xpath\" its test is not valid XPath" },
	/* the other XPath parts are compiled at load too: a mistake there
	 * would otherwise come out as an empty reason or no cost centre */
	{ "<rules>\n  <line-rule id=\"bq\" test=\"true()\"><backorder quantity=\"quantity[\"/>"
	  "</line-rule>\n</rules>\n",
	  "rules.xml:2:", "rule \"bq\" its quantity is not valid XPath" },
	{ "<rules>\n  <rule id=\"m\" test=\"true()\"><reject message=\"total {summary/total[[} x\"/>"
	  "</rule>\n</rules>\n",
	  "rules.xml:2:", "rule \"m\" its message's {summary/total[[} is not valid XPath" },
	{ "<rules>\n\n  <line-rule id=\"why\" test=\"true()\"><reject reason=\"{quantity} {og:stock(]}\"/>"
	  "</line-rule>\n</rules>\n",
	  "rules.xml:3:", "rule \"why\" its reason's {og:stock(]} is not valid XPath" },
	{ "<rules>\n  <costCenter select=\"extrinsics/extrinsic[@name='CostCenter'][[\"/>\n</rules>\n",
	  "rules.xml:2:", "costCenter: its select is not valid XPath" },
	{ "<rules>\n  <line-rule id=\"lr\" test=\"true()\"><approve/></line-rule>\n</rules>\n",
	  "rules.xml:2:", "accept, reject or backorder" },
	{ "<rules>\n  <rule id=\"r\" test=\"true()\"><backorder/></rule>\n</rules>\n",
	  "rules.xml:2:", "approve, reject or require" },
	{ "<rules>\n  <rule id=\"r\" test=\"true()\"><require/></rule>\n</rules>\n", "rules.xml:2:",
	  "require needs a role" },
	{ "<policy/>\n", "rules.xml", "root element must be <rules>" },
	{ "<rules>\n  <rule id=\"a\" test=\"true()\">\n</rules>\n", "rules.xml", "rules file" },
	{ "<rules catalog=\"missing.csv\"/>\n", "missing.csv", "No such file" },
	{ "<rules catalog=\"bad-header.csv\"/>\n", "bad-header.csv:2:",
	  "lacks the column \"stock\"" },
	{ "<rules budgets=\"bad-row.csv\"/>\n", "bad-row.csv:3:", "2 values, the header has 3" },
};

START_TEST(broken_rules_files)
{
	write_in_tmp("bad-header.csv", "# no stock column\npart,list_price,blocked\nP-1,1,no\n");
	write_in_tmp("bad-row.csv", "cost_center,period,amount\nCC-1,2024-03,1\nCC-2,2024-03\n");
	char *err = NULL;
	int rc = try_rules(broken[_i].text, &err);
	ck_assert_msg(rc == -1, "case %d loaded", _i);
	ck_assert_ptr_nonnull(err);
	char *where = xasprintf("%s/%s", tmp_dir, broken[_i].where);
	assert_has(err, where);
	assert_has(err, broken[_i].what);
	free(where);
	free(err);
}
END_TEST

START_TEST(no_rules_file_accepts)
{
	/* no [rules] file and no maps/rules.xml in the data folder */
	free(cfg.data_dir);
	cfg.data_dir = xstrdup(tmp_dir);
	free(cfg.rules_file);
	cfg.rules_file = NULL;
	rules_shutdown();
	rules_swapped = 1;
	char *err = NULL;
	ck_assert_int_eq(rules_init(&cfg, &err), 0);
	ck_assert_ptr_null(err);
	struct order_spec o = { .lines = "1:1:999999.00 2:1:1.00", .cc = "CC-1" };
	struct decided r;
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_ACCEPT);
	assert_xp(r.doc, "/order/decision/@action", "accept");
	assert_xp(r.doc, "/order/decision/@rule", "default");
	assert_xp(r.doc, "count(/order/decision/*)", "0");
	assert_has(buf_str(&r.trace), "(none: every order is accepted)");
	assert_has(buf_str(&r.trace), "decision: accept");
	decided_free(&r);

	/* a rules file named in the configuration must exist */
	rules_shutdown();
	free(cfg.rules_file);
	cfg.rules_file = xasprintf("%s/missing.xml", tmp_dir);
	t_trust(tmp_dir);
	ck_assert_int_eq(rules_init(&cfg, &err), -1);
	assert_has(err, "missing.xml");
	free(err);
}
END_TEST

/* --- spend from the ledger ------------------------------------------------------------ */

/* Records one order through pipeline_run; returns nothing, asserts success. */
static void record_order(struct ledger *lg, const char *doc_id, const char *payload,
			 const char *date, const char *price, const char *mode, const char *cc,
			 const char *decision)
{
	struct t_line ln = { "1", "1", price, "USD" };
	struct t_order t = { .payload_id = payload, .order_date = date, .total = price,
			     .lines = &ln, .nlines = 1 };
	char *xml = t_cxml(&t);
	if (strcmp(mode, "production")) {
		char *m = xasprintf("deploymentMode=\"%s\"", mode);
		char *x2 = replace(xml, "deploymentMode=\"production\"", m);
		free(m);
		free(xml);
		xml = x2;
	}
	struct doc_job job = { .id = doc_id, .name = "order.xml",
			       .received = "2024-03-01T10:00:01+00:00" };
	struct doc_result r;
	memset(&r, 0, sizeof r);
	pipeline_run(t_cfg(), &job, xml, strlen(xml), 0, &r);
	free(xml);
	ck_assert_msg(r.ok, "pipeline_run: %s", r.reason ? r.reason : "?");
	ck_assert_str_eq(r.info.mode, mode);
	free(r.cost_center);
	r.cost_center = xstrdup(cc);
	/* whatever the rules loaded said: the decision under test */
	free(r.decision);
	r.decision = xstrdup(decision ? decision : "accept");
	r.info.committed = r.info.total; /* every line stays ordered */
	if (decision) {
		r.checkpoints = xcalloc(1, sizeof(char *));
		r.checkpoints[0] = xstrdup("manager");
		r.ncheckpoints = 1;
	}
	char *err = NULL;
	struct ledger_doc d = { 0 };
	d.id = doc_id;
	d.name = "order.xml";
	d.received = job.received;
	d.state = "done";
	d.res = &r;
	ck_assert_int_eq(ledger_begin(lg, &err), 0);
	int rc = ledger_add_document(lg, &d, &err);
	ck_assert_msg(rc == 0, "ledger_add_document: %s", err ? err : "?");
	rc = ledger_add_order(lg, doc_id, &r, NULL, 0, &err);
	ck_assert_msg(rc == 0, "ledger_add_order: %s", err ? err : "?");
	ck_assert_int_eq(ledger_commit(lg, &err), 0);
	pipeline_result_release(&r);
}

START_TEST(spent_from_ledger)
{
	struct ledger lg;
	char *err = NULL;
	ck_assert_int_eq(ledger_open(&lg, ledger_path, &err), 0);
	const char *march = "2024-03-05T10:00:00-05:00";
	record_order(&lg, "D1", "p1@b", march, "400.00", "production", "CC-1", NULL);
	record_order(&lg, "D2", "p2@b", march, "50.00", "test", "CC-1", NULL);
	record_order(&lg, "D3", "p3@b", march, "70.00", "production", "CC-2", NULL);
	record_order(&lg, "D4", "p4@b", "2024-04-05T10:00:00-05:00", "80.00", "production",
		     "CC-1", NULL);
	record_order(&lg, "D5", "p5@b", march, "90.00", "production", "CC-1", "hold");
	record_order(&lg, "D6", "p6@b", march, "100.00", "production", "CC-1", "hold");
	/* D6 was approved since: it counts; D5 still waits: it does not */
	struct ledger_order *os = NULL;
	int n = 0;
	ck_assert_int_eq(ledger_find_orders(&lg, "D6", &os, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(ledger_begin(&lg, &err), 0);
	ck_assert_int_eq(ledger_set_order_state(&lg, os[0].ref, "approved", NULL, &err), 0);
	ck_assert_int_eq(ledger_commit(&lg, &err), 0);
	ledger_orders_free(os, n);

	load_rules("<rules budgets=\"budgets.csv\">\n"
		   "  <rule id=\"show\" test=\"true()\"><reject code=\"S\""
		   " message=\"{og:spent(og:cost-center())}|{og:budget-left(og:cost-center())}|"
		   "{og:spent('CC-2')}|{og:budget-left('CC-2')}|{og:spent('CC-9')}\"/></rule>\n"
		   "</rules>\n");
	struct order_spec o = { .cc = "CC-1", .date = "2024-03-20" };
	struct decided r;
	decide(&o, "acme", &r);
	assert_decision(&r, DECISION_REJECT);
	/* CC-1 March: 400.00 confirmed + 100.00 approved; not the test order, not
	 * April's, not the pending one */
	assert_xp(r.doc, "/order/decision/message", "500.00|1000.00|70.00|-60.00|0.00");
	decided_free(&r);

	/* April */
	o.date = "2024-04-01";
	decide(&o, "acme", &r);
	assert_xp(r.doc, "/order/decision/message", "80.00|19.00|0.00||0.00");
	decided_free(&r);

	/* a spend committed after the rules first read the ledger is seen too */
	record_order(&lg, "D7", "p7@b", march, "0.50", "production", "CC-1", NULL);
	o.date = "2024-03-20";
	decide(&o, "acme", &r);
	assert_xp(r.doc, "/order/decision/message", "500.50|999.50|70.00|-60.00|0.00");
	decided_free(&r);
	ledger_close(&lg);
}
END_TEST

/* A budget with a currency is that currency's; one without applies to an
 * order in any currency that has no budget of its own. */
START_TEST(budget_by_currency)
{
	write_in_tmp("budgets-cur.csv", "cost_center,period,amount,currency\n"
					"CC-1,2024-03,1500.00,EUR\n"
					"CC-1,2024-03,900.00,usd\n"
					"CC-1,2024-03,700.00,\n"
					"CC-2,2024-03,50.00,EUR\n"
					"CC-2,2024-03,60.00,\n"
					"CC-3,2024-03,70.00,EUR\n");
	load_rules("<rules budgets=\"budgets-cur.csv\">\n"
		   "  <rule id=\"show\" test=\"true()\"><reject code=\"S\""
		   " message=\"{og:budget('CC-1')}|{og:budget('CC-2')}|{og:budget('CC-3')}|"
		   "{og:budget-left('CC-3')}\"/></rule>\n"
		   "</rules>\n");
	struct order_spec o = { .cc = "CC-1", .date = "2024-03-20" };
	struct decided r;
	decide(&o, "acme", &r); /* a USD order */
	assert_decision(&r, DECISION_REJECT);
	assert_xp(r.doc, "/order/decision/message", "900.00|60.00||");
	decided_free(&r);
}
END_TEST

/* What the rules read of the spend travels to the parent, which checks it
 * before it records the order (batch.c); a job's earlier orders count. */
START_TEST(spend_seen_and_job_tally)
{
	struct ledger lg;
	char *err = NULL;
	ck_assert_int_eq(ledger_open(&lg, ledger_path, &err), 0);
	const char *march = "2024-03-05T10:00:00-05:00";
	record_order(&lg, "D1", "p1@b", march, "400.00", "production", "CC-1", NULL);
	load_rules("<rules budgets=\"budgets.csv\">\n"
		   "  <rule id=\"show\" test=\"true()\"><reject code=\"S\""
		   " message=\"{og:budget-left(og:cost-center())}|{og:spent(og:cost-center())}\"/></rule>\n"
		   "</rules>\n");
	struct order_spec o = { .cc = "CC-1", .date = "2024-03-20" };
	struct decided r;
	rules_job_begin();
	decide(&o, "acme", &r);
	assert_xp(r.doc, "/order/decision/message", "1100.00|400.00");
	char *seen = rules_spend_seen();
	ck_assert_str_eq(seen, "4:CC-17:2024-033:USD4000000;"); /* read twice, listed once */
	free(seen);
	decided_free(&r);
	/* an earlier order of the job: counted when production and confirmed */
	rules_job_count("CC-1", "2024-03-01", "USD", "production", "accept", 250 * DEC_SCALE);
	rules_job_count("CC-1", "2024-03-01", "USD", "production", "partial", 5 * DEC_SCALE);
	rules_job_count("CC-1", "2024-03-01", "USD", "test", "accept", 1000 * DEC_SCALE);
	rules_job_count("CC-1", "2024-03-01", "USD", "production", "hold", 1000 * DEC_SCALE);
	rules_job_count("CC-1", "2024-03-01", "USD", "production", "reject", 1000 * DEC_SCALE);
	rules_job_count("CC-1", "2024-04-01", "USD", "production", "accept", 1000 * DEC_SCALE);
	rules_job_count(NULL, "2024-03-01", "USD", "production", "accept", 1000 * DEC_SCALE);
	/* another currency is another budget's spend */
	rules_job_count("CC-1", "2024-03-01", "EUR", "production", "accept", 1000 * DEC_SCALE);
	decide(&o, "acme", &r);
	assert_xp(r.doc, "/order/decision/message", "845.00|655.00");
	seen = rules_spend_seen();
	ck_assert_str_eq(seen, "4:CC-17:2024-033:USD6550000;");
	free(seen);
	decided_free(&r);
	/* a new job starts from the ledger again */
	rules_job_begin();
	decide(&o, "acme", &r);
	assert_xp(r.doc, "/order/decision/message", "1100.00|400.00");
	decided_free(&r);
	/* rules that read no spend: nothing to check */
	load_rules("<rules><rule id=\"all\" test=\"true()\"><approve/></rule></rules>\n");
	decide(&o, "acme", &r);
	ck_assert_ptr_null(rules_spend_seen());
	decided_free(&r);
	ledger_close(&lg);
}
END_TEST

START_TEST(spend_list_wire_text)
{
	/* cost centres come from documents: any byte goes through */
	struct spend_list l = { 0 };
	spend_list_add(&l, "A:1;2", "2024-03", "EUR", 12345);
	spend_list_add(&l, "", "", "", -7);
	spend_list_add(&l, "A:1;2", "2024-03", "EUR", 5);
	spend_list_add(&l, "A:1;2", "2024-03", "JPY", 9);
	ck_assert_int_eq(l.n, 3);
	ck_assert_int_eq(spend_list_get(&l, "A:1;2", "2024-03", "EUR"), 12350);
	ck_assert_int_eq(spend_list_get(&l, "A:1;2", "2024-03", "JPY"), 9);
	ck_assert_int_eq(spend_list_get(&l, "A:1;2", "2024-03", "USD"), 0);
	ck_assert_int_eq(spend_list_get(&l, "A:1;2", "2024-04", "EUR"), 0);
	struct buf b = BUF_INIT;
	for (int i = 0; i < l.n; i++)
		buf_printf(&b, "%zu:%s%zu:%s%zu:%s%lld;", strlen(l.e[i].cost_center),
			   l.e[i].cost_center, strlen(l.e[i].period), l.e[i].period,
			   strlen(l.e[i].currency), l.e[i].currency, (long long)l.e[i].amount);
	struct spend_list back = { 0 };
	ck_assert_int_eq(rules_spend_parse(buf_str(&b), &back), 0);
	ck_assert_int_eq(back.n, 3);
	ck_assert_str_eq(back.e[0].cost_center, "A:1;2");
	ck_assert_str_eq(back.e[0].currency, "EUR");
	ck_assert_int_eq(back.e[0].amount, 12350);
	ck_assert_str_eq(back.e[1].cost_center, "");
	ck_assert_int_eq(back.e[1].amount, -7);
	ck_assert_str_eq(back.e[2].currency, "JPY");
	ck_assert_int_eq(back.e[2].amount, 9);
	spend_list_free(&back);
	const char *bad[] = { "5:CC-1", "4:CC-17:2024-033:EUR", "4:CC-17:2024-033:EURx;", "x:CC-1",
			      "99:CC-17:2024-033:EUR1;", "4:CC-17:2024-033:EUR1",
			      "4:CC-17:2024-031;" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		ck_assert_msg(rules_spend_parse(bad[i], &back) == -1, "accepted %s", bad[i]);
		spend_list_free(&back);
	}
	ck_assert_int_eq(rules_spend_parse("", &back), 0);
	ck_assert_int_eq(back.n, 0);
	buf_release(&b);
	spend_list_free(&l);
}
END_TEST

Suite *suite_rules(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("decide");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, t_engine_setup, NULL);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, decimal_comparisons_are_exact, 0, (int)ARRAY_SIZE(exact_cases));
	tcase_add_test(tc, arithmetic_results);
	tcase_add_loop_test(tc, non_decimal_argument_is_error, 0, (int)ARRAY_SIZE(bad_args));
	tcase_add_test(tc, line_rule_error_names_rule);
	tcase_add_test(tc, misspelt_og_function_fails_at_load);
	tcase_add_test(tc, unknown_function_fails_at_decide);
	tcase_add_test(tc, approve_stops_order_rules);
	tcase_add_test(tc, reject_with_code_and_message);
	tcase_add_test(tc, reject_default_message_names_rule);
	tcase_add_test(tc, require_chain_in_order_without_duplicates);
	tcase_add_loop_test(tc, partner_limited_rules, 0, (int)ARRAY_SIZE(partner_cases));
	tcase_add_test(tc, partner_function);
	tcase_add_test(tc, line_rules_first_fire_wins);
	tcase_add_loop_test(tc, backorder_quantity_clamped, 0, (int)ARRAY_SIZE(backorder_cases));
	tcase_add_test(tc, all_lines_rejected_rejects_order);
	tcase_add_test(tc, one_line_rejected_is_partial);
	tcase_add_test(tc, lookups);
	tcase_add_test(tc, budget_rule_requires_owner);
	tcase_add_test(tc, cost_center_expression);
	tcase_add_test(tc, trace_explains);
	tcase_add_loop_test(tc, broken_rules_files, 0, (int)ARRAY_SIZE(broken));
	tcase_add_test(tc, failing_expressions_fail_the_order);
	tcase_add_test(tc, no_rules_file_accepts);
	tcase_add_test(tc, spent_from_ledger);
	tcase_add_test(tc, budget_by_currency);
	tcase_add_test(tc, spend_seen_and_job_tally);
	tcase_add_test(tc, spend_list_wire_text);
	suite_add_tcase(s, tc);
	return s;
}

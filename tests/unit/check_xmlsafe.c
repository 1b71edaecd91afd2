/*
 * xmlsafe: hostile documents. No network, no local files, no entities.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "suites.h"
#include "testutil.h"
#include "util.h"
#include "xmlsafe.h"

/* Parses from a fresh error buffer; returns the document or NULL + *err. */
static xmlDocPtr parse(const char *xml, char **err)
{
	*err = NULL;
	xmlsafe_errors_reset();
	return xmlsafe_parse(xml, strlen(xml), err);
}

/* tmpl with every '@' replaced by value (caller frees). */
static char *subst(const char *tmpl, const char *value)
{
	struct buf b = BUF_INIT;
	for (const char *p = tmpl; *p; p++) {
		if (*p == '@')
			buf_adds(&b, value);
		else
			buf_addch(&b, *p);
	}
	return buf_detach(&b);
}

/* Puts the engine's trusted folders back after a test changed them. */
static void trust_engine_dirs(void)
{
	char *x = xasprintf("%s/xslt", t_cfg()->data_dir);
	char *m = xasprintf("%s/maps", t_cfg()->data_dir);
	const char *dirs[] = { x, m };
	xmlsafe_init(dirs, 2);
	free(x);
	free(m);
}

static const char *const accepted[] = {
	"<a/>",
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a b=\"c\">text<![CDATA[<raw>]]></a>",
	/* a remote DTD is named, never fetched */
	"<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd\">"
	"<cXML payloadID=\"1\"><Header/></cXML>",
	"<!DOCTYPE cXML PUBLIC \"-//cXML//DTD\" \"https://127.0.0.1:1/cXML.dtd\"><cXML/>",
	"<!DOCTYPE cXML SYSTEM \"file:///etc/passwd\"><cXML/>",
	/* a parameter entity that only switches a conditional section */
	"<!DOCTYPE cXML SYSTEM \"x.dtd\" [<!ENTITY % SGML-help \"INCLUDE\">]><cXML/>",
	/* an internal subset with element and attribute declarations only */
	"<!DOCTYPE r [<!ELEMENT r (#PCDATA)><!ATTLIST r a CDATA #IMPLIED>]><r a=\"1\">x</r>",
	/* predefined and character references are fine */
	"<r>&lt;&amp;&gt;&quot;&apos;&#65;&#x42;</r>",
	"\xef\xbb\xbf<r>bom</r>",
	/* entity declarations as text, not as a DOCTYPE: nothing is declared */
	"<r><!-- example: <!DOCTYPE r [<!ENTITY e \"v\">]> --></r>",
	"<r><![CDATA[<!DOCTYPE r [<!ENTITY e \"v\">]>]]></r>",
	"<!DOCTYPE cXML SYSTEM \"x.dtd\" [<!ENTITY % SGML-help \"INCLUDE\">]>"
	"<cXML><![CDATA[write <!ENTITY e \"v\"> to declare one]]></cXML>",
};

START_TEST(accepted_without_errors)
{
	char *err = NULL;
	xmlDocPtr doc = parse(accepted[_i], &err);
	int parsed = doc != NULL, has_root = doc && xmlDocGetRootElement(doc) != NULL;
	/* copy and free first: a failing check then leaks nothing (valgrind) */
	char msg[1024];
	snprintf(msg, sizeof msg, "%s", err ? err : "");
	free(err);
	xmlFreeDoc(doc);
	ck_assert_msg(parsed, "refused: %s\n%s", msg, accepted[_i]);
	ck_assert_str_eq(msg, "");
	/* nothing was fetched (the loader would have logged a refusal) */
	ck_assert_msg(strcmp(xmlsafe_errors(), "") == 0, "errors: %s", xmlsafe_errors());
	ck_assert(has_root);
}
END_TEST

START_TEST(cdata_becomes_text)
{
	char *err = NULL;
	xmlDocPtr doc = parse("<a><![CDATA[x<y]]></a>", &err);
	ck_assert_ptr_nonnull(doc);
	xmlNodePtr a = xmlDocGetRootElement(doc);
	ck_assert_ptr_nonnull(a->children);
	ck_assert_int_eq(a->children->type, XML_TEXT_NODE);
	xmlChar *c = xmlNodeGetContent(a);
	ck_assert_str_eq((const char *)c, "x<y");
	xmlFree(c);
	xmlFreeDoc(doc);
}
END_TEST

static const struct {
	const char *what;
	const char *xml;
	const char *words;
} refused[] = {
	{ "internal general entity", "<!DOCTYPE r [<!ENTITY e \"hello\">]><r>&e;</r>",
	  "general entity \"e\"" },
	{ "unused internal entity", "<!DOCTYPE r [<!ENTITY e \"x\">]><r/>", "\"e\"" },
	{ "external SYSTEM entity",
	  "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
	  "entity \"x\"" },
	{ "external http entity",
	  "<!DOCTYPE r [<!ENTITY x SYSTEM \"http://127.0.0.1:1/x\">]><r>&x;</r>", "\"x\"" },
	{ "external parameter entity",
	  "<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/evil.dtd\"> %p;]><r/>",
	  "external parameter entity \"p\"" },
	{ "external parameter entity, file",
	  "<!DOCTYPE r [<!ENTITY % p SYSTEM \"file:///etc/passwd\">]><r/>", "\"p\"" },
	{ "public parameter entity",
	  "<!DOCTYPE r [<!ENTITY % p PUBLIC \"-//x//y\" \"p.dtd\">]><r/>", "\"p\"" },
	{ "unparsed entity",
	  "<!DOCTYPE r [<!NOTATION n SYSTEM \"n\"><!ENTITY u SYSTEM \"u.bin\" NDATA n>]><r/>",
	  "\"u\"" },
};

START_TEST(entities_refused)
{
	char *err = NULL;
	xmlDocPtr doc = parse(refused[_i].xml, &err);
	ck_assert_msg(doc == NULL, "%s: accepted", refused[_i].what);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, refused[_i].words) != NULL, "%s: \"%s\" lacks %s",
		      refused[_i].what, err, refused[_i].words);
	ck_assert_ptr_null(strstr(err, "root:"));
	ck_assert_ptr_null(strstr(xmlsafe_errors(), "root:"));
	free(err);
}
END_TEST

/* A local file's content never appears anywhere, whatever the trick. */
START_TEST(local_file_never_read)
{
	char *dir = t_tempdir();
	char *secret = xasprintf("%s/secret.txt", dir);
	t_write_file(secret, "TOPSECRET-4711", 14);
	/* @ stands for the secret file's path */
	static const char *const tmpls[] = {
		"<!DOCTYPE r [<!ENTITY x SYSTEM \"file://@\">]><r>&x;</r>",
		"<!DOCTYPE r [<!ENTITY x SYSTEM \"@\">]><r>&x;</r>",
		"<!DOCTYPE r [<!ENTITY % p SYSTEM \"@\"> %p;]><r/>",
		"<!DOCTYPE r SYSTEM \"@\"><r/>",
		"<!DOCTYPE r SYSTEM \"@\"><r>&ent;</r>",
		"<r xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"@\" "
		"parse=\"text\"/></r>",
	};
	for (size_t i = 0; i < ARRAY_SIZE(tmpls); i++) {
		char *xml = subst(tmpls[i], secret);
		char *err = NULL;
		xmlDocPtr doc = parse(xml, &err);
		if (doc) {
			xmlChar *text = NULL;
			int len = 0;
			xmlDocDumpMemory(doc, &text, &len);
			ck_assert_msg(strstr((const char *)text, "TOPSECRET") == NULL,
				      "the secret leaked through: %s", xml);
			xmlFree(text);
			xmlFreeDoc(doc);
		}
		ck_assert_msg(!err || !strstr(err, "TOPSECRET"), "leaked in the error: %s", err);
		ck_assert_ptr_null(strstr(xmlsafe_errors(), "TOPSECRET"));
		free(err);
		free(xml);
	}
	t_rmtree(dir);
	free(secret);
	free(dir);
}
END_TEST

START_TEST(billion_laughs_refused_quickly)
{
	static const char xml[] =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE lolz [\n"
		" <!ENTITY lol \"lol\">\n"
		" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
		" <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
		" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
		" <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
		" <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
		" <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
		" <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
		" <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
		" <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
		"]>\n"
		"<lolz>&lol9;</lolz>\n";
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	char *err = NULL;
	xmlDocPtr doc = parse(xml, &err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(err);
	/* generous: valgrind is 50 times slower than a plain run */
	ck_assert_msg(secs < 10.0, "took %.1f s", secs);
	free(err);
}
END_TEST

static const struct {
	const char *xml;
	const char *words;
} malformed[] = {
	{ "<a>\n<b></a>", "line 2, column " },
	{ "<a>\n\n  <b x=1/></a>", "line 3, column " },
	{ "<a></b>", "line 1, column " },
	{ "<a>", "line 1, column " },
	{ "<a/><b/>", "line 1, column " },
	{ "<a>&undefined;</a>", "undefined" },
	{ "<a>\x01</a>", "line 1, column " },
	{ "", "not well-formed XML" },
	{ "<?xml version=\"1.0\" encoding=\"no-such-charset\"?><a/>", "not well-formed XML" },
};

START_TEST(malformed_has_position)
{
	char *err = NULL;
	xmlDocPtr doc = parse(malformed[_i].xml, &err);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(str_starts_with(err, "not well-formed XML: "), "err: %s", err);
	ck_assert_msg(strstr(err, malformed[_i].words) != NULL, "\"%s\" lacks \"%s\"", err,
		      malformed[_i].words);
	free(err);
}
END_TEST

START_TEST(trusted_paths)
{
	const char *data = t_cfg()->data_dir;
	char *rng = xasprintf("%s/xslt/canonical.rng", data);
	char *rng_url = xasprintf("file://%s", rng);
	char *dotted = xasprintf("%s/xslt/../xslt/canonical.rng", data);
	char *xslt = xasprintf("%s/xslt", data);
	char *escape = xasprintf("%s/xslt/../../../../../../../../etc/passwd", data);
	char *missing = xasprintf("%s/xslt/no-such-file.xsl", data);
	ck_assert(xmlsafe_trusted_path(rng));
	ck_assert(xmlsafe_trusted_path(rng_url));
	ck_assert(xmlsafe_trusted_path(dotted));
	ck_assert(xmlsafe_trusted_path(xslt));
	ck_assert(!xmlsafe_trusted_path(escape));
	ck_assert(!xmlsafe_trusted_path(missing));
	ck_assert(!xmlsafe_trusted_path("/etc/passwd"));
	ck_assert(!xmlsafe_trusted_path("file:///etc/passwd"));
	ck_assert(!xmlsafe_trusted_path("http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd"));
	ck_assert(!xmlsafe_trusted_path("ftp://example.com/x"));
	ck_assert(!xmlsafe_trusted_path(NULL));
	ck_assert(!xmlsafe_trusted_path(""));

	/* a symbolic link counts where it points */
	char *dir = t_tempdir();
	char *in = xasprintf("%s/in-link", dir);
	char *out = xasprintf("%s/out-link", dir);
	ck_assert_int_eq(symlink(rng, in), 0);
	ck_assert_int_eq(symlink("/etc/passwd", out), 0);
	ck_assert(xmlsafe_trusted_path(in));
	ck_assert(!xmlsafe_trusted_path(out));
	char *in_url = xasprintf("http://localhost%s", rng);
	ck_assert(!xmlsafe_trusted_path(in_url));
	t_rmtree(dir);
	free(in_url);
	free(in);
	free(out);
	free(dir);
	free(rng);
	free(rng_url);
	free(dotted);
	free(xslt);
	free(escape);
	free(missing);
}
END_TEST

/* A trusted folder is a folder, not a name prefix: /x/trusted does not
 * trust /x/trusted-evil. */
START_TEST(trusted_is_not_a_prefix_match)
{
	char *dir = t_tempdir();
	char *good = xasprintf("%s/trusted", dir);
	char *evil = xasprintf("%s/trusted-evil", dir);
	ck_assert_int_eq(mkdir_p(good, 0755), 0);
	ck_assert_int_eq(mkdir_p(evil, 0755), 0);
	char *gf = xasprintf("%s/ok.xsl", good);
	char *ef = xasprintf("%s/bad.xsl", evil);
	t_write_file(gf, "<x/>", 4);
	t_write_file(ef, "<x/>", 4);
	const char *dirs[] = { good };
	xmlsafe_init(dirs, 1);
	int g = xmlsafe_trusted_path(gf), e = xmlsafe_trusted_path(ef);
	char *rng = xasprintf("%s/xslt/canonical.rng", t_cfg()->data_dir);
	int rng_now = xmlsafe_trusted_path(rng);
	trust_engine_dirs();
	ck_assert_int_eq(xmlsafe_trusted_path(rng), 1);
	free(rng);
	ck_assert_int_eq(g, 1);
	ck_assert_int_eq(e, 0);
	ck_assert_int_eq(rng_now, 0); /* the engine's folders were replaced */
	t_rmtree(dir);
	free(gf);
	free(ef);
	free(good);
	free(evil);
	free(dir);
}
END_TEST

START_TEST(parse_trusted_only_inside)
{
	char *err = NULL;
	char *rng = xasprintf("%s/xslt/canonical.rng", t_cfg()->data_dir);
	xmlsafe_errors_reset();
	xmlDocPtr doc = xmlsafe_parse_trusted(rng, &err);
	ck_assert_msg(doc != NULL, "%s", err ? err : "?");
	ck_assert_ptr_null(err);
	xmlFreeDoc(doc);
	free(rng);

	char *dir = t_tempdir();
	char *outside = xasprintf("%s/outside.xml", dir);
	t_write_file(outside, "<secret>TOPSECRET</secret>", 26);
	xmlsafe_errors_reset();
	doc = xmlsafe_parse_trusted(outside, &err);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err, "refused to load"));
	ck_assert_ptr_null(strstr(err, "TOPSECRET"));
	free(err);
	t_rmtree(dir);
	free(outside);
	free(dir);
}
END_TEST

START_TEST(errors_reset_and_collect)
{
	char *err = NULL;
	xmlDocPtr doc = parse("<a>", &err);
	ck_assert_ptr_null(doc);
	free(err);
	ck_assert_str_ne(xmlsafe_errors(), "");
	xmlsafe_errors_reset();
	ck_assert_str_eq(xmlsafe_errors(), "");
	/* many errors are capped, not unbounded */
	struct buf b = BUF_INIT;
	buf_adds(&b, "<a>");
	for (int i = 0; i < 500; i++)
		buf_adds(&b, "<b c='1' c='2'>&#0;");
	xmlsafe_errors_reset();
	doc = xmlsafe_parse(b.data, b.len, &err);
	ck_assert_ptr_null(doc);
	ck_assert_uint_lt(strlen(err), 20000);
	free(err);
	buf_release(&b);
}
END_TEST

Suite *suite_xmlsafe(void)
{
	Suite *s = suite_create("xmlsafe");
	TCase *tc = tcase_create("parse");
	tcase_set_timeout(tc, 30);
	tcase_add_unchecked_fixture(tc, t_engine_setup, NULL);
	tcase_add_loop_test(tc, accepted_without_errors, 0, (int)ARRAY_SIZE(accepted));
	tcase_add_test(tc, cdata_becomes_text);
	tcase_add_loop_test(tc, entities_refused, 0, (int)ARRAY_SIZE(refused));
	tcase_add_test(tc, local_file_never_read);
	tcase_add_test(tc, billion_laughs_refused_quickly);
	tcase_add_loop_test(tc, malformed_has_position, 0, (int)ARRAY_SIZE(malformed));
	tcase_add_test(tc, errors_reset_and_collect);
	suite_add_tcase(s, tc);
	tc = tcase_create("trust");
	tcase_add_unchecked_fixture(tc, t_engine_setup, NULL);
	tcase_add_test(tc, trusted_paths);
	tcase_add_test(tc, trusted_is_not_a_prefix_match);
	tcase_add_test(tc, parse_trusted_only_inside);
	suite_add_tcase(s, tc);
	return s;
}

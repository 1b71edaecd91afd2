/*
 * xform: trusted stylesheets over untrusted data, with security prefs.
 * The tests write small stylesheets into a temporary folder that they add
 * to the trusted folders for the duration of one test.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "suites.h"
#include "testutil.h"
#include "util.h"
#include "xform.h"
#include "xmlsafe.h"

static char *trusted_dir, *untrusted_dir;

static void set_trust(int with_tmp)
{
	t_trust(with_tmp ? trusted_dir : NULL);
}

static void setup(void)
{
	trusted_dir = t_tempdir();
	untrusted_dir = t_tempdir();
	set_trust(1);
	xmlsafe_errors_reset();
}

static void teardown(void)
{
	set_trust(0);
	t_rmtree(trusted_dir);
	t_rmtree(untrusted_dir);
	free(trusted_dir);
	free(untrusted_dir);
	trusted_dir = untrusted_dir = NULL;
}

/* Writes text into dir/name with every '@T' replaced by the trusted folder
 * and '@U' by the untrusted one; returns the path (caller frees). */
static char *write_in(const char *dir, const char *name, const char *text)
{
	struct buf b = BUF_INIT;
	for (const char *p = text; *p; p++) {
		if (p[0] == '@' && p[1] == 'T') {
			buf_adds(&b, trusted_dir);
			p++;
		} else if (p[0] == '@' && p[1] == 'U') {
			buf_adds(&b, untrusted_dir);
			p++;
		} else {
			buf_addch(&b, *p);
		}
	}
	char *path = xasprintf("%s/%s", dir, name);
	t_write_file(path, b.data, b.len);
	buf_release(&b);
	return path;
}

#define XSL_HEAD                                                                         \
	"<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"" \
	" xmlns:exsl=\"http://exslt.org/common\" extension-element-prefixes=\"exsl\">\n"
#define XSL_TAIL "</xsl:stylesheet>\n"

static xmlDocPtr input(const char *xml)
{
	xmlDocPtr d = xmlReadMemory(xml, (int)strlen(xml), "input", NULL, XMLSAFE_OPTIONS);
	ck_assert_ptr_nonnull(d);
	return d;
}

/* Loads, applies and serialises; returns the output or NULL with *err. */
static char *run(const char *sheet_path, const char *xml, const struct xform_param *params,
		 int n, char **err)
{
	xsltStylesheetPtr sheet = xform_load(sheet_path, err);
	ck_assert_msg(sheet != NULL, "xform_load: %s", *err ? *err : "?");
	xmlDocPtr doc = input(xml);
	xmlsafe_errors_reset();
	xmlDocPtr res = xform_apply(sheet, doc, params, n, err);
	xmlFreeDoc(doc);
	if (!res)
		return NULL;
	struct buf out = BUF_INIT;
	ck_assert_int_eq(xform_serialize(sheet, res, &out), 0);
	xmlFreeDoc(res);
	return buf_detach(&out);
}

START_TEST(params_are_quoted_strings)
{
	char *path = write_in(trusted_dir, "echo.xsl",
			      XSL_HEAD "<xsl:output method=\"text\"/>\n"
				       "<xsl:param name=\"p\" select=\"'none'\"/>\n"
				       "<xsl:param name=\"q\" select=\"'none'\"/>\n"
				       "<xsl:template match=\"/\">[<xsl:value-of select=\"$p\"/>|"
				       "<xsl:value-of select=\"$q\"/>|<xsl:value-of select=\"/r/@a\"/>]"
				       "</xsl:template>\n" XSL_TAIL);
	struct xform_param params[] = { { "p", "it's \"quoted\" & <odd>" },
					{ "q", "count(/*)" } };
	char *err = NULL;
	char *out = run(path, "<r a=\"val\"/>", params, 2, &err);
	ck_assert_msg(out != NULL, "%s", err ? err : "?");
	/* a value is text, never an XPath expression */
	ck_assert_str_eq(out, "[it's \"quoted\" & <odd>|count(/*)|val]");
	free(out);
	/* a NULL value is the empty string */
	struct xform_param empty[] = { { "p", NULL } };
	out = run(path, "<r a=\"v\"/>", empty, 1, &err);
	ck_assert_str_eq(out, "[|none|v]");
	free(out);
	free(path);
}
END_TEST

START_TEST(load_is_cached)
{
	char *path = write_in(trusted_dir, "c.xsl",
			      XSL_HEAD "<xsl:template match=\"/\"><x/></xsl:template>" XSL_TAIL);
	char *err = NULL;
	xsltStylesheetPtr a = xform_load(path, &err);
	ck_assert_ptr_nonnull(a);
	xsltStylesheetPtr b = xform_load(path, &err);
	ck_assert_ptr_eq(a, b);
	free(path);

	char *engine = xasprintf("%s/xslt/cxml-to-canonical.xsl", t_cfg()->data_dir);
	ck_assert_ptr_nonnull(xform_load(engine, &err));
	free(engine);
}
END_TEST

START_TEST(broken_stylesheet_refused)
{
	char *err = NULL;
	char *path = write_in(trusted_dir, "broken.xsl",
			      XSL_HEAD "<xsl:template match=\"/\"><xsl:value-of select=\"((\"/>"
				       "</xsl:template>" XSL_TAIL);
	ck_assert_ptr_null(xform_load(path, &err));
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err, path));
	free(err);
	free(path);

	path = write_in(trusted_dir, "notxml.xsl", "<xsl:stylesheet");
	ck_assert_ptr_null(xform_load(path, &err));
	ck_assert_ptr_nonnull(err);
	free(err);
	free(path);

	path = xasprintf("%s/missing.xsl", trusted_dir);
	ck_assert_ptr_null(xform_load(path, &err));
	ck_assert_ptr_nonnull(err);
	free(err);
	free(path);
}
END_TEST

START_TEST(untrusted_stylesheet_refused)
{
	char *err = NULL;
	char *path = write_in(untrusted_dir, "evil.xsl",
			      XSL_HEAD "<xsl:template match=\"/\"><x/></xsl:template>" XSL_TAIL);
	ck_assert_ptr_null(xform_load(path, &err));
	ck_assert_ptr_nonnull(err);
	free(err);
	free(path);

	/* a trusted stylesheet that includes an untrusted one */
	char *inc = write_in(untrusted_dir, "inc.xsl",
			     XSL_HEAD "<xsl:template name=\"t\"><x/></xsl:template>" XSL_TAIL);
	free(inc);
	path = write_in(trusted_dir, "includer.xsl",
			XSL_HEAD "<xsl:include href=\"@U/inc.xsl\"/>"
				 "<xsl:template match=\"/\"><xsl:call-template name=\"t\"/>"
				 "</xsl:template>" XSL_TAIL);
	ck_assert_ptr_null(xform_load(path, &err));
	ck_assert_ptr_nonnull(err);
	free(err);
	free(path);
}
END_TEST

START_TEST(document_reads_only_trusted)
{
	char *secret = write_in(untrusted_dir, "secret.xml", "<s>TOPSECRET-1</s>");
	char *allowed = write_in(trusted_dir, "allowed.xml", "<s>ALLOWED-2</s>");
	free(secret);
	free(allowed);
	char *path = write_in(trusted_dir, "read.xsl",
			      XSL_HEAD "<xsl:output method=\"text\"/>"
				       "<xsl:param name=\"f\"/>"
				       "<xsl:template match=\"/\">[<xsl:value-of "
				       "select=\"document($f)/s\"/>]</xsl:template>" XSL_TAIL);
	char *err = NULL;

	/* inside the trusted folders: read */
	char *ok_path = xasprintf("%s/allowed.xml", trusted_dir);
	struct xform_param p1[] = { { "f", ok_path } };
	char *out = run(path, "<r/>", p1, 1, &err);
	ck_assert_msg(out != NULL, "%s", err ? err : "?");
	ck_assert_str_eq(out, "[ALLOWED-2]");
	free(out);
	free(ok_path);

	/* outside, as a path, a file URL or over the network: refused */
	char *s1 = xasprintf("%s/secret.xml", untrusted_dir);
	char *s2 = xasprintf("file://%s/secret.xml", untrusted_dir);
	const char *targets[] = { s1, s2, "/etc/passwd", "http://127.0.0.1:1/x.xml" };
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
		struct xform_param p2[] = { { "f", targets[i] } };
		err = NULL;
		out = run(path, "<r/>", p2, 1, &err);
		ck_assert_msg(out == NULL || !strstr(out, "TOPSECRET"), "read %s", targets[i]);
		ck_assert_msg(out == NULL, "document(%s) was not refused: %s", targets[i], out);
		ck_assert_ptr_nonnull(err);
		ck_assert_ptr_null(strstr(err, "TOPSECRET"));
		free(err);
	}
	free(s1);
	free(s2);
	free(path);
}
END_TEST

START_TEST(writing_files_forbidden)
{
	char *path = write_in(trusted_dir, "write.xsl",
			      XSL_HEAD "<xsl:template match=\"/\">"
				       "<exsl:document href=\"@U/written.xml\"><x>pwned</x></exsl:document>"
				       "<done/></xsl:template>" XSL_TAIL);
	char *err = NULL;
	char *out = run(path, "<r/>", NULL, 0, &err);
	char *target = xasprintf("%s/written.xml", untrusted_dir);
	ck_assert_msg(access(target, F_OK) != 0, "the stylesheet wrote %s", target);
	ck_assert_msg(out == NULL, "a forbidden write did not stop the transform: %s", out);
	ck_assert_ptr_nonnull(err);
	free(err);
	free(target);
	free(path);
}
END_TEST

START_TEST(runaway_recursion_stopped)
{
	char *path = write_in(trusted_dir, "loop.xsl",
			      XSL_HEAD "<xsl:template match=\"/\"><xsl:call-template name=\"f\"/>"
				       "</xsl:template>"
				       "<xsl:template name=\"f\"><xsl:call-template name=\"f\"/>"
				       "</xsl:template>" XSL_TAIL);
	char *err = NULL;
	char *out = run(path, "<r/>", NULL, 0, &err);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_ne(err, "");
	free(err);
	free(path);
}
END_TEST

START_TEST(terminate_message_is_the_error)
{
	char *path = write_in(trusted_dir, "stop.xsl",
			      XSL_HEAD "<xsl:template match=\"/\"><xsl:message terminate=\"yes\">"
				       "no order in <xsl:value-of select=\"name(*)\"/></xsl:message>"
				       "</xsl:template>" XSL_TAIL);
	char *err = NULL;
	char *out = run(path, "<Invoice/>", NULL, 0, &err);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, "no order in Invoice") != NULL, "err: %s", err);
	free(err);
	free(path);
}
END_TEST

START_TEST(serialize_follows_output)
{
	char *path = write_in(trusted_dir, "ser.xsl",
			      XSL_HEAD "<xsl:output method=\"xml\" encoding=\"UTF-8\" "
				       "doctype-system=\"x.dtd\"/>"
				       "<xsl:template match=\"/\"><out a=\"&amp;\">caf\xc3\xa9</out>"
				       "</xsl:template>" XSL_TAIL);
	char *err = NULL;
	char *out = run(path, "<r/>", NULL, 0, &err);
	ck_assert_msg(out != NULL, "%s", err ? err : "?");
	ck_assert(str_starts_with(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
	ck_assert_ptr_nonnull(strstr(out, "<!DOCTYPE out SYSTEM \"x.dtd\">"));
	ck_assert_ptr_nonnull(strstr(out, "<out a=\"&amp;\">caf\xc3\xa9</out>"));
	free(out);
	free(path);
}
END_TEST

Suite *suite_xform(void)
{
	Suite *s = suite_create("xform");
	TCase *tc = tcase_create("xslt");
	tcase_set_timeout(tc, 30);
	tcase_add_unchecked_fixture(tc, t_engine_setup, NULL);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, params_are_quoted_strings);
	tcase_add_test(tc, load_is_cached);
	tcase_add_test(tc, broken_stylesheet_refused);
	tcase_add_test(tc, untrusted_stylesheet_refused);
	tcase_add_test(tc, document_reads_only_trusted);
	tcase_add_test(tc, writing_files_forbidden);
	tcase_add_test(tc, runaway_recursion_stopped);
	tcase_add_test(tc, terminate_message_is_the_error);
	tcase_add_test(tc, serialize_follows_output);
	suite_add_tcase(s, tc);
	return s;
}

/*
 * partner: profiles (docs/maps.md, "Partner profiles") written into a
 * temporary folder, and the recognition and authentication of senders of
 * small cXML and OAGIS documents.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "partner.h"
#include "suites.h"
#include "testutil.h"
#include "util.h"
#include "xmlsafe.h"

static char *tmp_dir;

static void setup(void)
{
	tmp_dir = t_tempdir();
}

static void teardown(void)
{
	t_rmtree(tmp_dir);
	free(tmp_dir);
	tmp_dir = NULL;
}

static void profile(const char *file, const char *text)
{
	char *p = xasprintf("%s/%s", tmp_dir, file);
	t_write_file(p, text, strlen(text));
	free(p);
}

static void assert_has(const char *hay, const char *needle)
{
	ck_assert_msg(hay && strstr(hay, needle), "\"%s\" lacks \"%s\"", hay ? hay : "(null)",
		      needle);
}

/* --- loading ------------------------------------------------------------------ */

START_TEST(load_profiles)
{
	profile("acme.ini", "; the buyer\n"
			    "[partner]\n"
			    "name = acme\n"
			    "mode = Test\n"
			    "inbound = cxml, oagis\n"
			    "order_types = new\n"
			    "\n"
			    "[identity]\n"
			    "cxml = NetworkID:AN01000000001\n"
			    "cxml = DUNS:123456789\n"
			    "oagis = ACME-ERP-PROD\n"
			    "shared_secret = s3cret\n"
			    "[outbound]\n"
			    "po = OAGIS\n"
			    "confirmation = cxml\n"
			    "encoding = ISO-8859-1\n"
			    "[csv]\n"
			    "map = acme-orders\n");
	profile("zinc.ini", "[partner]\nname = zinc\n");
	profile("notes.txt", "not a profile\n");
	profile(".hidden.ini", "[partner]\nname = acme\n");
	struct partners ps;
	char *err = NULL;
	int rc = partner_load(&ps, tmp_dir, 1, &err);
	ck_assert_msg(rc == 0, "partner_load: %s", err ? err : "?");
	ck_assert_ptr_null(err);
	ck_assert_int_eq(ps.n, 2);
	ck_assert_int_eq(ps.require_known, 1);
	const struct partner *a = partner_by_name(&ps, "acme");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(a, &ps.p[0]); /* in file name order */
	char *file = xasprintf("%s/acme.ini", tmp_dir);
	ck_assert_str_eq(a->file, file);
	free(file);
	ck_assert_str_eq(a->mode, "test");
	ck_assert_str_eq(a->inbound, "cxml, oagis");
	ck_assert_str_eq(a->order_types, "new");
	ck_assert_int_eq(a->ncxml, 2);
	ck_assert_str_eq(a->cxml_ids[0], "networkid:AN01000000001");
	ck_assert_str_eq(a->cxml_ids[1], "duns:123456789");
	ck_assert_int_eq(a->noagis, 1);
	ck_assert_str_eq(a->oagis_ids[0], "ACME-ERP-PROD");
	ck_assert_str_eq(a->secret, "s3cret");
	ck_assert_str_eq(a->po_format, "oagis");
	ck_assert_str_eq(a->confirmation_format, "cxml");
	ck_assert_str_eq(a->encoding, "ISO-8859-1");
	ck_assert_str_eq(a->csv_map, "acme-orders");
	const struct partner *z = partner_by_name(&ps, "zinc");
	ck_assert_ptr_eq(z, &ps.p[1]);
	ck_assert_ptr_null(z->mode);
	ck_assert_ptr_null(z->inbound);
	ck_assert_ptr_null(z->secret);
	ck_assert_ptr_null(z->po_format);
	ck_assert_int_eq(z->ncxml, 0);
	ck_assert_ptr_null(partner_by_name(&ps, "ACME"));
	ck_assert_ptr_null(partner_by_name(&ps, "nobody"));
	ck_assert_ptr_null(partner_by_name(&ps, NULL));
	partner_release(&ps);
	ck_assert_int_eq(ps.n, 0);
	ck_assert_ptr_null(ps.p);

	/* a folder that does not exist: no profiles */
	char *none = xasprintf("%s/none", tmp_dir);
	ck_assert_int_eq(partner_load(&ps, none, 0, &err), 0);
	ck_assert_int_eq(ps.n, 0);
	partner_release(&ps);
	free(none);
}
END_TEST

static const struct {
	const char *text;
	int line;
	const char *what;
} bad_profiles[] = {
	{ "[partner]\nname = acme\ncolor = red\n", 3, "unknown key \"color\" in [partner]" },
	{ "[partner]\nname = acme\ninbound = cxml, edifact\n", 3, "\"edifact\"" },
	{ "[partner]\nname = acme\n[outbound]\npo = pdf\n", 4, "\"pdf\"" },
	{ "[partner]\nname = acme\n[outbound]\nconfirmation = xml\n", 4, "\"xml\"" },
	{ "[partner]\nname = acme\n[outbound]\ncolor = red\n", 4, "unknown key \"color\"" },
	{ "[partner]\nname = ../evil\n", 2, "name" },
	{ "[partner]\nname = acme corp\n", 2, "acme corp" },
	{ "[partner]\nname = .hidden\n", 2, ".hidden" },
	{ "[partner]\nname = acme\nmode = staging\n", 3, "\"staging\"" },
	{ "[partner]\nname = acme\n[identity]\ncxml = AN01000000001\n", 4, "DOMAIN:IDENTITY" },
	{ "[partner]\nname = acme\n[identity]\ncxml = :AN01\n", 4, "DOMAIN:IDENTITY" },
	{ "[partner]\nname = acme\n[identity]\ncxml = NetworkID:\n", 4, "DOMAIN:IDENTITY" },
	{ "[partner]\nname = acme\n[identity]\npassword = x\n", 4, "unknown key \"password\"" },
	{ "[partner]\nname = acme\n\n[outbound]\nencoding = NO-SUCH-CHARSET-42\n", 5,
	  "\"NO-SUCH-CHARSET-42\"" },
	{ "[partner]\nname = acme\n[invoice]\ntax_rate = 7,5\n", 4, "\"7,5\"" },
	{ "[partner]\nname = acme\n[invoice]\ndiscount_rate = 150\n", 4, "over 100; the rate is a percentage" },
	{ "[partner]\nname = acme\n[invoice]\ntax_rate = 100.01\n", 4, "over 100" },
	{ "[partner]\nname = acme\n[invoice]\nshipping = -5\n", 4, "\"-5\" is negative" },
	{ "[partner]\nname = acme\n[weird]\nx = 1\n", 4, "unknown key \"x\" in section [weird]" },
	{ "[partner]\nname = acme\nthis line has no equals sign\n", 3, "not a section" },
	{ "name = acme\n", 1, "unknown key \"name\"" },
};

START_TEST(load_errors_name_file_and_line)
{
	profile("good.ini", "[partner]\nname = good\n");
	profile("bad.ini", bad_profiles[_i].text);
	struct partners ps;
	char *err = NULL;
	int rc = partner_load(&ps, tmp_dir, 0, &err);
	ck_assert_msg(rc == -1, "case %d loaded", _i);
	ck_assert_ptr_nonnull(err);
	char *where = xasprintf("%s/bad.ini:%d: ", tmp_dir, bad_profiles[_i].line);
	assert_has(err, where);
	assert_has(err, bad_profiles[_i].what);
	free(where);
	free(err);
	/* nothing is left loaded */
	ck_assert_int_eq(ps.n, 0);
	ck_assert_ptr_null(ps.p);
}
END_TEST

START_TEST(load_errors_other)
{
	struct partners ps;
	char *err = NULL;
	/* no name at all */
	profile("anon.ini", "[identity]\ncxml = NetworkID:X\n");
	ck_assert_int_eq(partner_load(&ps, tmp_dir, 0, &err), -1);
	assert_has(err, "anon.ini");
	assert_has(err, "name is missing");
	free(err);
	ck_assert_int_eq(ps.n, 0);
	char *p = xasprintf("%s/anon.ini", tmp_dir);
	unlink(p);
	free(p);

	/* two profiles, one name */
	profile("a.ini", "[partner]\nname = acme\n");
	profile("b.ini", "[partner]\nname = acme\n");
	profile("c.ini", "[partner]\nname = zinc\n");
	ck_assert_int_eq(partner_load(&ps, tmp_dir, 0, &err), -1);
	char *fa = xasprintf("%s/a.ini", tmp_dir), *fb = xasprintf("%s/b.ini", tmp_dir);
	assert_has(err, fa);
	assert_has(err, fb);
	assert_has(err, "\"acme\"");
	free(fa);
	free(fb);
	free(err);
	ck_assert_int_eq(ps.n, 0);

	/* too many identities */
	struct buf b = BUF_INIT;
	buf_adds(&b, "[partner]\nname = many\n[identity]\n");
	for (int i = 0; i < PARTNER_MAX_IDS + 1; i++)
		buf_printf(&b, "cxml = NetworkID:ID%d\n", i);
	char *dir2 = xasprintf("%s/many", tmp_dir);
	ck_assert_int_eq(mkdir(dir2, 0755), 0);
	char *f = xasprintf("%s/many.ini", dir2);
	t_write_file(f, b.data, b.len);
	buf_release(&b);
	ck_assert_int_eq(partner_load(&ps, dir2, 0, &err), -1);
	char *where = xasprintf("%s:%d: ", f, 3 + PARTNER_MAX_IDS + 1);
	assert_has(err, where);
	free(where);
	free(err);
	free(f);
	free(dir2);
}
END_TEST

/* --- authentication ------------------------------------------------------------- */

static struct partners ps;

static void auth_setup(void)
{
	setup();
	profile("acme.ini", "[partner]\nname = acme\ninbound = cxml\n"
			    "[identity]\ncxml = NetworkID:AN-ACME\nshared_secret = s3cret\n"
			    "oagis = ACME-ERP\n");
	profile("zinc.ini", "[partner]\nname = zinc\ninbound = cxml, oagis\n"
			    "[identity]\ncxml = DUNS:555\noagis = ZINC-ERP\n");
	profile("oagonly.ini", "[partner]\nname = oagonly\ninbound = oagis\n"
			       "[identity]\ncxml = NetworkID:OAG-ONLY\n");
	char *err = NULL;
	int rc = partner_load(&ps, tmp_dir, 1, &err);
	ck_assert_msg(rc == 0, "partner_load: %s", err ? err : "?");
}

static void auth_teardown(void)
{
	partner_release(&ps);
	teardown();
}

/* A cXML order header: From and Sender credentials, and a SharedSecret
 * (NULL: none). */
static char *cxml(const char *from_dom, const char *from_id, const char *snd_dom,
		  const char *snd_id, const char *secret)
{
	return xasprintf("<?xml version=\"1.0\"?>\n"
			 "<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd\">\n"
			 "<cXML payloadID=\"p@b\" timestamp=\"2024-03-01T10:00:00Z\">\n"
			 "<Header>\n"
			 "<From><Credential domain=\"%s\"><Identity>%s</Identity></Credential></From>\n"
			 "<To><Credential domain=\"DUNS\"><Identity>999</Identity></Credential></To>\n"
			 "<Sender><Credential domain=\"%s\"><Identity>%s</Identity>%s%s%s</Credential>"
			 "<UserAgent>t</UserAgent></Sender>\n"
			 "</Header>\n"
			 "<Request><OrderRequest/></Request>\n"
			 "</cXML>\n",
			 from_dom, from_id, snd_dom, snd_id, secret ? "<SharedSecret>" : "",
			 secret ? secret : "", secret ? "</SharedSecret>" : "");
}

static char *oagis(const char *logical_id)
{
	return xasprintf("<?xml version=\"1.0\"?>\n"
			 "<ProcessPurchaseOrder xmlns=\"http://www.openapplications.org/oagis/10\">\n"
			 "<ApplicationArea><Sender><LogicalID>%s</LogicalID></Sender>"
			 "<CreationDateTime>2024-03-01T10:00:00Z</CreationDateTime></ApplicationArea>\n"
			 "<DataArea/>\n"
			 "</ProcessPurchaseOrder>\n",
			 logical_id);
}

static void authenticate(const char *format, char *text, const char *bound,
			 struct partner_auth *out)
{
	char *err = NULL;
	xmlDocPtr doc = xmlsafe_parse(text, strlen(text), &err);
	ck_assert_msg(doc != NULL, "xmlsafe_parse: %s", err ? err : "?");
	free(text);
	partner_authenticate(&ps, format, doc, bound, out);
	xmlFreeDoc(doc);
}

static void auth_release(struct partner_auth *a)
{
	free(a->reason);
	free(a->sender);
	memset(a, 0, sizeof *a);
}

static void assert_partner(const struct partner_auth *a, const char *name)
{
	ck_assert_msg(a->status == 0, "status %d: %s", a->status, a->reason ? a->reason : "?");
	ck_assert_ptr_null(a->reason);
	ck_assert_ptr_nonnull(a->partner);
	ck_assert_str_eq(a->partner->name, name);
}

static const struct {
	const char *from_dom, *from_id, *snd_dom, *snd_id, *secret;
	const char *bound;
	const char *partner; /* NULL: refused */
	int status;
	const char *why;
} cxml_cases[] = {
	/* matched by From (and Sender), the right secret */
	{ "NetworkID", "AN-ACME", "NetworkID", "AN-ACME", "s3cret", NULL, "acme", 0, NULL },
	/* the domain is compared without regard to case, the identity exactly */
	{ "NETWORKID", "AN-ACME", "networkid", "AN-ACME", "s3cret", NULL, "acme", 0, NULL },
	{ "NetworkID", "an-acme", "NetworkID", "an-acme", "s3cret", NULL, NULL, 401,
	  "unknown sender" },
	/* the secret, surrounding blanks aside */
	{ "NetworkID", "AN-ACME", "NetworkID", "AN-ACME", "  s3cret\n", NULL, "acme", 0, NULL },
	{ "NetworkID", "AN-ACME", "NetworkID", "AN-ACME", "S3CRET", NULL, NULL, 401,
	  "does not match" },
	{ "NetworkID", "AN-ACME", "NetworkID", "AN-ACME", "s3cret-and-more", NULL, NULL, 401,
	  "does not match" },
	{ "NetworkID", "AN-ACME", "NetworkID", "AN-ACME", NULL, NULL, NULL, 401, "is missing" },
	{ "NetworkID", "AN-ACME", "NetworkID", "AN-ACME", "", NULL, NULL, 401, "is missing" },
	/* matched by the Sender alone (zinc has no secret) */
	{ "NetworkID", "SOMEONE", "duns", "555", NULL, NULL, "zinc", 0, NULL },
	/* matched by From alone */
	{ "DUNS", "555", "NetworkID", "SOMEONE", NULL, NULL, "zinc", 0, NULL },
	/* a format the profile does not list */
	{ "NetworkID", "OAG-ONLY", "NetworkID", "OAG-ONLY", NULL, NULL, NULL, 403,
	  "does not send cxml" },
	/* the inbox's partner wins over the credentials */
	{ "NetworkID", "AN-ACME", "NetworkID", "AN-ACME", "wrong", "zinc", "zinc", 0, NULL },
	{ "NetworkID", "NOBODY", "NetworkID", "NOBODY", NULL, "zinc", "zinc", 0, NULL },
	/* bound to acme: its secret is still checked */
	{ "NetworkID", "NOBODY", "NetworkID", "NOBODY", "nope", "acme", NULL, 401,
	  "does not match" },
	/* unknown */
	{ "NetworkID", "NOBODY", "NetworkID", "NOBODY", "whatever", NULL, NULL, 401, "NOBODY" },
};

START_TEST(cxml_senders)
{
	struct partner_auth a;
	const char *secret = cxml_cases[_i].secret;
	authenticate("cxml",
		     cxml(cxml_cases[_i].from_dom, cxml_cases[_i].from_id, cxml_cases[_i].snd_dom,
			  cxml_cases[_i].snd_id, secret),
		     cxml_cases[_i].bound, &a);
	if (cxml_cases[_i].partner) {
		assert_partner(&a, cxml_cases[_i].partner);
	} else {
		ck_assert_int_eq(a.status, cxml_cases[_i].status);
		ck_assert_ptr_nonnull(a.reason);
		assert_has(a.reason, cxml_cases[_i].why);
		/* never a secret in the reason, neither the sent one nor the profile's */
		ck_assert_msg(strstr(a.reason, "s3cret") == NULL, "reason shows the secret: %s",
			      a.reason);
		if (secret && strlen(secret) > 2)
			ck_assert_msg(strstr(a.reason, secret) == NULL,
				      "reason shows the sent secret: %s", a.reason);
	}
	/* the sender as the document names it */
	ck_assert_ptr_nonnull(a.sender);
	if (!strcmp(cxml_cases[_i].from_id, cxml_cases[_i].snd_id))
		ck_assert_str_eq(a.sender, cxml_cases[_i].from_id);
	else
		ck_assert_msg(!strcmp(a.sender, cxml_cases[_i].from_id) ||
				      !strcmp(a.sender, cxml_cases[_i].snd_id),
			      "sender \"%s\"", a.sender);
	auth_release(&a);
}
END_TEST

START_TEST(unknown_sender_open_mode)
{
	struct partner_auth a;
	ps.require_known = 0;
	authenticate("cxml", cxml("NetworkID", "NOBODY", "NetworkID", "NOBODY", "x"), NULL, &a);
	ck_assert_int_eq(a.status, 0);
	ck_assert_ptr_null(a.partner);
	ck_assert_ptr_null(a.reason);
	ck_assert_ptr_nonnull(a.sender);
	ck_assert_str_eq(a.sender, "NOBODY");
	auth_release(&a);
	/* a known sender is still checked in open mode */
	authenticate("cxml", cxml("NetworkID", "AN-ACME", "NetworkID", "AN-ACME", "bad"), NULL,
		     &a);
	ck_assert_int_eq(a.status, 401);
	ck_assert_ptr_nonnull(a.partner);
	auth_release(&a);
	/* a bound name no profile has: the credentials decide */
	authenticate("cxml", cxml("DUNS", "555", "DUNS", "555", NULL), "ghost", &a);
	assert_partner(&a, "zinc");
	auth_release(&a);

	/* no profiles at all */
	struct partners empty;
	memset(&empty, 0, sizeof empty);
	char *text = cxml("NetworkID", "AN-ACME", "NetworkID", "AN-ACME", NULL);
	char *err = NULL;
	xmlDocPtr doc = xmlsafe_parse(text, strlen(text), &err);
	free(text);
	ck_assert_ptr_nonnull(doc);
	partner_authenticate(&empty, "cxml", doc, NULL, &a);
	ck_assert_int_eq(a.status, 0);
	ck_assert_ptr_null(a.partner);
	auth_release(&a);
	empty.require_known = 1;
	partner_authenticate(&empty, "cxml", doc, NULL, &a);
	ck_assert_int_eq(a.status, 401);
	assert_has(a.reason, "AN-ACME");
	auth_release(&a);
	xmlFreeDoc(doc);
}
END_TEST

START_TEST(oagis_senders)
{
	struct partner_auth a;
	authenticate("oagis", oagis("ZINC-ERP"), NULL, &a);
	assert_partner(&a, "zinc");
	ck_assert_str_eq(a.sender, "ZINC-ERP");
	auth_release(&a);
	/* blanks around the logical ID do not matter */
	authenticate("oagis", oagis("  ZINC-ERP\n"), NULL, &a);
	assert_partner(&a, "zinc");
	ck_assert_str_eq(a.sender, "ZINC-ERP");
	auth_release(&a);
	/* acme sends cXML only */
	authenticate("oagis", oagis("ACME-ERP"), NULL, &a);
	ck_assert_int_eq(a.status, 403);
	ck_assert_ptr_nonnull(a.partner);
	assert_has(a.reason, "does not send oagis");
	ck_assert_ptr_null(strstr(a.reason, "s3cret"));
	auth_release(&a);
	/* unknown */
	authenticate("oagis", oagis("STRANGER"), NULL, &a);
	ck_assert_int_eq(a.status, 401);
	assert_has(a.reason, "STRANGER");
	ck_assert_str_eq(a.sender, "STRANGER");
	auth_release(&a);
	/* bound by the inbox */
	authenticate("oagis", oagis("STRANGER"), "oagonly", &a);
	assert_partner(&a, "oagonly");
	auth_release(&a);
	/* a cXML credential does not make an OAGIS sender */
	authenticate("oagis", oagis("NetworkID:AN-ACME"), NULL, &a);
	ck_assert_int_eq(a.status, 401);
	auth_release(&a);
}
END_TEST

/* --- order types and lists --------------------------------------------------------- */

START_TEST(order_types)
{
	struct partner p;
	memset(&p, 0, sizeof p);
	p.name = xstrdup("acme");
	char sentinel = 0;
	char *reason = &sentinel;
	ck_assert_int_eq(partner_check_order_type(&p, "update", &reason), 0);
	ck_assert_ptr_null(reason);
	p.order_types = xstrdup("new");
	ck_assert_int_eq(partner_check_order_type(&p, "new", &reason), 0);
	ck_assert_ptr_null(reason);
	ck_assert_int_eq(partner_check_order_type(&p, NULL, &reason), 0);
	ck_assert_int_eq(partner_check_order_type(&p, "update", &reason), 403);
	assert_has(reason, "acme");
	assert_has(reason, "\"update\"");
	assert_has(reason, "cancellation");
	free(reason);
	ck_assert_int_eq(partner_check_order_type(&p, "delete", &reason), 403);
	assert_has(reason, "\"delete\"");
	free(reason);
	free(p.order_types);
	p.order_types = xstrdup("new, Update");
	ck_assert_int_eq(partner_check_order_type(&p, "update", &reason), 0);
	ck_assert_int_eq(partner_check_order_type(&p, "delete", &reason), 403);
	free(reason);
	free(p.order_types);
	/* only updates: a new order is refused, without advice about cancelling */
	p.order_types = xstrdup("update");
	ck_assert_int_eq(partner_check_order_type(&p, NULL, &reason), 403);
	assert_has(reason, "\"new\"");
	ck_assert_ptr_null(strstr(reason, "cancellation"));
	free(reason);
	free(p.order_types);
	free(p.name);
	/* no partner: anything goes */
	ck_assert_int_eq(partner_check_order_type(NULL, "delete", &reason), 0);
	ck_assert_ptr_null(reason);
}
END_TEST

static const struct {
	const char *list, *item;
	int want;
} list_cases[] = {
	{ "cxml, oagis", "oagis", 1 },
	{ "cxml, oagis", "OAGIS", 1 },
	{ " cxml ,oagis ", "cxml", 1 },
	{ "cxml,,oagis", "oagis", 1 },
	{ "cxml", "cxm", 0 },
	{ "cxml", "cxml2", 0 },
	{ "cxml, oagis", "csv", 0 },
	{ "", "cxml", 0 },
	{ NULL, "cxml", 0 },
	{ "cxml", NULL, 0 },
	{ "acme, zinc", "zinc", 1 },
	{ "acme zinc", "zinc", 0 },
};

START_TEST(list_has)
{
	ck_assert_msg(partner_list_has(list_cases[_i].list, list_cases[_i].item) ==
			      list_cases[_i].want,
		      "partner_list_has(\"%s\", \"%s\") != %d",
		      list_cases[_i].list ? list_cases[_i].list : "NULL",
		      list_cases[_i].item ? list_cases[_i].item : "NULL", list_cases[_i].want);
}
END_TEST

Suite *suite_partner(void)
{
	Suite *s = suite_create("partner");
	TCase *tc = tcase_create("load");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, load_profiles);
	tcase_add_loop_test(tc, load_errors_name_file_and_line, 0, (int)ARRAY_SIZE(bad_profiles));
	tcase_add_test(tc, load_errors_other);
	suite_add_tcase(s, tc);
	tc = tcase_create("authenticate");
	tcase_add_unchecked_fixture(tc, t_engine_setup, NULL);
	tcase_add_checked_fixture(tc, auth_setup, auth_teardown);
	tcase_add_loop_test(tc, cxml_senders, 0, (int)ARRAY_SIZE(cxml_cases));
	tcase_add_test(tc, unknown_sender_open_mode);
	tcase_add_test(tc, oagis_senders);
	suite_add_tcase(s, tc);
	tc = tcase_create("lists");
	tcase_add_test(tc, order_types);
	tcase_add_loop_test(tc, list_has, 0, (int)ARRAY_SIZE(list_cases));
	suite_add_tcase(s, tc);
	return s;
}

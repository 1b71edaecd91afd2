/*
 * datetime: the spellings partners send -> ISO 8601, zone kept.
 */
#include <check.h>
#include <string.h>

#include "datetime.h"
#include "suites.h"
#include "util.h"

#define Z DATETIME_ZONED
#define A DATETIME_ASSUMED
#define D DATETIME_DATE
#define BAD DATETIME_INVALID

static const struct {
	const char *in;
	const char *assume; /* NULL: the default +00:00 */
	enum datetime_kind kind;
	const char *out;    /* "" when invalid */
} cases[] = {
	/* ISO 8601 with a zone: kept as written */
	{ "2021-01-08T23:00:06-08:00", NULL, Z, "2021-01-08T23:00:06-08:00" },
	{ "2021-01-08T23:00:06+05:30", NULL, Z, "2021-01-08T23:00:06+05:30" },
	{ "2021-01-08T23:00:06Z", NULL, Z, "2021-01-08T23:00:06+00:00" },
	{ "2021-01-08T23:00:06z", NULL, Z, "2021-01-08T23:00:06+00:00" },
	{ "2021-01-08T23:00:06-0500", NULL, Z, "2021-01-08T23:00:06-05:00" },
	{ "2021-01-08T23:00:06+05", NULL, Z, "2021-01-08T23:00:06+05:00" },
	{ "2021-01-08T23:00:06 UTC", NULL, Z, "2021-01-08T23:00:06+00:00" },
	{ "2021-01-08T23:00:06Z", "-05:00", Z, "2021-01-08T23:00:06+00:00" },
	/* the zone is never converted */
	{ "2021-01-08T23:00:06-08:00", "+02:00", Z, "2021-01-08T23:00:06-08:00" },
	/* fractions of seconds */
	{ "2021-01-08T23:00:06.123+01:00", NULL, Z, "2021-01-08T23:00:06.123+01:00" },
	{ "2021-01-08T23:00:06,5Z", NULL, Z, "2021-01-08T23:00:06.5+00:00" },
	{ "2021-01-08T23:00:06.000001-03:00", NULL, Z, "2021-01-08T23:00:06.000001-03:00" },
	/* a space instead of T, no seconds */
	{ "2020-09-25 15:30:43+02:00", NULL, Z, "2020-09-25T15:30:43+02:00" },
	{ "2021-01-08T23:00Z", NULL, Z, "2021-01-08T23:00:00+00:00" },
	{ "2021-01-08 23:00-07:00", NULL, Z, "2021-01-08T23:00:00-07:00" },
	/* no zone: assumed */
	{ "2020-09-25 15:30:43", NULL, A, "2020-09-25T15:30:43+00:00" },
	{ "2020-09-25 15:30:43", "+00:00", A, "2020-09-25T15:30:43+00:00" },
	{ "2020-09-25 15:30:43", "-05:00", A, "2020-09-25T15:30:43-05:00" },
	{ "2020-09-25T15:30", "+09:30", A, "2020-09-25T15:30:00+09:30" },
	{ "2020-09-25T15:30:43.25", "-05:00", A, "2020-09-25T15:30:43.25-05:00" },
	/* date only stays date only, whatever the zone */
	{ "2021-01-08", NULL, D, "2021-01-08" },
	{ "2021-01-08", "-05:00", D, "2021-01-08" },
	{ "  2021-01-08  ", NULL, D, "2021-01-08" },
	{ "2021-01-08Z", NULL, D, "2021-01-08" },
	{ "2021-01-08+02:00", NULL, D, "2021-01-08" },
	/* textual spellings */
	{ "Mon May 19 18:29:48 +0000 2008", NULL, Z, "2008-05-19T18:29:48+00:00" },
	{ "Mon, 19 May 2008 18:29:48 +0000", NULL, Z, "2008-05-19T18:29:48+00:00" },
	{ "Mon, 19 May 2008 18:29:48 -0700", NULL, Z, "2008-05-19T18:29:48-07:00" },
	{ "Mon, 19 May 2008 18:29:48 GMT", NULL, Z, "2008-05-19T18:29:48+00:00" },
	{ "Fri May  9 08:00:00 +0200 2008", NULL, Z, "2008-05-09T08:00:00+02:00" },
	{ "Fri, 9 May 2008 08:00:00 +0200", NULL, Z, "2008-05-09T08:00:00+02:00" },
	{ "Mon, 19 May 2008 18:29:48", "-05:00", A, "2008-05-19T18:29:48-05:00" },
	/* calendar */
	{ "2024-02-29", NULL, D, "2024-02-29" },
	{ "2000-02-29", NULL, D, "2000-02-29" },
	{ "2024-02-29T12:00:00Z", NULL, Z, "2024-02-29T12:00:00+00:00" },
	{ "2021-12-31T23:59:60Z", NULL, Z, "2021-12-31T23:59:60+00:00" }, /* leap second */
	{ "2023-02-29", NULL, BAD, "" },
	{ "1900-02-29", NULL, BAD, "" },
	{ "2023-02-29T10:00:00Z", NULL, BAD, "" },
	{ "2023-04-31", NULL, BAD, "" },
	{ "2023-13-01", NULL, BAD, "" },
	{ "2023-00-10", NULL, BAD, "" },
	{ "2023-01-00", NULL, BAD, "" },
	{ "0000-01-01", NULL, BAD, "" },
	{ "Mon, 30 Feb 2008 18:29:48 +0000", NULL, BAD, "" },
	{ "Mon Foo 19 18:29:48 +0000 2008", NULL, BAD, "" },
	/* garbage and near misses */
	{ "", NULL, BAD, "" },
	{ "   ", NULL, BAD, "" },
	{ "garbage", NULL, BAD, "" },
	{ "yesterday", NULL, BAD, "" },
	{ "2021/01/08", NULL, BAD, "" },
	{ "08.01.2021", NULL, BAD, "" },
	{ "2021-1-8", NULL, BAD, "" },
	{ "21-01-08", NULL, BAD, "" },
	{ "2021-01-08T25:00:00Z", NULL, BAD, "" },
	{ "2021-01-08T23:60:00Z", NULL, BAD, "" },
	{ "2021-01-08T23:00:61Z", NULL, BAD, "" },
	{ "2021-01-08T23:00:06+15:00", NULL, BAD, "" },
	{ "2021-01-08T23:00:06+05:60", NULL, BAD, "" },
	{ "2021-01-08T23:00:06.Z", NULL, BAD, "" },
	{ "2021-01-08T23:00:06-08:00 junk", NULL, BAD, "" },
	{ "2021-01-08T23", NULL, BAD, "" },
	{ "2021-01-08T", NULL, BAD, "" },
	{ "2021-01-08x", NULL, BAD, "" },
	{ "1610146806", NULL, BAD, "" },
};

static const char *kind_name(enum datetime_kind k)
{
	switch (k) {
	case DATETIME_INVALID: return "INVALID";
	case DATETIME_DATE: return "DATE";
	case DATETIME_ZONED: return "ZONED";
	case DATETIME_ASSUMED: return "ASSUMED";
	}
	return "?";
}

START_TEST(normalize_table)
{
	char out[DATETIME_MAX];
	memset(out, 'x', sizeof out);
	out[sizeof out - 1] = '\0';
	enum datetime_kind k = datetime_normalize(cases[_i].in, cases[_i].assume, out);
	ck_assert_msg(k == cases[_i].kind, "datetime_normalize(\"%s\", %s) kind %s, want %s",
		      cases[_i].in, cases[_i].assume ? cases[_i].assume : "NULL", kind_name(k),
		      kind_name(cases[_i].kind));
	ck_assert_msg(!strcmp(out, cases[_i].out), "datetime_normalize(\"%s\") = \"%s\", want \"%s\"",
		      cases[_i].in, out, cases[_i].out);
}
END_TEST

/* Output is stable: normalising what we wrote gives the same again. */
START_TEST(normalize_is_idempotent)
{
	if (cases[_i].kind == BAD)
		return;
	char once[DATETIME_MAX], twice[DATETIME_MAX];
	datetime_normalize(cases[_i].in, cases[_i].assume, once);
	enum datetime_kind k = datetime_normalize(once, "+11:00", twice);
	ck_assert_str_eq(once, twice);
	ck_assert_int_eq(k, cases[_i].kind == D ? D : Z);
}
END_TEST

START_TEST(long_fraction_does_not_overflow)
{
	char out[DATETIME_MAX];
	enum datetime_kind k =
		datetime_normalize("2021-01-08T23:00:06.12345678901234567890123456789Z", NULL, out);
	ck_assert_uint_lt(strlen(out), DATETIME_MAX);
	/* refused, or kept with its leading digits: never garbled */
	if (k != BAD)
		ck_assert_msg(!strncmp(out, "2021-01-08T23:00:06.123456789", 29), "got \"%s\"", out);
}
END_TEST

static const struct {
	const char *zone;
	int valid;
} zone_cases[] = {
	{ "+00:00", 1 }, { "-05:00", 1 }, { "+05:30", 1 }, { "+14:00", 1 }, { "Z", 1 },
	{ "+0530", 1 },	 { "+05", 1 },	  { "UTC", 1 },	   { "GMT", 1 },    { "", 0 },
	{ "EST", 0 },	 { "+15:00", 0 }, { "+05:60", 0 }, { "05:00", 0 },  { "+5:00", 0 },
	{ "+05:00x", 0 }, { "Europe/Berlin", 0 }, { "+", 0 }, { "-05:0", 0 },
};

START_TEST(valid_zone_table)
{
	ck_assert_msg(datetime_valid_zone(zone_cases[_i].zone) == zone_cases[_i].valid,
		      "datetime_valid_zone(\"%s\") should be %d", zone_cases[_i].zone,
		      zone_cases[_i].valid);
}
END_TEST

Suite *suite_datetime(void)
{
	Suite *s = suite_create("datetime");
	TCase *tc = tcase_create("normalize");
	tcase_add_loop_test(tc, normalize_table, 0, (int)ARRAY_SIZE(cases));
	tcase_add_loop_test(tc, normalize_is_idempotent, 0, (int)ARRAY_SIZE(cases));
	tcase_add_test(tc, long_fraction_does_not_overflow);
	suite_add_tcase(s, tc);
	tc = tcase_create("zone");
	tcase_add_loop_test(tc, valid_zone_table, 0, (int)ARRAY_SIZE(zone_cases));
	suite_add_tcase(s, tc);
	return s;
}

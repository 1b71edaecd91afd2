/*
 * dec: exact decimals.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "dec.h"
#include "suites.h"
#include "util.h"

static const struct {
	const char *in;
	dec_t v;
} parse_ok[] = {
	{ "0", 0 },
	{ "12.5", 125000 },
	{ "-1.25", -12500 },
	{ "+3", 30000 },
	{ "  7.0001  ", 70001 },
	{ "\t42\n", 420000 },
	{ "1.00000", 10000 },	    /* zeros past four decimals are fine */
	{ "1.23450000", 12345 },
	{ ".5", 5000 },	            /* xsd:decimal allows both */
	{ "1.", 10000 },
	{ "-0", 0 },
	{ "-0.00", 0 },
	{ "0007.5", 75000 },
	{ "0.0001", 1 },
	{ "-0.0001", -1 },
	{ "900000000000", DEC_MAX },
	{ "-900000000000", -DEC_MAX },
	{ "899999999999.9999", DEC_MAX - 1 },
};

START_TEST(parse_valid)
{
	dec_t v = 123456789;
	int rc = dec_parse(parse_ok[_i].in, &v);
	ck_assert_msg(rc == 0, "dec_parse(\"%s\") failed", parse_ok[_i].in);
	ck_assert_msg(v == parse_ok[_i].v, "dec_parse(\"%s\") = %lld, want %lld", parse_ok[_i].in,
		      (long long)v, (long long)parse_ok[_i].v);
}
END_TEST

static const char *const parse_bad[] = {
	"",
	"   ",
	"-",
	"+",
	".",
	"-.",
	"1e3",
	"1E3",
	"1.5e2",
	"1,000",
	"1,5",
	"12,5",
	"1 000",
	"12.34567",	      /* a fifth decimal that is not zero */
	"0.00001",
	"1.000010",
	"1.2.3",
	"abc",
	"--1",
	"+-1",
	"- 1",
	"0x10",
	"1.5 x",
	"1-",
	"NaN",
	"Infinity",
	"1000000000000.12345", /* too large, but malformed first */
	"99999999999999999999999x",
};

START_TEST(parse_invalid)
{
	dec_t v = 777;
	int rc = dec_parse(parse_bad[_i], &v);
	ck_assert_msg(rc == -1, "dec_parse(\"%s\") = %d (value %lld), want -1", parse_bad[_i],
		      rc, (long long)v);
}
END_TEST

/* well-formed, but past DEC_MAX: told apart from malformed input */
static const char *const parse_too_large[] = {
	"900000000001", /* past 900 billion */
	"-900000000001",
	"1000000000000",
	"12345678901234.5678",
	"99999999999999999999999",
	"99999999999999999999999999999999999999999999.5",
	"900000000000.0001", /* past 900 billion by a fraction */
	"-900000000000.5",
	" +1000000000000.00000 ",
};

START_TEST(parse_too_large_told_apart)
{
	dec_t v = 777;
	int rc = dec_parse(parse_too_large[_i], &v);
	ck_assert_msg(rc == DEC_TOO_LARGE, "dec_parse(\"%s\") = %d, want DEC_TOO_LARGE",
		      parse_too_large[_i], rc);
	ck_assert_int_eq(v, 777);
}
END_TEST

static const struct {
	dec_t v;
	int min;
	const char *out;
} format_cases[] = {
	{ 125000, 2, "12.50" },
	{ 125000, 0, "12.5" },
	{ 125000, 4, "12.5000" },
	{ 0, 2, "0.00" },
	{ 0, 0, "0" },
	{ 10000, 0, "1" },
	{ 10000, 3, "1.000" },
	{ -5000, 2, "-0.50" },
	{ -5000, 0, "-0.5" },
	{ -12345, 2, "-1.2345" },
	{ 1, 2, "0.0001" },
	{ -1, 0, "-0.0001" },
	{ 999990, 2, "99.999" },
	{ DEC_MAX, 2, "900000000000.00" },
	{ -DEC_MAX, 0, "-900000000000" },
	{ INT64_MIN, 0, "-922337203685477.5808" }, /* no overflow in the sign */
};

START_TEST(format_table)
{
	char out[DEC_FMT_MAX];
	dec_format(format_cases[_i].v, format_cases[_i].min, out);
	ck_assert_msg(!strcmp(out, format_cases[_i].out), "dec_format(%lld, %d) = \"%s\", want \"%s\"",
		      (long long)format_cases[_i].v, format_cases[_i].min, out,
		      format_cases[_i].out);
}
END_TEST

START_TEST(negative_zero)
{
	dec_t v;
	char out[DEC_FMT_MAX];
	ck_assert_int_eq(dec_parse("-0.0000", &v), 0);
	ck_assert_int_eq(v, 0);
	dec_format(v, 2, out);
	ck_assert_str_eq(out, "0.00");
	/* -0.004 rounds to zero at two decimals: no "-0.00" */
	dec_format(dec_round(-40, 2), 2, out);
	ck_assert_str_eq(out, "0.00");
	ck_assert_int_eq(dec_mul(-1, 1, &v), 0); /* -0.0001 x 0.0001 */
	dec_format(v, 2, out);
	ck_assert_str_eq(out, "0.00");
}
END_TEST

START_TEST(parse_format_round_trip)
{
	static const char *const values[] = { "0.01", "123456.7891", "-5.5", "100", "0.3" };
	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		dec_t v, w;
		char out[DEC_FMT_MAX];
		ck_assert_int_eq(dec_parse(values[i], &v), 0);
		dec_format(v, 0, out);
		ck_assert_int_eq(dec_parse(out, &w), 0);
		ck_assert_int_eq(v, w);
	}
}
END_TEST

static const struct {
	dec_t a, b, want;
} mul_cases[] = {
	{ 30000, 1000, 3000 },		/* 3 x 0.1 = 0.3 */
	{ 30000, 333330, 999990 },	/* 3 x 33.333 = 99.999 */
	{ 15000, 15000, 22500 },	/* 1.5 x 1.5 */
	{ 5, 1000, 1 },			/* 0.0005 x 0.1 = 0.00005 -> 0.0001 (half up) */
	{ -5, 1000, -1 },		/* -0.00005 -> -0.0001 (away from zero) */
	{ 5, -1000, -1 },
	{ 4, 1000, 0 },			/* 0.00004 -> 0 */
	{ -4, 1000, 0 },
	{ 15, 1000, 2 },		/* 0.00015 -> 0.0002 */
	{ -15, 1000, -2 },
	{ 14, 1000, 1 },
	{ 0, 123456, 0 },
	{ -20000, -25000, 50000 },	/* -2 x -2.5 = 5 */
	{ 3333, 30000, 9999 },		/* 0.3333 x 3 */
};

START_TEST(mul_rounding)
{
	dec_t out = 999;
	ck_assert_int_eq(dec_mul(mul_cases[_i].a, mul_cases[_i].b, &out), 0);
	ck_assert_msg(out == mul_cases[_i].want, "dec_mul(%lld, %lld) = %lld, want %lld",
		      (long long)mul_cases[_i].a, (long long)mul_cases[_i].b, (long long)out,
		      (long long)mul_cases[_i].want);
}
END_TEST

/* one rounding of the exact product, to 0..4 decimals */
static const struct {
	dec_t a, b;
	int decimals;
	dec_t want;
} mul_round_cases[] = {
	{ 3333, 150, 2, 0 },		  /* 0.3333 x 0.015 = 0.0049995 -> 0.00 (not 0.0050 -> 0.01) */
	{ -3333, 150, 2, 0 },
	{ 3333, 150, 4, 50 },		  /* ... -> 0.0050 at four decimals */
	{ 3333, 151, 2, 100 },		  /* 0.3333 x 0.0151 = 0.00503283 -> 0.01 */
	{ 30000, 1005000, 0, 3020000 },	  /* 3 x 100.5 = 301.5 -> 302 (JPY) */
	{ -30000, 1005000, 0, -3020000 }, /* -301.5 -> -302: half away from zero */
	{ 20000, 21185, 3, 42370 },	  /* 2 x 2.1185 = 4.237 (BHD) */
	{ 30000, 10007, 3, 30020 },	  /* 3 x 1.0007 = 3.0021 -> 3.002 */
	{ 12345, 12345, 4, 15240 },	  /* 1.2345^2 = 1.52399025 -> 1.5240 */
	{ 12345, 12345, 3, 15240 },	  /* -> 1.524 */
	{ 12345, 12345, 2, 15200 },
	{ 5, 5000, 4, 3 },		  /* 0.0005 x 0.5 = 0.00025 -> 0.0003 */
	{ 1, 5000, 4, 1 },		  /* 0.0001 x 0.5 = 0.00005 -> 0.0001 (half away) */
	{ -1, 5000, 4, -1 },
	{ 1, 4999, 4, 0 },
	{ 0, 123456, 2, 0 },
	{ 10000, 12345, -1, 10000 },	  /* below 0 decimals counts as 0 */
	{ 10000, 12345, 9, 12345 },	  /* above 4 counts as 4 */
};

START_TEST(mul_round_table)
{
	dec_t out = 999;
	ck_assert_int_eq(dec_mul_round(mul_round_cases[_i].a, mul_round_cases[_i].b,
				       mul_round_cases[_i].decimals, &out), 0);
	ck_assert_msg(out == mul_round_cases[_i].want, "dec_mul_round(%lld, %lld, %d) = %lld, want %lld",
		      (long long)mul_round_cases[_i].a, (long long)mul_round_cases[_i].b,
		      mul_round_cases[_i].decimals, (long long)out, (long long)mul_round_cases[_i].want);
}
END_TEST

/* a x rate %, rounded once */
static const struct {
	dec_t a, rate;
	int decimals;
	dec_t want;
} percent_cases[] = {
	{ 133200, 77000, 2, 10300 },	/* 13.32 x 7.7 % = 1.02564 -> 1.03 */
	{ 133200, 20000, 2, 2700 },	/* 13.32 x 2 % = 0.2664 -> 0.27 */
	{ 65000, 10000, 2, 700 },	/* 6.50 x 1 % = 0.065 -> 0.07 */
	{ 64999, 10000, 2, 600 },	/* 6.4999 x 1 % = 0.064999 -> 0.06 (not 0.0650 -> 0.07) */
	{ 3020000, 100000, 0, 300000 }, /* 302 JPY x 10 % = 30.2 -> 30 */
	{ 3050000, 100000, 0, 310000 }, /* 305 x 10 % = 30.5 -> 31 */
	{ -3050000, 100000, 0, -310000 },
	{ 42370, 77250, 3, 3270 },	/* 4.237 x 7.725 % = 0.32730825 -> 0.327 (BHD) */
	{ 10000, 1, 4, 0 },		/* 1 x 0.0001 % = 0.000001 -> 0 */
	{ 0, 77000, 2, 0 },
};

START_TEST(percent_table)
{
	dec_t out = 999;
	ck_assert_int_eq(dec_percent(percent_cases[_i].a, percent_cases[_i].rate,
				     percent_cases[_i].decimals, &out), 0);
	ck_assert_msg(out == percent_cases[_i].want, "dec_percent(%lld, %lld, %d) = %lld, want %lld",
		      (long long)percent_cases[_i].a, (long long)percent_cases[_i].rate,
		      percent_cases[_i].decimals, (long long)out, (long long)percent_cases[_i].want);
}
END_TEST

START_TEST(mul_round_overflow)
{
	dec_t v = 42;
	ck_assert_int_eq(dec_mul_round(DEC_MAX, 2 * DEC_SCALE, 2, &v), -1);
	ck_assert_int_eq(v, 42); /* untouched on error */
	ck_assert_int_eq(dec_mul_round(INT64_MAX, INT64_MAX, 0, &v), -1);
	ck_assert_int_eq(dec_mul_round(INT64_MIN, INT64_MIN, 0, &v), -1);
	ck_assert_int_eq(dec_percent(INT64_MAX, INT64_MIN, 2, &v), -1);
	ck_assert_int_eq(dec_mul_round(DEC_MAX, DEC_SCALE, 4, &v), 0); /* x 1 */
	ck_assert_int_eq(v, DEC_MAX);
	ck_assert_int_eq(dec_mul_round(-DEC_MAX, DEC_SCALE, 0, &v), 0);
	ck_assert_int_eq(v, -DEC_MAX);
	ck_assert_int_eq(dec_percent(DEC_MAX, 100 * DEC_SCALE, 2, &v), 0); /* 100 % */
	ck_assert_int_eq(v, DEC_MAX);
	ck_assert_int_eq(dec_percent(DEC_MAX, 101 * DEC_SCALE, 2, &v), -1);
}
END_TEST

static const struct {
	dec_t v;
	int decimals;
	dec_t want;
} round_cases[] = {
	{ 12345, 2, 12300 },	/* 1.2345 -> 1.23 */
	{ 12350, 2, 12400 },	/* 1.235 -> 1.24 */
	{ -12350, 2, -12400 },	/* -1.235 -> -1.24 */
	{ 12349, 2, 12300 },
	{ -12349, 2, -12300 },
	{ 15000, 0, 20000 },	/* 1.5 -> 2 */
	{ -15000, 0, -20000 },	/* -1.5 -> -2 */
	{ 25000, 0, 30000 },	/* 2.5 -> 3: half away from zero, not to even */
	{ 14999, 0, 10000 },
	{ 999990, 2, 1000000 }, /* 99.999 -> 100.00 */
	{ 12345, 3, 12350 },	/* 1.2345 -> 1.235 */
	{ -12345, 3, -12350 },
	{ 12344, 3, 12340 },
	{ 12345, 4, 12345 },
	{ 0, 0, 0 },
	{ 4999, 0, 0 },
	{ 5000, 0, 10000 },
	{ -5000, 0, -10000 },
	{ 12345, -1, 10000 },	/* below 0 decimals counts as 0 */
	{ 12345, 9, 12345 },
};

START_TEST(round_table)
{
	dec_t got = dec_round(round_cases[_i].v, round_cases[_i].decimals);
	ck_assert_msg(got == round_cases[_i].want, "dec_round(%lld, %d) = %lld, want %lld",
		      (long long)round_cases[_i].v, round_cases[_i].decimals, (long long)got,
		      (long long)round_cases[_i].want);
}
END_TEST

START_TEST(add_sub_cmp)
{
	dec_t v;
	ck_assert_int_eq(dec_add(1000, 2000, &v), 0);
	ck_assert_int_eq(v, 3000);
	ck_assert_int_eq(dec_sub(1000, 2000, &v), 0);
	ck_assert_int_eq(v, -1000);
	ck_assert_int_eq(dec_cmp(1, 2), -1);
	ck_assert_int_eq(dec_cmp(2, 1), 1);
	ck_assert_int_eq(dec_cmp(-3, -3), 0);
}
END_TEST

START_TEST(overflow_detected)
{
	dec_t v = 42;
	ck_assert_int_eq(dec_add(DEC_MAX, 0, &v), 0);
	ck_assert_int_eq(v, DEC_MAX);
	v = 42;
	ck_assert_int_eq(dec_add(DEC_MAX, 1, &v), -1);
	ck_assert_int_eq(v, 42); /* untouched on error */
	ck_assert_int_eq(dec_sub(-DEC_MAX, 1, &v), -1);
	ck_assert_int_eq(dec_add(INT64_MAX, INT64_MAX, &v), -1);
	ck_assert_int_eq(dec_sub(INT64_MIN, INT64_MAX, &v), -1);
	ck_assert_int_eq(dec_mul(DEC_MAX, 2 * DEC_SCALE, &v), -1);
	ck_assert_int_eq(dec_mul(INT64_MAX, INT64_MAX, &v), -1);
	ck_assert_int_eq(dec_mul(INT64_MIN, INT64_MAX, &v), -1);
	ck_assert_int_eq(dec_mul(DEC_MAX, DEC_SCALE, &v), 0); /* x 1 */
	ck_assert_int_eq(v, DEC_MAX);
	ck_assert_int_eq(dec_mul(DEC_MAX, -DEC_SCALE, &v), 0);
	ck_assert_int_eq(v, -DEC_MAX);
}
END_TEST

static const struct {
	const char *code;
	int decimals;
} currency_cases[] = {
	{ "JPY", 0 }, { "KRW", 0 }, { "VND", 0 }, { "KWD", 3 }, { "BHD", 3 },
	{ "OMR", 3 }, { "USD", 2 }, { "EUR", 2 }, { "CHF", 2 }, { "", 2 },
};

START_TEST(currency_minor_units)
{
	ck_assert_int_eq(currency_decimals(currency_cases[_i].code), currency_cases[_i].decimals);
}
END_TEST

Suite *suite_dec(void)
{
	Suite *s = suite_create("dec");
	TCase *tc = tcase_create("parse");
	tcase_add_loop_test(tc, parse_valid, 0, (int)ARRAY_SIZE(parse_ok));
	tcase_add_loop_test(tc, parse_invalid, 0, (int)ARRAY_SIZE(parse_bad));
	tcase_add_loop_test(tc, parse_too_large_told_apart, 0, (int)ARRAY_SIZE(parse_too_large));
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_loop_test(tc, format_table, 0, (int)ARRAY_SIZE(format_cases));
	tcase_add_test(tc, negative_zero);
	tcase_add_test(tc, parse_format_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("arithmetic");
	tcase_add_loop_test(tc, mul_rounding, 0, (int)ARRAY_SIZE(mul_cases));
	tcase_add_loop_test(tc, round_table, 0, (int)ARRAY_SIZE(round_cases));
	tcase_add_loop_test(tc, mul_round_table, 0, (int)ARRAY_SIZE(mul_round_cases));
	tcase_add_loop_test(tc, percent_table, 0, (int)ARRAY_SIZE(percent_cases));
	tcase_add_test(tc, mul_round_overflow);
	tcase_add_test(tc, add_sub_cmp);
	tcase_add_test(tc, overflow_detected);
	tcase_add_loop_test(tc, currency_minor_units, 0, (int)ARRAY_SIZE(currency_cases));
	suite_add_tcase(s, tc);
	return s;
}

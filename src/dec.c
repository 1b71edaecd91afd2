/*
 * dec: see dec.h. Plain integer arithmetic, with __int128 for products.
 */
#include "dec.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int dec_parse(const char *s, dec_t *out)
{
	const char *p = s;
	while (isspace((unsigned char)*p))
		p++;
	int neg = 0;
	if (*p == '-' || *p == '+')
		neg = (*p++ == '-');
	int64_t ip = 0, fp = 0;
	int ndig = 0, nfrac = 0, too_large = 0;
	while (isdigit((unsigned char)*p)) {
		/* past the limit: keep reading to tell a long number from junk */
		if (!too_large)
			ip = ip * 10 + (*p - '0');
		p++;
		ndig++;
		if (ip > DEC_MAX / DEC_SCALE)
			too_large = 1;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (nfrac == 4) {
				/* extra digits are fine only when they are zeros */
				if (*p != '0')
					return -1;
				p++;
				continue;
			}
			fp = fp * 10 + (*p++ - '0');
			nfrac++;
		}
		if (nfrac == 0 && ndig == 0)
			return -1;
	}
	if (ndig == 0 && nfrac == 0)
		return -1;
	while (isspace((unsigned char)*p))
		p++;
	if (*p)
		return -1;
	if (too_large)
		return DEC_TOO_LARGE;
	for (int i = nfrac; i < 4; i++)
		fp *= 10;
	int64_t v = ip * DEC_SCALE + fp;
	if (v > DEC_MAX)
		return DEC_TOO_LARGE;
	*out = neg ? -v : v;
	return 0;
}

void dec_format(dec_t v, int min_decimals, char out[DEC_FMT_MAX])
{
	int neg = v < 0;
	uint64_t a = neg ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
	uint64_t ip = a / DEC_SCALE, fp = a % DEC_SCALE;
	char frac[5];
	snprintf(frac, sizeof frac, "%04u", (unsigned)fp);
	int keep = 4;
	while (keep > min_decimals && frac[keep - 1] == '0')
		keep--;
	frac[keep] = '\0';
	snprintf(out, DEC_FMT_MAX, "%s%llu%s%s", neg && (ip || keep) ? "-" : "",
		 (unsigned long long)ip, keep ? "." : "", frac);
	if (neg && !ip && keep) {
		/* -0.5 is negative; -0.00 is not printed with a sign */
		int allzero = 1;
		for (int i = 0; i < keep; i++)
			if (frac[i] != '0')
				allzero = 0;
		if (allzero)
			memmove(out, out + 1, strlen(out));
	}
}

static int dec_check(__int128 v, dec_t *out)
{
	if (v > DEC_MAX || v < -DEC_MAX)
		return -1;
	*out = (dec_t)v;
	return 0;
}

int dec_add(dec_t a, dec_t b, dec_t *out)
{
	return dec_check((__int128)a + b, out);
}

int dec_sub(dec_t a, dec_t b, dec_t *out)
{
	return dec_check((__int128)a - b, out);
}

int dec_mul(dec_t a, dec_t b, dec_t *out)
{
	__int128 p = (__int128)a * b;
	__int128 q = p / DEC_SCALE, r = p % DEC_SCALE;
	if (r < 0)
		r = -r;
	if (r * 2 >= DEC_SCALE)
		q += p < 0 ? -1 : 1;
	return dec_check(q, out);
}

/* 10^(4 - decimals): the step of a value with that many decimals. */
static int64_t dec_unit(int decimals)
{
	static const int64_t unit[] = { 10000, 1000, 100, 10, 1 };
	return unit[decimals < 0 ? 0 : decimals > 4 ? 4 : decimals];
}

/* p / div rounded half away from zero, in steps of unit (div > 0). */
static int dec_div_round(__int128 p, __int128 div, int64_t unit, dec_t *out)
{
	__int128 d = div * unit;
	__int128 q = p / d, r = p % d;
	if (r < 0)
		r = -r;
	if (r * 2 >= d)
		q += p < 0 ? -1 : 1;
	return dec_check(q * unit, out);
}

int dec_mul_round(dec_t a, dec_t b, int decimals, dec_t *out)
{
	return dec_div_round((__int128)a * b, DEC_SCALE, dec_unit(decimals), out);
}

int dec_percent(dec_t a, dec_t rate, int decimals, dec_t *out)
{
	return dec_div_round((__int128)a * rate, (__int128)DEC_SCALE * 100, dec_unit(decimals),
			     out);
}

dec_t dec_round(dec_t v, int decimals)
{
	if (decimals >= 4)
		return v;
	int64_t u = dec_unit(decimals);
	int64_t q = v / u, r = v % u;
	if (r < 0)
		r = -r;
	if (r * 2 >= u)
		q += v < 0 ? -1 : 1;
	return q * u;
}

int dec_cmp(dec_t a, dec_t b)
{
	return a < b ? -1 : a > b;
}

int currency_decimals(const char *code)
{
	if (!code)
		return 2;
	static const char *zero[] = { "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
				      "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF" };
	static const char *three[] = { "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND" };
	for (size_t i = 0; i < sizeof zero / sizeof *zero; i++)
		if (!strcmp(code, zero[i]))
			return 0;
	for (size_t i = 0; i < sizeof three / sizeof *three; i++)
		if (!strcmp(code, three[i]))
			return 3;
	return 2;
}

/*
 * datetime: see datetime.h. A small hand parser: strptime() cannot keep an
 * arbitrary zone offset, and no Debian library reads these spellings.
 */
#include "datetime.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct dt {
	int y, mo, d, h, mi, s;
	char frac[16];
	int has_time, has_zone, zsign, zh, zm;
};

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int parse_zone(const char **pp, struct dt *t)
{
	const char *p = *pp;
	while (*p == ' ')
		p++;
	if (*p == 'Z' || *p == 'z') {
		t->has_zone = 1;
		t->zsign = 1;
		t->zh = t->zm = 0;
		*pp = p + 1;
		return 0;
	}
	if (!strncasecmp(p, "UTC", 3) || !strncasecmp(p, "GMT", 3)) {
		p += 3;
		if (*p != '+' && *p != '-') {
			t->has_zone = 1;
			t->zsign = 1;
			t->zh = t->zm = 0;
			*pp = p;
			return 0;
		}
	}
	if (*p != '+' && *p != '-')
		return 1; /* no zone */
	t->zsign = *p == '-' ? -1 : 1;
	p++;
	if (digits(&p, 2, &t->zh) < 0)
		return -1;
	t->zm = 0;
	if (*p == ':')
		p++;
	if (isdigit((unsigned char)*p) && digits(&p, 2, &t->zm) < 0)
		return -1;
	if (t->zh > 14 || t->zm > 59)
		return -1;
	t->has_zone = 1;
	*pp = p;
	return 0;
}

static int parse_time(const char **pp, struct dt *t)
{
	const char *p = *pp;
	if (digits(&p, 2, &t->h) < 0 || *p++ != ':' || digits(&p, 2, &t->mi) < 0)
		return -1;
	t->s = 0;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &t->s) < 0)
			return -1;
		if (*p == '.' || *p == ',') {
			p++;
			size_t n = 0;
			while (isdigit((unsigned char)p[n]) && n < sizeof t->frac - 1) {
				t->frac[n] = p[n];
				n++;
			}
			if (n == 0 || isdigit((unsigned char)p[n]))
				return -1;
			t->frac[n] = '\0';
			p += n;
		}
	}
	if (t->h > 23 || t->mi > 59 || t->s > 60)
		return -1;
	t->has_time = 1;
	*pp = p;
	return 0;
}

static int parse_iso(const char *p, struct dt *t)
{
	if (digits(&p, 4, &t->y) < 0 || *p++ != '-' || digits(&p, 2, &t->mo) < 0 ||
	    *p++ != '-' || digits(&p, 2, &t->d) < 0)
		return -1;
	if (*p == 'T' || *p == 't' || (*p == ' ' && isdigit((unsigned char)p[1]))) {
		p++;
		if (parse_time(&p, t) < 0)
			return -1;
		if (parse_zone(&p, t) < 0)
			return -1;
	} else if (*p == 'Z' || *p == '+' || *p == '-') {
		/* xsd:date with zone: keep the date, the zone has no meaning alone */
		struct dt z = *t;
		if (parse_zone(&p, &z) < 0)
			return -1;
	}
	while (isspace((unsigned char)*p))
		p++;
	return *p ? -1 : 0;
}

static int month_of(const char *p)
{
	static const char *m[] = { "jan", "feb", "mar", "apr", "may", "jun",
				   "jul", "aug", "sep", "oct", "nov", "dec" };
	for (int i = 0; i < 12; i++)
		if (!strncasecmp(p, m[i], 3))
			return i + 1;
	return 0;
}

/* "Mon May 19 18:29:48 +0000 2008" or "Mon, 19 May 2008 18:29:48 +0000" */
static int parse_textual(const char *p, struct dt *t)
{
	if (!isalpha((unsigned char)p[0]) || !isalpha((unsigned char)p[1]) ||
	    !isalpha((unsigned char)p[2]))
		return -1;
	p += 3;
	if (*p == ',') {
		p++;
		while (*p == ' ')
			p++;
		int n = isdigit((unsigned char)p[1]) ? 2 : 1;
		if (digits(&p, n, &t->d) < 0 || *p++ != ' ' || !(t->mo = month_of(p)))
			return -1;
		p += 3;
		if (*p++ != ' ' || digits(&p, 4, &t->y) < 0 || *p++ != ' ' || parse_time(&p, t) < 0)
			return -1;
		if (parse_zone(&p, t) < 0)
			return -1;
	} else {
		if (*p++ != ' ' || !(t->mo = month_of(p)))
			return -1;
		p += 3;
		while (*p == ' ')
			p++;
		int n = isdigit((unsigned char)p[1]) ? 2 : 1;
		if (digits(&p, n, &t->d) < 0 || *p++ != ' ' || parse_time(&p, t) < 0)
			return -1;
		if (parse_zone(&p, t) < 0)
			return -1;
		while (*p == ' ')
			p++;
		if (digits(&p, 4, &t->y) < 0)
			return -1;
	}
	while (isspace((unsigned char)*p))
		p++;
	return *p ? -1 : 0;
}

int datetime_valid_zone(const char *z)
{
	struct dt t;
	memset(&t, 0, sizeof t);
	const char *p = z;
	return parse_zone(&p, &t) == 0 && *p == '\0';
}

enum datetime_kind datetime_normalize(const char *in, const char *assume_zone,
				      char out[DATETIME_MAX])
{
	struct dt t;
	memset(&t, 0, sizeof t);
	while (isspace((unsigned char)*in))
		in++;
	out[0] = '\0';
	if (parse_iso(in, &t) < 0) {
		memset(&t, 0, sizeof t);
		if (parse_textual(in, &t) < 0)
			return DATETIME_INVALID;
	}
	if (t.y < 1 || t.mo < 1 || t.mo > 12 || t.d < 1 || t.d > days_in_month(t.y, t.mo))
		return DATETIME_INVALID;
	if (!t.has_time) {
		snprintf(out, DATETIME_MAX, "%04d-%02d-%02d", t.y, t.mo, t.d);
		return DATETIME_DATE;
	}
	enum datetime_kind kind = DATETIME_ZONED;
	if (!t.has_zone) {
		const char *p = assume_zone ? assume_zone : "+00:00";
		if (parse_zone(&p, &t) < 0 || !t.has_zone) {
			t.has_zone = 1;
			t.zsign = 1;
			t.zh = t.zm = 0;
		}
		kind = DATETIME_ASSUMED;
	}
	snprintf(out, DATETIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02d%s%s%c%02d:%02d", t.y, t.mo,
		 t.d, t.h, t.mi, t.s, t.frac[0] ? "." : "", t.frac, t.zsign < 0 ? '-' : '+', t.zh,
		 t.zm);
	return kind;
}

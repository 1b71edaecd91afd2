/*
 * csv: see csv.h. Three parts: the column map (INI through libinih), the
 * decoder (iconv to UTF-8) with the record splitter, and the reader that
 * groups rows into orders and writes the neutral XML.
 */
#define _GNU_SOURCE
#include "csv.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#define MAP_MAX_BYTES (1024 * 1024)
#define MAX_COLUMN 10000
#define SNIFF_BYTES (64 * 1024)

/* ================================================================== */
/* canonical fields                                                   */
/* ================================================================== */

enum level { L_ORDER, L_LINE };
enum kind { K_TEXT, K_DECIMAL, K_DATE, K_LINENO };

struct field_def {
	const char *name;
	enum level level;
	enum kind kind;
	int prefix;   /* name is a prefix: extrinsic.NAME */
	int required; /* the canonical order cannot do without it */
};

/* What a map may name, in the order the neutral document lists them. */
static const struct field_def field_defs[] = {
	{ "orderID", L_ORDER, K_TEXT, 0, 0 },
	{ "orderDate", L_ORDER, K_DATE, 0, 0 },
	{ "currency", L_ORDER, K_TEXT, 0, 1 },
	{ "type", L_ORDER, K_TEXT, 0, 0 },
	{ "requestedDeliveryDate", L_ORDER, K_DATE, 0, 0 },
	{ "from.identity", L_ORDER, K_TEXT, 0, 0 },
	{ "from.domain", L_ORDER, K_TEXT, 0, 0 },
	{ "to.identity", L_ORDER, K_TEXT, 0, 0 },
	{ "to.domain", L_ORDER, K_TEXT, 0, 0 },
	{ "shipTo.name", L_ORDER, K_TEXT, 0, 0 },
	{ "shipTo.street", L_ORDER, K_TEXT, 0, 0 },
	{ "shipTo.city", L_ORDER, K_TEXT, 0, 0 },
	{ "shipTo.state", L_ORDER, K_TEXT, 0, 0 },
	{ "shipTo.postalCode", L_ORDER, K_TEXT, 0, 0 },
	{ "shipTo.country", L_ORDER, K_TEXT, 0, 0 },
	{ "shipTo.countryCode", L_ORDER, K_TEXT, 0, 0 },
	{ "billTo.name", L_ORDER, K_TEXT, 0, 0 },
	{ "comment", L_ORDER, K_TEXT, 0, 0 },
	{ "extrinsic.", L_ORDER, K_TEXT, 1, 0 },
	{ "line.number", L_LINE, K_LINENO, 0, 0 },
	{ "line.quantity", L_LINE, K_DECIMAL, 0, 1 },
	{ "line.unitOfMeasure", L_LINE, K_TEXT, 0, 1 },
	{ "line.supplierPartID", L_LINE, K_TEXT, 0, 0 },
	{ "line.buyerPartID", L_LINE, K_TEXT, 0, 0 },
	{ "line.description", L_LINE, K_TEXT, 0, 0 },
	{ "line.unitPrice", L_LINE, K_DECIMAL, 0, 1 },
	{ "line.requestedDeliveryDate", L_LINE, K_DATE, 0, 0 },
	{ "line.extrinsic.", L_LINE, K_TEXT, 1, 0 },
	/* shipment feeds (document = shipment) */
	{ "shipment.id", L_ORDER, K_TEXT, 0, 0 },
	{ "shipment.date", L_ORDER, K_DATE, 0, 0 },
	{ "shipment.carrier", L_ORDER, K_TEXT, 0, 0 },
	{ "shipment.tracking", L_ORDER, K_TEXT, 0, 0 },
};

static const struct field_def *field_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(field_defs); i++) {
		const struct field_def *d = &field_defs[i];
		if (d->prefix) {
			size_t n = strlen(d->name);
			if (!strncmp(name, d->name, n) && name[n] != '\0')
				return d;
		} else if (!strcmp(name, d->name)) {
			return d;
		}
	}
	return NULL;
}

/* ================================================================== */
/* the map                                                            */
/* ================================================================== */

struct csv_field {
	char *name; /* canonical field name */
	const struct field_def *def;
	char *column;   /* column name, or NULL */
	int colnum;     /* 1-based column number, or 0 */
	int col_line;   /* INI line of the column */
	char *constant; /* already normalised, or NULL */
};

struct csv_map {
	char *name, *path;
	char delim;
	int quote; /* the quote character, or -1 for none */
	int header, repeated;
	char *encoding; /* NULL: UTF-8 */
	char decimal;
	char *date_format;
	int line_base;
	char *order_col; /* by name, or */
	int order_colnum; /* by number */
	int order_line;
	char **signature;
	int nsignature;
	struct csv_field *fields;
	int nfields;
	int shipment; /* document = shipment: a fulfilment feed, not orders */
};

const char *csv_map_name(const struct csv_map *map)
{
	return map->name;
}

void csv_map_free(struct csv_map *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->path);
	free(m->encoding);
	free(m->date_format);
	free(m->order_col);
	for (int i = 0; i < m->nsignature; i++)
		free(m->signature[i]);
	free(m->signature);
	for (int i = 0; i < m->nfields; i++) {
		free(m->fields[i].name);
		free(m->fields[i].column);
		free(m->fields[i].constant);
	}
	free(m->fields);
	free(m);
}

static int is_utf8_name(const char *e)
{
	return !strcasecmp(e, "UTF-8") || !strcasecmp(e, "UTF8");
}

/* Decimal "1.234,50" (decimal ',') or "1,234.50" (decimal '.') to
 * "1234.50". Thousands separators must group by three. Returns 0, or -1
 * with *why. */
static int norm_decimal(const char *s, char decimal, struct buf *out, const char **why)
{
	char thou = decimal == ',' ? '.' : ',';
	const char *p = s;
	int ndig = 0, group = -1, frac = 0;
	buf_reset(out);
	if (*p == '-' || *p == '+') {
		if (*p == '-')
			buf_addch(out, '-');
		p++;
	}
	for (; *p && (isdigit((unsigned char)*p) || *p == thou); p++) {
		if (*p == thou) {
			if ((group < 0 && (ndig == 0 || ndig > 3)) || (group >= 0 && group != 3)) {
				*why = "misplaced thousands separator";
				return -1;
			}
			group = 0;
			continue;
		}
		buf_addch(out, *p);
		ndig++;
		if (group >= 0)
			group++;
	}
	if (group >= 0 && group != 3) {
		*why = "misplaced thousands separator";
		return -1;
	}
	if (*p == decimal) {
		p++;
		if (ndig == 0)
			buf_addch(out, '0');
		if (*p)
			buf_addch(out, '.');
		for (; isdigit((unsigned char)*p); p++) {
			buf_addch(out, *p);
			frac++;
		}
		if (frac == 0 && *p == '\0') {
			*why = "no digits after the decimal separator";
			return -1;
		}
	}
	if (*p) {
		*why = decimal == ',' ? "not a number (decimal comma expected: 1.234,50)"
				      : "not a number (decimal point expected: 1,234.50)";
		return -1;
	}
	if (ndig == 0 && frac == 0) {
		*why = "no digits";
		return -1;
	}
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* Reads up to max digits (at least min). */
static int take_digits(const char **p, int min, int max, int *v)
{
	int n = 0;
	*v = 0;
	while (n < max && isdigit((unsigned char)**p)) {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n >= min ? 0 : -1;
}

/* A date written in fmt (DD, MM, YYYY and literal characters), optionally
 * followed by " hh:mm[:ss]" (or "T..."), to "YYYY-MM-DD[ hh:mm:ss]". */
static int norm_date(const char *s, const char *fmt, struct buf *out)
{
	int y = -1, m = -1, d = -1;
	const char *p = s;
	for (const char *f = fmt; *f;) {
		if (!strncmp(f, "YYYY", 4)) {
			if (take_digits(&p, 4, 4, &y) < 0)
				return -1;
			f += 4;
		} else if (!strncmp(f, "MM", 2)) {
			if (take_digits(&p, 1, 2, &m) < 0)
				return -1;
			f += 2;
		} else if (!strncmp(f, "DD", 2)) {
			if (take_digits(&p, 1, 2, &d) < 0)
				return -1;
			f += 2;
		} else {
			if (*p != *f)
				return -1;
			p++;
			f++;
		}
	}
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	buf_reset(out);
	buf_printf(out, "%04d-%02d-%02d", y, m, d);
	if (*p == '\0')
		return 0;
	if (*p != ' ' && *p != 'T')
		return -1;
	while (*p == ' ')
		p++;
	if (*p == 'T')
		p++;
	int hh, mm, ss = 0;
	if (take_digits(&p, 1, 2, &hh) < 0 || *p++ != ':' || take_digits(&p, 2, 2, &mm) < 0)
		return -1;
	if (*p == ':') {
		p++;
		if (take_digits(&p, 2, 2, &ss) < 0)
			return -1;
	}
	if (*p || hh > 23 || mm > 59 || ss > 59)
		return -1;
	buf_printf(out, " %02d:%02d:%02d", hh, mm, ss);
	return 0;
}

static int valid_date_format(const char *f)
{
	const char *y = strstr(f, "YYYY"), *m = strstr(f, "MM"), *d = strstr(f, "DD");
	if (!y || !m || !d || strstr(y + 4, "YYYY") || strstr(m + 2, "MM") || strstr(d + 2, "DD"))
		return 0;
	for (const char *p = f; *p; p++)
		if (isdigit((unsigned char)*p) || (isalpha((unsigned char)*p) && !strchr("YMD", *p)))
			return 0;
	return 1;
}

/* INI parsing state. The reader counts lines, so the handler knows the
 * line of the key it is given. */
struct ini_state {
	struct csv_map *m;
	const char *p, *end;
	int line;
	int too_long;
	char *err;
};

static char *map_reader(char *str, int num, void *stream)
{
	struct ini_state *st = stream;
	if (st->p >= st->end)
		return NULL;
	int i = 0;
	while (st->p < st->end && i < num - 1) {
		char c = *st->p++;
		str[i++] = c;
		if (c == '\n')
			break;
	}
	str[i] = '\0';
	if (i > 0 && str[i - 1] == '\n')
		st->line++;
	else if (st->p < st->end) {
		if (!st->too_long)
			st->too_long = st->line + 1;
	} else
		st->line++;
	return str;
}

static int ini_fail(struct ini_state *st, const char *fmt, ...) OG_PRINTF(2, 3);
static int ini_fail(struct ini_state *st, const char *fmt, ...)
{
	if (st->err)
		return 0;
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	st->err = xasprintf("%s:%d: %s", st->m->path, st->line, msg ? msg : "error");
	free(msg);
	return 0;
}

static int yes_no(const char *v, int *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

/* "12" is column 12, anything else a column name. */
static void parse_colref(const char *v, char **name, int *num)
{
	int digits = *v != '\0';
	for (const char *p = v; *p; p++)
		if (!isdigit((unsigned char)*p))
			digits = 0;
	*name = NULL;
	*num = 0;
	if (digits && strlen(v) <= 5)
		*num = atoi(v);
	else
		*name = xstrdup(v);
}

static struct csv_field *field_get(struct csv_map *m, const char *name,
				   const struct field_def *def)
{
	for (int i = 0; i < m->nfields; i++)
		if (!strcmp(m->fields[i].name, name))
			return &m->fields[i];
	m->fields = xrealloc(m->fields, (size_t)(m->nfields + 1) * sizeof *m->fields);
	struct csv_field *f = &m->fields[m->nfields++];
	memset(f, 0, sizeof *f);
	f->name = xstrdup(name);
	f->def = def;
	return f;
}

static int csv_key(struct ini_state *st, const char *name, const char *value)
{
	struct csv_map *m = st->m;
	if (!strcmp(name, "delimiter")) {
		static const struct {
			const char *name;
			char c;
		} names[] = { { "comma", ',' }, { "semicolon", ';' }, { "tab", '\t' },
			      { "pipe", '|' }, { "\\t", '\t' } };
		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcasecmp(value, names[i].name)) {
				m->delim = names[i].c;
				return 1;
			}
		if (value[0] == '\0')
			return ini_fail(st, "empty delimiter (write \"semicolon\": a \";\" after a "
					    "space starts a comment)");
		if (value[1] != '\0' || !isprint((unsigned char)value[0]) || value[0] == ' ' ||
		    value[0] == '"' || value[0] == '\'')
			return ini_fail(st, "delimiter \"%s\": one printable character, or comma, "
					    "semicolon, tab, pipe", value);
		m->delim = value[0];
	} else if (!strcmp(name, "quote")) {
		if (!strcasecmp(value, "none"))
			m->quote = -1;
		else if (!strcmp(value, "\"") || !strcmp(value, "'"))
			m->quote = (unsigned char)value[0];
		else
			return ini_fail(st, "quote \"%s\": \", ' or none", value);
	} else if (!strcmp(name, "header")) {
		if (yes_no(value, &m->header) < 0)
			return ini_fail(st, "header \"%s\": yes or no", value);
	} else if (!strcmp(name, "repeated")) {
		if (yes_no(value, &m->repeated) < 0)
			return ini_fail(st, "repeated \"%s\": yes or no", value);
	} else if (!strcmp(name, "encoding")) {
		if (is_utf8_name(value)) {
			free(m->encoding);
			m->encoding = NULL;
			return 1;
		}
		iconv_t cd = iconv_open("UTF-8", value);
		if (cd == (iconv_t)-1)
			return ini_fail(st, "encoding \"%s\" is not known to iconv", value);
		iconv_close(cd);
		free(m->encoding);
		m->encoding = xstrdup(value);
	} else if (!strcmp(name, "decimal")) {
		if (strcmp(value, ".") && strcmp(value, ","))
			return ini_fail(st, "decimal \"%s\": \".\" or \",\"", value);
		m->decimal = value[0];
	} else if (!strcmp(name, "order_number")) {
		if (value[0] == '\0')
			return ini_fail(st, "empty order_number");
		free(m->order_col);
		parse_colref(value, &m->order_col, &m->order_colnum);
		if (!m->order_col && (m->order_colnum < 1 || m->order_colnum > MAX_COLUMN))
			return ini_fail(st, "order_number column %s out of range", value);
		m->order_line = st->line;
	} else if (!strcmp(name, "signature")) {
		char *copy = xstrdup(value), *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			t = str_trim(t);
			if (*t == '\0')
				continue;
			m->signature = xrealloc(m->signature,
						(size_t)(m->nsignature + 1) * sizeof *m->signature);
			m->signature[m->nsignature++] = xstrdup(t);
		}
		free(copy);
		if (m->nsignature == 0)
			return ini_fail(st, "empty signature");
	} else if (!strcmp(name, "date_format")) {
		if (!valid_date_format(value))
			return ini_fail(st, "date_format \"%s\": DD, MM and YYYY once each with "
					    "separators, e.g. DD.MM.YYYY, MM/DD/YYYY, YYYY-MM-DD",
					value);
		free(m->date_format);
		m->date_format = xstrdup(value);
	} else if (!strcmp(name, "line_number_base")) {
		if (strcmp(value, "0") && strcmp(value, "1"))
			return ini_fail(st, "line_number_base \"%s\": 0 or 1", value);
		m->line_base = value[0] - '0';
	} else if (!strcmp(name, "document")) {
		if (strcmp(value, "order") && strcmp(value, "shipment"))
			return ini_fail(st, "document \"%s\": order or shipment", value);
		m->shipment = !strcmp(value, "shipment");
	} else {
		return ini_fail(st, "unknown key \"%s\" in [csv]", name);
	}
	return 1;
}

static int field_key(struct ini_state *st, const char *section, const char *name,
		     const char *value)
{
	struct csv_map *m = st->m;
	const struct field_def *def = field_lookup(name);
	if (!def)
		return ini_fail(st, "unknown field \"%s\" in [%s]", name, section);
	if (!strcmp(name, "orderID"))
		return ini_fail(st, "orderID comes from [csv] order_number, not from [%s]",
				section);
	struct csv_field *f = field_get(m, name, def);
	if (!strcmp(section, "fields")) {
		if (f->column || f->colnum)
			return ini_fail(st, "field \"%s\" given twice in [fields]", name);
		if (value[0] == '\0')
			return ini_fail(st, "field \"%s\": empty column", name);
		parse_colref(value, &f->column, &f->colnum);
		if (!f->column && (f->colnum < 1 || f->colnum > MAX_COLUMN))
			return ini_fail(st, "field \"%s\": column %s out of range", name, value);
		f->col_line = st->line;
		return 1;
	}
	if (f->constant)
		return ini_fail(st, "field \"%s\" given twice in [constants]", name);
	if (value[0] == '\0')
		return ini_fail(st, "field \"%s\": empty constant", name);
	if (def->kind == K_LINENO)
		return ini_fail(st, "line.number cannot be a constant (line numbers must be unique)");
	for (const char *p = value; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return ini_fail(st, "field \"%s\": control character in the constant", name);
	if (def->kind == K_DECIMAL) {
		struct buf b = BUF_INIT;
		const char *why = NULL;
		if (norm_decimal(value, '.', &b, &why) < 0) {
			buf_release(&b);
			return ini_fail(st, "field \"%s\": constant \"%s\": %s (write it with a "
					    "decimal point)", name, value, why);
		}
		f->constant = buf_detach(&b);
	} else {
		f->constant = xstrdup(value);
	}
	return 1;
}

static int map_handler(void *user, const char *section, const char *name, const char *value)
{
	struct ini_state *st = user;
	if (st->err)
		return 0;
	if (st->too_long) {
		st->line = st->too_long;
		return ini_fail(st, "line too long (at most 199 characters)");
	}
	if (!strcmp(section, "csv"))
		return csv_key(st, name, value);
	if (!strcmp(section, "fields") || !strcmp(section, "constants"))
		return field_key(st, section, name, value);
	return ini_fail(st, "unknown section [%s] (csv, fields, constants)", section);
}

static char *map_name_of(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	if (n > 4 && !strcmp(b + n - 4, ".ini"))
		n -= 4;
	return xstrndup(b, n);
}

static int map_check(struct csv_map *m, char **err)
{
	if (!m->order_col && !m->order_colnum) {
		*err = xasprintf("%s: [csv] order_number is missing (the column that holds the "
				 "order number)", m->path);
		return -1;
	}
	if (m->order_col && !m->header) {
		*err = xasprintf("%s:%d: order_number names column \"%s\", but header = no: "
				 "give a column number", m->path, m->order_line, m->order_col);
		return -1;
	}
	if (m->nsignature && !m->header) {
		*err = xasprintf("%s: a signature needs header = yes (it names header columns)",
				 m->path);
		return -1;
	}
	if (m->quote >= 0 && m->quote == (unsigned char)m->delim) {
		*err = xasprintf("%s: the quote character is also the delimiter", m->path);
		return -1;
	}
	for (int i = 0; i < m->nfields; i++) {
		const struct csv_field *f = &m->fields[i];
		if (f->column && !m->header) {
			*err = xasprintf("%s:%d: field \"%s\" names column \"%s\", but header = no: "
					 "give a column number", m->path, f->col_line, f->name,
					 f->column);
			return -1;
		}
	}
	if (m->shipment) {
		int given = 0;
		for (int j = 0; j < m->nfields; j++)
			if (!strcmp(m->fields[j].name, "shipment.id") &&
			    (m->fields[j].column || m->fields[j].colnum))
				given = 1;
		if (!given) {
			*err = xasprintf("%s: a shipment feed needs a column for shipment.id (one "
					 "ID per shipment: it tells a second shipment of an order "
					 "from the same one sent again): add it to [fields]",
					 m->path);
			return -1;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(field_defs); i++) {
		const struct field_def *d = &field_defs[i];
		/* a shipment feed needs only the shipped quantity per line */
		if (!d->required || (m->shipment && strcmp(d->name, "line.quantity")))
			continue;
		int given = 0;
		for (int j = 0; j < m->nfields; j++)
			if (m->fields[j].def == d)
				given = 1;
		if (!given) {
			*err = xasprintf("%s: no column or constant gives %s (every canonical "
					 "order needs it): add it to [fields] or [constants]",
					 m->path, d->name);
			return -1;
		}
	}
	return 0;
}

int csv_map_load(const char *path, struct csv_map **out, char **err)
{
	*out = NULL;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	struct buf text = BUF_INIT;
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		buf_add(&text, chunk, got);
		if (text.len > MAP_MAX_BYTES)
			break;
	}
	int rerr = ferror(fp);
	fclose(fp);
	if (rerr || text.len > MAP_MAX_BYTES) {
		*err = xasprintf("%s: %s", path, rerr ? "read error" : "larger than 1 MiB");
		buf_release(&text);
		return -1;
	}

	struct csv_map *m = xcalloc(1, sizeof *m);
	m->path = xstrdup(path);
	m->name = map_name_of(path);
	m->delim = ',';
	m->quote = '"';
	m->header = 1;
	m->repeated = 1;
	m->decimal = '.';
	m->line_base = 1;

	struct ini_state st = { .m = m, .p = text.data ? text.data : "", .end = NULL };
	st.end = st.p + text.len;
	int rc = ini_parse_stream(map_reader, &st, map_handler, &st);
	if (!st.err && st.too_long) {
		st.line = st.too_long;
		ini_fail(&st, "line too long (at most 199 characters)");
	}
	if (!st.err && rc > 0)
		st.err = xasprintf("%s:%d: not a [section] or key = value line", path, rc);
	else if (!st.err && rc < 0)
		st.err = xasprintf("%s: cannot be parsed", path);
	buf_release(&text);
	if (st.err) {
		*err = st.err;
		csv_map_free(m);
		return -1;
	}
	if (map_check(m, err) < 0) {
		csv_map_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

/* ================================================================== */
/* decoding                                                           */
/* ================================================================== */

static int row_of(const char *text, size_t upto)
{
	int row = 1;
	for (size_t i = 0; i < upto; i++)
		if (text[i] == '\n')
			row++;
	return row;
}

/* Length of a valid UTF-8 sequence (no overlongs, surrogates, U+FFFE/F or
 * past U+10FFFF) at p, 0 when invalid, -1 when cut short by end. */
static int utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	int n;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (int i = 1; i < n; i++) {
		if (p + i >= end)
			return -1;
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
		return 0;
	return n;
}

/* Decodes data into UTF-8 text. With partial (header sniffing), a bad or
 * cut sequence ends the text instead of failing. */
static int decode(const struct csv_map *m, const char *data, size_t len, const char *file,
		  int partial, struct buf *out, char **err)
{
	const char *enc = m->encoding;
	buf_reset(out);
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
		/* a UTF-8 byte order mark says what the file is, whatever the map says */
		data += 3;
		len -= 3;
		enc = NULL;
	} else if (len >= 2 && (!memcmp(data, "\xFF\xFE", 2) || !memcmp(data, "\xFE\xFF", 2))) {
		enc = "UTF-16";
	}
	if (!enc) {
		const unsigned char *p = (const unsigned char *)data, *end = p + len;
		while (p < end) {
			int n = utf8_seq(p, end);
			if (n <= 0) {
				if (partial)
					break;
				*err = xasprintf("%s: row %d: byte 0x%02X at offset %zu is not valid "
						 "UTF-8 (is the file in another encoding? set "
						 "encoding in map %s)",
						 file, row_of(data, (size_t)((const char *)p - data)),
						 *p, (size_t)((const char *)p - data), m->name);
				return -1;
			}
			p += n;
		}
		buf_add(out, data, (size_t)((const char *)p - data));
	} else {
		iconv_t cd = iconv_open("UTF-8", enc);
		if (cd == (iconv_t)-1) {
			*err = xasprintf("%s: encoding %s is not available", file, enc);
			return -1;
		}
		char *in = (char *)(uintptr_t)data;
		size_t inleft = len;
		while (inleft > 0) {
			buf_grow(out, inleft * 2 + 16);
			char *o = out->data + out->len;
			size_t oleft = out->cap - out->len - 1;
			size_t r = iconv(cd, &in, &inleft, &o, &oleft);
			out->len = (size_t)(o - out->data);
			out->data[out->len] = '\0';
			if (r != (size_t)-1 || errno == E2BIG)
				continue;
			if (partial)
				break;
			*err = xasprintf("%s: row %d: byte 0x%02X at offset %zu is not valid %s%s",
					 file, row_of(out->data, out->len), (unsigned char)*in,
					 (size_t)(in - data), enc,
					 errno == EINVAL ? " (the file ends inside a character)" : "");
			iconv_close(cd);
			return -1;
		}
		iconv_close(cd);
	}
	if (!out->data)
		buf_grow(out, 0);
	if (memchr(out->data, '\0', out->len)) {
		if (partial) {
			out->len = strlen(out->data);
			return 0;
		}
		size_t at = (size_t)((char *)memchr(out->data, '\0', out->len) - out->data);
		*err = xasprintf("%s: row %d: a NUL character: not a text file in %s (UTF-16 "
				 "without a byte order mark?)",
				 file, row_of(out->data, at), enc ? enc : "UTF-8");
		return -1;
	}
	return 0;
}

/* ================================================================== */
/* records                                                            */
/* ================================================================== */

struct parser {
	const char *p, *end;
	int line; /* physical line of p */
	char delim;
	int quote;
};

struct rec {
	char **f;
	int n, cap;
	int row;
	int err_col; /* 1-based; 0: none */
	const char *err;
};

static void rec_clear(struct rec *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->f[i]);
	r->n = 0;
	r->err = NULL;
	r->err_col = 0;
}

static void rec_free(struct rec *r)
{
	rec_clear(r);
	free(r->f);
	r->f = NULL;
	r->cap = 0;
}

static void rec_add(struct rec *r, const struct buf *b)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->f = xrealloc(r->f, (size_t)r->cap * sizeof *r->f);
	}
	r->f[r->n++] = xstrndup(b->data ? b->data : "", b->len);
}

static int is_blank(char c, char delim)
{
	return c == ' ' || (c == '\t' && delim != '\t');
}

/* Reads the next record: 1, 0 at the end, -1 for a quote never closed
 * (*open_row, *open_col say where it opened). */
static int next_record(struct parser *ps, struct rec *r, struct buf *tmp, int *open_row,
		       int *open_col)
{
	rec_clear(r);
	if (ps->p >= ps->end)
		return 0;
	r->row = ps->line;
	for (;;) {
		buf_reset(tmp);
		const char *s = ps->p;
		while (s < ps->end && is_blank(*s, ps->delim))
			s++;
		if (ps->quote >= 0 && s < ps->end && (unsigned char)*s == ps->quote) {
			int qrow = ps->line;
			ps->p = s + 1;
			for (;;) {
				if (ps->p >= ps->end) {
					*open_row = qrow;
					*open_col = r->n + 1;
					return -1;
				}
				const char *q = ps->p;
				while (q < ps->end && (unsigned char)*q != ps->quote && *q != '\r' &&
				       *q != '\n')
					q++;
				buf_add(tmp, ps->p, (size_t)(q - ps->p));
				ps->p = q;
				if (q >= ps->end)
					continue;
				if ((unsigned char)*q == ps->quote) {
					if (q + 1 < ps->end && (unsigned char)q[1] == ps->quote) {
						buf_addch(tmp, *q);
						ps->p = q + 2;
						continue;
					}
					ps->p = q + 1;
					break;
				}
				/* a line break inside quotes is part of the field, as LF */
				buf_addch(tmp, '\n');
				ps->p = q + 1;
				if (*q == '\r' && ps->p < ps->end && *ps->p == '\n')
					ps->p++;
				ps->line++;
			}
			while (ps->p < ps->end && is_blank(*ps->p, ps->delim))
				ps->p++;
			if (ps->p < ps->end && *ps->p != ps->delim && *ps->p != '\r' &&
			    *ps->p != '\n') {
				if (!r->err) {
					r->err = "text after the closing quote (a quote inside a "
						 "quoted field must be doubled)";
					r->err_col = r->n + 1;
				}
				while (ps->p < ps->end && *ps->p != ps->delim && *ps->p != '\r' &&
				       *ps->p != '\n')
					buf_addch(tmp, *ps->p++);
			}
		} else {
			const char *q = ps->p;
			while (q < ps->end && *q != ps->delim && *q != '\r' && *q != '\n')
				q++;
			buf_add(tmp, ps->p, (size_t)(q - ps->p));
			ps->p = q;
		}
		rec_add(r, tmp);
		if (ps->p < ps->end && *ps->p == ps->delim) {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end) {
			if (*ps->p == '\r' && ps->p + 1 < ps->end && ps->p[1] == '\n')
				ps->p++;
			ps->p++;
			ps->line++;
		}
		return 1;
	}
}

/* A copy of s without surrounding whitespace (caller frees). */
static char *trimmed(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	return xstrndup(s, n);
}

static int value_empty(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n')
			return 0;
	return 1;
}

static int rec_blank(const struct rec *r)
{
	for (int i = 0; i < r->n; i++)
		if (!value_empty(r->f[i]))
			return 0;
	return 1;
}

/* Index + 1 of the last non-empty field. */
static int rec_width(const struct rec *r)
{
	int w = 0;
	for (int i = 0; i < r->n; i++)
		if (!value_empty(r->f[i]))
			w = i + 1;
	return w;
}

/* ================================================================== */
/* header signature                                                   */
/* ================================================================== */

static int header_index(char *const *names, int n, const char *want, int *dup)
{
	int found = -1;
	*dup = 0;
	for (int i = 0; i < n; i++) {
		if (strcasecmp(names[i], want))
			continue;
		if (found >= 0)
			*dup = 1;
		else
			found = i;
	}
	return found;
}

static void trim_all(struct rec *r)
{
	for (int i = 0; i < r->n; i++) {
		char *t = trimmed(r->f[i]);
		free(r->f[i]);
		r->f[i] = t;
	}
}

int csv_map_matches_header(const struct csv_map *m, const char *data, size_t len)
{
	if (m->nsignature == 0)
		return 0;
	struct buf text = BUF_INIT, tmp = BUF_INIT;
	char *err = NULL;
	int match = 0;
	if (decode(m, data, len < SNIFF_BYTES ? len : SNIFF_BYTES, "", 1, &text, &err) == 0) {
		struct parser ps = { text.data, text.data + text.len, 1, m->delim, m->quote };
		struct rec r = { 0 };
		int orow, ocol, rc;
		while ((rc = next_record(&ps, &r, &tmp, &orow, &ocol)) == 1 && rec_blank(&r))
			;
		if (rc == 1) {
			trim_all(&r);
			match = 1;
			for (int i = 0; i < m->nsignature && match; i++) {
				int dup;
				if (header_index(r.f, r.n, m->signature[i], &dup) < 0)
					match = 0;
			}
		}
		rec_free(&r);
	}
	free(err);
	buf_release(&text);
	buf_release(&tmp);
	return match;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int csv_map_detect(const char *dir, const char *data, size_t len, struct csv_map **out,
		   char **err)
{
	*out = NULL;
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		*err = xasprintf("%s: %s", dir, strerror(errno));
		return -1;
	}
	char **names = NULL;
	int n = 0, rc = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l <= 4 || strcmp(e->d_name + l - 4, ".ini"))
			continue;
		names = xrealloc(names, (size_t)(n + 1) * sizeof *names);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof *names, cmp_str);
	for (int i = 0; i < n && rc >= 0; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		struct csv_map *m = NULL;
		if (csv_map_load(path, &m, err) < 0) {
			rc = -1;
		} else if (!csv_map_matches_header(m, data, len)) {
			csv_map_free(m);
		} else if (*out) {
			*err = xasprintf("the header matches the signatures of maps %s and %s: make "
					 "one signature more specific, or bind the folder to a map",
					 (*out)->name, m->name);
			csv_map_free(m);
			rc = -1;
		} else {
			*out = m;
			rc = 1;
		}
		free(path);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc < 0) {
		csv_map_free(*out);
		*out = NULL;
	}
	return rc;
}

/* ================================================================== */
/* the reader                                                         */
/* ================================================================== */

struct ord {
	char *number;
	char *key;   /* what rows are grouped by: the number, and in a shipment
			feed with shipment IDs the shipment's too */
	int first_row;
	char **vals; /* order-level values per map field */
	int *vrow;
	long *lnum; /* line numbers given, and their rows */
	int *lrow;
	int nlnum;
	struct buf lines;
	int nlines;
	struct buf digest;
	char *error;
	int nerrors;
};

struct reader {
	const struct csv_map *m;
	const char *file;
	char **hdr; /* trimmed header names */
	int nhdr;
	int *col;   /* 0-based column per map field, -1 none */
	int ocol;   /* the order number's column */
	int scol;   /* a shipment feed's shipment ID column, or -1 */
	int width;  /* header = no: the first data row's width */
	struct ord **ords;
	int nords, cap;
	int *hash; /* open addressing: index + 1 into ords */
	size_t hcap;
	struct buf scratch;
};

static void xml_text(struct buf *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		const char *run = p;
		while (*p && *p != '&' && *p != '<' && *p != '>' && *p != '\r')
			p++;
		buf_add(b, run, (size_t)(p - run));
		if (!*p)
			break;
		buf_adds(b, *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;" : "&#13;");
	}
}

static void xml_attr(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		case '\t': buf_adds(b, "&#9;"); break;
		case '\n': buf_adds(b, "&#10;"); break;
		case '\r': buf_adds(b, "&#13;"); break;
		default:
			buf_addch(b, *p < 0x20 ? '?' : (char)*p);
		}
	}
}

static const char *col_name(const struct reader *rd, int col, const char *field)
{
	if (rd->m->header && col >= 0 && col < rd->nhdr && rd->hdr[col][0])
		return rd->hdr[col];
	return field ? field : "";
}

static void order_fail(struct reader *rd, struct ord *o, int row, int col, const char *field,
		       const char *fmt, ...) OG_PRINTF(6, 7);
static void order_fail(struct reader *rd, struct ord *o, int row, int col, const char *field,
		       const char *fmt, ...)
{
	o->nerrors++;
	if (o->error)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *what = NULL;
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	const char *name = col_name(rd, col, field);
	if (*name)
		o->error = xasprintf("%s: row %d, column %d (%s): %s", rd->file, row, col + 1, name,
				     what ? what : "error");
	else
		o->error = xasprintf("%s: row %d, column %d: %s", rd->file, row, col + 1,
				     what ? what : "error");
	free(what);
}

static size_t str_hash(const char *s)
{
	size_t h = 5381;
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static struct ord *order_new(struct reader *rd, const char *number, const char *key, int row)
{
	struct ord *o = xcalloc(1, sizeof *o);
	o->number = number ? xstrdup(number) : NULL;
	o->key = key ? xstrdup(key) : NULL;
	o->first_row = row;
	int nf = rd->m->nfields;
	o->vals = xcalloc((size_t)nf + 1, sizeof *o->vals);
	o->vrow = xcalloc((size_t)nf + 1, sizeof *o->vrow);
	if (rd->nords == rd->cap) {
		rd->cap = rd->cap ? rd->cap * 2 : 8;
		rd->ords = xrealloc(rd->ords, (size_t)rd->cap * sizeof *rd->ords);
	}
	rd->ords[rd->nords++] = o;
	if (!number)
		return o;
	if ((size_t)rd->nords * 2 > rd->hcap) {
		size_t cap = rd->hcap ? rd->hcap * 2 : 64;
		free(rd->hash);
		rd->hash = xcalloc(cap, sizeof *rd->hash);
		rd->hcap = cap;
		for (int i = 0; i < rd->nords; i++) {
			if (!rd->ords[i]->key)
				continue;
			size_t h = str_hash(rd->ords[i]->key) & (cap - 1);
			while (rd->hash[h])
				h = (h + 1) & (cap - 1);
			rd->hash[h] = i + 1;
		}
	} else {
		size_t h = str_hash(key) & (rd->hcap - 1);
		while (rd->hash[h])
			h = (h + 1) & (rd->hcap - 1);
		rd->hash[h] = rd->nords;
	}
	return o;
}

static struct ord *order_find(struct reader *rd, const char *key)
{
	if (!rd->hcap)
		return NULL;
	size_t h = str_hash(key) & (rd->hcap - 1);
	while (rd->hash[h]) {
		struct ord *o = rd->ords[rd->hash[h] - 1];
		if (!strcmp(o->key, key))
			return o;
		h = (h + 1) & (rd->hcap - 1);
	}
	return NULL;
}

static void order_free(struct ord *o, int nf)
{
	free(o->number);
	free(o->key);
	for (int i = 0; i < nf; i++)
		free(o->vals[i]);
	free(o->vals);
	free(o->vrow);
	free(o->lnum);
	free(o->lrow);
	buf_release(&o->lines);
	buf_release(&o->digest);
	free(o->error);
	free(o);
}

/* Resolves the map's columns against the header (or numbers). */
static int resolve_columns(struct reader *rd, char **err)
{
	const struct csv_map *m = rd->m;
	rd->col = xcalloc((size_t)m->nfields + 1, sizeof *rd->col);
	for (int i = -1; i < m->nfields; i++) {
		const char *name = i < 0 ? m->order_col : m->fields[i].column;
		int num = i < 0 ? m->order_colnum : m->fields[i].colnum;
		int line = i < 0 ? m->order_line : m->fields[i].col_line;
		const char *what = i < 0 ? "order_number" : m->fields[i].name;
		int *slot = i < 0 ? &rd->ocol : &rd->col[i];
		*slot = -1;
		if (name) {
			int dup;
			*slot = header_index(rd->hdr, rd->nhdr, name, &dup);
			if (*slot < 0) {
				*err = xasprintf("%s: row 1: the header has no column \"%s\" (map %s, "
						 "line %d, wants it for %s)",
						 rd->file, name, m->name, line, what);
				return -1;
			}
			if (dup) {
				*err = xasprintf("%s: row 1: the header has column \"%s\" more than "
						 "once (map %s, line %d, wants it for %s)",
						 rd->file, name, m->name, line, what);
				return -1;
			}
		} else if (num > 0) {
			if (m->header && num > rd->nhdr) {
				*err = xasprintf("%s: row 1: the header has %d columns, map %s (line "
						 "%d) wants column %d for %s",
						 rd->file, rd->nhdr, m->name, line, num, what);
				return -1;
			}
			*slot = num - 1;
		}
	}
	return 0;
}

static int has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 && *p != '\t' && *p != '\n')
			return 1;
	return 0;
}

/* The value of map field i on this row, converted; NULL when there is none
 * (then *failed says whether an error was recorded). Caller frees. */
static char *field_value(struct reader *rd, struct ord *o, const struct rec *r, int i,
			 int *failed)
{
	/* an order field's constant fills in only when no row of the order gives
	 * a value (finish_order), so it never contradicts a row */
	const struct csv_map *m = rd->m;
	const struct csv_field *f = &m->fields[i];
	int c = rd->col[i];
	*failed = 0;
	char *v = (c >= 0 && c < r->n) ? trimmed(r->f[c]) : xstrdup("");
	if (has_control(v)) {
		order_fail(rd, o, r->row, c, f->name, "a control character in %s", f->name);
		*failed = 1;
		free(v);
		return NULL;
	}
	if (*v == '\0') {
		free(v);
		if (f->constant && f->def->level == L_LINE)
			return xstrdup(f->constant);
		if (f->def->required && f->def->level == L_LINE) {
			if (c >= r->n)
				order_fail(rd, o, r->row, c, f->name,
					   "%s is missing (the row has only %d columns)", f->name,
					   r->n);
			else
				order_fail(rd, o, r->row, c, f->name, "%s is empty", f->name);
			*failed = 1;
		}
		return NULL;
	}
	const char *why = NULL;
	struct buf *b = &rd->scratch;
	switch (f->def->kind) {
	case K_DECIMAL:
		if (norm_decimal(v, m->decimal, b, &why) < 0) {
			order_fail(rd, o, r->row, c, f->name, "\"%s\" is not a number for %s: %s", v,
				   f->name, why);
			*failed = 1;
			free(v);
			return NULL;
		}
		free(v);
		return xstrdup(buf_str(b));
	case K_DATE:
		if (!m->date_format)
			return v;
		if (norm_date(v, m->date_format, b) < 0) {
			order_fail(rd, o, r->row, c, f->name, "\"%s\" is not a date in the form %s",
				   v, m->date_format);
			*failed = 1;
			free(v);
			return NULL;
		}
		free(v);
		return xstrdup(buf_str(b));
	case K_LINENO: {
		char *end = NULL;
		errno = 0;
		long n = isdigit((unsigned char)*v) ? strtol(v, &end, 10) : -1;
		if (n >= 0 && !errno && n <= 999999999)
			n += 1 - m->line_base; /* never past LONG_MAX: checked first */
		if (n < 1 || n > 999999999 || errno || !end || *end) {
			order_fail(rd, o, r->row, c, f->name,
				   "\"%s\" is not a line number (%d-based whole number)", v,
				   m->line_base);
			*failed = 1;
			free(v);
			return NULL;
		}
		free(v);
		return xasprintf("%ld", n);
	}
	case K_TEXT:
		break;
	}
	return v;
}

static void add_field_xml(struct buf *b, const char *indent, const char *name, const char *v)
{
	buf_adds(b, indent);
	buf_adds(b, "<field name=\"");
	xml_attr(b, name);
	buf_adds(b, "\">");
	xml_text(b, v);
	buf_adds(b, "</field>\n");
}

static void digest_rec(struct buf *d, const struct rec *r)
{
	for (int i = 0; i < r->n; i++) {
		buf_adds(d, r->f[i]);
		buf_addch(d, '\x1f');
	}
	buf_addch(d, '\x1e');
}

/* A shipment feed's group of rows, for messages: "shipment F-1 of order
 * B-1" (its key is the order number and the shipment ID). */
static char *shipment_name(const struct ord *o)
{
	const char *sid = o->key ? strchr(o->key, '\x1f') : NULL;
	if (sid && sid[1])
		return xasprintf("shipment %s of order %s", sid + 1, o->number ? o->number : "");
	return xasprintf("the shipment without a shipment ID of order %s",
			 o->number ? o->number : "");
}

/* The line number row r gives, as the file has it, or NULL. */
static char *row_line(const struct reader *rd, const struct rec *r)
{
	for (int i = 0; i < rd->m->nfields; i++)
		if (rd->m->fields[i].def->kind == K_LINENO && rd->col[i] >= 0 &&
		    rd->col[i] < r->n) {
			char *v = trimmed(r->f[rd->col[i]]);
			if (*v)
				return v;
			free(v);
		}
	return NULL;
}

/* Line numbers are unique in an order (in a shipment feed, in a shipment):
 * a second one is most often the same rows exported twice. */
static void check_line_number(struct reader *rd, struct ord *o, const struct rec *r, int i,
			      long n)
{
	for (int k = 0; k < o->nlnum; k++)
		if (o->lnum[k] == n && rd->m->shipment) {
			char *sh = shipment_name(o);
			order_fail(rd, o, r->row, rd->col[i], rd->m->fields[i].name,
				   "%s lists line %s on row %d already (the same rows twice?); "
				   "a shipment lists each line once: put the line's whole "
				   "quantity in one row, or give a second shipment of it a "
				   "shipment ID of its own",
				   sh, r->f[rd->col[i]], o->lrow[k]);
			free(sh);
			return;
		} else if (o->lnum[k] == n) {
			order_fail(rd, o, r->row, rd->col[i], rd->m->fields[i].name,
				   "line number %s is already on row %d of this order (the "
				   "same rows twice?)",
				   r->f[rd->col[i]], o->lrow[k]);
			return;
		}
	o->lnum = xrealloc(o->lnum, (size_t)(o->nlnum + 1) * sizeof *o->lnum);
	o->lrow = xrealloc(o->lrow, (size_t)(o->nlnum + 1) * sizeof *o->lrow);
	o->lnum[o->nlnum] = n;
	o->lrow[o->nlnum++] = r->row;
}

/* Rows of one shipment (order and shipment ID) give its date, carrier and
 * tracking: row r gives field i as v, an earlier row something else. */
static void shipment_differs(struct reader *rd, struct ord *o, const struct rec *r, int i,
			     const char *v)
{
	const char *col = col_name(rd, rd->col[i], rd->m->fields[i].name);
	char *sh = shipment_name(o), *line = row_line(rd, r), *at = xstrdup("");
	for (int k = 0; k < o->nlnum; k++)
		if (o->lrow[k] == o->vrow[i]) {
			free(at);
			at = xasprintf(" (line %ld)", o->lnum[k] - 1 + rd->m->line_base);
		}
	const char *sid = o->key && strchr(o->key, '\x1f') ? strchr(o->key, '\x1f') + 1 : "";
	order_fail(rd, o, r->row, rd->col[i], rd->m->fields[i].name,
		   "%s%s%s: %s \"%s\" differs from \"%s\" on row %d%s of the same shipment; a "
		   "shipment has one ship date, carrier and tracking number: give every row "
		   "of %s%s the same %s, or give the rows that shipped apart a shipment ID of "
		   "their own",
		   sh, line ? ", line " : "", line ? line : "", col, v, o->vals[i], o->vrow[i], at,
		   *sid ? "shipment " : "the shipment", sid, col);
	free(sh);
	free(line);
	free(at);
}

static void read_row(struct reader *rd, const struct rec *r, struct ord **current)
{
	const struct csv_map *m = rd->m;
	int oc = rd->ocol;
	char *number = (oc < r->n) ? trimmed(r->f[oc]) : xstrdup("");
	struct ord *o = NULL;
	int missing = 0;
	if (*number) {
		/* a shipment feed: one shipment per order and shipment ID, so
		 * two shipments of one order may ship the same line */
		char *sid = rd->scol >= 0 && rd->scol < r->n ? trimmed(r->f[rd->scol]) : NULL;
		char *key = sid ? xasprintf("%s\x1f%s", number, sid) : xstrdup(number);
		o = order_find(rd, key);
		if (!o)
			o = order_new(rd, number, key, r->row);
		free(key);
		free(sid);
		if (has_control(number))
			order_fail(rd, o, r->row, oc, "order_number",
				   "a control character in the order number");
	} else if (*current && !m->repeated) {
		o = *current;
	} else {
		missing = 1;
		o = *current ? *current : order_new(rd, NULL, NULL, r->row);
	}
	free(number);
	*current = o;
	digest_rec(&o->digest, r);
	if (missing)
		order_fail(rd, o, r->row, oc, "order_number", "no order number%s",
			   o->number ? " (the row is counted with the order above it)" : "");
	if (r->err)
		order_fail(rd, o, r->row, r->err_col - 1, NULL, "%s", r->err);
	int w = rec_width(r);
	if (m->header && w > rd->nhdr)
		order_fail(rd, o, r->row, rd->nhdr, NULL,
			   "the row has %d columns, the header %d (an unquoted delimiter in a "
			   "value?)", w, rd->nhdr);
	else if (!m->header && rd->width && w > rd->width)
		order_fail(rd, o, r->row, rd->width, NULL,
			   "the row has %d columns, the first row %d (an unquoted delimiter in "
			   "a value?)", w, rd->width);

	struct buf line = BUF_INIT;
	buf_printf(&line, "  <line row=\"%d\">\n", r->row);
	for (int i = 0; i < m->nfields; i++) {
		int failed;
		char *v = field_value(rd, o, r, i, &failed);
		if (!v)
			continue;
		if (m->fields[i].def->kind == K_LINENO)
			check_line_number(rd, o, r, i, atol(v));
		if (m->fields[i].def->level == L_LINE) {
			add_field_xml(&line, "    ", m->fields[i].name, v);
			free(v);
		} else if (!o->vals[i]) {
			o->vals[i] = v;
			o->vrow[i] = r->row;
		} else {
			if (strcmp(o->vals[i], v) && m->shipment)
				shipment_differs(rd, o, r, i, v);
			else if (strcmp(o->vals[i], v))
				order_fail(rd, o, r->row, rd->col[i], m->fields[i].name,
					   "%s \"%s\" differs from \"%s\" on row %d of the same "
					   "order", m->fields[i].name, v, o->vals[i], o->vrow[i]);
			free(v);
		}
	}
	buf_adds(&line, "  </line>\n");
	buf_add(&o->lines, line.data, line.len);
	buf_release(&line);
	o->nlines++;
}

static void finish_order(struct reader *rd, struct ord *o, struct csv_order *out)
{
	const struct csv_map *m = rd->m;
	for (int i = 0; i < m->nfields; i++) {
		const struct csv_field *f = &m->fields[i];
		if (f->def->level == L_ORDER && !o->vals[i] && f->constant)
			o->vals[i] = xstrdup(f->constant);
		if (f->def->level == L_ORDER && f->def->required && !o->vals[i])
			order_fail(rd, o, o->first_row, rd->col[i], f->name,
				   "no row of the order gives %s", f->name);
		/* the shipment ID tells a second shipment of the order from this
		 * one sent again (shipments are matched and deduplicated by it) */
		if (m->shipment && !strcmp(f->name, "shipment.id") && !o->vals[i])
			order_fail(rd, o, o->first_row, rd->col[i], f->name,
				   "the shipment has no shipment ID; every shipment needs one of "
				   "its own, so that a second shipment of order %s can be told "
				   "from this one sent again: ask the sender to fill it in",
				   o->number ? o->number : "");
	}
	memset(out, 0, sizeof *out);
	out->order_number = o->number ? xstrdup(o->number) : NULL;
	out->first_row = o->first_row;
	out->nlines = o->nlines;
	sha256_hex(o->digest.data ? o->digest.data : "", o->digest.len, out->sha256);
	if (o->error) {
		if (o->nerrors > 1)
			out->error = xasprintf("%s (and %d more problem%s in this %s)", o->error,
					       o->nerrors - 1, o->nerrors > 2 ? "s" : "",
					       m->shipment ? "shipment" : "order");
		else
			out->error = xstrdup(o->error);
		return;
	}
	struct buf *x = &out->xml;
	const char *root = m->shipment ? "csv-shipment" : "csv-order";
	buf_printf(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%s map=\"", root);
	xml_attr(x, m->name);
	buf_adds(x, "\" file=\"");
	xml_attr(x, rd->file);
	buf_adds(x, "\" orderNumber=\"");
	xml_attr(x, o->number);
	buf_printf(x, "\" firstRow=\"%d\">\n", o->first_row);
	add_field_xml(x, "  ", "orderID", o->number);
	for (int i = 0; i < m->nfields; i++)
		if (o->vals[i])
			add_field_xml(x, "  ", m->fields[i].name, o->vals[i]);
	buf_add(x, o->lines.data, o->lines.len);
	buf_printf(x, "</%s>\n", root);
}

static int same_as_header(const struct reader *rd, const struct rec *r)
{
	int w = rec_width(r);
	if (w != rec_width(&(struct rec){ .f = rd->hdr, .n = rd->nhdr }))
		return 0;
	for (int i = 0; i < w; i++) {
		char *t = trimmed(r->f[i]);
		int eq = !strcasecmp(t, rd->hdr[i]);
		free(t);
		if (!eq)
			return 0;
	}
	return 1;
}

int csv_read(const struct csv_map *m, const char *data, size_t len, const char *file_name,
	     struct csv_order **orders, int *n, char **err)
{
	struct reader rd = { .m = m, .file = file_name ? file_name : "(csv)" };
	struct buf text = BUF_INIT, tmp = BUF_INIT;
	struct rec r = { 0 };
	int rc = -1, orow = 0, ocol = 0, got, ndata = 0;
	struct ord *current = NULL;
	*orders = NULL;
	*n = 0;
	if (len == 0) {
		*err = xasprintf("%s: empty file", rd.file);
		return -1;
	}
	if (decode(m, data, len, rd.file, 0, &text, err) < 0) {
		buf_release(&text);
		return -1;
	}
	struct parser ps = { text.data, text.data + text.len, 1, m->delim, m->quote };

	if (m->header) {
		while ((got = next_record(&ps, &r, &tmp, &orow, &ocol)) == 1 && rec_blank(&r))
			;
		if (got == 0) {
			*err = xasprintf("%s: no header row (the file holds no text; map %s expects "
					 "a header)", rd.file, m->name);
			goto out;
		}
		if (got < 0)
			goto unterminated;
		trim_all(&r);
		rd.hdr = r.f;
		rd.nhdr = r.n;
		r.f = NULL;
		r.n = r.cap = 0;
	}
	if (resolve_columns(&rd, err) < 0)
		goto out;
	rd.scol = -1;
	for (int i = 0; m->shipment && i < m->nfields; i++)
		if (!strcmp(m->fields[i].name, "shipment.id"))
			rd.scol = rd.col[i];
	while ((got = next_record(&ps, &r, &tmp, &orow, &ocol)) == 1) {
		if (rec_blank(&r))
			continue;
		if (m->header && same_as_header(&rd, &r))
			continue;
		if (!m->header && !rd.width)
			rd.width = rec_width(&r);
		ndata++;
		read_row(&rd, &r, &current);
	}
	if (got < 0)
		goto unterminated;
	if (ndata == 0) {
		*err = xasprintf("%s: no data rows", rd.file);
		goto out;
	}
	*orders = xcalloc((size_t)rd.nords, sizeof **orders);
	for (int i = 0; i < rd.nords; i++)
		finish_order(&rd, rd.ords[i], &(*orders)[i]);
	*n = rd.nords;
	rc = 0;
	goto out;
unterminated:
	*err = xasprintf("%s: row %d, column %d: the quote opened here is never closed (the "
			 "rest of the file cannot be read as rows)", rd.file, orow, ocol);
out:
	rec_free(&r);
	for (int i = 0; i < rd.nhdr; i++)
		free(rd.hdr[i]);
	free(rd.hdr);
	free(rd.col);
	for (int i = 0; i < rd.nords; i++)
		order_free(rd.ords[i], m->nfields);
	free(rd.ords);
	free(rd.hash);
	buf_release(&rd.scratch);
	buf_release(&text);
	buf_release(&tmp);
	return rc;
}

void csv_orders_free(struct csv_order *orders, int n)
{
	for (int i = 0; i < n; i++) {
		free(orders[i].order_number);
		buf_release(&orders[i].xml);
		free(orders[i].error);
	}
	free(orders);
}

/*
 * util: see util.h. Nothing here knows about orders.
 */
#define _GNU_SOURCE
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "exitcodes.h"

static void oom(size_t n)
{
	fprintf(stderr, "ordergate: out of memory (allocating %zu bytes)\n", n);
	_exit(EXIT_TEMPFAIL);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	buf_grow(&b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b.data, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b.len = (size_t)n;
	return buf_detach(&b);
}

void buf_grow(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1) {
		if (cap > SIZE_MAX / 2)
			oom(SIZE_MAX);
		cap *= 2;
	}
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_add(struct buf *b, const void *data, size_t len)
{
	buf_grow(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addch(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *buf_detach(struct buf *b)
{
	if (!b->data)
		buf_grow(b, 0);
	b->data[b->len] = '\0';
	char *p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

const char *buf_str(struct buf *b)
{
	if (!b->data)
		buf_grow(b, 0), b->data[0] = '\0';
	return b->data;
}

int buf_write_cb(void *ctx, const char *data, int len)
{
	buf_add(ctx, data, (size_t)len);
	return len;
}

int read_fd_all(int fd, struct buf *out, size_t max)
{
	for (;;) {
		buf_grow(out, 65536);
		size_t room = out->cap - out->len - 1;
		ssize_t n = read(fd, out->data + out->len, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		if (out->len > max) {
			errno = EFBIG;
			return -1;
		}
	}
	out->data[out->len] = '\0';
	return 0;
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	static const char hex[] = "0123456789abcdef";
	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
		mdlen = 0;
	for (unsigned int i = 0; i < mdlen && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * (mdlen < 32 ? mdlen : 32)] = '\0';
}

char *safe_name(const char *s, size_t max)
{
	if (max == 0)
		max = 1;
	size_t n = strlen(s);
	if (n > max)
		n = max;
	char *p = xmalloc(n + 2);
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		p[j++] = (isalnum(c) || c == '.' || c == '_' || c == '-') ? (char)c : '_';
	}
	p[j] = '\0';
	if (j == 0 || p[0] == '.') {
		/* never a hidden name: prefix '_' and stay within max */
		if (j == max)
			j--;
		memmove(p + 1, p, j);
		p[0] = '_';
		p[j + 1] = '\0';
	}
	return p;
}

char *shell_word(const char *s)
{
	size_t plain = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789_./@%+=:,-");
	if (*s && !s[plain])
		return xstrdup(s);
	struct buf b = BUF_INIT;
	buf_adds(&b, "'");
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			buf_adds(&b, "'\\''");
		else
			buf_add(&b, p, 1);
	}
	buf_adds(&b, "'");
	return buf_detach(&b);
}

time_t og_now(void)
{
	const char *fixed = getenv("ORDERGATE_TIME");
	if (fixed && *fixed) {
		char *end;
		long long v = strtoll(fixed, &end, 10);
		if (*end == '\0')
			return (time_t)v;
	}
	return time(NULL);
}

void iso_time(time_t t, char out[32])
{
	struct tm tm;
	localtime_r(&t, &tm);
	long off = tm.tm_gmtoff;
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	char zone[16];
	unsigned hh = (unsigned)(off / 3600) % 100u, mm = (unsigned)(off % 3600 / 60) % 100u;
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(zone, sizeof zone, "%c%02u:%02u", sign, hh, mm);
	strncat(out, zone, 31 - strlen(out));
}

int str_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

int str_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char *str_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int mkdir_p(const char *path, int mode)
{
	char *p = xstrdup(path);
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*q = '/';
	}
	int rc = mkdir(p, (mode_t)mode);
	free(p);
	return rc < 0 && errno != EEXIST ? -1 : 0;
}

/*
 * msg: see msg.h.
 */
#include "msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int msg_quiet, msg_json, msg_verbose;
static int progress_shown;

static int progress_wanted(void)
{
	return !msg_quiet && !msg_json && isatty(STDERR_FILENO);
}

void msg_progress(long done, long total, long failed, double seconds)
{
	if (!progress_wanted())
		return;
	char bar[33];
	int width = 30, fill = total > 0 ? (int)(done * width / (total ? total : 1)) : 0;
	if (fill > width)
		fill = width;
	for (int i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[width] = '\0';
	double rate = seconds > 0 ? (double)done / seconds : 0;
	if (total >= 0)
		fprintf(stderr, "\r\033[K[%s] %ld/%ld  %.0f docs/s  %ld failed", bar, done, total,
			rate, failed);
	else
		fprintf(stderr, "\r\033[K%ld done  %.0f docs/s  %ld failed", done, rate, failed);
	fflush(stderr);
	progress_shown = 1;
}

void msg_progress_end(void)
{
	if (progress_shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		progress_shown = 0;
	}
}

void msg_configure(int quiet, int json, int verbose)
{
	msg_quiet = quiet;
	msg_json = json;
	msg_verbose = verbose;
}

void msg_escape_controls(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			buf_adds(b, "\\n");
		else if (*p < 0x20 || *p == 0x7f)
			buf_printf(b, "\\x%02x", *p);
		else
			buf_addch(b, (char)*p);
	}
}

/* The length of the well-formed UTF-8 character at p (1 to 4; RFC 3629:
 * no overlong form, no surrogate, nothing above U+10FFFF), or 0. */
static int utf8_char_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0; /* a continuation byte, C0/C1 (overlong) or F5-FF */
	if (p[0] == 0xe0)
		lo = 0xa0; /* overlong below U+0800 */
	else if (p[0] == 0xed)
		hi = 0x9f; /* U+D800-DFFF, the UTF-16 surrogates */
	else if (p[0] == 0xf0)
		lo = 0x90; /* overlong below U+10000 */
	else if (p[0] == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (int i = 2; i < n; i++) /* the NUL at the end is no continuation */
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

void json_string(struct buf *b, const char *s)
{
	buf_addch(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80) {
			int n = utf8_char_len(p);
			if (n)
				buf_add(b, p, (size_t)n);
			else
				buf_adds(b, "\xef\xbf\xbd"); /* U+FFFD for this one byte */
			p += n ? n - 1 : 0;
			continue;
		}
		switch (*p) {
		case '"': buf_adds(b, "\\\""); break;
		case '\\': buf_adds(b, "\\\\"); break;
		case '\n': buf_adds(b, "\\n"); break;
		case '\r': buf_adds(b, "\\r"); break;
		case '\t': buf_adds(b, "\\t"); break;
		default:
			if (*p < 0x20)
				buf_printf(b, "\\u%04x", *p);
			else
				buf_addch(b, (char)*p);
		}
	}
	buf_addch(b, '"');
}

void json_pair(struct buf *b, const char *key, const char *value)
{
	json_string(b, key);
	buf_adds(b, ":");
	json_string(b, value ? value : "");
}

void msg_log(enum msg_level lvl, const char *id, const char *fmt, ...)
{
	static const char *names[] = { "debug", "info", "warning", "error" };
	if (lvl == MSG_DEBUG && !msg_verbose)
		return;
	if (msg_quiet && lvl < MSG_WARN)
		return;
	struct buf text = BUF_INIT, line = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0) {
		buf_grow(&text, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(text.data, (size_t)n + 1, fmt, ap);
		va_end(ap);
		text.len = (size_t)n;
	}
	if (!id || !*id)
		id = "ordergate";
	if (msg_json) {
		char now[32];
		iso_time(og_now(), now);
		buf_adds(&line, "{\"time\":");
		json_string(&line, now);
		buf_adds(&line, ",\"id\":");
		json_string(&line, id);
		buf_adds(&line, ",\"level\":");
		json_string(&line, names[lvl]);
		buf_adds(&line, ",\"msg\":");
		json_string(&line, buf_str(&text));
		buf_adds(&line, "}\n");
	} else {
		/* one event, one line: a control character from a document (a
		 * newline in a file name, an escape) is shown, never obeyed */
		struct buf safe = BUF_INIT;
		msg_escape_controls(&safe, buf_str(&text));
		buf_printf(&line, "%s %s%s%s\n", id, lvl >= MSG_WARN ? names[lvl] : "",
			   lvl >= MSG_WARN ? ": " : "", buf_str(&safe));
		buf_release(&safe);
	}
	if (progress_shown) {
		/* the log line takes the progress line's place; it is redrawn next tick */
		fputs("\r\033[K", stderr);
		progress_shown = 0;
	}
	fwrite(line.data, 1, line.len, stderr);
	fflush(stderr);
	buf_release(&text);
	buf_release(&line);
}

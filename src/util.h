/*
 * util: checked allocation, growable byte buffers and small helpers.
 *
 * Contract: x* allocators never return NULL; on exhaustion they print one
 * line and exit(EXIT_TEMPFAIL) (a worker that runs out of memory costs one
 * document, the parent notices). A struct buf owns its bytes; buf_release()
 * frees them, buf_detach() hands them to the caller (always NUL-terminated).
 */
#ifndef OG_UTIL_H
#define OG_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define OG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) OG_PRINTF(1, 2);

struct buf {
	char *data;
	size_t len;
	size_t cap;
};
#define BUF_INIT { NULL, 0, 0 }

void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addch(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) OG_PRINTF(2, 3);
void buf_reset(struct buf *b);
void buf_release(struct buf *b);
char *buf_detach(struct buf *b);
/* Returns the contents as a C string (never NULL). */
const char *buf_str(struct buf *b);
/* A write callback of libxml2's output and save APIs (ctx is a struct
 * buf): appends, so a document is serialised straight into a buffer. */
int buf_write_cb(void *ctx, const char *data, int len);

/* Reads a whole file descriptor, failing (errno EFBIG) past max bytes. */
int read_fd_all(int fd, struct buf *out, size_t max);
/* Writes all bytes, retrying on EINTR and short writes. */
int write_all(int fd, const void *data, size_t len);

/* Lowercase hex SHA-256 of data into out[65]. */
void sha256_hex(const void *data, size_t len, char out[65]);

/* Replaces every byte outside [A-Za-z0-9._-] by '_', at most max bytes,
 * never starting with '.'; an empty result becomes "_". */
char *safe_name(const char *s, size_t max);

/* s as one word of a shell command line: as it is when it holds only
 * letters, digits and _ . / @ % + = : , -, else in single quotes. */
char *shell_word(const char *s);

/* Current time; honours ORDERGATE_TIME (epoch seconds) for reproducible
 * tests and documents. */
time_t og_now(void);
/* ISO 8601 with the local zone offset: 2026-11-22T11:30:00+01:00. */
void iso_time(time_t t, char out[32]);

int str_ends_with(const char *s, const char *suffix);
int str_starts_with(const char *s, const char *prefix);
char *str_trim(char *s);
/* 1 for XML white space: space, tab, CR, LF. */
int xml_space(char c);
int mkdir_p(const char *path, int mode);

#endif

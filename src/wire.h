/*
 * wire: the byte format between the parent and its workers. A message is a
 * 4-byte little-endian length and then fields, each a 4-byte length and its
 * bytes. Readers never trust a length: past the end is an error.
 */
#ifndef OG_WIRE_H
#define OG_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define WIRE_MAX_MESSAGE (1U << 30)

void wire_put(struct buf *b, const void *data, size_t len);
void wire_puts(struct buf *b, const char *s); /* NULL is sent as absent */
void wire_put_i64(struct buf *b, int64_t v);

struct wire_reader {
	const char *p, *end;
	int bad;
};
void wire_reader_init(struct wire_reader *r, const struct buf *msg);
/* Returns a fresh copy (NULL when absent or bad). */
char *wire_gets(struct wire_reader *r);
int64_t wire_get_i64(struct wire_reader *r);
void wire_get_buf(struct wire_reader *r, struct buf *out);
/* Points view at the field's bytes inside the message, not a copy: valid
 * while the message is, and never to be released. */
void wire_get_view(struct wire_reader *r, struct buf *view);

/* Sends one framed message; reads one (0 ok, 1 clean EOF, -1 error). */
int wire_send(int fd, const struct buf *msg);
int wire_recv(int fd, struct buf *msg);

#endif

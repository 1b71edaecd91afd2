/*
 * wire: see wire.h.
 */
#include "wire.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define ABSENT 0xffffffffU

static void put_u32(struct buf *b, uint32_t v)
{
	unsigned char c[4] = { (unsigned char)v, (unsigned char)(v >> 8),
			       (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
	buf_add(b, c, 4);
}

static int get_u32(const char *p, uint32_t *v)
{
	const unsigned char *c = (const unsigned char *)p;
	*v = (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
	return 0;
}

void wire_put(struct buf *b, const void *data, size_t len)
{
	put_u32(b, (uint32_t)len);
	buf_add(b, data, len);
}

void wire_puts(struct buf *b, const char *s)
{
	if (!s)
		put_u32(b, ABSENT);
	else
		wire_put(b, s, strlen(s));
}

void wire_put_i64(struct buf *b, int64_t v)
{
	uint64_t u = (uint64_t)v;
	put_u32(b, 8);
	put_u32(b, (uint32_t)u);
	put_u32(b, (uint32_t)(u >> 32));
}

void wire_reader_init(struct wire_reader *r, const struct buf *msg)
{
	r->p = msg->data;
	r->end = msg->data + msg->len;
	r->bad = 0;
}

static const char *field(struct wire_reader *r, uint32_t *len)
{
	if (r->bad || r->end - r->p < 4) {
		r->bad = 1;
		return NULL;
	}
	get_u32(r->p, len);
	r->p += 4;
	if (*len == ABSENT)
		return NULL;
	if ((size_t)(r->end - r->p) < *len) {
		r->bad = 1;
		return NULL;
	}
	const char *d = r->p;
	r->p += *len;
	return d;
}

char *wire_gets(struct wire_reader *r)
{
	uint32_t len;
	const char *d = field(r, &len);
	return d ? xstrndup(d, len) : NULL;
}

int64_t wire_get_i64(struct wire_reader *r)
{
	uint32_t len, lo, hi;
	const char *d = field(r, &len);
	if (!d || len != 8) {
		r->bad = 1;
		return 0;
	}
	get_u32(d, &lo);
	get_u32(d + 4, &hi);
	return (int64_t)((uint64_t)lo | (uint64_t)hi << 32);
}

void wire_get_buf(struct wire_reader *r, struct buf *out)
{
	uint32_t len;
	const char *d = field(r, &len);
	buf_reset(out);
	if (d)
		buf_add(out, d, len);
}

void wire_get_view(struct wire_reader *r, struct buf *view)
{
	uint32_t len;
	const char *d = field(r, &len);
	view->data = (char *)(uintptr_t)d;
	view->len = d ? len : 0;
	view->cap = 0;
}

int wire_send(int fd, const struct buf *msg)
{
	struct buf hdr = BUF_INIT;
	put_u32(&hdr, (uint32_t)msg->len);
	int rc = write_all(fd, hdr.data, 4) < 0 || write_all(fd, msg->data, msg->len) < 0 ? -1 : 0;
	buf_release(&hdr);
	return rc;
}

static int read_exact(int fd, char *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = read(fd, p + got, n - got);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (k == 0)
			return got == 0 ? 1 : -1;
		got += (size_t)k;
	}
	return 0;
}

int wire_recv(int fd, struct buf *msg)
{
	char hdr[4];
	int rc = read_exact(fd, hdr, 4);
	if (rc)
		return rc;
	uint32_t len;
	get_u32(hdr, &len);
	if (len > WIRE_MAX_MESSAGE)
		return -1;
	buf_reset(msg);
	buf_grow(msg, len);
	if (len && read_exact(fd, msg->data, len) != 0)
		return -1;
	msg->len = len;
	msg->data[len] = '\0';
	return 0;
}

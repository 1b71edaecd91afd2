/*
 * unpack: see unpack.h.
 */
#include "unpack.h"

#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

/* 1 when the n bytes are all zero */
static int all_zero(const char *data, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (data[i])
			return 0;
	return 1;
}

/* An empty tar: nothing but its end-of-archive marker, two or more
 * 512-byte blocks of zeros (tar -cf x.tar -T /dev/null writes 10240). It
 * has no "ustar" header to be known by. */
static int is_empty_tar(const char *data, size_t len)
{
	return len >= 1024 && len % 512 == 0 && all_zero(data, len);
}

enum unpack_kind unpack_sniff(const char *data, size_t len)
{
	const unsigned char *u = (const unsigned char *)data;
	if (len >= 2 && u[0] == 0x1f && u[1] == 0x8b)
		return UNPACK_GZIP;
	if (len >= 4 && u[0] == 'P' && u[1] == 'K' &&
	    ((u[2] == 3 && u[3] == 4) || (u[2] == 5 && u[3] == 6)))
		return UNPACK_ARCHIVE;
	if ((len >= 262 && !memcmp(data + 257, "ustar", 5)) || is_empty_tar(data, len))
		return UNPACK_ARCHIVE;
	return UNPACK_NONE;
}

static int ratio_exceeded(size_t out, size_t in, const struct unpack_limits *lim)
{
	return lim->max_ratio > 0 && out > 1048576 && out / (in ? in : 1) > (size_t)lim->max_ratio;
}

/* Why a container (archive or gzip layer) at nesting level `level` is not
 * opened: the level and the setting that allows more. */
static char *too_deep(int level, int max_depth)
{
	return xasprintf("archives and gzip layers nested deeper than %d level%s inside the "
			 "file dropped are not opened (this one is level %d; [unpack] "
			 "max_depth = %d); unpack the outer levels by hand and drop what is "
			 "inside, or raise [unpack] max_depth if such files are genuine",
			 max_depth, max_depth == 1 ? "" : "s", level, max_depth);
}

/* Starts a gzip decoder (with zlib's header detection) on data. 0, or -1
 * when zlib cannot start one. */
static int gzip_open(z_stream *z, const char *data, size_t len)
{
	memset(z, 0, sizeof *z);
	if (inflateInit2(z, 15 + 32) != Z_OK)
		return -1;
	z->next_in = (Bytef *)(uintptr_t)data;
	z->avail_in = (uInt)len;
	return 0;
}

int unpack_gunzip(const char *data, size_t len, const struct unpack_limits *lim,
		  struct buf *out, char **err)
{
	*err = NULL;
	z_stream z;
	if (gzip_open(&z, data, len) < 0) {
		*err = xstrdup("cannot start the gzip decoder");
		return -1;
	}
	int rc = Z_OK;
	buf_reset(out);
	while (rc != Z_STREAM_END || z.avail_in > 0) {
		if (rc == Z_STREAM_END) {
			/* concatenated gzip members are one stream (RFC 1952) */
			if (inflateReset(&z) != Z_OK)
				break;
		}
		buf_grow(out, 65536);
		z.next_out = (Bytef *)out->data + out->len;
		z.avail_out = (uInt)(out->cap - out->len - 1);
		size_t before = z.avail_out;
		rc = inflate(&z, Z_NO_FLUSH);
		out->len += before - z.avail_out;
		if (rc != Z_OK && rc != Z_STREAM_END) {
			*err = xasprintf("the gzip data is corrupt (%s) after %zu bytes",
					 z.msg ? z.msg : "inflate error", out->len);
			inflateEnd(&z);
			return -1;
		}
		if (out->len > (size_t)lim->max_member_bytes) {
			*err = xasprintf("decompressed size passes the limit of %ld bytes "
					 "([unpack] max_member_mb)", lim->max_member_bytes);
			inflateEnd(&z);
			return -1;
		}
		if (ratio_exceeded(out->len, len, lim)) {
			*err = xasprintf("compression ratio over %ld:1 (a decompression bomb?); "
					 "refused ([unpack] max_ratio)", lim->max_ratio);
			inflateEnd(&z);
			return -1;
		}
		if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
			*err = xstrdup("the gzip data is truncated");
			inflateEnd(&z);
			return -1;
		}
	}
	out->data[out->len] = '\0';
	inflateEnd(&z);
	return 0;
}

int unpack_gunzip_nested(const char *data, size_t len, const char *name,
			 const struct unpack_limits *lim, struct buf *out, int *levels, char **err)
{
	*levels = 0;
	if (unpack_gunzip(data, len, lim, out, err) < 0)
		return -1;
	while (unpack_sniff(out->data, out->len) == UNPACK_GZIP) {
		/* gzip inside gzip: a container inside the file dropped, one
		 * level like an archive inside an archive */
		if (*levels >= lim->max_depth) {
			char *why = too_deep(*levels + 1, lim->max_depth);
			*err = xasprintf("%s: gzip inside gzip: %s", name, why);
			free(why);
			return -1;
		}
		struct buf next = BUF_INIT;
		char *why = NULL;
		if (unpack_gunzip(out->data, out->len, lim, &next, &why) < 0) {
			*err = xasprintf("%s: the gzip inside the gzip (level %d): %s", name,
					 *levels + 1, why);
			free(why);
			buf_release(&next);
			return -1;
		}
		buf_release(out);
		*out = next;
		(*levels)++;
		/* every layer together against the file as it came */
		if (ratio_exceeded(out->len, len, lim)) {
			*err = xasprintf("%s: compression ratio over %ld:1 through %d gzip layers (a "
					 "decompression bomb?); refused ([unpack] max_ratio)",
					 name, lim->max_ratio, *levels + 1);
			return -1;
		}
	}
	return 0;
}

/* An empty tar gzipped (tar -czf x.tgz -T /dev/null): the whole stream
 * decompresses to an empty tar. Read in small pieces and only so far: a
 * stream of zeros longer than any empty tar is written (a gzip bomb) is
 * not one, and is left to unpack_gunzip and its limits. */
static int gzip_is_empty_tar(const char *data, size_t len)
{
	enum { MOST = 1 << 20 };
	char piece[16384];
	z_stream z;
	if (gzip_open(&z, data, len) < 0)
		return 0;
	size_t got = 0;
	int rc, zeros = 1;
	do {
		z.next_out = (Bytef *)piece;
		z.avail_out = sizeof piece;
		rc = inflate(&z, Z_NO_FLUSH);
		size_t n = sizeof piece - z.avail_out;
		zeros = all_zero(piece, n);
		got += n;
	} while (rc == Z_OK && zeros && got <= MOST && (z.avail_in > 0 || z.avail_out == 0));
	inflateEnd(&z);
	return rc == Z_STREAM_END && z.avail_in == 0 && zeros && got <= MOST && got >= 1024 &&
	       got % 512 == 0;
}

int unpack_gzip_is_tar(const char *data, size_t len)
{
	if (unpack_sniff(data, len) != UNPACK_GZIP)
		return 0;
	/* the first tar header is all it takes: 512 bytes of output at most */
	char head[512];
	z_stream z;
	if (gzip_open(&z, data, len) < 0)
		return 0;
	z.next_out = (Bytef *)head;
	z.avail_out = sizeof head;
	int rc;
	do
		rc = inflate(&z, Z_NO_FLUSH);
	while (rc == Z_OK && z.avail_out > 0 && z.avail_in > 0);
	size_t got = sizeof head - z.avail_out;
	inflateEnd(&z);
	if (got == sizeof head && !memcmp(head + 257, "ustar", 5))
		return 1;
	/* an empty tar has no header, only its end-of-archive blocks */
	return got == sizeof head && all_zero(head, sizeof head) && gzip_is_empty_tar(data, len);
}

struct walk {
	const struct unpack_limits *lim;
	struct unpack_result *res;
	size_t total;
	size_t compressed;
	long entries; /* headers read, of any kind, at any depth */
	int reopens;  /* zip readers opened again past a member (reopen_allowed) */
	long skipped; /* headers those readers went past */
};

/* The reason an archive (or one inside it) yields nothing, by what it held. */
static char *nothing_inside(const char *name, long entries)
{
	if (entries == 0)
		return xasprintf("%s: the archive is empty: it holds no files at all, so there is "
				 "nothing to translate; ask the sender to send it again with the "
				 "documents in it",
				 name);
	return xasprintf("%s: the archive holds no regular file, only %ld folder%s, link%s or "
			 "special file%s, which are never read; ask the sender to put the "
			 "documents themselves in the archive",
			 name, entries, entries == 1 ? "" : "s", entries == 1 ? "" : "s",
			 entries == 1 ? "" : "s");
}

static void note(struct unpack_result *r, char *text)
{
	r->notes = xrealloc(r->notes, sizeof(char *) * (size_t)(r->nnotes + 1));
	r->notes[r->nnotes++] = text;
}

static int walk_archive(struct walk *w, const char *data, size_t len, const char *prefix,
			int depth, char **err);

/* A member that fails alone (too large, unreadable, nested too deep): the
 * archive's other members are read on. Takes why. */
static int refuse_member(struct walk *w, const char *name, char *why, char **err)
{
	if (w->res->n >= w->lim->max_members) {
		*err = xasprintf("more than %ld members ([unpack] max_members)", w->lim->max_members);
		free(why);
		return -1;
	}
	w->res->members = xrealloc(w->res->members, sizeof *w->res->members * (size_t)(w->res->n + 1));
	struct unpack_member *m = &w->res->members[w->res->n++];
	memset(m, 0, sizeof *m);
	m->name = xstrdup(name);
	m->refused = why;
	return 0;
}

/* depth: the nesting level of the container the member was read from (0:
 * the file dropped), so a container member is level depth + 1, opened
 * only within lim->max_depth. */
static int add_member(struct walk *w, const char *name, struct buf *data, int depth, char **err)
{
	enum unpack_kind k = unpack_sniff(data->data, data->len);
	if (k == UNPACK_ARCHIVE || k == UNPACK_GZIP) {
		if (depth >= w->lim->max_depth) {
			buf_release(data);
			return refuse_member(w, name, too_deep(depth + 1, w->lim->max_depth), err);
		}
		struct buf inner = BUF_INIT;
		const char *bytes = data->data;
		size_t n = data->len;
		if (k == UNPACK_GZIP && !unpack_gzip_is_tar(data->data, data->len)) {
			/* a .tar.gz member is read through libarchive's gzip filter
			 * below, member by member; anything else gzipped is one
			 * member's worth of bytes */
			char *why = NULL;
			if (unpack_gunzip(data->data, data->len, w->lim, &inner, &why) < 0) {
				/* a bad or oversized .gz member fails alone */
				buf_release(data);
				buf_release(&inner);
				return refuse_member(w, name, why, err);
			}
			/* what a gzip member expands to counts against the archive's
			 * limits like any other byte read out of it */
			w->total += inner.len;
			if (w->total > (size_t)w->lim->max_total_bytes ||
			    ratio_exceeded(w->total, w->compressed, w->lim)) {
				*err = xasprintf("%s: the archive unpacks to more than its limits allow "
						 "([unpack] max_total_mb %ld bytes, max_ratio %ld:1)",
						 name, w->lim->max_total_bytes, w->lim->max_ratio);
				buf_release(&inner);
				return -1;
			}
			if (unpack_sniff(inner.data, inner.len) != UNPACK_ARCHIVE) {
				/* a gzip-compressed document inside the archive */
				buf_release(data);
				*data = inner;
				return add_member(w, name, data, depth + 1, err);
			}
			bytes = inner.data;
			n = inner.len;
		}
		int before = w->res->n;
		long seen = w->entries;
		int rc = walk_archive(w, bytes, n, name, depth + 1, err);
		buf_release(&inner);
		buf_release(data);
		if (rc == 0 && w->res->n == before)
			/* an empty archive inside: it fails alone, not silently */
			rc = refuse_member(w, name, nothing_inside(name, w->entries - seen), err);
		return rc;
	}
	if (w->res->n >= w->lim->max_members) {
		*err = xasprintf("more than %ld members ([unpack] max_members)", w->lim->max_members);
		return -1;
	}
	w->res->members = xrealloc(w->res->members,
				   sizeof *w->res->members * (size_t)(w->res->n + 1));
	struct unpack_member *m = &w->res->members[w->res->n++];
	memset(m, 0, sizeof *m);
	m->name = xstrdup(name);
	m->data = *data;
	memset(data, 0, sizeof *data);
	return 0;
}

/* The archive-wide limits after more bytes were read out. Through a
 * compression filter (.tar.gz) what counts is the decompressed stream the
 * format reader has consumed (tar headers, padding and skipped members
 * included), so the gzip layer is bounded by max_total_mb and max_ratio
 * however the tar inside is made; *seen is the part already counted. */
static int over_limits(struct walk *w, struct archive *a, int filtered, size_t *seen,
		       const char *prefix, char **err)
{
	if (filtered) {
		la_int64_t now = archive_filter_bytes(a, 0);
		if (now > 0 && (size_t)now > *seen) {
			w->total += (size_t)now - *seen;
			*seen = (size_t)now;
		}
	}
	if (w->total > (size_t)w->lim->max_total_bytes) {
		*err = xasprintf("%s: the archive unpacks to more than %ld bytes "
				 "([unpack] max_total_mb)",
				 prefix, w->lim->max_total_bytes);
		return 1;
	}
	if (ratio_exceeded(w->total, w->compressed, w->lim)) {
		*err = xasprintf("%s: compression ratio over %ld:1 (a decompression "
				 "bomb?); refused ([unpack] max_ratio)",
				 prefix, w->lim->max_ratio);
		return 1;
	}
	return 0;
}

/* libarchive's reason for its last error. Some come without one: a zip
 * cut before its central directory ends, read as a stream, in a fatal
 * error with no text. */
static const char *reason(struct archive *a)
{
	const char *why = archive_error_string(a);
	return why ? why : "libarchive gives no reason (is the archive cut short?)";
}

/* A reader on an archive's bytes, or NULL with *err naming prefix. */
static struct archive *reader_open(const char *data, size_t len, const char *prefix, char **err)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		*err = xasprintf("%s: not a readable zip or tar archive: %s", prefix,
				 archive_error_string(a) ? archive_error_string(a) : "unknown format");
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Reading on past a zip member whose data stopped the reader costs a new
 * read of the zip's central directory and of every header before that
 * member. Within one file dropped (nested zips included) that is done at
 * most MAX_REOPENS times, going past MAX_SKIPPED headers in all (about a
 * second with the default limits); a zip with more members like that is
 * refused whole, as it always was, instead of being read over and over.
 * The count only grows, so no zip is reopened without end. */
enum { MAX_REOPENS = 64, MAX_SKIPPED = 65536 };

static int reopen_allowed(const struct walk *w, long past)
{
	return w->reopens < MAX_REOPENS && w->skipped + past <= MAX_SKIPPED;
}

/* A new reader on a zip whose member `past` (the past-th entry, counting
 * from 1) left libarchive's reader unable to go on (corrupt deflate data:
 * ARCHIVE_FATAL, after which the reader refuses every call), positioned
 * after that member. Memory is a seekable source, so libarchive reads a
 * zip by its central directory and archive_read_data_skip moves to the
 * next entry without decompressing anything; a zip read as a stream (no
 * central directory found) may have to decompress to skip, and then fails
 * on the same member. NULL with *err (naming member and prefix) when the
 * entries before it cannot be read again. */
static struct archive *reader_reopen_past(const char *data, size_t len, long past,
					  const char *prefix, const char *member, char **err)
{
	struct archive *a = reader_open(data, len, prefix, err);
	if (!a)
		return NULL;
	struct archive_entry *e;
	for (long i = 0; i < past; i++) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_OK || r == ARCHIVE_WARN)
			r = archive_read_data_skip(a);
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			*err = xasprintf("%s: archive is corrupt: the members after %s cannot be "
					 "reached: %s",
					 prefix, member,
					 r == ARCHIVE_EOF ? "the archive ended before it" : reason(a));
			archive_read_free(a);
			return NULL;
		}
	}
	return a;
}

/* 1 when data is a zip (not a tar) by its first bytes */
static int zip_bytes(const char *data, size_t len)
{
	return unpack_sniff(data, len) == UNPACK_ARCHIVE && data[0] == 'P';
}

/* Where the next zip record (a local header, the central directory or its
 * end) begins in data at or after from; len when none does. */
static size_t next_zip_record(const char *data, size_t len, size_t from)
{
	for (size_t i = from; i + 4 <= len; i++) {
		const char *p = memchr(data + i, 'P', len - 3 - i);
		if (!p)
			break;
		i = (size_t)(p - data);
		if (p[1] == 'K' && ((p[2] == 3 && p[3] == 4) || (p[2] == 1 && p[3] == 2) ||
				    (p[2] == 5 && p[3] == 6) || (p[2] == 6 && p[3] == 6)))
			return i;
	}
	return len;
}

/* libarchive's streaming zip reader on data from offset at: it walks the
 * local headers one after the other, as they are in the data, never
 * looking at the central directory. NULL when nothing is left there. */
static struct archive *local_headers_open(const char *data, size_t len, size_t at)
{
	if (at >= len)
		return NULL;
	struct archive *a = archive_read_new();
	archive_read_support_format_zip_streamable(a);
	if (archive_read_open_memory(a, data + at, len - at) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static int same_name(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

/* A zip in memory is read by its central directory (walk_archive), which
 * can leave members out unseen: two entries pointing at one local header
 * (libarchive keeps one of them), or a local header no entry points at.
 * So once the zip is read, its entries as the central directory lists
 * them (libarchive's seekable reader, whose data is not read here) are
 * held one by one to the local headers as they follow one another in the
 * data (its streaming reader): the same names, in the same order, as
 * many. NULL when they agree, else what differs. A member whose
 * compressed size comes only after its data (flag bit 3) is decompressed
 * to be gone past, as far as its listed size and max_member_mb allow
 * (walk_archive read as much of it); past one that cannot be gone past
 * like that (corrupt, or too long) the local headers are taken up again
 * at the next zip record after its own. Every step only moves forward
 * through the data. */
static char *zip_mismatch(const struct walk *w, const char *data, size_t len)
{
	struct archive *cd = archive_read_new();
	archive_read_support_format_zip_seekable(cd);
	if (archive_read_open_memory(cd, data, len) != ARCHIVE_OK) {
		/* no central directory: the zip was read by its local headers */
		archive_read_free(cd);
		return NULL;
	}
	size_t base = 0; /* where the streaming reader started */
	struct archive *lh = local_headers_open(data, len, base);
	char *why = NULL;
	for (long k = 1; !why; k++) {
		struct archive_entry *ec, *el = NULL;
		int rc = archive_read_next_header(cd, &ec);
		if (rc != ARCHIVE_EOF && rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
			break; /* walk_archive read these headers: not seen here */
		int rl = lh ? archive_read_next_header(lh, &el) : ARCHIVE_EOF;
		if (rc == ARCHIVE_EOF && rl == ARCHIVE_EOF)
			break;
		const char *nc = rc == ARCHIVE_EOF ? NULL : archive_entry_pathname(ec);
		const char *nl = rl == ARCHIVE_EOF ? NULL : archive_entry_pathname(el);
		if (rl != ARCHIVE_EOF && rl != ARCHIVE_OK && rl != ARCHIVE_WARN)
			why = xasprintf("local header %ld in the data cannot be read (%s)", k,
					reason(lh));
		else if (rl == ARCHIVE_EOF)
			why = xasprintf("the list has %s as member %ld, but the data holds only %ld "
					"local header%s",
					nc ? nc : "(no name)", k, k - 1, k - 1 == 1 ? "" : "s");
		else if (rc == ARCHIVE_EOF)
			why = xasprintf("member %ld in the data, %s, is not in the list", k,
					nl ? nl : "(no name)");
		else if (!same_name(nc, nl))
			why = xasprintf("member %ld in the data is %s, but the list has %s there", k,
					nl ? nl : "(no name)", nc ? nc : "(no name)");
		if (why)
			break;
		/* this member's local header: the reader found it looking on
		 * from where the member before it ended (a data descriptor may
		 * be in between), stopping at the first zip record, as here */
		la_int64_t at = archive_read_header_position(lh);
		size_t head = next_zip_record(data, len, base + (size_t)(at > 0 ? at : 0));
		const unsigned char *u = (const unsigned char *)data + head;
		int lost = 0; /* the streaming reader cannot go on past it */
		if (head + 30 <= len && (!(u[6] & 8) || u[18] || u[19] || u[20] || u[21])) {
			/* its compressed size is known: skipped unread */
			lost = archive_read_data_skip(lh) != ARCHIVE_OK;
		} else {
			la_int64_t most = w->lim->max_member_bytes, held = 0;
			if (archive_entry_filetype(ec) == AE_IFREG && archive_entry_size_is_set(ec) &&
			    archive_entry_size(ec) < most)
				most = archive_entry_size(ec);
			for (;;) {
				const void *block;
				size_t n;
				la_int64_t off;
				int r = archive_read_data_block(lh, &block, &n, &off);
				if (r == ARCHIVE_EOF || r == ARCHIVE_WARN)
					break; /* the end (ARCHIVE_WARN: a bad CRC) */
				held += (la_int64_t)n;
				if (r != ARCHIVE_OK || held > most) {
					lost = 1;
					break;
				}
			}
		}
		if (lost) {
			archive_read_free(lh);
			base = next_zip_record(data, len, head + 4);
			lh = local_headers_open(data, len, base);
		}
	}
	if (lh)
		archive_read_free(lh);
	archive_read_free(cd);
	return why;
}

static int walk_archive(struct walk *w, const char *data, size_t len, const char *prefix,
			int depth, char **err)
{
	struct archive *a = reader_open(data, len, prefix, err);
	if (!a)
		return -1;
	int rc = 0, zip = 0;
	struct archive_entry *e;
	long entries = 0;
	char *prev = NULL; /* the last entry's name */
	/* gzip (a .tar.gz): filter 0 is the decompressor, the last one "none" */
	int filtered = archive_filter_count(a) > 1 && archive_filter_code(a, 0) != ARCHIVE_FILTER_NONE;
	size_t seen = 0;
	for (;;) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			if (prev)
				/* a zip's damaged local header, or one cut short:
				 * no reader goes past a header it cannot read */
				*err = xasprintf("%s: archive is corrupt: %s (after its entry %ld, "
						 "%s, nothing can be read, so the archive is "
						 "refused whole)",
						 prefix, reason(a), entries, prev);
			else
				*err = xasprintf("%s: archive is corrupt: %s", prefix, reason(a));
			rc = -1;
			break;
		}
		if (filtered && over_limits(w, a, filtered, &seen, prefix, err)) {
			rc = -1;
			break;
		}
		/* libarchive knows the format once it has read a header */
		zip = (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP;
		if (!w->res->format)
			w->res->format = zip ? "zip" : "tar";
		w->entries++;
		if (++entries > w->lim->max_members * 4 + 16) {
			*err = xasprintf("%s: more than %ld entries; refused ([unpack] max_members)",
					 prefix, w->lim->max_members * 4 + 16);
			rc = -1;
			break;
		}
		const char *path = archive_entry_pathname(e);
		char *name = xasprintf("%s/%s", prefix, path ? path : "(no name)");
		free(prev);
		prev = xstrdup(path ? path : "(no name)");
		mode_t type = archive_entry_filetype(e);
		if (type != AE_IFREG) {
			if (type != AE_IFDIR)
				note(w->res, xasprintf("%s: skipped, not a regular file (%s)", name,
						       type == AE_IFLNK ? "symbolic link"
						       : archive_entry_hardlink(e) ? "hard link"
										   : "device or special file"));
			free(name);
			continue;
		}
		if (archive_entry_hardlink(e)) {
			note(w->res, xasprintf("%s: skipped, a hard link", name));
			free(name);
			continue;
		}
		struct buf body = BUF_INIT;
		char *refused = NULL;
		int lost = 0; /* the reader cannot go on after this member */
		for (;;) {
			buf_grow(&body, 65536);
			la_ssize_t n = archive_read_data(a, body.data + body.len, body.cap - body.len - 1);
			if (n < 0 && !filtered && !refused &&
			    (n != ARCHIVE_FATAL || (zip && reopen_allowed(w, entries)))) {
				/* this member's data is bad (a zip member's CRC, or
				 * corrupt deflate data): it fails alone, the next
				 * header may still be sound (after a fatal error, in
				 * a reader opened again past this member) */
				refused = xasprintf("cannot read the member: %s; ask the sender for "
						    "a sound archive",
						    reason(a));
				lost = n == ARCHIVE_FATAL;
				buf_reset(&body);
				break;
			}
			if (n < 0) {
				if (n == ARCHIVE_FATAL && zip && !filtered && !refused)
					*err = xasprintf("%s: cannot read: %s; after %d member%s "
							 "like it, each refused alone, the archive "
							 "is refused whole (a zip is read on past "
							 "at most %d such members, and %d entries, "
							 "in one file dropped)",
							 name, reason(a), w->reopens,
							 w->reopens == 1 ? "" : "s", MAX_REOPENS,
							 MAX_SKIPPED);
				else
					*err = xasprintf("%s: cannot read: %s", name, reason(a));
				rc = -1;
				break;
			}
			if (n == 0)
				break;
			if (!refused)
				body.len += (size_t)n;
			if (!filtered)
				w->total += (size_t)n;
			if (over_limits(w, a, filtered, &seen, prefix, err)) {
				rc = -1;
				break;
			}
			if (!refused && body.len > (size_t)w->lim->max_member_bytes) {
				refused = xasprintf("the member is larger than %ld bytes "
						    "([unpack] max_member_mb)",
						    w->lim->max_member_bytes);
				buf_reset(&body);
				if (!filtered) {
					archive_read_data_skip(a);
					break;
				}
				/* through gzip the rest is read and dropped, so that
				 * every byte of it counts against the archive's limits */
			}
		}
		if (rc < 0) {
			buf_release(&body);
			free(refused); /* a .tar.gz limit can fire while a refused member is skipped */
			free(name);
			break;
		}
		if (refused) {
			buf_reset(&body);
			rc = refuse_member(w, name, refused, err);
		} else {
			buf_grow(&body, 0);
			body.data[body.len] = '\0';
			rc = add_member(w, name, &body, depth, err);
		}
		buf_release(&body);
		if (rc == 0 && lost) {
			/* the limits' counts (w) go on from where they are:
			 * nothing already read is read, or counted, again */
			archive_read_free(a);
			w->reopens++;
			w->skipped += entries;
			a = reader_reopen_past(data, len, entries, prefix, name, err);
			if (!a)
				rc = -1;
		}
		free(name);
		if (rc < 0)
			break;
	}
	if (a)
		archive_read_free(a);
	free(prev);
	if (rc == 0 && zip_bytes(data, len)) {
		char *why = zip_mismatch(w, data, len);
		if (why) {
			*err = xasprintf("%s: the zip's central directory (its list of members) does "
					 "not match the members in its data: %s; a member could be "
					 "lost unseen, so the archive is refused whole and nothing in "
					 "it is translated: ask the sender to make the zip again and "
					 "send it again",
					 prefix, why);
			free(why);
			rc = -1;
		}
	}
	return rc;
}

int unpack_archive(const char *data, size_t len, const char *name,
		   const struct unpack_limits *lim, struct unpack_result *res, char **err)
{
	return unpack_archive_at(data, len, name, 0, lim, res, err);
}

int unpack_archive_at(const char *data, size_t len, const char *name, int depth,
		      const struct unpack_limits *lim, struct unpack_result *res, char **err)
{
	*err = NULL;
	memset(res, 0, sizeof *res);
	struct walk w = { lim, res, 0, len, 0, 0, 0 };
	int rc = walk_archive(&w, data, len, name, depth, err);
	if (rc == 0 && res->n == 0 && !*err) {
		*err = nothing_inside(name, w.entries);
		rc = -1;
	}
	return rc;
}

void unpack_free(struct unpack_result *res)
{
	for (int i = 0; i < res->n; i++) {
		free(res->members[i].name);
		buf_release(&res->members[i].data);
		free(res->members[i].refused);
	}
	free(res->members);
	for (int i = 0; i < res->nnotes; i++)
		free(res->notes[i]);
	free(res->notes);
	memset(res, 0, sizeof *res);
}

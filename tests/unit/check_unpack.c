/*
 * unpack: gzip, zip, tar and tar.gz read in memory with their limits. The
 * archives are built in memory by libarchive's writer (and gzip by zlib),
 * so no test file is needed.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include "suites.h"
#include "testutil.h"
#include "unpack.h"
#include "util.h"

enum kind { ZIP, TAR, TGZ };

struct entry {
	const char *name;
	const char *data; /* NULL: size bytes of fill; with size: binary */
	size_t size;
	char fill;
	int type;         /* 0 regular, 'l' symlink, 'h' hard link, 'd' folder */
	const char *link;
};

/* An archive of the entries (caller releases out). */
static void build(enum kind k, const struct entry *e, int n, struct buf *out)
{
	size_t cap = 65536;
	for (int i = 0; i < n; i++)
		cap += (e[i].data && !e[i].size ? strlen(e[i].data) : e[i].size) + 1024;
	char *mem = xmalloc(cap);
	size_t used = 0;
	struct archive *a = archive_write_new();
	if (k == ZIP) {
		ck_assert_int_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
		ck_assert_int_eq(archive_write_set_options(a, "zip:compression=deflate"), ARCHIVE_OK);
	} else {
		ck_assert_int_eq(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
		if (k == TGZ)
			ck_assert_int_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
		else
			ck_assert_int_eq(archive_write_add_filter_none(a), ARCHIVE_OK);
	}
	ck_assert_int_eq(archive_write_open_memory(a, mem, cap, &used), ARCHIVE_OK);
	for (int i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, e[i].name);
		archive_entry_set_mtime(ae, 1700000000, 0);
		size_t size = e[i].data && !e[i].size ? strlen(e[i].data) : e[i].size;
		switch (e[i].type) {
		case 'l':
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_perm(ae, 0777);
			archive_entry_set_symlink(ae, e[i].link);
			size = 0;
			break;
		case 'h':
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, 0644);
			archive_entry_set_hardlink(ae, e[i].link);
			size = 0;
			break;
		case 'd':
			archive_entry_set_filetype(ae, AE_IFDIR);
			archive_entry_set_perm(ae, 0755);
			size = 0;
			break;
		default:
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, 0644);
		}
		archive_entry_set_size(ae, (la_int64_t)size);
		ck_assert_int_eq(archive_write_header(a, ae), ARCHIVE_OK);
		if (size) {
			char *body = NULL;
			const char *src = e[i].data;
			if (!src) {
				body = xmalloc(size);
				memset(body, e[i].fill ? e[i].fill : 'x', size);
				src = body;
			}
			ck_assert_int_eq(archive_write_data(a, src, size), (la_ssize_t)size);
			free(body);
		}
		archive_entry_free(ae);
	}
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	memset(out, 0, sizeof *out);
	buf_add(out, mem, used);
	free(mem);
}

/* gzip of data (one member) appended to out. */
static void gzip_append(const char *data, size_t len, struct buf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t bound = deflateBound(&z, (uLong)len) + 64;
	buf_grow(out, bound);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out->data + out->len;
	z.avail_out = (uInt)bound;
	ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	out->len += z.total_out;
	deflateEnd(&z);
}

static const struct unpack_limits DEFAULTS = { 1000, 64L << 20, 512L << 20, 200, 2 };

static void assert_member(const struct unpack_result *r, int i, const char *name,
			  const char *data)
{
	ck_assert_int_lt(i, r->n);
	ck_assert_str_eq(r->members[i].name, name);
	ck_assert_ptr_null(r->members[i].refused);
	ck_assert_uint_eq(r->members[i].data.len, strlen(data));
	ck_assert_mem_eq(r->members[i].data.data, data, strlen(data));
	ck_assert_int_eq(r->members[i].data.data[r->members[i].data.len], '\0');
}

static void assert_has(const char *hay, const char *needle)
{
	ck_assert_msg(hay && strstr(hay, needle), "\"%s\" lacks \"%s\"", hay ? hay : "(null)",
		      needle);
}

/* unpack_archive expected to refuse the whole archive with err holding w1, w2. */
static void assert_refused(const struct buf *arc, const char *name,
			   const struct unpack_limits *lim, const char *w1, const char *w2)
{
	struct unpack_result r;
	char *err = NULL;
	int rc = unpack_archive(arc->data, arc->len, name, lim, &r, &err);
	ck_assert_msg(rc == -1, "%s was accepted with %d members", name, r.n);
	ck_assert_ptr_nonnull(err);
	if (w1)
		assert_has(err, w1);
	if (w2)
		assert_has(err, w2);
	free(err);
	unpack_free(&r);
}

static const struct entry THREE[] = {
	{ .name = "a.xml", .data = "<a/>" },
	{ .name = "dir/", .type = 'd' },
	{ .name = "dir/b.xml", .data = "<b>second</b>" },
	{ .name = "c.csv", .data = "x,y\n1,2\n" },
};

static const struct {
	enum kind kind;
	const char *name;
	const char *format;
} kinds[] = {
	{ ZIP, "batch.zip", "zip" },
	{ TAR, "batch.tar", "tar" },
	{ TGZ, "batch.tar.gz", "tar" },
};

START_TEST(members_in_order)
{
	struct buf arc;
	build(kinds[_i].kind, THREE, 4, &arc);
	struct unpack_result r;
	char *err = NULL;
	int rc = unpack_archive(arc.data, arc.len, kinds[_i].name, &DEFAULTS, &r, &err);
	ck_assert_msg(rc == 0, "%s: %s", kinds[_i].name, err ? err : "?");
	ck_assert_ptr_null(err);
	ck_assert_int_eq(r.n, 3);
	char *n0 = xasprintf("%s/a.xml", kinds[_i].name);
	char *n1 = xasprintf("%s/dir/b.xml", kinds[_i].name);
	char *n2 = xasprintf("%s/c.csv", kinds[_i].name);
	assert_member(&r, 0, n0, "<a/>");
	assert_member(&r, 1, n1, "<b>second</b>");
	assert_member(&r, 2, n2, "x,y\n1,2\n");
	free(n0);
	free(n1);
	free(n2);
	/* a folder is not worth a note */
	ck_assert_int_eq(r.nnotes, 0);
	const char *format = r.format; /* a literal: outlives the result */
	unpack_free(&r);
	ck_assert_int_eq(r.n, 0);
	ck_assert_ptr_null(r.members);
	buf_release(&arc);
	ck_assert_ptr_nonnull(format);
	if (kinds[_i].kind == TGZ)
		ck_assert_msg(!strcmp(format, "tar") || !strcmp(format, "tar.gz"), "format %s",
			      format);
	else
		ck_assert_str_eq(format, kinds[_i].format);
}
END_TEST

START_TEST(nested_archives_flattened)
{
	/* zip > tar > zip, and a gzip-compressed document and a tar.gz in the zip */
	static const struct entry deepest[] = { { .name = "c.xml", .data = "<c/>" } };
	struct buf z2;
	build(ZIP, deepest, 1, &z2);
	struct entry mid[] = { { .name = "b.xml", .data = "<b/>" },
			       { .name = "inner2.zip", .data = z2.data, .size = z2.len } };
	struct buf t1;
	build(TAR, mid, 2, &t1);
	struct buf gz = BUF_INIT;
	gzip_append("<g/>", 4, &gz);
	static const struct entry tgz_in[] = { { .name = "t.xml", .data = "<t/>" } };
	struct buf tgz;
	build(TGZ, tgz_in, 1, &tgz);
	struct entry top[] = {
		{ .name = "a.xml", .data = "<a/>" },
		{ .name = "inner.tar", .data = t1.data, .size = t1.len },
		{ .name = "g.xml.gz", .data = gz.data, .size = gz.len },
		{ .name = "t.tar.gz", .data = tgz.data, .size = tgz.len },
		{ .name = "z.xml", .data = "<z/>" },
	};
	struct buf outer;
	build(ZIP, top, 5, &outer);

	struct unpack_result r;
	char *err = NULL;
	int rc = unpack_archive(outer.data, outer.len, "outer.zip", &DEFAULTS, &r, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	ck_assert_int_eq(r.n, 6);
	assert_member(&r, 0, "outer.zip/a.xml", "<a/>");
	assert_member(&r, 1, "outer.zip/inner.tar/b.xml", "<b/>");
	assert_member(&r, 2, "outer.zip/inner.tar/inner2.zip/c.xml", "<c/>");
	assert_member(&r, 3, "outer.zip/g.xml.gz", "<g/>");
	assert_member(&r, 4, "outer.zip/t.tar.gz/t.xml", "<t/>");
	assert_member(&r, 5, "outer.zip/z.xml", "<z/>");
	const char *format = r.format;
	unpack_free(&r);

	/* one level of nesting allowed: the zip in the tar in the zip is
	 * refused as a member; its siblings are read */
	struct unpack_limits one = DEFAULTS;
	one.max_depth = 1;
	rc = unpack_archive(outer.data, outer.len, "outer.zip", &one, &r, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	ck_assert_int_eq(r.n, 6);
	assert_member(&r, 1, "outer.zip/inner.tar/b.xml", "<b/>");
	ck_assert_str_eq(r.members[2].name, "outer.zip/inner.tar/inner2.zip");
	assert_has(r.members[2].refused, "nested deeper than 1");
	assert_member(&r, 5, "outer.zip/z.xml", "<z/>");
	unpack_free(&r);
	/* none allowed: the tar is refused, the plain members are read */
	struct unpack_limits none = DEFAULTS;
	none.max_depth = 0;
	rc = unpack_archive(outer.data, outer.len, "outer.zip", &none, &r, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	ck_assert_str_eq(r.members[1].name, "outer.zip/inner.tar");
	assert_has(r.members[1].refused, "nested deeper than 0");
	assert_member(&r, 0, "outer.zip/a.xml", "<a/>");
	unpack_free(&r);
	/* the inner tar alone is fine at depth 1 */
	rc = unpack_archive(t1.data, t1.len, "inner.tar", &one, &r, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	ck_assert_int_eq(r.n, 2);
	assert_member(&r, 1, "inner.tar/inner2.zip/c.xml", "<c/>");
	ck_assert_str_eq(r.format, "tar");
	unpack_free(&r);

	buf_release(&outer);
	buf_release(&tgz);
	buf_release(&gz);
	buf_release(&t1);
	buf_release(&z2);
	/* the outer archive's format names the result */
	ck_assert_str_eq(format, "zip");
}
END_TEST

START_TEST(links_skipped_with_notes)
{
	static const struct entry e[] = {
		{ .name = "a.xml", .data = "<a/>" },
		{ .name = "soft.xml", .type = 'l', .link = "/etc/passwd" },
		{ .name = "hard.xml", .type = 'h', .link = "a.xml" },
		{ .name = "b.xml", .data = "<b/>" },
	};
	struct buf arc;
	build(TAR, e, 4, &arc);
	struct unpack_result r;
	char *err = NULL;
	int rc = unpack_archive(arc.data, arc.len, "links.tar", &DEFAULTS, &r, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	ck_assert_int_eq(r.n, 2);
	assert_member(&r, 0, "links.tar/a.xml", "<a/>");
	assert_member(&r, 1, "links.tar/b.xml", "<b/>");
	ck_assert_int_eq(r.nnotes, 2);
	assert_has(r.notes[0], "links.tar/soft.xml");
	assert_has(r.notes[0], "symbolic link");
	assert_has(r.notes[1], "links.tar/hard.xml");
	assert_has(r.notes[1], "hard link");
	/* the link's target is never read or shown as a member */
	ck_assert_ptr_null(strstr(r.notes[0], "passwd"));
	unpack_free(&r);
	buf_release(&arc);

	/* a zip's symbolic link too */
	static const struct entry z[] = {
		{ .name = "soft", .type = 'l', .link = "a.xml" },
		{ .name = "a.xml", .data = "<a/>" },
	};
	build(ZIP, z, 2, &arc);
	rc = unpack_archive(arc.data, arc.len, "links.zip", &DEFAULTS, &r, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	ck_assert_int_eq(r.n, 1);
	assert_member(&r, 0, "links.zip/a.xml", "<a/>");
	ck_assert_int_eq(r.nnotes, 1);
	assert_has(r.notes[0], "links.zip/soft");
	unpack_free(&r);
	buf_release(&arc);

	/* nothing but links: nothing to read */
	static const struct entry only[] = { { .name = "soft", .type = 'l', .link = "x" } };
	build(TAR, only, 1, &arc);
	assert_refused(&arc, "only-links.tar", &DEFAULTS, "only-links.tar", "no regular file");
	buf_release(&arc);
}
END_TEST

START_TEST(member_too_large_refused_alone)
{
	static const struct entry e[] = {
		{ .name = "small.xml", .data = "<small/>" },
		{ .name = "big.xml", .size = 5000, .fill = 'b' },
		{ .name = "exact.xml", .size = 1000, .fill = 'e' },
		{ .name = "after.xml", .data = "<after/>" },
	};
	struct unpack_limits lim = DEFAULTS;
	lim.max_member_bytes = 1000;
	for (int k = 0; k < 3; k++) {
		struct buf arc;
		build((enum kind)k, e, 4, &arc);
		struct unpack_result r;
		char *err = NULL;
		int rc = unpack_archive(arc.data, arc.len, "x", &lim, &r, &err);
		ck_assert_msg(rc == 0, "kind %d: %s", k, err ? err : "?");
		ck_assert_int_eq(r.n, 4);
		assert_member(&r, 0, "x/small.xml", "<small/>");
		ck_assert_str_eq(r.members[1].name, "x/big.xml");
		ck_assert_ptr_nonnull(r.members[1].refused);
		assert_has(r.members[1].refused, "larger than 1000 bytes");
		ck_assert_uint_eq(r.members[1].data.len, 0);
		/* exactly at the limit is allowed */
		ck_assert_ptr_null(r.members[2].refused);
		ck_assert_uint_eq(r.members[2].data.len, 1000);
		assert_member(&r, 3, "x/after.xml", "<after/>");
		unpack_free(&r);
		buf_release(&arc);
	}
}
END_TEST

START_TEST(too_many_members_refuse_archive)
{
	static const struct entry e[] = {
		{ .name = "1.xml", .data = "<a/>" }, { .name = "2.xml", .data = "<a/>" },
		{ .name = "3.xml", .data = "<a/>" }, { .name = "4.xml", .data = "<a/>" },
	};
	struct unpack_limits lim = DEFAULTS;
	lim.max_members = 3;
	struct buf arc;
	build(ZIP, e, 3, &arc);
	struct unpack_result r;
	char *err = NULL;
	ck_assert_int_eq(unpack_archive(arc.data, arc.len, "three.zip", &lim, &r, &err), 0);
	ck_assert_int_eq(r.n, 3);
	unpack_free(&r);
	buf_release(&arc);
	build(ZIP, e, 4, &arc);
	assert_refused(&arc, "four.zip", &lim, "more than 3 members", NULL);
	buf_release(&arc);
	/* a refused (too large) member counts as a member */
	static const struct entry big[] = {
		{ .name = "1.xml", .data = "<a/>" }, { .name = "2.xml", .data = "<a/>" },
		{ .name = "3.xml", .data = "<a/>" }, { .name = "4.xml", .size = 2000 },
	};
	lim.max_member_bytes = 1000;
	build(TAR, big, 4, &arc);
	assert_refused(&arc, "four.tar", &lim, "more than 3 members", NULL);
	buf_release(&arc);
	/* members of nested archives count too: a tar of two and one more */
	struct buf inner;
	build(TAR, e, 2, &inner);
	struct entry outer[] = { { .name = "in.tar", .data = inner.data, .size = inner.len },
				 { .name = "5.xml", .data = "<a/>" } };
	build(ZIP, outer, 2, &arc);
	struct unpack_limits two = DEFAULTS;
	two.max_members = 2;
	assert_refused(&arc, "nest.zip", &two, "more than 2 members", NULL);
	two.max_members = 3;
	ck_assert_int_eq(unpack_archive(arc.data, arc.len, "nest.zip", &two, &r, &err), 0);
	ck_assert_int_eq(r.n, 3);
	assert_member(&r, 1, "nest.zip/in.tar/2.xml", "<a/>");
	unpack_free(&r);
	buf_release(&arc);
	buf_release(&inner);
}
END_TEST

START_TEST(total_bytes_limit)
{
	static const struct entry e[] = {
		{ .name = "1.xml", .size = 4000, .fill = '1' },
		{ .name = "2.xml", .size = 4000, .fill = '2' },
		{ .name = "3.xml", .size = 4000, .fill = '3' },
	};
	struct unpack_limits lim = DEFAULTS;
	lim.max_total_bytes = 10000;
	lim.max_member_bytes = 5000;
	for (int k = 0; k < 3; k++) {
		struct buf arc;
		build((enum kind)k, e, 3, &arc);
		assert_refused(&arc, "total", &lim, "more than 10000 bytes", "max_total");
		/* two of them fit */
		struct unpack_result r;
		char *err = NULL;
		buf_release(&arc);
		build((enum kind)k, e, 2, &arc);
		ck_assert_int_eq(unpack_archive(arc.data, arc.len, "two", &lim, &r, &err), 0);
		ck_assert_int_eq(r.n, 2);
		unpack_free(&r);
		buf_release(&arc);
	}
}
END_TEST

START_TEST(ratio_limit)
{
	/* 4 MB of one letter compresses a thousandfold and more */
	static const struct entry e[] = { { .name = "bomb.xml", .size = 4 << 20, .fill = 'a' } };
	struct buf arc;
	build(ZIP, e, 1, &arc);
	ck_assert_uint_lt(arc.len, 64 * 1024);
	assert_refused(&arc, "bomb.zip", &DEFAULTS, "ratio over 200:1", "max_ratio");
	/* max_ratio 0: no ratio limit */
	struct unpack_limits off = DEFAULTS;
	off.max_ratio = 0;
	struct unpack_result r;
	char *err = NULL;
	ck_assert_int_eq(unpack_archive(arc.data, arc.len, "bomb.zip", &off, &r, &err), 0);
	ck_assert_int_eq(r.n, 1);
	ck_assert_uint_eq(r.members[0].data.len, 4 << 20);
	unpack_free(&r);
	buf_release(&arc);

	/* the same through gzip */
	char *big = xmalloc(4 << 20);
	memset(big, 'a', 4 << 20);
	struct buf gz = BUF_INIT, out = BUF_INIT;
	gzip_append(big, 4 << 20, &gz);
	free(big);
	ck_assert_int_eq(unpack_gunzip(gz.data, gz.len, &DEFAULTS, &out, &err), -1);
	assert_has(err, "ratio over 200:1");
	free(err);
	ck_assert_int_eq(unpack_gunzip(gz.data, gz.len, &off, &out, &err), 0);
	ck_assert_uint_eq(out.len, 4 << 20);
	buf_release(&out);
	buf_release(&gz);
}
END_TEST

/* A .tar.gz is read through libarchive's gzip filter: members are held to
 * max_member_bytes one by one, and the decompressed tar stream, skipped
 * members included, to max_total_bytes. */
START_TEST(tar_gz_stream_limits)
{
	static const struct entry small[] = {
		{ .name = "a.xml", .data = "<a/>" },
	};
	struct buf tgz, tar;
	build(TGZ, small, 1, &tgz);
	build(TAR, small, 1, &tar);
	ck_assert_int_eq(unpack_gzip_is_tar(tgz.data, tgz.len), 1);
	ck_assert_int_eq(unpack_gzip_is_tar(tar.data, tar.len), 0);
	ck_assert_int_eq(unpack_gzip_is_tar(tgz.data, 20), 0); /* truncated */
	struct buf gz = BUF_INIT;
	gzip_append("<a/>", 4, &gz);
	ck_assert_int_eq(unpack_gzip_is_tar(gz.data, gz.len), 0);
	buf_release(&gz);
	buf_release(&tgz);
	buf_release(&tar);

	/* 40 members of 900 bytes: a tar far larger than one member may be */
	struct entry many[40];
	char names[40][24];
	for (int i = 0; i < 40; i++) {
		snprintf(names[i], sizeof names[i], "m%02d.xml", i);
		many[i] = (struct entry){ .name = names[i], .size = 900, .fill = (char)('a' + i % 26) };
	}
	struct unpack_limits lim = DEFAULTS;
	lim.max_member_bytes = 1000;
	lim.max_total_bytes = 1L << 20;
	build(TGZ, many, 40, &tgz);
	struct unpack_result r;
	char *err = NULL;
	ck_assert_msg(unpack_archive(tgz.data, tgz.len, "many.tar.gz", &lim, &r, &err) == 0, "%s",
		      err ? err : "?");
	ck_assert_int_eq(r.n, 40);
	for (int i = 0; i < 40; i++)
		ck_assert_ptr_null(r.members[i].refused);
	unpack_free(&r);
	/* the tar stream (40 x 1.5 kB of headers, data and padding) counts: 30 kB
	 * of members, but more than 40 kB of tar */
	lim.max_total_bytes = 40000;
	assert_refused(&tgz, "many.tar.gz", &lim, "more than 40000 bytes", "max_total_mb");
	buf_release(&tgz);

	/* members too large are refused alone, but what is skipped of them
	 * through gzip is decompressed all the same and counts */
	static const struct entry big[] = {
		{ .name = "1.xml", .size = 1 << 20, .fill = '1' },
		{ .name = "2.xml", .size = 1 << 20, .fill = '2' },
		{ .name = "3.xml", .size = 1 << 20, .fill = '3' },
	};
	lim = DEFAULTS;
	lim.max_member_bytes = 65536;
	lim.max_total_bytes = 2L << 20;
	lim.max_ratio = 0;
	build(TGZ, big, 3, &tgz);
	assert_refused(&tgz, "big.tar.gz", &lim, "more than 2097152 bytes", "max_total_mb");
	/* and against the ratio: 3 MiB of three letters from a few kB */
	lim.max_total_bytes = 64L << 20;
	lim.max_ratio = 200;
	assert_refused(&tgz, "big.tar.gz", &lim, "ratio over 200:1", "max_ratio");
	/* within the limits: three refused members, the archive accepted */
	lim.max_ratio = 0;
	ck_assert_int_eq(unpack_archive(tgz.data, tgz.len, "big.tar.gz", &lim, &r, &err), 0);
	ck_assert_int_eq(r.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_has(r.members[i].refused, "larger than 65536 bytes");
		ck_assert_uint_eq(r.members[i].data.len, 0);
	}
	unpack_free(&r);
	buf_release(&tgz);
}
END_TEST

START_TEST(corrupt_and_empty)
{
	/* a zip signature and then nonsense */
	static const char junk[] = "PK\x03\x04 this is not a zip archive at all, only text......"
				   "..............................................................";
	struct buf arc = BUF_INIT;
	buf_add(&arc, junk, sizeof junk - 1);
	assert_refused(&arc, "junk.zip", &DEFAULTS, "junk.zip", NULL);
	buf_release(&arc);

	/* a tar cut in the middle of its member */
	static const struct entry e[] = { { .name = "a.xml", .size = 5000, .fill = 'a' },
					  { .name = "b.xml", .data = "<b/>" } };
	build(TAR, e, 2, &arc);
	arc.len = 512 + 2000;
	assert_refused(&arc, "cut.tar", &DEFAULTS, "cut.tar", NULL);
	buf_release(&arc);

	/* a zip of one stored member, its sizes in its local header, cut
	 * before its central directory: libarchive reads it as a stream and
	 * fails at the end without a reason of its own */
	static const char data[] = "<a/>";
	uLong crc = crc32(0, (const Bytef *)data, 4);
	unsigned char head[30] = { 'P', 'K', 3, 4, 20 }; /* method 0: stored */
	for (int i = 0; i < 4; i++)
		head[14 + i] = (unsigned char)(crc >> (8 * i));
	head[18] = head[22] = 4; /* compressed and plain size */
	head[26] = 5;		 /* name length */
	buf_add(&arc, (const char *)head, sizeof head);
	buf_add(&arc, "a.xml", 5);
	buf_add(&arc, data, 4);
	struct unpack_result r;
	char *err = NULL;
	ck_assert_int_eq(unpack_archive(arc.data, arc.len, "cut.zip", &DEFAULTS, &r, &err), -1);
	ck_assert_str_eq(err, "cut.zip: archive is corrupt: libarchive gives no reason (is the "
			      "archive cut short?) (after its entry 1, a.xml, nothing can be read, "
			      "so the archive is refused whole)");
	free(err);
	unpack_free(&r);
	buf_release(&arc);

	/* a tar with a damaged header checksum */
	build(TAR, e, 2, &arc);
	arc.data[148] ^= 0x11;
	assert_refused(&arc, "bad.tar", &DEFAULTS, "bad.tar", NULL);
	buf_release(&arc);

	/* empty archives: an empty tar is only its end-of-archive blocks of
	 * zeros, with no "ustar" header, and is still known as an archive
	 * (plain and gzipped), so it is refused for what it is */
	build(TAR, NULL, 0, &arc);
	ck_assert_uint_ge(arc.len, 1024);
	ck_assert_int_eq(unpack_sniff(arc.data, arc.len), UNPACK_ARCHIVE);
	assert_refused(&arc, "empty.tar", &DEFAULTS, "empty.tar", "holds no files at all");
	struct buf tgz = BUF_INIT;
	gzip_append(arc.data, arc.len, &tgz);
	ck_assert_int_eq(unpack_gzip_is_tar(tgz.data, tgz.len), 1);
	assert_refused(&tgz, "empty.tgz", &DEFAULTS, "empty.tgz", "holds no files at all");
	/* gzipped zeros that are no empty tar: too few, cut short, or more
	 * than any empty tar (a bomb is left to gunzip and its limits) */
	buf_reset(&tgz);
	gzip_append(arc.data, 1000, &tgz);
	ck_assert_int_eq(unpack_gzip_is_tar(tgz.data, tgz.len), 0);
	buf_reset(&tgz);
	gzip_append(arc.data, arc.len, &tgz);
	ck_assert_int_eq(unpack_gzip_is_tar(tgz.data, tgz.len - 4), 0);
	buf_reset(&tgz);
	char *zeros = xcalloc(1, 2 << 20);
	gzip_append(zeros, 2 << 20, &tgz);
	free(zeros);
	ck_assert_int_eq(unpack_gzip_is_tar(tgz.data, tgz.len), 0);
	buf_release(&tgz);
	/* the shortest one tar accepts: two blocks */
	ck_assert_int_eq(unpack_sniff(arc.data, 1024), UNPACK_ARCHIVE);
	/* zeros that are no tar: one block, or not a whole number of blocks */
	ck_assert_int_eq(unpack_sniff(arc.data, 512), UNPACK_NONE);
	ck_assert_int_eq(unpack_sniff(arc.data, 1500), UNPACK_NONE);
	/* a block of zeros and then anything else is no empty tar either */
	arc.data[1023] = 'x';
	ck_assert_int_eq(unpack_sniff(arc.data, 1024), UNPACK_NONE);
	buf_release(&arc);
	build(ZIP, NULL, 0, &arc);
	ck_assert_int_eq(unpack_sniff(arc.data, arc.len), UNPACK_ARCHIVE);
	assert_refused(&arc, "empty.zip", &DEFAULTS, "empty.zip", "holds no files at all");
	buf_release(&arc);
	static const struct entry dirs[] = { { .name = "d/", .type = 'd' } };
	build(TAR, dirs, 1, &arc);
	assert_refused(&arc, "dirs.tar", &DEFAULTS, "dirs.tar", "no regular file, only 1 folder");
	buf_release(&arc);
}
END_TEST

START_TEST(empty_archive_inside_fails_alone)
{
	/* an empty tar (and an empty .tgz) in a zip: each fails as a member,
	 * saying it is empty, instead of vanishing; the sibling is read */
	struct buf tar, tgz = BUF_INIT, outer;
	build(TAR, NULL, 0, &tar);
	gzip_append(tar.data, tar.len, &tgz);
	struct entry top[] = {
		{ .name = "nothing.tar", .data = tar.data, .size = tar.len },
		{ .name = "a.xml", .data = "<a/>" },
		{ .name = "nothing.tgz", .data = tgz.data, .size = tgz.len },
	};
	build(ZIP, top, 3, &outer);
	struct unpack_result r;
	char *err = NULL;
	int rc = unpack_archive(outer.data, outer.len, "outer.zip", &DEFAULTS, &r, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	ck_assert_int_eq(r.n, 3);
	ck_assert_str_eq(r.members[0].name, "outer.zip/nothing.tar");
	assert_has(r.members[0].refused, "outer.zip/nothing.tar: the archive is empty");
	assert_member(&r, 1, "outer.zip/a.xml", "<a/>");
	ck_assert_str_eq(r.members[2].name, "outer.zip/nothing.tgz");
	assert_has(r.members[2].refused, "holds no files at all");
	unpack_free(&r);
	buf_release(&outer);
	buf_release(&tgz);
	buf_release(&tar);
}
END_TEST

/* Breaks the deflate data of member k (from 0) of a zip build() made: its
 * first block gets type 3, which does not exist, so inflate stops at its
 * first byte (Z_DATA_ERROR) and libarchive's reader can go no further
 * (ARCHIVE_FATAL). build() writes each member's sizes after its data (flag
 * bit 3), so a reader can only skip such a member by the central
 * directory, or by decompressing it. */
static void break_deflate(struct buf *zip, int k)
{
	const char *p = zip->data;
	for (int i = 0; p && i <= k; i++)
		p = memmem(p + (i > 0), (size_t)(zip->data + zip->len - p) - (i > 0), "PK\x03\x04", 4);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_lt((size_t)(p - zip->data) + 30, zip->len);
	size_t o = (size_t)(p - zip->data);
	const unsigned char *u = (const unsigned char *)p;
	ck_assert_int_eq(u[8] | u[9] << 8, 8);		 /* deflate */
	ck_assert_int_eq((u[6] | u[7] << 8) & 8, 8);	 /* sizes after the data */
	size_t start = o + 30 + (size_t)(u[26] | u[27] << 8) + (size_t)(u[28] | u[29] << 8);
	zip->data[start] |= 0x06;
}

static const char *const WHICH[] = { "first", "second", "third" };

START_TEST(corrupt_deflate_member_fails_alone)
{
	/* the member at _i (and, last, the first and the third together)
	 * fails alone; the members after it are read all the same */
	static const struct entry e[] = { { .name = "1.xml", .data = "<one/>" },
					  { .name = "2.xml", .data = "<two/>" },
					  { .name = "3.xml", .data = "<three/>" } };
	static const char *const want[] = { "<one/>", "<two/>", "<three/>" };
	struct buf arc;
	build(ZIP, e, 3, &arc);
	if (_i < 3) {
		break_deflate(&arc, _i);
	} else {
		break_deflate(&arc, 0);
		break_deflate(&arc, 2);
	}
	struct unpack_result r;
	char *err = NULL;
	int rc = unpack_archive(arc.data, arc.len, "bad.zip", &DEFAULTS, &r, &err);
	ck_assert_msg(rc == 0, "%s member broken: %s", _i < 3 ? WHICH[_i] : "first and last",
		      err ? err : "?");
	ck_assert_str_eq(r.format, "zip");
	ck_assert_int_eq(r.n, 3);
	for (int i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof name, "bad.zip/%d.xml", i + 1);
		if (_i < 3 ? i != _i : i == 1) {
			assert_member(&r, i, name, want[i]);
			continue;
		}
		ck_assert_str_eq(r.members[i].name, name);
		assert_has(r.members[i].refused, "cannot read the member: ZIP decompression failed");
		ck_assert_uint_eq(r.members[i].data.len, 0);
	}
	unpack_free(&r);
	buf_release(&arc);
}
END_TEST

START_TEST(corrupt_deflate_limits_go_on)
{
	/* reading on past a broken member reads nothing twice and forgets
	 * nothing: max_total_mb counts each sound member once ... */
	static const struct entry e[] = { { .name = "1.xml", .size = 4000, .fill = '1' },
					  { .name = "2.xml", .size = 4000, .fill = '2' },
					  { .name = "3.xml", .size = 4000, .fill = '3' },
					  { .name = "4.xml", .size = 4000, .fill = '4' } };
	struct unpack_limits lim = DEFAULTS;
	lim.max_total_bytes = 10000;
	struct buf arc;
	build(ZIP, e, 3, &arc);
	break_deflate(&arc, 1);
	struct unpack_result r;
	char *err = NULL;
	int rc = unpack_archive(arc.data, arc.len, "three.zip", &lim, &r, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	ck_assert_int_eq(r.n, 3);
	ck_assert_uint_eq(r.members[2].data.len, 4000);
	unpack_free(&r);
	buf_release(&arc);
	/* ... and still counts those before it */
	build(ZIP, e, 4, &arc);
	break_deflate(&arc, 1);
	assert_refused(&arc, "four.zip", &lim, "more than 10000 bytes", "max_total");
	buf_release(&arc);

	/* max_ratio over the members before and after it: 1.2 MB of one
	 * letter in a few kB */
	static const struct entry bomb[] = { { .name = "1.xml", .size = 600000, .fill = 'a' },
					     { .name = "2.xml", .data = "<two/>" },
					     { .name = "3.xml", .size = 600000, .fill = 'a' } };
	build(ZIP, bomb, 3, &arc);
	break_deflate(&arc, 1);
	assert_refused(&arc, "bomb.zip", &DEFAULTS, "ratio over 200:1", "max_ratio");
	buf_release(&arc);

	/* the broken member counts as a member */
	lim = DEFAULTS;
	lim.max_members = 3;
	build(ZIP, e, 4, &arc);
	break_deflate(&arc, 0);
	assert_refused(&arc, "four.zip", &lim, "more than 3 members", NULL);
	buf_release(&arc);

	/* the entries skipped again are not counted again: with max_members
	 * 2 an archive may hold 24 entries, and this one holds 16 */
	struct entry many[16];
	char names[14][16];
	for (int i = 0; i < 14; i++) {
		snprintf(names[i], sizeof names[i], "d%d/", i);
		many[i] = (struct entry){ .name = names[i], .type = 'd' };
	}
	many[14] = (struct entry){ .name = "bad.xml", .data = "<bad/>" };
	many[15] = (struct entry){ .name = "good.xml", .data = "<good/>" };
	lim.max_members = 2;
	build(ZIP, many, 16, &arc);
	break_deflate(&arc, 14);
	rc = unpack_archive(arc.data, arc.len, "dirs.zip", &lim, &r, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	ck_assert_int_eq(r.n, 2);
	ck_assert_ptr_nonnull(r.members[0].refused);
	assert_member(&r, 1, "dirs.zip/good.xml", "<good/>");
	unpack_free(&r);
	buf_release(&arc);
}
END_TEST

START_TEST(corrupt_deflate_nested)
{
	/* nested archives are read from memory, which libarchive can seek in
	 * as well: a broken member of a zip in a zip fails alone, and so does
	 * one of the outer zip after it */
	static const struct entry in[] = { { .name = "i1.xml", .data = "<i1/>" },
					   { .name = "i2.xml", .data = "<i2/>" },
					   { .name = "i3.xml", .data = "<i3/>" } };
	struct buf inner;
	build(ZIP, in, 3, &inner);
	break_deflate(&inner, 1);
	struct entry top[] = { { .name = "a.xml", .data = "<a/>" },
			       { .name = "inner.zip", .data = inner.data, .size = inner.len },
			       { .name = "b.xml", .data = "<b/>" },
			       { .name = "z.xml", .data = "<z/>" } };
	struct buf outer;
	build(ZIP, top, 4, &outer);
	break_deflate(&outer, 2);
	struct unpack_result r;
	char *err = NULL;
	int rc = unpack_archive(outer.data, outer.len, "outer.zip", &DEFAULTS, &r, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	ck_assert_int_eq(r.n, 6);
	assert_member(&r, 0, "outer.zip/a.xml", "<a/>");
	assert_member(&r, 1, "outer.zip/inner.zip/i1.xml", "<i1/>");
	ck_assert_str_eq(r.members[2].name, "outer.zip/inner.zip/i2.xml");
	assert_has(r.members[2].refused, "ZIP decompression failed");
	assert_member(&r, 3, "outer.zip/inner.zip/i3.xml", "<i3/>");
	ck_assert_str_eq(r.members[4].name, "outer.zip/b.xml");
	assert_has(r.members[4].refused, "ZIP decompression failed");
	assert_member(&r, 5, "outer.zip/z.xml", "<z/>");
	unpack_free(&r);
	buf_release(&outer);
	buf_release(&inner);
}
END_TEST

START_TEST(corrupt_deflate_bounded)
{
	/* 64 broken members fail alone; one more and the archive is refused
	 * whole, saying why, instead of being read over and over */
	enum { N = 65 };
	struct entry e[N + 1];
	char names[N + 1][16];
	for (int i = 0; i <= N; i++) {
		snprintf(names[i], sizeof names[i], "%d.xml", i + 1);
		e[i] = (struct entry){ .name = names[i], .data = "<a/>" };
	}
	struct buf arc;
	build(ZIP, e, N + 1, &arc);
	for (int i = 0; i < N - 1; i++)
		break_deflate(&arc, i);
	struct unpack_result r;
	char *err = NULL;
	int rc = unpack_archive(arc.data, arc.len, "many.zip", &DEFAULTS, &r, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	ck_assert_int_eq(r.n, N + 1);
	ck_assert_ptr_nonnull(r.members[N - 2].refused);
	assert_member(&r, N - 1, "many.zip/65.xml", "<a/>");
	assert_member(&r, N, "many.zip/66.xml", "<a/>");
	unpack_free(&r);
	break_deflate(&arc, N - 1);
	assert_refused(&arc, "many.zip", &DEFAULTS, "many.zip/65.xml: cannot read: ZIP decompression",
		       "after 64 members like it, each refused alone, the archive is refused whole");
	buf_release(&arc);

	/* the headers gone past count too: behind 3000 folders, a few
	 * broken members are read past, not 64 */
	enum { D = 3000 };
	struct entry *big = xcalloc(D + 30, sizeof *big);
	char(*dn)[16] = xcalloc(D + 30, sizeof *dn);
	for (int i = 0; i < D + 30; i++) {
		snprintf(dn[i], sizeof dn[i], i < D ? "d%d/" : "%d.xml", i);
		big[i] = (struct entry){ .name = dn[i], .data = i < D ? NULL : "<a/>",
					 .type = i < D ? 'd' : 0 };
	}
	build(ZIP, big, D + 30, &arc);
	for (int i = 0; i < 30; i++)
		break_deflate(&arc, D + i);
	assert_refused(&arc, "dirs.zip", &DEFAULTS, "each refused alone, the archive is refused whole",
		       NULL);
	buf_release(&arc);
	free(dn);
	free(big);
}
END_TEST

START_TEST(corrupt_deflate_without_central_directory)
{
	/* a zip cut before its central directory is read as a stream, where
	 * a member whose size comes after its data can only be skipped by
	 * decompressing it: the archive fails whole, naming the member */
	static const struct entry e[] = { { .name = "1.xml", .data = "<one/>" },
					  { .name = "2.xml", .data = "<two/>" },
					  { .name = "3.xml", .data = "<three/>" } };
	struct buf arc;
	build(ZIP, e, 3, &arc);
	break_deflate(&arc, 1);
	const char *cd = memmem(arc.data, arc.len, "PK\x01\x02", 4);
	ck_assert_ptr_nonnull(cd);
	arc.len = (size_t)(cd - arc.data);
	assert_refused(&arc, "cut.zip", &DEFAULTS, "cut.zip", "2.xml");
	buf_release(&arc);
}
END_TEST

static unsigned le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static size_t le32(const unsigned char *p)
{
	return (size_t)le16(p) | (size_t)le16(p + 2) << 16;
}

/* The end record of the central directory of a zip build() made. */
static unsigned char *zip_end(struct buf *zip)
{
	for (size_t i = zip->len - 22;; i--) {
		if (!memcmp(zip->data + i, "PK\x05\x06", 4))
			return (unsigned char *)zip->data + i;
		ck_assert_uint_gt(i, 0);
	}
}

/* Entry k (from 0) of its central directory. */
static unsigned char *zip_listed(struct buf *zip, int k)
{
	unsigned char *p = (unsigned char *)zip->data + le32(zip_end(zip) + 16);
	for (int i = 0; i < k; i++) {
		ck_assert_mem_eq(p, "PK\x01\x02", 4);
		p += 46 + le16(p + 28) + le16(p + 30) + le16(p + 32);
	}
	ck_assert_mem_eq(p, "PK\x01\x02", 4);
	return p;
}

/* Entry k of the central directory points at entry j's local header. */
static void zip_point(struct buf *zip, int k, int j)
{
	memcpy(zip_listed(zip, k) + 42, zip_listed(zip, j) + 42, 4);
}

/* The central directory's last entry is taken out of it (its local
 * header and data stay). */
static void zip_unlist_last(struct buf *zip)
{
	unsigned char *end = zip_end(zip);
	unsigned n = le16(end + 10);
	unsigned char *last = zip_listed(zip, (int)n - 1);
	size_t gone = (size_t)(end - last);
	size_t cd = le32(end + 12) - gone;
	end[8] = end[10] = (unsigned char)(n - 1);
	end[9] = end[11] = (unsigned char)((n - 1) >> 8);
	for (int i = 0; i < 4; i++)
		end[12 + i] = (unsigned char)(cd >> (8 * i));
	memmove(last, end, (size_t)((unsigned char *)zip->data + zip->len - end));
	zip->len -= gone;
}

START_TEST(zip_hidden_members_refused)
{
	/* a member the central directory does not list, or lists twice over
	 * another's local header, would be lost unseen: the zip is refused
	 * whole, saying what differs */
	static const struct entry e[] = { { .name = "1.xml", .data = "<one/>" },
					  { .name = "2.xml", .data = "<two/>" },
					  { .name = "3.xml", .data = "<three/>" } };
	struct buf arc;
	build(ZIP, e, 3, &arc);
	zip_unlist_last(&arc);
	assert_refused(&arc, "hidden.zip", &DEFAULTS,
		       "hidden.zip: the zip's central directory (its list of members) does not "
		       "match the members in its data: member 3 in the data, 3.xml, is not in the "
		       "list",
		       "ask the sender to make the zip again");
	buf_release(&arc);
	/* two entries on one local header: libarchive keeps one of them */
	build(ZIP, e, 3, &arc);
	zip_point(&arc, 2, 1);
	assert_refused(&arc, "twice.zip", &DEFAULTS, "member 3 in the data, 3.xml, is not in the list",
		       NULL);
	buf_release(&arc);
	build(ZIP, e, 3, &arc);
	zip_point(&arc, 1, 0);
	assert_refused(&arc, "twice.zip", &DEFAULTS,
		       "member 2 in the data is 2.xml, but the list has 3.xml there", NULL);
	buf_release(&arc);
	/* behind a member that cannot be decompressed (its size comes after
	 * its data: the local headers are taken up again past it) */
	build(ZIP, e, 3, &arc);
	break_deflate(&arc, 1);
	zip_unlist_last(&arc);
	assert_refused(&arc, "broken.zip", &DEFAULTS, "member 3 in the data, 3.xml, is not in the list",
		       NULL);
	buf_release(&arc);
	/* in a zip inside a zip */
	struct buf inner;
	build(ZIP, e, 3, &inner);
	zip_unlist_last(&inner);
	struct entry top[] = { { .name = "a.xml", .data = "<a/>" },
			       { .name = "inner.zip", .data = inner.data, .size = inner.len } };
	build(ZIP, top, 2, &arc);
	assert_refused(&arc, "outer.zip", &DEFAULTS,
		       "outer.zip/inner.zip: the zip's central directory (its list of members) does "
		       "not match the members in its data: member 3 in the data, 3.xml",
		       NULL);
	buf_release(&arc);
	buf_release(&inner);
}
END_TEST

START_TEST(zip_hidden_members_bounded)
{
	/* a member over max_member_mb whose size comes after its data is
	 * decompressed only that far: it is refused alone as before, and a
	 * member hidden behind it is still found */
	static const struct entry e[] = { { .name = "1.xml", .data = "<one/>" },
					  { .name = "big.xml", .size = 300000, .fill = 'b' },
					  { .name = "3.xml", .data = "<three/>" } };
	struct unpack_limits lim = DEFAULTS;
	lim.max_member_bytes = 100000;
	struct buf arc;
	build(ZIP, e, 3, &arc);
	struct unpack_result r;
	char *err = NULL;
	int rc = unpack_archive(arc.data, arc.len, "big.zip", &lim, &r, &err);
	ck_assert_msg(rc == 0, "%s", err ? err : "?");
	ck_assert_int_eq(r.n, 3);
	assert_has(r.members[1].refused, "larger than 100000 bytes");
	assert_member(&r, 2, "big.zip/3.xml", "<three/>");
	unpack_free(&r);
	zip_unlist_last(&arc);
	assert_refused(&arc, "big.zip", &lim, "member 3 in the data, 3.xml, is not in the list", NULL);
	buf_release(&arc);
}
END_TEST

START_TEST(gunzip_members)
{
	struct buf gz = BUF_INIT, out = BUF_INIT;
	char *err = NULL;
	gzip_append("hello ", 6, &gz);
	ck_assert_int_eq(unpack_gunzip(gz.data, gz.len, &DEFAULTS, &out, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_uint_eq(out.len, 6);
	ck_assert_str_eq(out.data, "hello ");
	/* concatenated members are one stream */
	gzip_append("world", 5, &gz);
	gzip_append("!", 1, &gz);
	ck_assert_int_eq(unpack_gunzip(gz.data, gz.len, &DEFAULTS, &out, &err), 0);
	ck_assert_uint_eq(out.len, 12);
	ck_assert_str_eq(out.data, "hello world!");
	buf_release(&gz);

	/* truncated: in the data, and in the trailer */
	char text[4000];
	for (size_t i = 0; i < sizeof text; i++)
		text[i] = (char)('a' + (i * 7 + i / 13) % 26);
	gzip_append(text, sizeof text, &gz);
	size_t full = gz.len;
	gz.len = full / 2;
	ck_assert_int_eq(unpack_gunzip(gz.data, gz.len, &DEFAULTS, &out, &err), -1);
	assert_has(err, "truncated");
	free(err);
	gz.len = full - 4;
	ck_assert_int_eq(unpack_gunzip(gz.data, gz.len, &DEFAULTS, &out, &err), -1);
	assert_has(err, "truncated");
	free(err);
	gz.len = full;
	ck_assert_int_eq(unpack_gunzip(gz.data, gz.len, &DEFAULTS, &out, &err), 0);
	ck_assert_uint_eq(out.len, sizeof text);
	ck_assert_mem_eq(out.data, text, sizeof text);

	/* corrupt: a damaged CRC, and a damaged header */
	gz.data[full - 6] ^= 0x5a;
	ck_assert_int_eq(unpack_gunzip(gz.data, gz.len, &DEFAULTS, &out, &err), -1);
	assert_has(err, "corrupt");
	free(err);
	gz.data[full - 6] ^= 0x5a;
	gz.data[3] = (char)0xe0; /* reserved flag bits */
	ck_assert_int_eq(unpack_gunzip(gz.data, gz.len, &DEFAULTS, &out, &err), -1);
	assert_has(err, "corrupt");
	free(err);

	/* the member limit */
	struct unpack_limits small = DEFAULTS;
	small.max_member_bytes = 1000;
	buf_reset(&gz);
	gzip_append(text, sizeof text, &gz);
	ck_assert_int_eq(unpack_gunzip(gz.data, gz.len, &small, &out, &err), -1);
	assert_has(err, "limit of 1000 bytes");
	free(err);
	buf_release(&gz);
	buf_release(&out);
}
END_TEST

START_TEST(gzip_layers_count_as_nesting)
{
	/* gzip inside gzip: the file dropped is level 0, each layer inside it
	 * one more, against max_depth like archives inside archives */
	struct buf layers[5];
	memset(layers, 0, sizeof layers);
	buf_add(&layers[0], "<a/>", 4);
	for (int i = 1; i < 5; i++)
		gzip_append(layers[i - 1].data, layers[i - 1].len, &layers[i]);
	struct buf out = BUF_INIT;
	char *err = NULL;
	int levels = -1;
	/* x.gz, x.gz.gz, x.gz.gz.gz: 0, 1 and 2 levels inside, within 2 */
	for (int i = 1; i <= 3; i++) {
		ck_assert_int_eq(unpack_gunzip_nested(layers[i].data, layers[i].len, "x", &DEFAULTS,
						      &out, &levels, &err),
				 0);
		ck_assert_int_eq(levels, i - 1);
		ck_assert_str_eq(out.data, "<a/>");
	}
	/* x.gz.gz.gz.gz: a third level inside is refused, saying which and
	 * the setting to change */
	ck_assert_int_eq(unpack_gunzip_nested(layers[4].data, layers[4].len, "o.xml.gz.gz.gz.gz",
					      &DEFAULTS, &out, &levels, &err),
			 -1);
	assert_has(err, "o.xml.gz.gz.gz.gz: gzip inside gzip");
	assert_has(err, "this one is level 3; [unpack] max_depth = 2");
	assert_has(err, "raise [unpack] max_depth");
	free(err);
	/* max_depth 0: a .gz is read, a .gz.gz is not */
	struct unpack_limits none = DEFAULTS;
	none.max_depth = 0;
	ck_assert_int_eq(unpack_gunzip_nested(layers[1].data, layers[1].len, "x", &none, &out,
					      &levels, &err),
			 0);
	ck_assert_int_eq(unpack_gunzip_nested(layers[2].data, layers[2].len, "x.gz.gz", &none, &out,
					      &levels, &err),
			 -1);
	assert_has(err, "this one is level 1; [unpack] max_depth = 0");
	free(err);
	/* the same count inside an archive: a .gz.gz.gz member is level 3 */
	struct entry top[] = { { .name = "g2.xml.gz.gz", .data = layers[2].data, .size = layers[2].len },
			       { .name = "g3.xml.gz.gz.gz", .data = layers[3].data,
				 .size = layers[3].len } };
	struct buf zip;
	build(ZIP, top, 2, &zip);
	struct unpack_result r;
	ck_assert_int_eq(unpack_archive(zip.data, zip.len, "z.zip", &DEFAULTS, &r, &err), 0);
	ck_assert_int_eq(r.n, 2);
	assert_member(&r, 0, "z.zip/g2.xml.gz.gz", "<a/>");
	assert_has(r.members[1].refused, "this one is level 3; [unpack] max_depth = 2");
	unpack_free(&r);
	/* and an archive inside one gzip layer (the zip of a .zip.gz.gz) is
	 * level 1: the inner gzip of its .gz.gz member is then level 3 */
	ck_assert_int_eq(unpack_archive_at(zip.data, zip.len, "z.zip", 1, &DEFAULTS, &r, &err), 0);
	ck_assert_int_eq(r.n, 2);
	assert_has(r.members[0].refused, "this one is level 3; [unpack] max_depth = 2");
	assert_has(r.members[1].refused, "this one is level 3; [unpack] max_depth = 2");
	unpack_free(&r);
	buf_release(&zip);
	buf_release(&out);
	for (int i = 0; i < 5; i++)
		buf_release(&layers[i]);
}
END_TEST

START_TEST(sniff_kinds)
{
	struct buf b;
	static const struct entry one[] = { { .name = "a.xml", .data = "<a/>" } };
	build(ZIP, one, 1, &b);
	ck_assert_int_eq(unpack_sniff(b.data, b.len), UNPACK_ARCHIVE);
	buf_release(&b);
	build(TAR, one, 1, &b);
	ck_assert_int_eq(unpack_sniff(b.data, b.len), UNPACK_ARCHIVE);
	buf_release(&b);
	build(TGZ, one, 1, &b);
	ck_assert_int_eq(unpack_sniff(b.data, b.len), UNPACK_GZIP);
	buf_release(&b);
	memset(&b, 0, sizeof b);
	gzip_append("<a/>", 4, &b);
	ck_assert_int_eq(unpack_sniff(b.data, b.len), UNPACK_GZIP);
	/* a gzip cut to its magic is still gzip; one byte is not */
	ck_assert_int_eq(unpack_sniff(b.data, 2), UNPACK_GZIP);
	ck_assert_int_eq(unpack_sniff(b.data, 1), UNPACK_NONE);
	buf_release(&b);
	ck_assert_int_eq(unpack_sniff("<?xml version=\"1.0\"?><a/>", 25), UNPACK_NONE);
	ck_assert_int_eq(unpack_sniff("order,role,decision\n", 20), UNPACK_NONE);
	ck_assert_int_eq(unpack_sniff("PK", 2), UNPACK_NONE);
	ck_assert_int_eq(unpack_sniff("PK\x05\x06", 4), UNPACK_ARCHIVE);
	ck_assert_int_eq(unpack_sniff("PK\x01\x02", 4), UNPACK_NONE);
	ck_assert_int_eq(unpack_sniff("", 0), UNPACK_NONE);
	/* "ustar" must be at offset 257 */
	char block[512];
	memset(block, 0, sizeof block);
	memcpy(block + 256, "ustar", 5);
	ck_assert_int_eq(unpack_sniff(block, sizeof block), UNPACK_NONE);
	memcpy(block + 257, "ustar", 5);
	ck_assert_int_eq(unpack_sniff(block, sizeof block), UNPACK_ARCHIVE);
	ck_assert_int_eq(unpack_sniff(block, 261), UNPACK_NONE);
}
END_TEST

Suite *suite_unpack(void)
{
	Suite *s = suite_create("unpack");
	TCase *tc = tcase_create("archives");
	tcase_set_timeout(tc, 120); /* megabytes through valgrind */
	tcase_add_loop_test(tc, members_in_order, 0, (int)ARRAY_SIZE(kinds));
	tcase_add_test(tc, nested_archives_flattened);
	tcase_add_test(tc, links_skipped_with_notes);
	tcase_add_test(tc, member_too_large_refused_alone);
	tcase_add_test(tc, too_many_members_refuse_archive);
	tcase_add_test(tc, total_bytes_limit);
	tcase_add_test(tc, ratio_limit);
	tcase_add_test(tc, tar_gz_stream_limits);
	tcase_add_test(tc, corrupt_and_empty);
	tcase_add_test(tc, empty_archive_inside_fails_alone);
	tcase_add_loop_test(tc, corrupt_deflate_member_fails_alone, 0, 4);
	tcase_add_test(tc, corrupt_deflate_limits_go_on);
	tcase_add_test(tc, corrupt_deflate_nested);
	tcase_add_test(tc, corrupt_deflate_bounded);
	tcase_add_test(tc, corrupt_deflate_without_central_directory);
	tcase_add_test(tc, zip_hidden_members_refused);
	tcase_add_test(tc, zip_hidden_members_bounded);
	suite_add_tcase(s, tc);
	tc = tcase_create("gzip");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, gunzip_members);
	tcase_add_test(tc, gzip_layers_count_as_nesting);
	tcase_add_test(tc, sniff_kinds);
	suite_add_tcase(s, tc);
	return s;
}

/*
 * unpack: compressed and archived input, read in memory and never
 * extracted to disk by entry name. gzip goes through zlib; zip, tar and
 * tar.gz (gzip filter in memory, never gunzipped whole first) through
 * libarchive. Only regular entries are read; links,
 * devices and folders are skipped with a note. Limits (member count, bytes
 * per member, total bytes, compression ratio, nesting depth) are checked
 * while reading, so a bomb stops at the limit, not at the end of memory.
 * A member too large is refused alone; the other limits refuse the whole
 * archive. A member whose data cannot be read (a bad CRC, corrupt deflate
 * data) is refused alone too: after corrupt deflate data libarchive's
 * reader cannot go on, so the zip is opened again and read on past that
 * member (a bounded number of times, the limits counting on). A zip is
 * read by its central directory, then held to the local headers in its
 * data (same names, order and number): a member the directory leaves out
 * refuses the zip whole rather than being lost unseen. Member
 * names are only ever shown, never used as paths.
 *
 * Memory: members and notes are owned by the caller: unpack_free().
 */
#ifndef OG_UNPACK_H
#define OG_UNPACK_H

#include <stddef.h>

#include "util.h"

enum unpack_kind { UNPACK_NONE, UNPACK_GZIP, UNPACK_ARCHIVE };

struct unpack_limits {
	long max_members;
	long max_member_bytes;
	long max_total_bytes;
	long max_ratio; /* uncompressed bytes per compressed byte */
	int max_depth;  /* containers (archives, gzip layers) inside the file dropped */
};

struct unpack_member {
	char *name;      /* "outer.zip/inner/a.xml" */
	struct buf data;
	char *refused;   /* set when this member alone broke a limit */
};

struct unpack_result {
	struct unpack_member *members;
	int n;
	char **notes; /* skipped entries */
	int nnotes;
	const char *format; /* "zip", "tar", "tar.gz", "gzip" */
};

enum unpack_kind unpack_sniff(const char *data, size_t len);
/* gunzips one gzip stream (or several concatenated) into out. */
int unpack_gunzip(const char *data, size_t len, const struct unpack_limits *lim,
		  struct buf *out, char **err);
/* A gzip file as dropped (level 0): gunzips it and every gzip layer inside
 * it (x.xml.gz.gz); each inner layer is a level of nesting, counted against
 * lim->max_depth like an archive inside an archive (*levels: how many were
 * opened). out: the innermost bytes, a document or an archive (a gzip
 * layer around an archive is one level with it). -1 with *err (naming
 * name, and max_depth when the layers go deeper) when the file must be
 * refused. */
int unpack_gunzip_nested(const char *data, size_t len, const char *name,
			 const struct unpack_limits *lim, struct buf *out, int *levels, char **err);
/* 1 when data is gzip whose first 512 decompressed bytes are a tar header,
 * or that decompresses to an empty tar (blocks of zeros, at most 1 MiB)
 * (a .tar.gz: give it to unpack_archive as it is, not gunzipped). */
int unpack_gzip_is_tar(const char *data, size_t len);
/* Reads every member of an archive (zip, tar, tar.gz), flattening nested
 * archives up to lim->max_depth. A .tar.gz is read through libarchive's
 * gzip filter: each member is held to max_member_bytes, and the whole
 * decompressed tar stream (headers and skipped members included) counts
 * against max_total_bytes and max_ratio. -1 with *err when the archive as a
 * whole must be refused. */
int unpack_archive(const char *data, size_t len, const char *name,
		   const struct unpack_limits *lim, struct unpack_result *res, char **err);
/* The same for an archive that is itself at nesting level depth (inside
 * gzip layers of the file dropped), so its members meet max_depth as
 * members of an archive at that level. */
int unpack_archive_at(const char *data, size_t len, const char *name, int depth,
		      const struct unpack_limits *lim, struct unpack_result *res, char **err);
void unpack_free(struct unpack_result *res);

#endif

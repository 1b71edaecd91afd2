/*
 * unpack: compressed and archived input, read in memory and never
 * extracted to disk by entry name. gzip goes through zlib; zip, tar and
 * tar.gz (gzip filter in memory, never gunzipped whole first) through
 * libarchive. Only regular entries are read; links,
 * devices and folders are skipped with a note. Limits (member count, bytes
 * per member, total bytes, compression ratio, nesting depth) are checked
 * while reading, so a bomb stops at the limit, not at the end of memory.
 * A member too large is refused alone; the other limits refuse the whole
 * archive. Member names are only ever shown, never used as paths.
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
	int max_depth;  /* archives inside archives */
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
void unpack_free(struct unpack_result *res);

#endif

/*
 * fuzz_unpack: the archive reader (zip, tar, tar.gz, nested), the gzip
 * reader and the .tar.gz peek, with small limits. Oracles: no sanitizer
 * report; on success the limits hold (member count, bytes per member, bytes
 * in all), every member has a name, and a refused member carries no bytes;
 * a refusal has a reason, with no "(null)" in it (unless the input has one,
 * in a member's name).
 */
#define _GNU_SOURCE /* memmem */
#include "fuzz_common.h"

#include "unpack.h"

static const struct unpack_limits lim = {
	.max_members = 20,
	.max_member_bytes = 1L << 20,
	.max_total_bytes = 4L << 20,
	.max_ratio = 200,
	.max_depth = 2,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *bytes = fuzz_copy(data, len);
	(void)unpack_sniff(bytes, len);
	/* a .tar.gz goes to unpack_archive as it is (below); the peek must
	 * agree with the sniffer that it is gzip at all */
	if (unpack_gzip_is_tar(bytes, len))
		FUZZ_CHECK(unpack_sniff(bytes, len) == UNPACK_GZIP, "tar peek on non-gzip");

	struct buf out = BUF_INIT;
	char *err = NULL;
	if (unpack_gunzip(bytes, len, &lim, &out, &err) == 0)
		FUZZ_CHECK(out.len <= (size_t)lim.max_member_bytes, "gunzip gave %zu bytes",
			   out.len);
	else
		FUZZ_CHECK(err != NULL, "gunzip failed without a reason");
	free(err);
	buf_release(&out);

	struct unpack_result res;
	err = NULL;
	if (unpack_archive(bytes, len, "fuzz.zip", &lim, &res, &err) == 0) {
		FUZZ_CHECK(res.n > 0 && res.n <= lim.max_members, "%d members", res.n);
		FUZZ_CHECK(res.format != NULL, "no format");
		size_t total = 0;
		for (int i = 0; i < res.n; i++) {
			const struct unpack_member *m = &res.members[i];
			FUZZ_CHECK(m->name && *m->name, "member %d without a name", i);
			FUZZ_CHECK(m->data.len <= (size_t)lim.max_member_bytes,
				   "member %d has %zu bytes", i, m->data.len);
			FUZZ_CHECK(!m->refused || m->data.len == 0, "refused member %d has bytes", i);
			total += m->data.len;
		}
		FUZZ_CHECK(total <= (size_t)lim.max_total_bytes,
			   "members hold %zu bytes, over max_total_bytes %ld", total,
			   lim.max_total_bytes);
	} else {
		FUZZ_CHECK(err != NULL, "unpack_archive failed without a reason");
		/* a reason names members, whose names may say "(null)"
		 * themselves */
		FUZZ_CHECK(!strstr(err, "(null)") || memmem(bytes, len, "(null)", 6),
			   "a reason with a null in it: %s", err);
	}
	free(err);
	unpack_free(&res);
	free(bytes);
	return 0;
}

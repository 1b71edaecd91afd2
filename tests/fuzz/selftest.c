/*
 * The replay's own proof that its sanitizers bite (tests/fuzz/replay.sh,
 * standalone build only): an input naming a fault commits it. "overflow"
 * reads past a heap block, "leak" drops a block, "ubsan" overflows a
 * signed int, "oracle" breaks a FUZZ_CHECK; anything else is harmless.
 * replay.sh expects each fault to fail the run with its sanitizer's report
 * and the harmless input to pass.
 */
#include "fuzz_common.h"

static volatile int sink;
static void *volatile keep;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *s = fuzz_copy(data, len);
	if (!strncmp(s, "overflow", 8)) {
		char *p = malloc(8), out[4];
		memcpy(p, "1234567", 8);
		memcpy(out, p + 6, 3 + len % 2); /* one or two bytes past the block */
		sink = out[0];
		free(p);
	} else if (!strncmp(s, "leak", 4)) {
		keep = malloc(100);
		keep = NULL;
	} else if (!strncmp(s, "ubsan", 5)) {
		int big = 2147483600 + (int)len;
		sink = big + 100;
	} else if (!strncmp(s, "oracle", 6)) {
		FUZZ_CHECK(len == 0, "the self-test oracle fails on purpose");
	}
	free(s);
	return 0;
}

/*
 * Shared bits of the libFuzzer harnesses (tests/fuzz/). Each harness
 * defines LLVMFuzzerInitialize (one-time set-up, outside the measured
 * loop) and LLVMFuzzerTestOneInput. FUZZ_CHECK is the oracle: a broken
 * promise of the code under test aborts, so libFuzzer saves the input.
 */
#ifndef OG_FUZZ_COMMON_H
#define OG_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, ...)                                                   \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "fuzz oracle failed: %s: ", #cond);     \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
			abort();                                                \
		}                                                               \
	} while (0)

#define FUZZ_DIE(...)                                                           \
	do {                                                                    \
		fprintf(stderr, "fuzz set-up failed: ");                        \
		fprintf(stderr, __VA_ARGS__);                                   \
		fputc('\n', stderr);                                            \
		exit(2);                                                        \
	} while (0)

/* A NUL-terminated copy, as every caller in the engine hands over
 * (buf_str). */
static inline char *fuzz_copy(const uint8_t *data, size_t len)
{
	char *p = malloc(len + 1);
	if (!p)
		abort();
	if (len)
		memcpy(p, data, len);
	p[len] = '\0';
	return p;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

#endif

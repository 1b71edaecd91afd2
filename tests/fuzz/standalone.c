/*
 * A main() for the fuzz harnesses without libFuzzer (tests/fuzz/build.sh
 * with FUZZ_ENGINE=standalone, used by `make check`): calls
 * LLVMFuzzerInitialize once, then feeds each file named on the command line
 * to LLVMFuzzerTestOneInput once, as a libFuzzer binary given files does.
 * Arguments starting with '-' (libFuzzer options) are ignored. Built with
 * AddressSanitizer and UBSan (not recoverable), a crash, an oracle failure,
 * undefined behaviour or (at exit, LeakSanitizer) a leak ends the process
 * with a non-zero status; replay.sh runs a failing set again file by file to
 * name the file.
 *
 * Exit status: 0 when every file ran; 2 when a file cannot be read.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

static int read_all(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 65536, n = 0;
	uint8_t *p = malloc(cap);
	for (;;) {
		if (!p)
			abort();
		size_t got = fread(p + n, 1, cap - n, f);
		n += got;
		if (n < cap) {
			if (ferror(f)) {
				free(p);
				fclose(f);
				return -1;
			}
			break;
		}
		cap *= 2;
		p = realloc(p, cap);
	}
	fclose(f);
	/* an exact-size copy, so that reading one byte past the input is
	 * caught by AddressSanitizer as it is under libFuzzer */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact)
		abort();
	memcpy(exact, p, n);
	free(p);
	*data = exact;
	*len = n;
	return 0;
}

int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	int ran = 0;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		uint8_t *data;
		size_t len;
		if (read_all(argv[i], &data, &len) < 0) {
			fprintf(stderr, "%s: cannot read %s: %s\n", argv[0], argv[i], strerror(errno));
			return 2;
		}
		fprintf(stderr, "Running: %s (%zu bytes)\n", argv[i], len);
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		ran++;
	}
	fprintf(stderr, "Executed %d inputs\n", ran);
	return 0;
}

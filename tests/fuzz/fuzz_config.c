/*
 * fuzz_config: the INI parsers. The bytes are written to a file in a
 * private temporary folder and read as the engine configuration
 * (config_load), as the only partner profile of that folder (partner_load)
 * and as a CSV map (csv_map_load). Oracles: no sanitizer report; a failure
 * always comes with a message, a success leaves the defaults' invariants
 * (data_dir, assume_timezone set).
 */
#include "fuzz_common.h"

#include <fcntl.h>
#include <unistd.h>

#include "config.h"
#include "csv.h"
#include "partner.h"

static char dir[4096];
static char path[4096 + 16];

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* under $TMPDIR: run.sh and replay.sh point it at build/fuzz/tmp and
	 * empty it afterwards (libFuzzer ends with _Exit, so atexit may not run) */
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/og-fuzz-config.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		FUZZ_DIE("mkdtemp %s", dir);
	snprintf(path, sizeof path, "%s/p.ini", dir);
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		abort();
	if (len && write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);

	struct config c;
	char *err = NULL;
	if (config_load(&c, path, &err) == 0) {
		FUZZ_CHECK(c.data_dir && c.assume_timezone && c.marker, "defaults lost");
		FUZZ_CHECK(c.max_document_bytes > 0 && c.memory_limit_mb >= 32, "limits out of range");
		config_release(&c);
	} else {
		FUZZ_CHECK(err && *err, "config_load failed without a message");
	}
	free(err);

	struct partners ps;
	memset(&ps, 0, sizeof ps);
	err = NULL;
	if (partner_load(&ps, dir, 0, &err) == 0)
		FUZZ_CHECK(ps.n >= 0 && ps.n <= 1, "%d profiles from one file", ps.n);
	else
		FUZZ_CHECK(err && *err, "partner_load failed without a message");
	free(err);
	partner_release(&ps);

	struct csv_map *map = NULL;
	err = NULL;
	if (csv_map_load(path, &map, &err) == 0)
		csv_map_free(map);
	else
		FUZZ_CHECK(err && *err, "csv_map_load failed without a message");
	free(err);
	return 0;
}

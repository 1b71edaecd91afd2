/*
 * fuzz_xml: bytes through the whole per-document pipeline, as a worker runs
 * them (detect -> parse -> map -> normalise -> decide -> emit), with the
 * default configuration and every stylesheet, schema and DTD loaded once.
 * Oracles: no sanitizer report; a result is either ok with a canonical order
 * and outputs, or failed with a stage and a reason.
 */
#include "fuzz_common.h"

#include "config.h"
#include "pipeline.h"

static struct config cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char *err = NULL;
	setenv("ORDERGATE_TIME", "1767225600", 1); /* 2026-01-01: reproducible */
	if (config_load(&cfg, NULL, &err) < 0)
		FUZZ_DIE("config_load: %s", err);
	if (pipeline_init(&cfg, &err) < 0)
		FUZZ_DIE("pipeline_init: %s", err);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *doc = fuzz_copy(data, len);
	struct doc_job job = {
		.id = "20260101-000000-000001-000001",
		.name = "fuzz.xml",
		.received = "2026-01-01T00:00:00+00:00",
	};
	struct doc_result res;
	memset(&res, 0, sizeof res);
	pipeline_run(&cfg, &job, doc, len, 1, &res);
	if (getenv("FUZZ_VERBOSE")) /* replaying by hand: what became of each input */
		fprintf(stderr, "fuzz_xml: %s%s%s%s\n", res.ok ? "ok, decision " : "failed at ",
			res.ok ? res.decision : res.stage, res.ok ? "" : ": ",
			res.ok ? "" : res.reason);
	if (res.ok)
		FUZZ_CHECK(res.canonical.len > 0 && res.decision, "ok without canonical/decision");
	else
		FUZZ_CHECK(res.stage && res.reason, "failed without stage or reason");
	pipeline_result_release(&res);
	free(doc);
	return 0;
}

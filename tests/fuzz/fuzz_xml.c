/*
 * fuzz_xml: bytes through the whole per-document pipeline, as a worker runs
 * them (detect -> parse -> map -> normalise -> decide -> emit), with the
 * default configuration and every stylesheet, schema and DTD loaded once.
 * Oracles: no sanitizer report; a result is either ok with a canonical order
 * and outputs, or failed with a stage and a reason. Each input runs a second
 * time with every document taken as a large order (chunk_above_kb = 1,
 * chunks of 2 lines: src/split.c and emit's chunked rendering): it must end
 * the same way, and when it is ok, with the same canonical text and the
 * same outputs, byte for byte.
 */
#include "fuzz_common.h"

#include "config.h"
#include "pipeline.h"

static struct config cfg, chunked;

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
	chunked = cfg;
	chunked.chunk_above_kb = 1;
	chunked.chunk_lines = 2;
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

	struct doc_result big;
	memset(&big, 0, sizeof big);
	char *again = fuzz_copy(data, len);
	pipeline_run(&chunked, &job, again, len, 1, &big);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz_xml: in chunks: %s%s%s%s\n",
			big.ok ? "ok" : "failed at ", big.ok ? "" : big.stage, big.ok ? "" : ": ",
			big.ok ? (big.chunked ? big.chunked : "(whole)") : big.reason);
	FUZZ_CHECK(big.ok == res.ok, "whole %s, in chunks %s", res.ok ? "ok" : res.stage,
		   big.ok ? "ok" : big.stage);
	if (res.ok && big.ok) {
		FUZZ_CHECK(big.canonical.len == res.canonical.len &&
				   !memcmp(big.canonical.data, res.canonical.data, res.canonical.len),
			   "the canonical text differs in chunks");
		FUZZ_CHECK(big.noutputs == res.noutputs, "%d outputs whole, %d in chunks",
			   res.noutputs, big.noutputs);
		for (int i = 0; i < res.noutputs && i < big.noutputs; i++)
			FUZZ_CHECK(big.outputs[i].data.len == res.outputs[i].data.len &&
					   !memcmp(big.outputs[i].data.data, res.outputs[i].data.data,
						   res.outputs[i].data.len),
				   "the %s differs in chunks", res.outputs[i].kind);
	}
	pipeline_result_release(&big);
	free(again);
	pipeline_result_release(&res);
	free(doc);
	return 0;
}

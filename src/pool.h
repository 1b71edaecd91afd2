/*
 * pool: the worker processes that parse and transform (design brief,
 * section 2). The parent never parses partner bytes; it hands a worker a
 * claimed file and gets back a struct doc_result. Each worker runs with an
 * address-space limit and a per-document CPU timer; a worker that dies or
 * overruns costs exactly its one document (returned as failed, stage
 * "worker"), and a fresh worker takes its place.
 *
 * A worker holds up to two jobs: the one it translates and the next,
 * already sent, so it never waits while the parent commits a group. When
 * a worker dies, the job it was translating fails and the one queued
 * behind it goes to the fresh worker: never lost, never run twice.
 */
#ifndef OG_POOL_H
#define OG_POOL_H

#include <sys/types.h>

#include "config.h"
#include "pipeline.h"

struct pool_job {
	char *id, *name, *work_name, *path, *received;
	/* a render job (an order decided after a hold) instead of a file: */
	int render;
	char *canonical, *action, *message, *po_number;
	char *partner; /* bound by the inbox, or NULL */
	char *csv_map; /* the CSV map bound to the inbox, or NULL */
	int spend_tries; /* decided again because the budget spend changed (batch.c) */
	int ship_tries;  /* a ship notice decided again: its order was unknown (batch.c) */
	int recovered;   /* left in work/ by an interrupted run (batch.c) */
};

struct worker;

struct pool {
	const struct config *cfg;
	struct worker *workers;
	int n;
	int busy;                /* jobs submitted and not yet returned */
	struct pool_job **backlog; /* submitted, waiting for a worker with room */
	int nbacklog;
};

int pool_start(struct pool *p, const struct config *cfg, int n, char **err);
/* 1 when a worker has room for a job (idle, or translating one with
 * nothing queued behind it). */
int pool_has_idle(const struct pool *p);
/* Hands a job to the least loaded worker; the pool owns the job until
 * returned. Only when pool_has_idle(). */
int pool_submit(struct pool *p, struct pool_job *job, char **err);
/* Waits for one finished job; fills *job (ownership back to the caller)
 * and its results (one per document: an archive gives its container and
 * members; caller frees). Returns the number of results, or -1 when
 * nothing is in flight. */
int pool_wait(struct pool *p, struct pool_job **job, struct doc_result **res);
/* The same, waiting at most timeout_ms: 0 when no job has finished by then
 * (or nothing is in flight). */
int pool_poll(struct pool *p, struct pool_job **job, struct doc_result **res, int timeout_ms);
void pool_stop(struct pool *p);
void pool_job_free(struct pool_job *j);

#endif

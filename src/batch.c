/*
 * batch: see batch.h.
 */
#define _GNU_SOURCE
#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exitcodes.h"
#include "ledger.h"
#include "msg.h"
#include "pool.h"
#include "spool.h"

struct pending {
	struct pool_job *job;
	struct doc_result res;
	const char *state;   /* done, duplicate, failed */
	char *duplicate_of;
	char *archive_path;
	char **paths;        /* published output paths, for the log line */
	int npaths;
};

struct run {
	const struct config *cfg;
	struct spool spool;
	struct ledger ledger;
	struct pool pool;
	struct pending *group;
	int ngroup;
	struct batch_stats *st;
};

static void pending_release(struct pending *p)
{
	pool_job_free(p->job);
	pipeline_result_release(&p->res);
	free(p->duplicate_of);
	free(p->archive_path);
	for (int i = 0; i < p->npaths; i++)
		free(p->paths[i]);
	free(p->paths);
	memset(p, 0, sizeof *p);
}

static void add_path(struct pending *p, const char *path)
{
	p->paths = xrealloc(p->paths, sizeof(char *) * (size_t)(p->npaths + 1));
	p->paths[p->npaths++] = xstrdup(path);
}

/* Where an output goes: out/<partner>/<kind>/<ID>-<order>.xml; orders in
 * test mode go to out-test/ so no production reader sees them. */
static char *output_path(const struct pending *p, const struct output_doc *o)
{
	const struct doc_result *r = &p->res;
	int test = r->info.mode && !strcmp(r->info.mode, "test");
	char *order = safe_name(r->info.order_id ? r->info.order_id : "order", 40);
	char *path = xasprintf("%s/%s/%s/%s-%s.xml", test ? "out-test" : "out", r->partner,
			       o->kind, p->job->id, order);
	free(order);
	return path;
}

/* Decides duplicates and replays; turns a replay into a failure. */
static void check_duplicate(struct run *run, struct pending *p)
{
	struct doc_result *r = &p->res;
	char *doc = NULL, *sha = NULL;
	if (!r->ok) {
		p->state = "failed";
		return;
	}
	if (!r->info.payload_id || !*r->info.payload_id) {
		pipeline_fail(r, "detect", "ask the sender to give every document a payloadID",
			      "the document has no payloadID, so duplicates could not be "
			      "recognised");
		p->state = "failed";
		return;
	}
	p->state = "done";
	if (!ledger_find_payload(&run->ledger, r->sender_key, r->info.payload_id, &doc, &sha))
		return;
	if (!strcmp(sha, r->sha256)) {
		p->state = "duplicate";
		p->duplicate_of = xstrdup(doc);
	} else {
		pipeline_fail(r, "duplicate-check",
			      "a changed order must come with a new payloadID (a cXML "
			      "OrderRequest type=\"update\" for changes); if the first one was "
			      "wrong, ask the sender to resend with a new payloadID",
			      "payloadID \"%s\" from %s was already received as document %s "
			      "with different content; a replay with changes is refused",
			      r->info.payload_id, r->sender_key, doc);
		p->state = "failed";
	}
	free(doc);
	free(sha);
}

static int stage_and_record(struct run *run, struct pending *p, char **err)
{
	struct doc_result *r = &p->res;
	const char *id = p->job->id;
	struct ledger_doc d = { id, p->job->name, p->job->received, p->state, NULL, NULL, NULL,
				p->duplicate_of, NULL, NULL, r };
	char *failed_path = NULL;
	if (!strcmp(p->state, "failed")) {
		failed_path = xasprintf("failed/%s", p->job->work_name);
		d.stage = r->stage;
		d.reason = r->reason;
		d.hint = r->hint;
		d.failed_path = failed_path;
		int rc = ledger_add_document(&run->ledger, &d, err);
		free(failed_path);
		return rc;
	}
	p->archive_path = spool_archive_path(p->job->work_name, og_now());
	d.archive_path = p->archive_path;
	if (ledger_add_document(&run->ledger, &d, err) < 0)
		return -1;
	if (!strcmp(p->state, "done")) {
		if (ledger_add_order(&run->ledger, id, r, err) < 0)
			return -1;
		for (int i = 0; i < r->noutputs; i++) {
			struct output_doc *o = &r->outputs[i];
			char *path = output_path(p, o);
			char *tmp = xasprintf("%s.%s", id, o->kind);
			char sha[65];
			sha256_hex(o->data.data, o->data.len, sha);
			int rc = spool_stage(&run->spool, tmp, o->data.data, o->data.len, err);
			if (rc == 0)
				rc = ledger_add_output(&run->ledger, id, o->kind, o->format, r->partner,
						       path, tmp, o->payload_id, sha,
						       (long long)o->data.len, err);
			if (rc == 0)
				add_path(p, path);
			free(path);
			free(tmp);
			if (rc < 0)
				return -1;
		}
		for (int i = 0; i < r->info.nwarnings; i++)
			if (ledger_event(&run->ledger, id, "warning", r->info.warnings[i], err) < 0)
				return -1;
	} else if (ledger_event(&run->ledger, id, "duplicate", p->duplicate_of, err) < 0) {
		return -1;
	}
	char *tmp = xasprintf("%s.archive", id);
	char sha[65];
	sha256_hex(r->archive_gz.data, r->archive_gz.len, sha);
	int rc = spool_stage(&run->spool, tmp, r->archive_gz.data, r->archive_gz.len, err);
	if (rc == 0)
		rc = ledger_add_output(&run->ledger, id, "archive", "gzip", NULL, p->archive_path,
				       tmp, NULL, sha, (long long)r->archive_gz.len, err);
	free(tmp);
	return rc;
}

/* After the commit: make the committed state visible. Safe to repeat. */
static int finish_done(struct run *run, const char *id, const char *work_name, char **err)
{
	struct ledger_output *outs;
	int n, rc = 0;
	if (ledger_outputs(&run->ledger, id, &outs, &n) < 0) {
		*err = xasprintf("cannot read the outputs of %s from the ledger", id);
		return -1;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		char *tmp = xasprintf("tmp/%s", outs[i].tmp_name);
		if (spool_exists(&run->spool, tmp))
			rc = spool_publish(&run->spool, outs[i].tmp_name, outs[i].path, err);
		else if (!spool_exists(&run->spool, outs[i].path)) {
			*err = xasprintf("%s: the ledger records %s but neither it nor its staged "
					 "copy exists",
					 id, outs[i].path);
			rc = -1;
		}
		free(tmp);
	}
	ledger_outputs_free(outs, n);
	if (rc == 0)
		rc = spool_sync_dirs(&run->spool, err);
	if (rc == 0) {
		char *work = xasprintf("work/%s", work_name);
		rc = spool_unlink(&run->spool, work, err);
		free(work);
	}
	return rc;
}

static int finish_failed(struct run *run, const char *id, const char *work_name, char **err)
{
	char *text = ledger_failure_text(&run->ledger, id);
	char *tmp = xasprintf("%s.why", id);
	char *why = xasprintf("failed/%s.why", work_name);
	char *from = xasprintf("work/%s", work_name);
	char *to = xasprintf("failed/%s", work_name);
	const char *orig = work_name + SPOOL_ID_LEN + 1;
	char *full = xasprintf("%sto retry after a fix: mv %s/failed/%s %s/in/%s\n", text ? text : "",
			       run->spool.root, work_name, run->spool.root, orig);
	int rc = spool_stage(&run->spool, tmp, full, strlen(full), err);
	free(full);
	if (rc == 0)
		rc = spool_publish(&run->spool, tmp, why, err);
	if (rc == 0)
		rc = spool_move(&run->spool, from, to, err);
	free(text);
	free(tmp);
	free(why);
	free(from);
	free(to);
	return rc;
}

static void log_outcome(const struct pending *p)
{
	const struct doc_result *r = &p->res;
	const char *id = p->job->id;
	if (!strcmp(p->state, "failed")) {
		msg_error(id, "failed at %s: %s (failed/%s.why)", r->stage, r->reason,
			  p->job->work_name);
		return;
	}
	if (!strcmp(p->state, "duplicate")) {
		msg_info(id, "duplicate of %s (payloadID %s): nothing new written, input archived",
			 p->duplicate_of, r->info.payload_id);
		return;
	}
	char total[DEC_FMT_MAX];
	dec_format(r->info.subtotal, 2, total);
	struct buf paths = BUF_INIT;
	for (int i = 0; i < p->npaths; i++)
		buf_printf(&paths, "%s%s", i ? ", " : "", p->paths[i]);
	msg_info(id, "%s: order %s from %s, %d line%s, %s %s, %s -> %s", p->job->name,
		 r->info.order_id, r->sender_key, r->info.nlines, r->info.nlines == 1 ? "" : "s",
		 total, r->info.currency, r->decision, buf_str(&paths));
	for (int i = 0; i < r->info.nwarnings; i++)
		msg_warn(id, "%s", r->info.warnings[i]);
	buf_release(&paths);
}

/* The group commit. Any I/O or ledger error is fatal for the run: the
 * transaction is rolled back and the claimed inputs stay in work/ for the
 * next run's recovery. */
static int commit_group(struct run *run, char **err)
{
	if (run->ngroup == 0)
		return 0;
	if (ledger_begin(&run->ledger, err) < 0)
		return -1;
	for (int i = 0; i < run->ngroup; i++) {
		check_duplicate(run, &run->group[i]);
		if (stage_and_record(run, &run->group[i], err) < 0) {
			ledger_rollback(&run->ledger);
			return -1;
		}
	}
	if (ledger_commit(&run->ledger, err) < 0) {
		ledger_rollback(&run->ledger);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < run->ngroup && rc == 0; i++) {
		struct pending *p = &run->group[i];
		if (!strcmp(p->state, "failed")) {
			rc = finish_failed(run, p->job->id, p->job->work_name, err);
			run->st->failed++;
		} else {
			rc = finish_done(run, p->job->id, p->job->work_name, err);
			if (!strcmp(p->state, "done"))
				run->st->translated++;
			else
				run->st->duplicates++;
		}
		if (rc == 0)
			log_outcome(p);
	}
	if (rc == 0)
		rc = spool_sync_dirs(&run->spool, err);
	for (int i = 0; i < run->ngroup; i++)
		pending_release(&run->group[i]);
	run->ngroup = 0;
	return rc;
}

static struct pool_job *make_job(struct run *run, const char *id, const char *name,
				 const char *work_name)
{
	struct pool_job *j = xcalloc(1, sizeof *j);
	char now[32];
	iso_time(og_now(), now);
	j->id = xstrdup(id);
	j->name = xstrdup(name);
	j->work_name = xstrdup(work_name);
	j->path = xasprintf("%s/work/%s", run->spool.root, work_name);
	j->received = xstrdup(now);
	return j;
}

struct queue {
	struct pool_job **jobs;
	int n, head;
};

static void queue_push(struct queue *q, struct pool_job *j)
{
	q->jobs = xrealloc(q->jobs, sizeof *q->jobs * (size_t)(q->n + 1));
	q->jobs[q->n++] = j;
}

/* Start-up reconciliation (docs/spool.md, "Recovery"). */
static int recover(struct run *run, struct queue *q, char **err)
{
	char **names;
	int n;
	if (spool_list(&run->spool, "work", &names, &n, 0) < 0) {
		*err = xasprintf("cannot list %s/work", run->spool.root);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		char id[SPOOL_ID_LEN + 1];
		const char *orig;
		if (rc == 0 && !spool_parse_work_name(names[i], id, &orig)) {
			msg_warn(NULL, "work/%s is not named by ordergate; left alone", names[i]);
		} else if (rc == 0) {
			char *state = ledger_document_state(&run->ledger, id);
			if (!state) {
				msg_info(id, "recovered from an interrupted run: translating %s again",
					 orig);
				queue_push(q, make_job(run, id, orig, names[i]));
			} else if (!strcmp(state, "failed")) {
				msg_info(id, "recovered: finishing the move to failed/");
				rc = finish_failed(run, id, names[i], err);
			} else {
				msg_info(id, "recovered: publishing what the ledger committed");
				rc = finish_done(run, id, names[i], err);
			}
			if (rc == 0)
				run->st->recovered++;
			free(state);
		}
		free(names[i]);
	}
	free(names);
	if (rc < 0)
		return -1;
	/* whatever is left in tmp/ was never committed */
	if (spool_list(&run->spool, "tmp", &names, &n, 0) < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		char *p = xasprintf("tmp/%s", names[i]);
		char *e = NULL;
		if (spool_unlink(&run->spool, p, &e) < 0) {
			msg_warn(NULL, "%s", e);
			free(e);
		}
		free(p);
		free(names[i]);
	}
	free(names);
	return spool_sync_dirs(&run->spool, err);
}

static int claim_inputs(struct run *run, struct queue *q, long max_files, char **err)
{
	char **names;
	int n;
	if (spool_list(&run->spool, "in", &names, &n, 1) < 0) {
		*err = xasprintf("cannot list %s/in", run->spool.root);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (rc == 0 && (max_files <= 0 || q->n - q->head < max_files)) {
			char id[SPOOL_ID_LEN + 1];
			char *work = NULL;
			spool_new_id(id);
			int c = spool_claim(&run->spool, names[i], id, &work, err);
			if (c == 0) {
				msg_debug(id, "claimed in/%s", names[i]);
				queue_push(q, make_job(run, id, names[i], work));
				run->st->claimed++;
			} else if (c < 0) {
				rc = -1;
			}
			free(work);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static int workers_for(const struct config *cfg, const struct batch_opts *o)
{
	if (o->workers > 0)
		return o->workers;
	if (cfg->workers > 0)
		return cfg->workers;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

int batch_run(const struct config *cfg, const struct batch_opts *opts, struct batch_stats *st)
{
	struct run run;
	struct queue q = { NULL, 0, 0 };
	char *err = NULL;
	int code = EXIT_OK;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&run, 0, sizeof run);
	memset(st, 0, sizeof *st);
	run.cfg = cfg;
	run.st = st;
	if (spool_open(&run.spool, cfg->spool_dir, &err) < 0) {
		msg_error(NULL, "%s", err);
		free(err);
		return EXIT_TEMPFAIL;
	}
	int lk = spool_lock(&run.spool, &err);
	if (lk != 0) {
		msg_error(NULL, "%s", err);
		free(err);
		spool_close(&run.spool);
		return lk == 1 ? EXIT_LOCKED : EXIT_TEMPFAIL;
	}
	if (pipeline_init(cfg, &err) < 0) {
		msg_error(NULL, "%s", err);
		free(err);
		spool_close(&run.spool);
		return EXIT_CONFIG;
	}
	int nworkers = workers_for(cfg, opts);
	if (pool_start(&run.pool, cfg, nworkers, &err) < 0)
		goto tempfail;
	char *ledger_path = cfg->ledger_path ? xstrdup(cfg->ledger_path)
					     : spool_path(&run.spool, "ledger.db");
	int lrc = ledger_open(&run.ledger, ledger_path, &err);
	free(ledger_path);
	if (lrc < 0)
		goto tempfail;
	if (recover(&run, &q, &err) < 0 || claim_inputs(&run, &q, opts->max_files, &err) < 0)
		goto tempfail;
	run.group = xcalloc((size_t)cfg->group_size, sizeof *run.group);
	while (q.head < q.n || run.pool.busy > 0) {
		while (q.head < q.n && pool_has_idle(&run.pool)) {
			if (pool_submit(&run.pool, q.jobs[q.head], &err) < 0)
				goto tempfail;
			q.head++;
		}
		struct pending *p = &run.group[run.ngroup];
		if (pool_wait(&run.pool, &p->job, &p->res) < 0)
			break;
		run.ngroup++;
		int drained = q.head == q.n && run.pool.busy == 0;
		if ((run.ngroup == cfg->group_size || drained) && commit_group(&run, &err) < 0)
			goto tempfail;
	}
	if (commit_group(&run, &err) < 0)
		goto tempfail;
	code = st->failed ? EXIT_SOMEFAILED : EXIT_OK;
	goto out;
tempfail:
	msg_error(NULL, "%s; the run stops here and nothing unfinished was acknowledged: "
		  "run again once the cause is fixed (claimed inputs stay in work/ and are "
		  "recovered)", err ? err : "temporary failure");
	free(err);
	code = EXIT_TEMPFAIL;
out:
	for (int i = 0; i < run.ngroup; i++)
		pending_release(&run.group[i]);
	free(run.group);
	for (int i = q.head; i < q.n; i++)
		pool_job_free(q.jobs[i]);
	free(q.jobs);
	pool_stop(&run.pool);
	ledger_close(&run.ledger);
	spool_close(&run.spool);
	pipeline_shutdown();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	st->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return code;
}

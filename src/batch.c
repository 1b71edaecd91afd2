/*
 * batch: see batch.h.
 */
#define _GNU_SOURCE
#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exitcodes.h"
#include "approve.h"
#include "emit.h"
#include "fsio.h"
#include "ledger.h"
#include "partner.h"
#include "msg.h"
#include "pool.h"
#include "rules.h"
#include "spool.h"

/* A folder files are picked up from: the spool's in/, or an inbox. */
struct source {
	char *dir;           /* absolute */
	const char *label;   /* "in" or the inbox name, for log lines */
	const char *tag;     /* in work/ names (ID-TAG@NAME); NULL for in/ */
	const char *partner; /* bound partner, or NULL */
	const char *csv_map; /* bound CSV map, or NULL */
	int unlisted;        /* the last scan could not list dir (warned once) */
};

/* One document's result on its way to the ledger. An archive gives one
 * pending for the container and one per member; they share the job,
 * which the container's entry owns. */
struct pending {
	struct pool_job *job;
	int owns_job;
	struct doc_result res;
	const char *state;   /* done, duplicate, failed */
	char *duplicate_of;
	char *archive_path;
	char *failed_path;
	char **paths;        /* published output paths, for the log line */
	int npaths;
	long long order_ref; /* a shipment: the order it ships */
	int input_moved;     /* the claimed file is its own archive copy */
	long long replaces;  /* an update or cancellation: the version it replaces */
	char *replaces_po;   /* that version's PO number of ours, or NULL */
	long long superseded_by; /* a stale original: the later version recorded before it */
	char *superseded_doc;    /* that version's document */
	long long waiting_later; /* a late original: its held later version, recorded before it */
	char *kept;          /* a change the rules rejected: the version that stays (approve_kept_text) */
};

struct queue {
	struct pool_job **jobs;
	int n, head;
};

static void queue_push(struct queue *q, struct pool_job *j)
{
	q->jobs = xrealloc(q->jobs, sizeof *q->jobs * (size_t)(q->n + 1));
	q->jobs[q->n++] = j;
}

struct run {
	const struct config *cfg;
	const struct batch_opts *opts;
	struct spool spool;
	struct ledger ledger;
	struct pool pool;
	struct pending *group;   /* results waiting for the next commit */
	int ngroup, capgroup;
	struct queue *ready;     /* claimed jobs not yet handed to a worker */
	struct queue again;      /* jobs to decide again, one at a time (spend_current) */
	char *between_err;       /* a failure while feeding workers during a commit */
	struct timespec last_feed;
	struct batch_stats *st;
	struct timespec started;
	struct source *sources; /* in/ first, then the inboxes */
	int nsources;
	char **unclaimable; /* "dir/name" of files that could not be claimed, warned once */
	int nunclaimable;
	long done;         /* documents finished, for the progress line */
	long expected;     /* documents known to be waiting, -1 unknown */
};

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double elapsed(const struct run *run)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - run->started.tv_sec) +
	       (double)(now.tv_nsec - run->started.tv_nsec) / 1e9;
}

static void pending_release(struct pending *p)
{
	if (p->owns_job)
		pool_job_free(p->job);
	pipeline_result_release(&p->res);
	free(p->duplicate_of);
	free(p->archive_path);
	free(p->failed_path);
	free(p->replaces_po);
	free(p->superseded_doc);
	free(p->kept);
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

static void count_partner(struct batch_stats *st, const char *partner, const char *state)
{
	const char *name = partner && *partner ? partner : "unknown";
	struct partner_stats *ps = NULL;
	for (int i = 0; i < st->npartners && !ps; i++)
		if (!strcmp(st->partners[i].name, name))
			ps = &st->partners[i];
	if (!ps && st->npartners < BATCH_MAX_PARTNERS) {
		ps = &st->partners[st->npartners++];
		snprintf(ps->name, sizeof ps->name, "%s", name);
	}
	if (!ps) {
		ps = &st->partners[BATCH_MAX_PARTNERS];
		snprintf(ps->name, sizeof ps->name, "(other partners)");
	}
	if (!strcmp(state, "done"))
		ps->translated++;
	else if (!strcmp(state, "duplicate"))
		ps->duplicates++;
	else
		ps->failed++;
}

/* Where an output goes: out/<partner>/<kind>/<ID>-<order>.<ext>; orders in
 * test mode go to out-test/ so no production reader sees them. */
static char *output_path(const struct pending *p, const struct output_doc *o)
{
	const struct doc_result *r = &p->res;
	int test = r->info.mode && !strcmp(r->info.mode, "test");
	char *order = safe_name(r->info.order_id ? r->info.order_id : "document", 40);
	char *path = xasprintf("%s/%s/%s/%s-%s.%s", test ? "out-test" : "out",
			       r->partner ? r->partner : "unknown", o->kind, r->id, order,
			       emit_extension(o->format));
	free(order);
	return path;
}

/* Stages and records every output of a document (its outputs: the
 * rendered documents, or the cXML Response of a refused one). */
static int stage_outputs(struct run *run, struct pending *p, char **err);

static const char *HINT_SHIP = "check the shipment against the order (ordergate show ORDER); "
				"a corrected feed must come with a new shipment ID";

/* A document refused in the commit (a replay, a ship notice that does not
 * match its order) is answered like one refused in the worker
 * (pipeline.c): when it came as cXML, a cXML Response with code and the
 * reason becomes its only output, staged and recorded with the document
 * like any output and published with its .why. */
static void answer_refused(const struct run *run, struct doc_result *r, int code)
{
	for (int i = 0; i < r->noutputs; i++)
		emit_output_release(&r->outputs[i]);
	r->noutputs = 0;
	if (!r->info.format || strcmp(r->info.format, "cxml"))
		return;
	char *e = NULL;
	r->status = code;
	if (emit_cxml_response(run->cfg, r->id, code, r->reason, &r->outputs[0], &e) == 0)
		r->noutputs = 1;
	free(e);
}

static int line_cmp(const void *a, const void *b)
{
	const struct shipment_line *x = a, *y = b;
	return (x->number > y->number) - (x->number < y->number);
}

/* "line 1: 4, line 2: 1" */
static void lines_text(struct buf *b, const struct shipment_line *l, int n)
{
	for (int i = 0; i < n; i++) {
		char q[DEC_FMT_MAX];
		dec_format(l[i].quantity, 0, q);
		buf_printf(b, "%sline %ld: %s", i ? ", " : "", l[i].number, q);
	}
}

/* A shipment whose ID the order has recorded already (a resend under a new
 * payloadID, or the same shipment in a feed as well as in a notice) is that
 * shipment, never a second one to invoice: the same lines again are a
 * duplicate of the first; other lines are refused. A whole order (no
 * lines) again is a duplicate when nothing of the order remains to ship.
 * 1 when the ID was seen (the pending is then a duplicate or failed), 0
 * when it is new. */
static int shipment_seen(struct run *run, struct pending *p, long long order_ref)
{
	struct doc_result *r = &p->res;
	char *doc = NULL;
	struct shipment_line *seen = NULL, *now = NULL;
	int nseen = 0, nnow = 0;
	int rc = ledger_find_shipment(&run->ledger, order_ref, r->ship.shipment_id, &doc, &seen,
				      &nseen);
	if (rc < 0) {
		r->status = 500;
		pipeline_fail(r, "shipment", HINT_SHIP, "cannot look up shipment %s of order %s",
			      r->ship.shipment_id, r->ship.order_key);
		return 1;
	}
	if (rc == 0)
		return 0;
	int same;
	if (r->ship.whole_order && r->ship.nlines == 0) {
		if (ledger_unshipped_lines(&run->ledger, order_ref, &now, &nnow) < 0) {
			r->status = 500;
			pipeline_fail(r, "shipment", HINT_SHIP, "cannot look up the lines of order %s",
				      r->ship.order_key);
			free(doc);
			free(seen);
			return 1;
		}
		same = nnow == 0;
	} else {
		nnow = r->ship.nlines;
		now = xmalloc(sizeof *now * (size_t)nnow);
		memcpy(now, r->ship.lines, sizeof *now * (size_t)nnow);
		qsort(now, (size_t)nnow, sizeof *now, line_cmp);
		same = nnow == nseen;
		for (int i = 0; same && i < nnow; i++)
			same = now[i].number == seen[i].number && now[i].quantity == seen[i].quantity;
	}
	if (same) {
		p->state = "duplicate";
		p->duplicate_of = xstrdup(doc);
	} else {
		struct buf a = BUF_INIT, b = BUF_INIT;
		lines_text(&a, seen, nseen);
		if (r->ship.whole_order && r->ship.nlines == 0)
			buf_adds(&b, "the whole order, of which remain ");
		lines_text(&b, now, nnow);
		r->status = 409; /* a conflict with the shipment recorded */
		pipeline_fail(r, "shipment", HINT_SHIP,
			      "shipment %s of order %s was already received as document %s with "
			      "other lines (%s; this one: %s); a shipment is invoiced once: a "
			      "further shipment must come with a new shipment ID",
			      r->ship.shipment_id, r->ship.order_key, doc, buf_str(&a), buf_str(&b));
		buf_release(&a);
		buf_release(&b);
	}
	free(doc);
	free(seen);
	free(now);
	return 1;
}

/* Matches a shipment to its order in the ledger: the order must be
 * confirmed, every line must exist, and no line may ship more than was
 * confirmed (ordered less rejected), counting earlier shipments. A whole
 * order (a ship notice without items) ships what remains of every line,
 * filled in here; when nothing remains, it is refused. */
static void match_shipment(struct run *run, struct pending *p)
{
	struct doc_result *r = &p->res;
	struct ledger_order *o;
	int n, pick = -1, other = -1, confirmed = 0, own = 0;
	if (ledger_find_orders(&run->ledger, r->ship.order_key, &o, &n) < 0) {
		r->status = 500;
		pipeline_fail(r, "shipment", HINT_SHIP, "cannot look up order %s", r->ship.order_key);
		return;
	}
	/* the orders that can still ship; the shipment's partner's own when it
	 * has any. Exactly one of them must be confirmed: two are ambiguous,
	 * whoever sent them */
#define LIVE(i)                                                                         \
	(strcmp(o[i].state, "rejected") && strcmp(o[i].state, "declined") && !o[i].replaced_by && \
	 strcmp(o[i].type, "delete"))
#define OWN(i) (r->partner && !strcmp(o[i].partner, r->partner))
	for (int i = 0; i < n; i++)
		own += LIVE(i) && OWN(i);
	for (int i = 0; i < n; i++) {
		if (!LIVE(i) || (own && !OWN(i)))
			continue;
		if (!strcmp(o[i].state, "confirmed")) {
			confirmed++;
			if (pick < 0)
				pick = i;
		} else if (other < 0) {
			other = i;
		}
	}
	/* the confirmed ones, for a shipment that cannot tell them apart */
	struct buf twins = BUF_INIT;
	int unnumbered = 0;
	for (int i = 0; confirmed > 1 && i < n; i++) {
		if (!LIVE(i) || (own && !OWN(i)) || strcmp(o[i].state, "confirmed"))
			continue;
		int has_po = o[i].po_number && *o[i].po_number;
		unnumbered += !has_po;
		buf_printf(&twins, "%sdocument %s (%s%s)", twins.len ? ", " : "", o[i].document_id,
			   has_po ? "our PO " : "no PO number of ours", has_po ? o[i].po_number : "");
	}
#undef LIVE
#undef OWN
	if (n == 0) {
		pipeline_fail(r, "shipment", HINT_SHIP,
			      "shipment %s is for order %s, which the ledger does not know",
			      r->ship.shipment_id, r->ship.order_key);
	} else if (pick < 0 && other < 0) {
		r->status = 409; /* the order's state forbids it */
		pipeline_fail(r, "shipment", HINT_SHIP, "order %s was rejected; nothing of it ships",
			      r->ship.order_key);
	} else if (pick < 0) {
		r->status = 409;
		pipeline_fail(r, "shipment", HINT_SHIP,
			      "order %s is %s, not confirmed; it cannot ship yet", r->ship.order_key,
			      o[other].state);
	} else if (confirmed > 1) {
		/* our PO number names one; without [numbering] po_pattern
		 * there is none to send, and saying "send it" was a dead end */
		pipeline_fail(r, "shipment", HINT_SHIP,
			      "%d confirmed orders%s%s are numbered %s: %s; %s", confirmed,
			      own ? " from " : "", own ? r->partner : "", r->ship.order_key,
			      buf_str(&twins),
			      !unnumbered ? "send our PO number instead"
			      : unnumbered < confirmed
				      ? "send our PO number instead; an order without one cannot be "
					"named by a shipment: ship and invoice it by hand"
				      : "none has a PO number of ours ([numbering] po_pattern, "
					"docs/rules.md), so no shipment can name one of them: ship "
					"and invoice them by hand");
	} else if (*r->ship.shipment_id && shipment_seen(run, p, o[pick].ref)) {
		/* a shipment ID the order has already: a duplicate or refused */
	} else if (r->ship.whole_order && r->ship.nlines == 0 &&
		   ledger_unshipped_lines(&run->ledger, o[pick].ref, &r->ship.lines,
					  &r->ship.nlines) < 0) {
		r->status = 500;
		pipeline_fail(r, "shipment", HINT_SHIP, "cannot look up the lines of order %s",
			      r->ship.order_key);
	} else if (r->ship.nlines == 0) {
		pipeline_fail(r, "shipment", HINT_SHIP,
			      "shipment %s ships the whole of order %s (it lists no line), but "
			      "nothing of it remains to ship: every confirmed line has shipped "
			      "in full or was rejected",
			      r->ship.shipment_id, r->ship.order_key);
	} else {
		p->order_ref = o[pick].ref;
		for (int i = 0; i < r->ship.nlines; i++) {
			long long qty, rej, shipped;
			char *uom = NULL;
			const struct shipment_line *sl = &r->ship.lines[i];
			if (ledger_line_status(&run->ledger, p->order_ref, sl->number, &qty, &rej,
					       &shipped, &uom)) {
				pipeline_fail(r, "shipment", HINT_SHIP, "order %s has no line %ld",
					      r->ship.order_key, sl->number);
				break;
			}
			/* ordergate does not convert units: 2 BX are not 2 EA */
			if (*sl->uom && uom && *uom && strcasecmp(sl->uom, uom)) {
				char a[DEC_FMT_MAX];
				dec_format(sl->quantity, 0, a);
				pipeline_fail(r, "shipment", HINT_SHIP,
					      "order %s line %ld: the notice ships %s %s, but the "
					      "order line is in %s; ordergate does not convert units: "
					      "ask the sender to state the quantity in %s",
					      r->ship.order_key, sl->number, a, sl->uom, uom, uom);
				free(uom);
				break;
			}
			free(uom);
			if (rej > 0 && qty - rej <= 0) {
				char a[DEC_FMT_MAX], b[DEC_FMT_MAX];
				dec_format(rej, 0, a);
				dec_format(qty, 0, b);
				pipeline_fail(r, "shipment", HINT_SHIP,
					      "order %s line %ld was rejected (%s of %s); nothing of it "
					      "ships (ordergate show %s says why); an over-shipment is "
					      "never invoiced silently",
					      r->ship.order_key, sl->number, a, b, r->ship.order_key);
				break;
			}
			if (shipped + sl->quantity > qty - rej) {
				char a[DEC_FMT_MAX], b[DEC_FMT_MAX], c[DEC_FMT_MAX];
				dec_format(sl->quantity, 0, a);
				dec_format(shipped + sl->quantity, 0, b);
				dec_format(qty - rej, 0, c);
				pipeline_fail(r, "shipment", HINT_SHIP,
					      "order %s line %ld: shipping %s brings the shipped quantity "
					      "to %s, over the %s confirmed; an over-shipment is never "
					      "invoiced silently",
					      r->ship.order_key, sl->number, a, b, c);
				break;
			}
		}
	}
	buf_release(&twins);
	ledger_orders_free(o, n);
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
	p->state = "done";
	if (r->container)
		return;
	/* what the sender calls it: an OAGIS BOD's ID is its BODID */
	int bod = r->info.format && !strcmp(r->info.format, "oagis");
	const char *pid = bod ? "BODID" : "payloadID";
	if (!r->info.payload_id || !*r->info.payload_id) {
		pipeline_fail(r, "detect",
			      bod ? "ask the sender to give every BOD a BODID"
				  : "ask the sender to give every document a payloadID",
			      "the document has no %s, so duplicates could not be recognised",
			      bod ? "BODID (ApplicationArea/BODID)" : "payloadID");
		p->state = "failed";
		/* its rendered documents must not go out with it */
		answer_refused(run, r, 400);
		return;
	}
	if (!ledger_find_payload(&run->ledger, r->sender_key, r->info.payload_id, &doc, &sha))
		return;
	if (!strcmp(sha, r->sha256)) {
		p->state = "duplicate";
		p->duplicate_of = xstrdup(doc);
	} else if (r->is_shipment) {
		pipeline_fail(r, "duplicate-check", HINT_SHIP,
			      "shipment %s was already received as document %s with different "
			      "content; a corrected feed must come with a new shipment ID",
			      r->info.payload_id, doc);
		p->state = "failed";
		answer_refused(run, r, 409);
	} else {
		pipeline_fail(r, "duplicate-check",
			      bod ? "a changed order must come with a new BODID (ActionCriteria "
				    "actionCode=\"Change\" for changes); if the first one was "
				    "wrong, ask the sender to resend with a new BODID"
				  : "a changed order must come with a new payloadID (a cXML "
				    "OrderRequest type=\"update\" for changes); if the first one was "
				    "wrong, ask the sender to resend with a new payloadID",
			      "%s \"%s\" from %s was already received as document %s "
			      "with different content; a replay with changes is refused",
			      pid, r->info.payload_id, r->sender_key, doc);
		p->state = "failed";
		answer_refused(run, r, 409);
	}
	free(doc);
	free(sha);
}

static int commit_staged(struct run *run, char **err);

/* Stages data in tmp/ and records it as an output of the document. */
static int stage_output(struct run *run, const char *id, const char *tmp_suffix,
			const char *kind, const char *format, const char *partner,
			const char *path, const char *payload_id, const void *data, size_t len,
			char **err)
{
	char *tmp = xasprintf("%s.%s", id, tmp_suffix);
	char sha[65];
	sha256_hex(data, len, sha);
	int rc = spool_stage(&run->spool, tmp, data, len, err);
	if (rc == 0)
		rc = ledger_add_output(&run->ledger, id, kind, format, partner, path, tmp, payload_id,
				       sha, (long long)len, err);
	free(tmp);
	return rc;
}

static void replace_all(struct buf *b, const char *from, const char *to)
{
	if (!b->data || !strstr(b->data, from))
		return;
	struct buf out = BUF_INIT;
	size_t n = strlen(from);
	for (const char *p = b->data, *q; (q = strstr(p, from)); p = q + n) {
		buf_add(&out, p, (size_t)(q - p));
		buf_adds(&out, to);
		if (!strstr(q + n, from)) {
			buf_adds(&out, q + n);
			break;
		}
	}
	buf_release(b);
	*b = out;
}

/* 1 if rest (a work/ name after "ID-") is an approval file's */
static int is_approval_work(const char *rest)
{
	return !strncmp(rest, INBOX_TAG_APPROVALS "@", strlen(INBOX_TAG_APPROVALS) + 1);
}

/* The source whose tag starts rest (the part of a work/ name after
 * "ID-"): in/ for an untagged name, NULL for a tag no source has (an
 * inbox no longer configured, or approvals/). *name: the original name. */
static const struct source *source_of_work(const struct run *run, const char *rest,
					   const char **name)
{
	size_t tl = spool_work_tag(rest, name);
	if (tl == 0)
		return &run->sources[0];
	for (int i = 1; i < run->nsources; i++)
		if (strlen(run->sources[i].tag) == tl && !strncmp(run->sources[i].tag, rest, tl))
			return &run->sources[i];
	return NULL;
}

/* "ordergate reprocess ID -c CONF --spool ROOT", ready to paste */
static char *reprocess_command(const struct run *run, const char *id)
{
	char *w_conf = run->cfg->file ? shell_word(run->cfg->file) : NULL;
	char *w_root = shell_word(run->spool.root);
	char *cmd = xasprintf("ordergate reprocess %s%s%s --spool %s", id, w_conf ? " -c " : "",
			      w_conf ? w_conf : "", w_root);
	free(w_conf);
	free(w_root);
	return cmd;
}

/* The .why's last lines: how to retry document id after a fix, with
 * `ordergate reprocess` and by hand, back into the folder the input came
 * through (rest: its work/ name after "ID-"), as orig (a name of its own,
 * or NULL: the name it came under). */
static char *retry_line(const struct run *run, const char *id, const char *failed_rel,
			const char *rest, const char *orig)
{
	const char *name;
	const struct source *src = source_of_work(run, rest, &name);
	char *dir = src			    ? xstrdup(src->dir)
		    : is_approval_work(rest) ? spool_path(&run->spool, "approvals")
					     : spool_path(&run->spool, "in");
	if (orig)
		name = strrchr(orig, '/') ? strrchr(orig, '/') + 1 : orig;
	char *safe = spool_visible_name(name, 120);
	char *from = xasprintf("%s/%s", run->spool.root, failed_rel);
	char *to = xasprintf("%s/%s", dir, safe);
	char *cmd = reprocess_command(run, id);
	char *w_from = shell_word(from), *w_to = shell_word(to);
	char *line = xasprintf("to retry after a fix: %s\n  (or by hand: mv -n %s %s)\n", cmd,
			       w_from, w_to);
	free(cmd);
	free(w_from);
	free(w_to);
	free(from);
	free(to);
	free(safe);
	free(dir);
	return line;
}

static const char *HINT_CHANGE = "an update or cancellation must name an order ordergate "
				  "recorded for the same partner (cXML DocumentReference payloadID, "
				  "or the same order number): if the order went another way, change "
				  "it by other means; ordergate show ORDER tells its state";

/* A new order whose number a current order of the same partner carries
 * already (same mode) is refused (409), never a second order: a buyer's
 * system that sends an order again under a new payloadID (a "resend")
 * would otherwise have it shipped twice, and a corrected order sent as new
 * would leave both versions in force. A number whose order was rejected,
 * declined or cancelled may be used again (docs/operations.md, "Changes
 * and cancellations"). */
static void check_number_free(struct run *run, struct pending *p)
{
	struct doc_result *r = &p->res;
	const char *num = r->info.order_id;
	if (!num || !*num)
		return;
	int bod = r->info.format && !strcmp(r->info.format, "oagis");
	struct ledger_earlier e;
	int rc = ledger_find_current(&run->ledger, r->partner ? r->partner : "", num,
				     r->info.mode ? r->info.mode : "production", &e);
	if (rc == 0)
		return;
	if (rc < 0) {
		r->status = 500;
		pipeline_fail(r, "versions", HINT_CHANGE, "cannot look up earlier orders numbered %s",
			      num);
	} else {
		r->status = 409;
		pipeline_fail(r, "versions",
			      bod ? "if it is that order sent again, nothing needs doing; if it "
				    "changes that order, the sender must send it as a change "
				    "(ActionCriteria actionCode=\"Change\"); if it is another order, "
				    "it needs its own order number"
				  : "if it is that order sent again, nothing needs doing; if it "
				    "changes that order, the buyer must send it as a change "
				    "(OrderRequestHeader type=\"update\" with a DocumentReference); if "
				    "it is another order, it needs its own order number",
			      "new order %s from %s: order %s of this partner is already in force "
			      "as document %s (%s%s); a second new order with that number is "
			      "refused, so that it is not sent to the supplier twice",
			      num, r->partner ? r->partner : "?", num, e.document_id, e.state,
			      e.shipments > 0 ? ", shipped" : "");
	}
	ledger_earlier_free(&e);
	p->state = "failed";
	answer_refused(run, r, r->status);
}

/* A new order whose later version the ledger has already (an update that
 * named its payloadID, or one recorded without its original under its
 * order number, each from the same partner: it came first, from another
 * batch or earlier in this one) is the stale version: recorded as replaced
 * by that version, nothing sent for it (the supplier has the later one),
 * with a warning naming it (docs/operations.md, "Changes and
 * cancellations"). A later version still waiting for approval that
 * replaces nothing leaves it the version in force: decided and sent as any
 * new order, the held version linked to replace it once approved. */
static void check_original(struct run *run, struct pending *p)
{
	struct doc_result *r = &p->res;
	const char *pid = r->info.payload_id, *num = r->info.order_id ? r->info.order_id : "";
	struct ledger_earlier e;
	int rc = ledger_find_later(&run->ledger, r->partner ? r->partner : "",
				   r->info.mode ? r->info.mode : "production", pid, num, &e);
	if (rc < 0) {
		r->status = 500;
		p->state = "failed";
		pipeline_fail(r, "versions", HINT_CHANGE, "cannot look up later versions of order %s",
			      num);
		answer_refused(run, r, 500);
		return;
	}
	if (rc == 0) {
		check_number_free(run, p);
		return;
	}
	if (!strcmp(e.state, "pending")) {
		/* that version waits for approval and replaces nothing: this one
		 * is the version in force until it is approved (rejected, this
		 * one stays), so it is decided and sent as any new order */
		char *text = xasprintf(
			"order %s (payloadID %s) is an earlier version than document %s (%s "
			"waiting for approval), recorded before it: %s; recorded and sent as the "
			"version in force, which that %s replaces once approved (rejected, this "
			"one stays); ordergate show %s",
			num, pid ? pid : "?", e.document_id,
			!strcmp(e.type, "delete") ? "a cancellation" : "an update",
			rc == 1 ? "that version names this payloadID in its DocumentReference"
				: "an update of the same order number recorded without its original",
			!strcmp(e.type, "delete") ? "cancellation" : "update", e.document_id);
		canon_note_warning(&r->info, "later-version-waiting", text);
		free(text);
		p->waiting_later = e.ref;
		ledger_earlier_free(&e);
		return;
	}
	char *text = xasprintf(
		"order %s (payloadID %s) is an earlier version than document %s (%s%s), recorded "
		"before it: %s; recorded as replaced by it, nothing sent to the supplier or the "
		"buyer (the supplier has the later version); ordergate show %s",
		num, pid ? pid : "?", e.document_id,
		!strcmp(e.type, "delete") ? "a cancellation" : "an update",
		strcmp(e.state, "pending") ? "" : ", waiting for approval",
		rc == 1 ? "that version names this payloadID in its DocumentReference"
			: "an update of the same order number recorded without its original",
		num);
	canon_note_warning(&r->info, "superseded-by-later-version", text);
	free(text);
	p->superseded_by = e.ref;
	p->superseded_doc = xstrdup(e.document_id);
	for (int i = 0; i < r->noutputs; i++)
		if (!strcmp(r->outputs[i].kind, "po") || !strcmp(r->outputs[i].kind, "confirmation")) {
			emit_output_release(&r->outputs[i]);
			r->outputs[i--] = r->outputs[--r->noutputs];
		}
	ledger_earlier_free(&e);
}

/* An update or cancellation (cXML type="update"/"delete", OAGIS
 * ActionCriteria Change/Delete) replaces the current version of an order
 * recorded before: found here, in the transaction that records it, so the
 * link is made once (docs/operations.md, "Changes and cancellations").
 * Refused when there is none (400), when it was rejected, cancelled or has
 * shipped (409: a change after shipping is agreed by other means). A
 * rejected update changes nothing, so it links nothing. */
static void check_version(struct run *run, struct pending *p)
{
	struct doc_result *r = &p->res;
	const char *type = r->info.type;
	if (strcmp(p->state, "done") || r->is_shipment || r->container)
		return;
	if (!type || !strcmp(type, "new")) {
		check_original(run, p);
		return;
	}
	if (strcmp(type, "update") && strcmp(type, "delete"))
		return;
	int cancel = !strcmp(type, "delete");
	const char *what = cancel ? "cancellation" : "update";
	const char *pid = r->info.previous_payload_id;
	const char *num = r->info.order_id ? r->info.order_id : "";
	struct ledger_earlier e;
	int rc = ledger_find_earlier(&run->ledger, r->partner ? r->partner : "",
				     r->info.mode ? r->info.mode : "production", pid, num, &e);
	int code = 0;
	if (rc < 0) {
		code = 500;
		pipeline_fail(r, "versions", HINT_CHANGE, "cannot look up the order the %s %s changes",
			      what, num);
	} else if (rc == 0 && !cancel) {
		/* an update carries the whole order: one whose first version
		 * ordergate never had (sent before go-live, or by another way;
		 * OAGIS senders that always say Change) is that order's first
		 * version here, with a warning, never a lost order */
		char *text = xasprintf("update of order %s names no order %s%s from partner %s "
				       "in the ledger; recorded and sent as the first version "
				       "ordergate has of it (if the supplier never had the order, "
				       "ask the buyer to send it as a new one)",
				       num, pid && *pid ? "with payloadID " : "",
				       pid && *pid ? pid : num, r->partner ? r->partner : "?");
		canon_note_warning(&r->info, "update-without-original", text);
		free(text);
	} else if (rc == 0) {
		code = 400;
		pipeline_fail(r, "versions", HINT_CHANGE,
			      "cancellation of order %s: no earlier order %s%s from partner %s in "
			      "the ledger, so there is nothing to cancel", num,
			      pid && *pid ? "with payloadID " : "", pid && *pid ? pid : num,
			      r->partner ? r->partner : "?");
	} else if (!strcmp(e.type, "delete")) {
		code = 409;
		pipeline_fail(r, "versions", HINT_CHANGE,
			      "%s of order %s: the order was cancelled already by document %s", what,
			      num, e.document_id);
	} else if (!strcmp(e.state, "rejected") || !strcmp(e.state, "declined")) {
		code = 409;
		pipeline_fail(r, "versions", HINT_CHANGE,
			      "%s of order %s: its current version, document %s, was %s; a %s "
			      "order is not changed: send a new order", what, num, e.document_id,
			      e.state, e.state);
	} else if (e.shipments > 0) {
		code = 409;
		pipeline_fail(r, "versions", HINT_CHANGE,
			      "%s of order %s: its current version, document %s, has shipped "
			      "(%lld shipment%s recorded); a change after shipping must be agreed "
			      "with the supplier by other means", what, num, e.document_id,
			      e.shipments, e.shipments == 1 ? "" : "s");
	} else if (r->decision && !strcmp(r->decision, "reject")) {
		/* rejected, it changes nothing: it only names the version it
		 * would have replaced (orders.replaces), which stays */
		p->replaces = e.ref;
		p->kept = approve_kept_text(e.document_id, e.po_number, e.state);
	} else {
		p->replaces = e.ref;
		p->replaces_po = e.po_number ? xstrdup(e.po_number) : NULL;
		if (cancel && !strcmp(e.state, "pending")) {
			/* never sent to the supplier: nothing to cancel there */
			for (int i = 0; i < r->noutputs; i++)
				if (!strcmp(r->outputs[i].kind, "po")) {
					emit_output_release(&r->outputs[i]);
					r->outputs[i--] = r->outputs[--r->noutputs];
				}
		}
	}
	ledger_earlier_free(&e);
	if (code) {
		r->status = code;
		p->state = "failed";
		answer_refused(run, r, code);
	}
}

static void check_shipment(struct run *run, struct pending *p)
{
	if (p->res.is_shipment && !strcmp(p->state, "done")) {
		match_shipment(run, p);
		if (!p->res.ok) {
			p->state = "failed";
			answer_refused(run, &p->res, p->res.status ? p->res.status : 400);
		}
	}
}

/* Records the archive copy of a claimed file. archive_form = gzip: the
 * copy the worker made (copy, in copy_format) is staged in tmp/ like any
 * output. as-sent: the claimed file itself is the copy; it is synced with
 * the group and moved from work/ to archive/ when the group is published
 * (publish_committed), so the output's staged name is its name in work/
 * (*moved = 1). A file with other hard links is copied instead. */
static int record_archive(struct run *run, const char *id, const char *work_name,
			  const char *path, const struct doc_result *r, const struct buf *copy,
			  const char *copy_format, int *moved, char **err)
{
	*moved = 0;
	if (run->cfg->archive_gzip)
		return stage_output(run, id, "archive", "archive", copy_format, NULL, path, NULL,
				    copy->data, copy->len, err);
	char *work = xasprintf("work/%s", work_name);
	struct buf shared = BUF_INIT;
	int rc = spool_stage_existing(&run->spool, work, &shared, err);
	free(work);
	if (rc == 1)
		rc = stage_output(run, id, "archive", "archive", "as-sent", NULL, path, NULL,
				  shared.data ? shared.data : "", shared.len, err);
	else if (rc == 0 && (rc = ledger_add_output(&run->ledger, id, "archive", "as-sent", NULL,
						     path, work_name, NULL, r->archive_sha256,
						     (long long)r->archive_size, err)) == 0)
		*moved = 1;
	buf_release(&shared);
	return rc;
}

/* The bytes of a claimed file still in work/ (its container, for a
 * document refused here after its worker passed it: a shipment that does
 * not match its order, a replay). The worker sends a member's bytes back
 * only when it fails the member itself, so without this such a member's
 * copy in failed/ was empty, and its retry fed an empty file. The copy is
 * the file as claimed, as for a CSV file's order failed in its worker:
 * retried, its other documents come out as duplicates. */
static void claimed_bytes(struct run *run, const char *id, const char *work_name,
			  struct buf *out)
{
	char *rel = xasprintf("work/%s", work_name);
	char *path = spool_path(&run->spool, rel);
	int fd = fsio_open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
	if (fd < 0 || read_fd_all(fd, out, (size_t)run->cfg->max_document_bytes + 1) < 0) {
		/* the .why and the archived file still tell the story */
		msg_warn(id, "cannot copy %s into failed/: %s; the file is in the archive",
			 path, strerror(errno));
		buf_reset(out);
	}
	if (fd >= 0)
		close(fd);
	free(path);
	free(rel);
}

static int stage_and_record(struct run *run, struct pending *p, char **err)
{
	struct doc_result *r = &p->res;
	const char *id = r->id;
	struct ledger_doc d = { id, r->name, p->job->received, p->state, NULL, NULL, NULL,
				p->duplicate_of, NULL, NULL,
				r->member ? p->job->id : NULL, r };
	if (!strcmp(p->state, "failed")) {
		if (!r->member) {
			/* the claimed file itself moves to failed/ after the commit */
			p->failed_path = xasprintf("failed/%s", p->job->work_name);
		} else {
			char *safe = spool_visible_name(r->name, 120);
			p->failed_path = xasprintf("failed/%s-%s", id, safe);
			free(safe);
		}
		d.stage = r->stage;
		d.reason = r->reason;
		d.hint = r->hint;
		d.failed_path = p->failed_path;
		if (ledger_add_document(&run->ledger, &d, err) < 0 || stage_outputs(run, p, err) < 0)
			return -1;
		if (!r->member)
			return 0;
		/* a failed archive member: its bytes and its .why are outputs of
		 * the member, published with the archive's other files */
		if (!r->input.len && (!r->stage || strcmp(r->stage, "unpack")))
			claimed_bytes(run, id, p->job->work_name, &r->input);
		char *text = pipeline_why_text(id, r->name, p->job->received, r->stage, r->reason,
					       r->hint);
		char *retry;
		if (r->input.len || !r->stage || strcmp(r->stage, "unpack")) {
			retry = retry_line(run, id, p->failed_path,
					   p->job->work_name + SPOOL_ID_LEN + 1, r->name);
		} else {
			/* refused while unpacking, its bytes not kept: the
			 * archive goes again (its translated members come
			 * out as duplicates) */
			char *cmd = reprocess_command(run, p->job->id);
			retry = xasprintf("to retry after a fix: %s\n  (the whole archive again: "
					  "this member's bytes were not kept; its other members "
					  "come out as duplicates)\n", cmd);
			free(cmd);
		}
		char *why = xasprintf("%s%s", text, retry);
		char *why_path = xasprintf("%s.why", p->failed_path);
		int rc = stage_output(run, id, "failed", "failed-input", "raw", NULL, p->failed_path,
				      NULL, r->input.data, r->input.len, err);
		if (rc == 0)
			rc = stage_output(run, id, "why", "failure-reason", "text", NULL, why_path,
					  NULL, why, strlen(why), err);
		free(text);
		free(retry);
		free(why);
		free(why_path);
		return rc;
	}
	if (!r->member) {
		p->archive_path = spool_archive_path(p->job->work_name, og_now(), r->archive_as_sent);
		d.archive_path = p->archive_path;
	}
	if (ledger_add_document(&run->ledger, &d, err) < 0)
		return -1;
	if (!strcmp(p->state, "done") && r->is_shipment) {
		if (ledger_add_shipment(&run->ledger, id, p->order_ref, r, err) < 0)
			return -1;
	} else if (!strcmp(p->state, "done") && !r->container) {
		char *po = NULL;
		/* a stale original gets no number: nothing goes out for it */
		if (run->cfg->po_pattern && *run->cfg->po_pattern && r->decision &&
		    !p->superseded_by &&
		    (!strcmp(r->decision, "accept") || !strcmp(r->decision, "partial"))) {
			/* assigned inside the commit: a rollback leaves no gap */
			/* test orders are numbered apart: they never use up production numbers */
			int test = r->info.mode && !strcmp(r->info.mode, "test");
			/* an update or cancellation: the supplier's PO is the same */
			po = p->replaces_po ? xstrdup(p->replaces_po)
					    : ledger_next_number(&run->ledger, r->partner,
								 test ? "po-test" : "po",
								 run->cfg->po_pattern, err);
			if (!po)
				return -1;
			replace_all(&r->canonical, PO_NUMBER_PLACEHOLDER, po);
			for (int i = 0; i < r->noutputs; i++)
				replace_all(&r->outputs[i].data, PO_NUMBER_PLACEHOLDER, po);
		}
		int rc = ledger_add_order(&run->ledger, id, r, po, p->replaces, err);
		if (rc == 0 && p->superseded_by)
			rc = ledger_mark_replaced(&run->ledger, id, p->superseded_by, err);
		if (rc == 0 && p->waiting_later)
			rc = ledger_link_waiting(&run->ledger, id, p->waiting_later, err);
		free(po);
		if (rc < 0 || stage_outputs(run, p, err) < 0)
			return -1;
	} else if (!strcmp(p->state, "duplicate") &&
		   ledger_event(&run->ledger, id, "duplicate", p->duplicate_of, err) < 0) {
		return -1;
	}
	for (int i = 0; i < r->info.nwarnings; i++)
		if (ledger_event(&run->ledger, id, "warning", r->info.warnings[i], err) < 0)
			return -1;
	if (p->kept && !strcmp(p->state, "done")) {
		char *detail = xasprintf("the rules rejected this %s: %s",
					 !strcmp(r->info.type, "delete") ? "cancellation" : "update",
					 p->kept);
		int rc = ledger_event(&run->ledger, id, "change-rejected", detail, err);
		free(detail);
		if (rc < 0)
			return -1;
	}
	if (r->chunked && ledger_event(&run->ledger, id, "chunked", r->chunked, err) < 0)
		return -1;
	if (r->member)
		return 0;
	return record_archive(run, id, p->job->work_name, p->archive_path, r, &r->archive_gz, "gzip",
			      &p->input_moved, err);
}

static int stage_outputs(struct run *run, struct pending *p, char **err)
{
	struct doc_result *r = &p->res;
	for (int i = 0; i < r->noutputs; i++) {
		struct output_doc *o = &r->outputs[i];
		char *path = output_path(p, o);
		int rc = stage_output(run, r->id, o->kind, o->kind, o->format, r->partner, path,
				      o->payload_id, o->data.data, o->data.len, err);
		if (rc == 0)
			add_path(p, path);
		free(path);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Publishes every file the ledger committed for a document (and its
 * archive members) that still waits in tmp/. Safe to repeat. */
static int publish_committed(struct run *run, const char *id, char **err)
{
	struct ledger_output *outs;
	int n, rc = 0;
	if (ledger_outputs(&run->ledger, id, &outs, &n) < 0) {
		*err = xasprintf("cannot read the outputs of %s from the ledger", id);
		return -1;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		char *tmp = xasprintf("tmp/%s", outs[i].tmp_name);
		/* an archive copy kept as sent waits in work/ */
		char *work = !strcmp(outs[i].kind, "archive") ? xasprintf("work/%s", outs[i].tmp_name)
							      : NULL;
		if (spool_exists(&run->spool, tmp))
			rc = spool_publish(&run->spool, outs[i].tmp_name, outs[i].path, err);
		else if (work && spool_exists(&run->spool, work))
			rc = spool_move(&run->spool, work, outs[i].path, err);
		else if (!spool_exists(&run->spool, outs[i].path)) {
			*err = xasprintf("%s: the ledger records %s but neither it nor its staged "
					 "copy exists",
					 id, outs[i].path);
			rc = -1;
		}
		free(tmp);
		free(work);
	}
	ledger_outputs_free(outs, n);
	return rc;
}

/* After the commit: make the committed state visible. Safe to repeat. */
static int finish_done(struct run *run, const char *id, const char *work_name, char **err)
{
	int rc = publish_committed(run, id, err);
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
	char *retry = retry_line(run, id, to, work_name + SPOOL_ID_LEN + 1, NULL);
	char *full = xasprintf("%s%s", text ? text : "", retry);
	int rc = publish_committed(run, id, err);
	if (rc == 0)
		rc = spool_stage(&run->spool, tmp, full, strlen(full), err);
	if (rc == 0)
		rc = spool_publish(&run->spool, tmp, why, err);
	if (rc == 0)
		rc = spool_move(&run->spool, from, to, err);
	free(text);
	free(full);
	free(retry);
	free(tmp);
	free(why);
	free(from);
	free(to);
	return rc;
}

static void log_outcome(const struct pending *p)
{
	const struct doc_result *r = &p->res;
	const char *id = r->id;
	if (r->container && !strcmp(p->state, "done")) {
		const char *f = r->info.format ? r->info.format : "";
		msg_info(id, "%s: %s %s, archived as sent", r->name, f,
			 !strncmp(f, "csv", 3) ? "file read into its orders"
					       : "archive unpacked into its members");
	} else if (!strcmp(p->state, "failed")) {
		msg_error(id, "failed at %s: %s (%s.why)%s%s", r->stage, r->reason, p->failed_path,
			  p->npaths ? "; answered with " : "", p->npaths ? p->paths[0] : "");
	} else if (!strcmp(p->state, "duplicate")) {
		if (r->is_shipment)
			msg_info(id, "duplicate of %s (shipment %s of order %s, payloadID %s): "
				 "nothing new written", p->duplicate_of, r->ship.shipment_id,
				 r->ship.order_key, r->info.payload_id);
		else
			msg_info(id, "duplicate of %s (payloadID %s): nothing new written",
				 p->duplicate_of, r->info.payload_id);
	} else if (r->is_shipment) {
		msg_info(id, "%s: shipment %s for order %s, %d line%s%s; the invoice follows%s",
			 r->name, r->ship.shipment_id, r->ship.order_key, r->ship.nlines,
			 r->ship.nlines == 1 ? "" : "s",
			 r->ship.whole_order ? " (the whole order: all that remained)" : "",
			 r->ship.ship_date && *r->ship.ship_date
				 ? ""
				 : " (no ship date given: the invoice states none)");
	} else if (p->superseded_by) {
		msg_info(id, "%s: order %s from %s: superseded by document %s, recorded before it; "
			 "recorded as replaced, nothing sent, archived", r->name, r->info.order_id,
			 r->sender_key, p->superseded_doc);
	} else if (r->decision && !strcmp(r->decision, "hold")) {
		struct buf roles = BUF_INIT;
		for (int i = 0; i < r->ncheckpoints; i++)
			buf_printf(&roles, "%s%s", i ? ", then " : "", r->checkpoints[i]);
		char total[DEC_FMT_MAX];
		dec_format(r->info.total, currency_decimals(r->info.currency), total);
		msg_info(id, "%s: order %s from %s, %s %s, held: waits for %s (ordergate approve)",
			 r->name, r->info.order_id, r->sender_key, total, r->info.currency,
			 buf_str(&roles));
		buf_release(&roles);
	} else {
		char total[DEC_FMT_MAX];
		dec_format(r->info.subtotal, currency_decimals(r->info.currency), total);
		struct buf paths = BUF_INIT;
		for (int i = 0; i < p->npaths; i++)
			buf_printf(&paths, "%s%s", i ? ", " : "", p->paths[i]);
		msg_info(id, "%s: order %s from %s, %d line%s, %s %s, %s -> %s%s%s", r->name,
			 r->info.order_id, r->sender_key, r->info.nlines,
			 r->info.nlines == 1 ? "" : "s", total, r->info.currency, r->decision,
			 buf_str(&paths), p->kept ? "; " : "", p->kept ? p->kept : "");
		buf_release(&paths);
	}
	/* a duplicate's warnings were logged when it first came */
	for (int i = 0; strcmp(p->state, "duplicate") && i < r->info.nwarnings; i++)
		msg_warn(id, "%s", r->info.warnings[i]);
}

static void count(struct run *run, const struct pending *p)
{
	struct batch_stats *st = run->st;
	const struct doc_result *r = &p->res;
	if (!r->member)
		st->bytes += r->size;
	if (r->container && !strcmp(p->state, "done")) {
		st->archives++;
		return;
	}
	if (!strcmp(p->state, "done"))
		st->translated++;
	else if (!strcmp(p->state, "duplicate"))
		st->duplicates++;
	else
		st->failed++;
	if (p->job && p->job->recovered)
		st->recovered++;
	count_partner(st, r->partner, p->state);
	run->done++;
}

/* How often a job is decided again before its decision is taken as it is
 * (the spend keeps changing under it: another program writing the ledger). */
#define SPEND_TRIES 3

/* Whether every spend r's rules read is still the ledger's (plus the
 * spend of the job's earlier orders, as the worker counted them). */
static int spend_unchanged(struct run *run, const struct doc_result *r,
			   const struct spend_list *job)
{
	struct spend_list seen = { 0 };
	int same = rules_spend_parse(r->spend_seen, &seen) == 0;
	for (int e = 0; e < seen.n && same; e++) {
		dec_t now, sum;
		const struct spend_entry *x = &seen.e[e];
		same = ledger_spent(run->ledger.db, x->cost_center, x->period, x->currency, &now) ==
			       0 &&
		       dec_add(now, spend_list_get(job, x->cost_center, x->period, x->currency),
			       &sum) == 0 &&
		       sum == x->amount;
	}
	spend_list_free(&seen);
	return same;
}

/* Budget rules (og:spent, og:budget-left) read the spend the ledger held
 * when the worker decided; workers decide side by side, so an order of
 * the same cost centre and period may have been recorded since. Checked
 * here, inside the commit's transaction, just before the job's results are
 * recorded: 1 when each order's decision still holds, because the spend
 * it read is unchanged or because deciding it again here on the current
 * spend gives the same decision. */
static int spend_current(struct run *run, struct pending *group, int from, int to)
{
	int read = 0;
	for (int k = from; k < to; k++)
		read |= group[k].res.spend_seen != NULL;
	if (!read)
		return 1;
	struct spend_list job = { 0 };
	int current = 1;
	for (int k = from; k < to && current; k++) {
		const struct doc_result *r = &group[k].res;
		if (!r->ok)
			continue; /* recorded as failed: no spend, no decision */
		if (r->spend_seen)
			current = spend_unchanged(run, r, &job) ||
				  rules_same_decision(r->canonical.data, r->canonical.len, &r->info,
						      r->partner, run->ledger.db, &job);
		spend_list_count(&job, r->cost_center, r->info.order_date, r->info.currency,
				 r->info.mode, r->decision, r->info.committed);
	}
	spend_list_free(&job);
	return current;
}

static int deferred(const struct pending *p)
{
	return p->state && !strcmp(p->state, "deferred");
}

/* The order number of the first ship notice among group[from..to) whose
 * order the ledger does not know, or NULL. Such a job is decided once more
 * after the rest of the batch: an order and its ship notice that arrive
 * together (after an outage, say) may be claimed notice first. (Not done
 * for updates: a deferred job is decided alone after the batch, one commit
 * each, and senders that say Change on every order would pay that for
 * each; an update of an unknown order is its first version instead.) */
static const char *unknown_order(struct run *run, struct pending *group, int from, int to)
{
	for (int k = from; k < to; k++) {
		const struct doc_result *r = &group[k].res;
		if (!r->ok || r->container || !r->is_shipment)
			continue;
		struct ledger_order *o;
		int n;
		if (ledger_find_orders(&run->ledger, r->ship.order_key, &o, &n) < 0)
			continue; /* the match will say so */
		ledger_orders_free(o, n);
		if (n == 0)
			return r->ship.order_key;
	}
	return NULL;
}

/* Takes the job of group[i] (and its results up to group[to]) out of the
 * commit: nothing of it is recorded; it is decided again once everything
 * before it is committed and no other job is in flight (process). Its
 * input stays claimed in work/. */
static void defer_job(struct run *run, struct pending *group, int i, int to, const char *why)
{
	struct pool_job *job = group[i].job;
	msg_info(group[i].res.id, "%s: %s", job->name, why);
	for (int k = i; k < to; k++)
		group[k].state = "deferred";
	group[i].owns_job = 0;
	queue_push(&run->again, job);
}

/* Records, stages, commits and publishes one group of results. */
static int commit_pending(struct run *run, struct pending *group, int ngroup, char **err)
{
	if (ledger_begin(&run->ledger, err) < 0)
		return -1;
	for (int i = 0; i < ngroup; i++) {
		if (group[i].owns_job) {
			/* the job's results are group[i..to) */
			struct pool_job *job = group[i].job;
			int to = i + 1;
			while (to < ngroup && !group[to].owns_job)
				to++;
			const char *key;
			if (job->spend_tries < SPEND_TRIES && !spend_current(run, group, i, to)) {
				job->spend_tries++;
				defer_job(run, group, i, to,
					  "the budget spend its rules read changed before it "
					  "was recorded; decided again");
			} else if (!job->ship_tries && (key = unknown_order(run, group, i, to))) {
				job->ship_tries++;
				char *why = xasprintf("order %s is not in the ledger yet; the ship "
						      "notice is matched again after the rest of "
						      "this batch, which may hold the order", key);
				defer_job(run, group, i, to, why);
				free(why);
			}
		}
		if (deferred(&group[i]))
			continue;
		check_duplicate(run, &group[i]);
		check_version(run, &group[i]);
		check_shipment(run, &group[i]);
		if (stage_and_record(run, &group[i], err) < 0) {
			ledger_rollback(&run->ledger);
			return -1;
		}
	}
	if (commit_staged(run, err) < 0) {
		ledger_rollback(&run->ledger);
		return -1;
	}
	/* publish the whole group, sync each folder once, then remove the
	 * claimed inputs and sync work/ once: the inputs go only after
	 * everything they produced is durable */
	int rc = 0;
	for (int i = 0; i < ngroup && rc == 0; i++) {
		struct pending *p = &group[i];
		if (p->owns_job && !strcmp(p->state, "failed"))
			rc = finish_failed(run, p->res.id, p->job->work_name, err);
		else if (p->owns_job)
			rc = publish_committed(run, p->res.id, err);
	}
	if (rc == 0)
		rc = spool_sync_dirs(&run->spool, err);
	for (int i = 0; i < ngroup && rc == 0; i++) {
		struct pending *p = &group[i];
		/* kept as sent, the input has moved to archive/ already */
		if (p->owns_job && strcmp(p->state, "failed") && !p->input_moved) {
			char *work = xasprintf("work/%s", p->job->work_name);
			rc = spool_unlink(&run->spool, work, err);
			free(work);
		}
		if (rc == 0 && !deferred(p)) {
			log_outcome(p);
			count(run, p);
		}
	}
	if (rc == 0)
		rc = spool_sync_dirs(&run->spool, err);
	return rc;
}

static void group_add(struct run *run, struct pool_job *job, struct doc_result *res, int n);

/* Hands claimed jobs to workers with room and takes in the results they
 * finished (waiting up to wait_ms for the first), for the next group. It
 * only talks to the workers: no file or ledger step happens here. */
static void feed(struct run *run, int wait_ms)
{
	struct queue *q = run->ready;
	while (!run->between_err && q && q->head < q->n && pool_has_idle(&run->pool)) {
		struct pool_job *j = q->jobs[q->head++];
		if (pool_submit(&run->pool, j, &run->between_err) < 0)
			pool_job_free(j);
	}
	struct pool_job *job;
	struct doc_result *res;
	int n;
	while ((n = pool_poll(&run->pool, &job, &res, wait_ms)) > 0) {
		group_add(run, job, res, n);
		free(res);
		wait_ms = 0;
	}
}

/* The spool's hook between the slow steps of a commit (each file staged,
 * each fsync): keeps the workers translating while the disk is busy. */
static void feed_workers(void *arg)
{
	struct run *run = arg;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - run->last_feed.tv_sec) * 1000000000L +
		    (now.tv_nsec - run->last_feed.tv_nsec) < 200000)
		return;
	run->last_feed = now;
	feed(run, 0);
}

struct sync_job {
	struct run *run;
	int rc;
	char *err;
	int done; /* atomic */
};

static void *sync_and_commit(void *arg)
{
	struct sync_job *j = arg;
	j->rc = spool_flush(&j->run->spool, &j->err);
	if (j->rc == 0)
		j->rc = ledger_commit(&j->run->ledger, &j->err);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Makes the staged files durable, then commits the ledger: the commit
 * point. A failure of either leaves the transaction to be rolled back.
 * Inside a group commit the two run in a thread of their own while this
 * one feeds the workers: nothing else touches the spool or the ledger
 * meanwhile, so the steps keep their order. */
static int commit_staged(struct run *run, char **err)
{
	struct sync_job j = { run, 0, NULL, 0 };
	void (*between)(void *) = run->spool.between;
	pthread_t t;
	run->spool.between = NULL;
	if (!between || pthread_create(&t, NULL, sync_and_commit, &j) != 0) {
		sync_and_commit(&j);
	} else {
		/* hand out what is queued, take in what comes back, until the
		 * sync is done or nothing is left in flight */
		while (!__atomic_load_n(&j.done, __ATOMIC_ACQUIRE)) {
			feed(run, 1);
			if (run->pool.busy == 0)
				break;
		}
		pthread_join(t, NULL);
	}
	run->spool.between = between;
	*err = j.err;
	return j.rc;
}

/* The group commit of the results gathered so far. Results that come in
 * meanwhile (feed_workers) gather in run->group for the next one. Any I/O
 * or ledger error is fatal for the run: the transaction is rolled back and
 * the claimed inputs stay in work/ for the next run's recovery. */
static int commit_group(struct run *run, char **err)
{
	if (run->ngroup == 0)
		return 0;
	struct pending *group = run->group;
	int ngroup = run->ngroup;
	run->group = NULL;
	run->ngroup = run->capgroup = 0;
	run->spool.between = feed_workers;
	run->spool.between_arg = run;
	int rc = commit_pending(run, group, ngroup, err);
	run->spool.between = NULL;
	for (int i = 0; i < ngroup; i++)
		pending_release(&group[i]);
	free(group);
	if (rc == 0 && run->between_err) {
		*err = run->between_err;
		run->between_err = NULL;
		rc = -1;
	}
	msg_progress(run->done, run->expected, run->st->failed, elapsed(run));
	return rc;
}

static void group_add(struct run *run, struct pool_job *job, struct doc_result *res, int n)
{
	if (run->ngroup + n > run->capgroup) {
		run->capgroup = (run->ngroup + n) * 2;
		run->group = xrealloc(run->group, sizeof *run->group * (size_t)run->capgroup);
	}
	for (int i = 0; i < n; i++) {
		struct pending *p = &run->group[run->ngroup++];
		memset(p, 0, sizeof *p);
		p->job = job;
		p->owns_job = i == 0;
		p->res = res[i];
	}
}

/* A job for work/WORK_NAME, with the binding of the source it came from */
static struct pool_job *make_job(struct run *run, const char *id, const char *name,
				 const char *work_name, const struct source *src)
{
	struct pool_job *j = xcalloc(1, sizeof *j);
	char now[32];
	iso_time(og_now(), now);
	j->id = xstrdup(id);
	j->name = xstrdup(name);
	j->work_name = xstrdup(work_name);
	j->path = xasprintf("%s/work/%s", run->spool.root, work_name);
	j->received = xstrdup(now);
	if (src->partner)
		j->partner = xstrdup(src->partner);
	if (src->csv_map)
		j->csv_map = xstrdup(src->csv_map);
	return j;
}

/* --- pickup: which files are complete ----------------------------------- */

struct candidate {
	char *name;
	int src;
};

struct candidates {
	struct candidate *c;
	int n, head;
};

static void candidates_free(struct candidates *c)
{
	for (int i = c->head; i < c->n; i++)
		free(c->c[i].name);
	free(c->c);
	memset(c, 0, sizeof *c);
}

static void candidates_add(struct candidates *c, char *name, int src)
{
	c->c = xrealloc(c->c, sizeof *c->c * (size_t)(c->n + 1));
	c->c[c->n].name = name;
	c->c[c->n].src = src;
	c->n++;
}

static int ignored(const struct config *cfg, const char *name)
{
	if (!cfg->ignore || !*cfg->ignore)
		return 0;
	char *list = xstrdup(cfg->ignore);
	int hit = 0;
	for (char *save = NULL, *pat = strtok_r(list, ",", &save); pat && !hit;
	     pat = strtok_r(NULL, ",", &save))
		hit = *str_trim(pat) && fnmatch(str_trim(pat), name, FNM_PERIOD) == 0;
	free(list);
	return hit;
}

static int is_marker(const char *name)
{
	return str_ends_with(name, ".ok") || str_ends_with(name, ".done");
}

static int exists_in(const struct source *src, const char *name, const char *ext)
{
	char *p = xasprintf("%s/%s%s", src->dir, name, ext);
	struct stat st;
	int ok = lstat(p, &st) == 0;
	free(p);
	return ok;
}

static int has_marker(const struct run *run, const struct source *src, const char *name)
{
	const char *m = run->cfg->marker;
	int ok = 0;
	if (!strcmp(m, "ok") || !strcmp(m, "any"))
		ok = exists_in(src, name, ".ok");
	if (!ok && (!strcmp(m, "done") || !strcmp(m, "any")))
		ok = exists_in(src, name, ".done");
	return ok;
}

static void remove_markers(const struct source *src, const char *name)
{
	static const char *ext[] = { ".ok", ".done" };
	for (size_t i = 0; i < ARRAY_SIZE(ext); i++) {
		char *p = xasprintf("%s/%s%s", src->dir, name, ext[i]);
		unlink(p);
		free(p);
	}
}

static int stat_in(const struct source *src, const char *name, struct stat *st)
{
	char *p = xasprintf("%s/%s", src->dir, name);
	int rc = lstat(p, st);
	free(p);
	return rc;
}

/* A file is complete once neither its size nor its ctime (which every
 * write and every metadata change moves, even for copies that keep an old
 * mtime) has changed for quiet_seconds. */
static int quiet_since(const struct stat *st, const struct timespec *now, int quiet)
{
	/* ctime, to the nanosecond: every write sets it to the clock, and a
	 * sender cannot set it (an mtime kept by cp -p or rsync -t may lie
	 * in the future, or in the past while the file is still written) */
	long long ns = (long long)(now->tv_sec - st->st_ctim.tv_sec) * 1000000000LL +
		       (now->tv_nsec - st->st_ctim.tv_nsec);
	return ns >= (long long)quiet * 1000000000LL;
}

struct young {
	char *name;
	int src;
	struct stat st;
};

/* Lists the complete files of every source. immediate (may be empty) holds
 * files known complete (renamed in, seen by inotify). When wait is set,
 * files written moments ago are waited for, at most quiet_seconds. */
static void pickup_scan(struct run *run, struct candidates *out, int wait,
			const struct candidates *immediate)
{
	const struct config *cfg = run->cfg;
	memset(out, 0, sizeof *out);
	struct young *young = NULL;
	int nyoung = 0;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	for (int k = 0; k < run->nsources; k++) {
		struct source *src = &run->sources[k];
		char **names;
		int n;
		if (spool_list(&run->spool, src->dir, &names, &n, 1) < 0) {
			/* once, not at every scan of a watch */
			if (!src->unlisted)
				msg_warn(NULL, "cannot list %s: %s; its files wait until it can be "
					 "listed again", src->dir, strerror(errno));
			src->unlisted = 1;
			continue;
		}
		if (src->unlisted)
			msg_info(NULL, "%s can be listed again", src->dir);
		src->unlisted = 0;
		for (int i = 0; i < n; i++) {
			struct stat st;
			int take = 0, keep = 0;
			if (ignored(cfg, names[i]) ||
			    (strcmp(cfg->marker, "none") && is_marker(names[i])) ||
			    stat_in(src, names[i], &st) < 0 || S_ISDIR(st.st_mode)) {
				take = 0;
			} else if (strcmp(cfg->marker, "none") && !has_marker(run, src, names[i])) {
				take = 0;
			} else if (S_ISLNK(st.st_mode) || quiet_since(&st, &now, cfg->quiet_seconds)) {
				take = 1;
			} else {
				for (int m = 0; immediate && m < immediate->n && !take; m++)
					take = immediate->c[m].src == k &&
					       !strcmp(immediate->c[m].name, names[i]);
				keep = !take;
			}
			if (take) {
				candidates_add(out, names[i], k);
			} else if (keep) {
				young = xrealloc(young, sizeof *young * (size_t)(nyoung + 1));
				young[nyoung].name = names[i];
				young[nyoung].src = k;
				young[nyoung++].st = st;
			} else {
				free(names[i]);
			}
		}
		free(names);
	}
	if (wait && nyoung > 0) {
		/* `cp order.xml in/ && ordergate run` must work: wait for files
		 * that stopped changing, at most one quiet period */
		sleep((unsigned)cfg->quiet_seconds);
		clock_gettime(CLOCK_REALTIME, &now);
		for (int i = 0; i < nyoung; i++) {
			struct stat st;
			const struct stat *was = &young[i].st;
			if (stat_in(&run->sources[young[i].src], young[i].name, &st) == 0 &&
			    st.st_size == was->st_size && st.st_ctim.tv_sec == was->st_ctim.tv_sec &&
			    st.st_ctim.tv_nsec == was->st_ctim.tv_nsec &&
			    quiet_since(&st, &now, cfg->quiet_seconds)) {
				candidates_add(out, young[i].name, young[i].src);
				young[i].name = NULL;
			}
		}
	}
	for (int i = 0; i < nyoung; i++) {
		if (young[i].name) {
			if (wait) {
				msg_info(NULL, "%s/%s is still being written; left for the next run",
					 run->sources[young[i].src].label, young[i].name);
				run->st->still_changing++;
			}
			free(young[i].name);
		}
	}
	free(young);
}

/* Adds path (a file known complete, or NULL) to known when it lies in one
 * of the sources; the folders are compared as files, not as names. */
static void known_complete(const struct run *run, const char *path, struct candidates *known)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	struct stat dir, st;
	if (!slash)
		return;
	char *parent = xstrndup(path, (size_t)(slash - path));
	int rc = stat(parent, &dir);
	free(parent);
	for (int k = 0; rc == 0 && k < run->nsources; k++)
		if (stat(run->sources[k].dir, &st) == 0 && st.st_dev == dir.st_dev &&
		    st.st_ino == dir.st_ino) {
			candidates_add(known, xstrdup(slash + 1), k);
			return;
		}
}

/* A file that cannot be claimed stays where it is; the rest of the batch
 * goes on. Warned once per run (a watch meets it at every scan) and
 * counted in the summary. */
static void cannot_claim(struct run *run, const char *dir, const char *name, const char *why)
{
	char *key = xasprintf("%s/%s", dir, name);
	for (int i = 0; i < run->nunclaimable; i++)
		if (!strcmp(run->unclaimable[i], key)) {
			free(key);
			return;
		}
	run->unclaimable = xrealloc(run->unclaimable,
				    sizeof *run->unclaimable * (size_t)(run->nunclaimable + 1));
	run->unclaimable[run->nunclaimable++] = key;
	run->st->unclaimable++;
	msg_warn(NULL, "%s", why);
}

/* Claims the next candidate: returns a job, or NULL when none is left. */
static struct pool_job *claim_next(struct run *run, struct candidates *c, char **err)
{
	while (c->head < c->n) {
		struct candidate *cand = &c->c[c->head++];
		const struct source *src = &run->sources[cand->src];
		char id[SPOOL_ID_LEN + 1];
		char *work = NULL;
		spool_new_id(id);
		int rc = spool_claim_from(&run->spool, src->dir, cand->name, id, src->tag, &work,
					  err);
		struct pool_job *j = NULL;
		if (rc == 2) {
			cannot_claim(run, src->dir, cand->name, *err);
			free(*err);
			*err = NULL;
		} else if (rc == 0) {
			if (strcmp(run->cfg->marker, "none"))
				remove_markers(src, cand->name);
			msg_debug(id, "claimed %s/%s", src->label, cand->name);
			j = make_job(run, id, cand->name, work, src);
			run->st->files++;
		}
		free(work);
		free(cand->name);
		cand->name = NULL;
		if (rc < 0)
			return NULL;
		if (j)
			return j;
	}
	return NULL;
}

/* --- recovery ------------------------------------------------------------- */

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
			const char *name;
			const struct source *src = source_of_work(run, orig, &name);
			if (!state && is_approval_work(orig)) {
				/* an approval file not yet applied: back where it came
				 * from, to be applied with the others below */
				char *from = xasprintf("work/%s", names[i]);
				char *to = xasprintf("approvals/%s", name);
				if (spool_exists(&run->spool, to)) {
					free(to);
					to = xasprintf("approvals/%s", names[i]);
				}
				msg_info(id, "recovered: the approval file %s goes back to %s", name, to);
				rc = spool_move(&run->spool, from, to, err);
				free(from);
				free(to);
			} else if (!state) {
				if (!src) {
					msg_warn(id, "work/%s was claimed from an inbox the configuration "
						 "no longer has ([inbox] tag %.*s): translating it as if "
						 "it came through in/", names[i],
						 (int)(name - orig - 1), orig);
					src = &run->sources[0];
				}
				msg_info(id, "recovered from an interrupted run: translating %s (from %s) "
					 "again", name, src->label);
				/* counted as recovered once its outcome is (count), not
				 * now: a run that stops first has recovered nothing */
				struct pool_job *j = make_job(run, id, name, names[i], src);
				j->recovered = 1;
				queue_push(q, j);
			} else if (!strcmp(state, "failed")) {
				msg_info(id, "recovered: finishing the move to failed/");
				rc = finish_failed(run, id, names[i], err);
				/* it lands in failed/ in this run: the exit status says so */
				if (rc == 0) {
					run->st->failed++;
					run->st->recovered++;
				}
			} else {
				msg_info(id, "recovered: publishing what the ledger committed");
				rc = finish_done(run, id, names[i], err);
				if (rc == 0)
					run->st->republished++;
			}
			free(state);
		}
		free(names[i]);
	}
	free(names);
	if (rc < 0)
		return -1;
	/* what is left in tmp/: published if the ledger committed it (a
	 * release interrupted after its commit), else never committed */
	if (spool_list(&run->spool, "tmp", &names, &n, 0) < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		char *p = xasprintf("tmp/%s", names[i]);
		char *e = NULL;
		char *final = ledger_output_path_for_tmp(&run->ledger, names[i]);
		if (final && !spool_exists(&run->spool, final)) {
			msg_info(NULL, "recovered: publishing %s", final);
			if (spool_publish(&run->spool, names[i], final, &e) < 0) {
				msg_warn(NULL, "%s", e);
				free(e);
			}
		} else if (spool_unlink(&run->spool, p, &e) < 0) {
			msg_warn(NULL, "%s", e);
			free(e);
		}
		free(final);
		free(p);
		free(names[i]);
	}
	free(names);
	return spool_sync_dirs(&run->spool, err);
}

/* --- decisions on held orders --------------------------------------------- */

/* "a\nb\n" as "a; b": an approval file's report lines on one line. */
static void join_report(struct buf *out, const char *lines)
{
	size_t len = strlen(lines);
	while (len && lines[len - 1] == '\n')
		len--;
	for (size_t i = 0; i < len; i++) {
		if (lines[i] == '\n')
			buf_adds(out, "; ");
		else
			buf_addch(out, lines[i]);
	}
}

/* Applies the approval files waiting in approvals/, one transaction each;
 * a file whose decisions were all applied is archived, one with refused
 * lines goes to failed/ and counts as failed: its .why's error lists the
 * refused lines only, its "what to do" the applied ones (they stay
 * applied, and a retry of the corrected file reports them as already
 * applied: approve_file). */
static int apply_approval_files(struct run *run, char **err)
{
	char **names;
	int n;
	if (spool_list(&run->spool, "approvals", &names, &n, 1) < 0)
		return 0;
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (rc < 0 || !str_ends_with(names[i], ".csv")) {
			free(names[i]);
			continue;
		}
		char id[SPOOL_ID_LEN + 1];
		char *work = NULL;
		spool_new_id(id);
		char *dir = spool_path(&run->spool, "approvals");
		int c = spool_claim_from(&run->spool, dir, names[i], id, INBOX_TAG_APPROVALS, &work, err);
		free(dir);
		if (c == 2) {
			cannot_claim(run, "approvals", names[i], *err);
			free(*err);
			*err = NULL;
		}
		if (c != 0) {
			rc = c < 0 ? -1 : 0;
			free(names[i]);
			continue;
		}
		char *path = xasprintf("%s/work/%s", run->spool.root, work);
		struct buf refused_lines = BUF_INIT, applied_lines = BUF_INIT, data = BUF_INIT;
		struct buf reason = BUF_INIT, hint = BUF_INIT, applied = BUF_INIT;
		FILE *f = fopen(path, "rb");
		char chunk[8192];
		size_t k;
		while (f && (k = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&data, chunk, k);
		if (f)
			fclose(f);
		struct doc_result r;
		memset(&r, 0, sizeof r);
		r.id = xstrdup(id);
		r.name = xstrdup(names[i]);
		r.info.format = xstrdup("approvals");
		r.size = (int64_t)data.len;
		sha256_hex(data.data ? data.data : "", data.len, r.sha256);
		memcpy(r.archive_sha256, r.sha256, sizeof r.archive_sha256);
		r.archive_size = r.size;
		char now[32];
		iso_time(og_now(), now);
		if (ledger_begin(&run->ledger, err) < 0) {
			rc = -1;
		} else {
			int refused = approve_file(&run->ledger, path, &refused_lines, &applied_lines,
						   err);
			int napplied = 0;
			for (const char *p = buf_str(&applied_lines); *p; p++)
				napplied += *p == '\n';
			join_report(&applied, buf_str(&applied_lines));
			struct ledger_doc d = { id, names[i], now, refused == 0 ? "done" : "failed",
						NULL, NULL, NULL, NULL, NULL, NULL, NULL, &r };
			char *archive = NULL, *failed = NULL;
			int moved;
			if (refused < 0) {
				rc = -1;
			} else if (refused == 0) {
				/* an approval file is kept as it came (a small CSV) */
				archive = spool_archive_path(work, og_now(), 1);
				d.archive_path = archive;
				rc = ledger_add_document(&run->ledger, &d, err);
				if (rc == 0)
					rc = record_archive(run, id, work, archive, &r, &data, "csv",
							    &moved, err);
			} else {
				failed = xasprintf("failed/%s", work);
				d.stage = "approve";
				buf_printf(&reason, "%d refused line%s: ", refused, refused == 1 ? "" : "s");
				join_report(&reason, buf_str(&refused_lines));
				d.reason = buf_str(&reason);
				if (napplied)
					buf_printf(&hint, "correct the refused lines in this file (in "
						   "failed/) and retry it with the command below, or "
						   "drop a file with the corrected lines only; %d line%s "
						   "of this file %s applied and stay%s so (a retry "
						   "reports %s as already applied, never twice): %s",
						   napplied, napplied == 1 ? "" : "s",
						   napplied == 1 ? "was" : "were",
						   napplied == 1 ? "s" : "", napplied == 1 ? "it" : "them",
						   buf_str(&applied));
				else
					buf_adds(&hint, "correct the refused lines in this file (in "
							"failed/) and retry it with the command below, "
							"or drop the corrected file again; none of its "
							"lines was applied");
				d.hint = buf_str(&hint);
				d.failed_path = failed;
				rc = ledger_add_document(&run->ledger, &d, err);
			}
			if (rc == 0)
				rc = commit_staged(run, err);
			else
				ledger_rollback(&run->ledger);
			if (rc == 0)
				rc = refused == 0 ? finish_done(run, id, work, err)
						  : finish_failed(run, id, work, err);
			if (rc == 0 && refused > 0) {
				/* in failed/ like any other input: counted, exit 1 */
				run->st->failed++;
				msg_error(id, "approval file %s failed at approve: %s (%s.why)%s%s",
					  names[i], buf_str(&reason), failed, napplied ? "; applied: " : "",
					  buf_str(&applied));
			} else if (rc == 0) {
				run->st->approval_files++;
				msg_info(id, "approval file %s: %d line%s applied: %s", names[i],
					 napplied, napplied == 1 ? "" : "s", buf_str(&applied));
			}
			free(archive);
			free(failed);
		}
		pipeline_result_release(&r);
		buf_release(&refused_lines);
		buf_release(&applied_lines);
		buf_release(&reason);
		buf_release(&hint);
		buf_release(&applied);
		buf_release(&data);
		free(path);
		free(work);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int expire_pending(struct run *run, char **err)
{
	if (ledger_begin(&run->ledger, err) < 0)
		return -1;
	int n = approve_expire(&run->ledger, run->cfg->pending_max_days, err);
	if (n < 0 || commit_staged(run, err) < 0) {
		ledger_rollback(&run->ledger);
		return -1;
	}
	if (n > 0)
		msg_warn(NULL, "%d held order%s not approved within %d days: rejected", n,
			 n == 1 ? "" : "s", run->cfg->pending_max_days);
	run->st->expired += n;
	return 0;
}

/* A render job: a decided held order, or an invoice, rendered in a worker
 * from the order as the ledger keeps it. */
static struct pool_job *render_job(const char *doc_id, const char *order_id,
				   const char *partner, const char *canonical, const char *action,
				   const char *message, const char *number)
{
	struct pool_job *j = xcalloc(1, sizeof *j);
	char now[32];
	iso_time(og_now(), now);
	j->id = xstrdup(doc_id);
	j->name = xstrdup(order_id);
	j->work_name = xstrdup("");
	j->path = xstrdup("");
	j->received = xstrdup(now);
	j->partner = xstrdup(partner);
	j->render = 1;
	j->canonical = xstrdup(canonical);
	j->action = xstrdup(action);
	j->message = message ? xstrdup(message) : NULL;
	j->po_number = number ? xstrdup(number) : NULL;
	return j;
}

/* Renders (in a worker) and publishes what follows a decision on a held
 * order: the purchase order and confirmation once approved, the rejection
 * once declined. The PO number is assigned in the commit. */
static int release_decided(struct run *run, char **err)
{
	static const char *states[] = { "approved", "declined" };
	for (size_t s = 0; s < ARRAY_SIZE(states); s++) {
		struct ledger_order *o;
		int n;
		if (ledger_orders_in_state(&run->ledger, states[s], &o, &n) < 0) {
			*err = xstrdup("cannot list decided orders");
			return -1;
		}
		int approved = s == 0;
		for (int i = 0; i < n; i++) {
			int numbered = approved && run->cfg->po_pattern && *run->cfg->po_pattern;
			struct pool_job *j = render_job(o[i].document_id, o[i].order_id, o[i].partner,
							o[i].canonical, approved ? "accept" : "reject",
							o[i].message, numbered ? PO_NUMBER_PLACEHOLDER : NULL);
			if (pool_submit(&run->pool, j, err) < 0) {
				pool_job_free(j);
				ledger_orders_free(o, n);
				return -1;
			}
			struct pool_job *back;
			struct doc_result *res;
			int nr = pool_wait(&run->pool, &back, &res);
			int rc = 0;
			if (nr == 1 && res[0].ok) {
				struct pending p;
				memset(&p, 0, sizeof p);
				p.job = back;
				p.res = res[0];
				p.res.partner = xstrdup(o[i].partner);
				p.res.info.order_id = xstrdup(o[i].order_id);
				p.res.info.mode = xstrdup(o[i].mode ? o[i].mode : "production");
				char *po = NULL;
				rc = ledger_begin(&run->ledger, err);
				if (rc == 0 && approved && run->cfg->po_pattern && *run->cfg->po_pattern) {
					int test = o[i].mode && !strcmp(o[i].mode, "test");
					po = ledger_replaced_po(&run->ledger, o[i].ref);
					if (!po)
						po = ledger_next_number(&run->ledger, o[i].partner,
									test ? "po-test" : "po",
									run->cfg->po_pattern, err);
					rc = po ? 0 : -1;
					if (po) {
						replace_all(&p.res.canonical, PO_NUMBER_PLACEHOLDER, po);
						for (int k = 0; k < p.res.noutputs; k++)
							replace_all(&p.res.outputs[k].data, PO_NUMBER_PLACEHOLDER, po);
					}
				}
				if (rc == 0)
					rc = stage_outputs(run, &p, err);
				if (rc == 0)
					rc = ledger_release_order(&run->ledger, o[i].ref,
								  approved ? "confirmed" : "rejected",
								  p.res.decision, p.res.canonical.data, po, err);
				/* a change rejected: the version it would have
				 * replaced stays (said in the event and the log) */
				char *kept = NULL;
				if (rc == 0 && !approved)
					rc = approve_kept(&run->ledger, &o[i], &kept, err);
				char *detail = xasprintf("%s%s%s",
							 approved ? "approved: outputs written"
								  : "rejected: the rejection written",
							 kept ? "; " : "", kept ? kept : "");
				if (rc == 0)
					rc = ledger_event(&run->ledger, o[i].document_id, "released",
							  detail, err);
				free(detail);
				if (rc == 0 && p.res.chunked)
					rc = ledger_event(&run->ledger, o[i].document_id, "chunked",
							  p.res.chunked, err);
				if (rc == 0)
					rc = commit_staged(run, err);
				else
					ledger_rollback(&run->ledger);
				if (rc == 0)
					rc = publish_committed(run, o[i].document_id, err);
				if (rc == 0)
					rc = spool_sync_dirs(&run->spool, err);
				if (rc == 0) {
					struct buf paths = BUF_INIT;
					for (int k = 0; k < p.npaths; k++)
						buf_printf(&paths, "%s%s", k ? ", " : "", p.paths[k]);
					msg_info(o[i].document_id, "order %s %s%s%s -> %s%s%s", o[i].order_id,
						 approved ? "approved" : "rejected", po ? ", PO " : "",
						 po ? po : "", buf_str(&paths), kept ? "; " : "",
						 kept ? kept : "");
					buf_release(&paths);
					run->st->released++;
				}
				free(po);
				free(kept);
				p.owns_job = 1;
				pending_release(&p);
			} else {
				msg_error(o[i].document_id, "cannot write what follows the decision on "
					  "order %s: %s", o[i].order_id,
					  nr >= 1 && res[0].reason ? res[0].reason : "worker failure");
				for (int k = 0; k < nr; k++)
					pipeline_result_release(&res[k]);
				pool_job_free(back);
			}
			free(res);
			if (rc < 0) {
				ledger_orders_free(o, n);
				return -1;
			}
		}
		ledger_orders_free(o, n);
	}
	return 0;
}

/* Invoices what shipped: one invoice per shipment, rendered in a worker,
 * numbered gap-free per partner in the commit that records it. */
static int invoice_shipments(struct run *run, char **err)
{
	struct ledger_uninvoiced *u;
	int n;
	if (ledger_uninvoiced(&run->ledger, &u, &n) < 0) {
		*err = xstrdup("cannot list shipments to invoice");
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		if (!u[i].canonical || !*u[i].canonical) {
			/* an older purge blanked the copy the invoice is made from */
			msg_error(u[i].document_id,
				  "cannot invoice shipment %lld of order %s: the ledger no longer "
				  "holds the order's canonical copy (removed by purge); invoice the "
				  "shipment by hand (ordergate show %s lists what shipped), or "
				  "restore the ledger from a backup made before the purge; until "
				  "then every run tries again and fails",
				  u[i].shipment_ref, u[i].order_id, u[i].order_id);
			run->st->uninvoiced++;
			continue;
		}
		struct pool_job *j = render_job(u[i].document_id, u[i].order_id, u[i].partner,
						u[i].canonical, "invoice", u[i].spec ? u[i].spec : "",
						INVOICE_NUMBER_PLACEHOLDER);
		if (pool_submit(&run->pool, j, err) < 0) {
			pool_job_free(j);
			rc = -1;
			break;
		}
		struct pool_job *back;
		struct doc_result *res;
		int nr = pool_wait(&run->pool, &back, &res);
		if (nr != 1 || !res[0].ok) {
			msg_error(u[i].document_id, "cannot invoice shipment %lld of order %s: %s; "
				  "the shipment stays uninvoiced and the next run tries again: fix "
				  "the cause (the partner's [invoice] and [outbound] settings, "
				  "ordergate show %s), then run again",
				  u[i].shipment_ref, u[i].order_id,
				  nr >= 1 && res[0].reason ? res[0].reason : "worker failure",
				  u[i].order_id);
			run->st->uninvoiced++;
			for (int k = 0; k < nr; k++)
				pipeline_result_release(&res[k]);
			free(res);
			pool_job_free(back);
			continue;
		}
		struct pending p;
		memset(&p, 0, sizeof p);
		p.job = back;
		p.owns_job = 1;
		p.res = res[0];
		free(res);
		int test = u[i].mode && !strcmp(u[i].mode, "test");
		const char *pattern = run->cfg->invoice_pattern && *run->cfg->invoice_pattern
					      ? run->cfg->invoice_pattern
					      : "INV-{partner}-{seq:6}";
		char *number = NULL;
		rc = ledger_begin(&run->ledger, err);
		if (rc == 0) {
			number = ledger_next_number(&run->ledger, u[i].partner,
						    test ? "invoice-test" : "invoice", pattern, err);
			rc = number ? 0 : -1;
		}
		for (int k = 0; rc == 0 && k < p.res.noutputs; k++) {
			struct output_doc *o = &p.res.outputs[k];
			replace_all(&o->data, INVOICE_NUMBER_PLACEHOLDER, number);
			char *safe = safe_name(number, 60);
			char *path = xasprintf("%s/%s/invoice/%s-%s.%s", test ? "out-test" : "out",
					       u[i].partner, u[i].document_id, safe,
					       emit_extension(o->format));
			char *suffix = xasprintf("invoice-%lld", u[i].shipment_ref);
			rc = stage_output(run, u[i].document_id, suffix, "invoice", o->format,
					  u[i].partner, path, o->payload_id, o->data.data, o->data.len,
					  err);
			if (rc == 0)
				add_path(&p, path);
			free(safe);
			free(path);
			free(suffix);
		}
		if (rc == 0)
			rc = ledger_add_invoice(&run->ledger, u[i].order_ref, u[i].shipment_ref, number,
						u[i].partner, u[i].mode ? u[i].mode : "production",
						&p.res.info, err);
		if (rc == 0)
			rc = ledger_event(&run->ledger, u[i].document_id, "invoiced", number, err);
		if (rc == 0)
			rc = commit_staged(run, err);
		else
			ledger_rollback(&run->ledger);
		if (rc == 0)
			rc = publish_committed(run, u[i].document_id, err);
		if (rc == 0)
			rc = spool_sync_dirs(&run->spool, err);
		if (rc == 0) {
			char net[DEC_FMT_MAX];
			dec_format(p.res.info.total, currency_decimals(p.res.info.currency), net);
			msg_info(u[i].document_id, "order %s: invoice %s, %s %s -> %s", u[i].order_id,
				 number, net, p.res.info.currency, p.npaths ? p.paths[0] : "");
			run->st->invoices++;
		}
		free(number);
		pending_release(&p);
	}
	ledger_uninvoiced_free(u, n);
	return rc;
}

static int decisions(struct run *run, char **err)
{
	if (apply_approval_files(run, err) < 0 || expire_pending(run, err) < 0)
		return -1;
	if (release_decided(run, err) < 0)
		return -1;
	return invoice_shipments(run, err);
}

/* --- the dispatch loop ---------------------------------------------------- */

static int limits_reached(struct run *run)
{
	if (stop_requested)
		return 1;
	if (run->opts->max_files > 0 && run->st->files >= run->opts->max_files)
		return 1;
	if (run->opts->max_seconds > 0 && elapsed(run) >= (double)run->opts->max_seconds)
		return 1;
	return 0;
}

/* Hands j to a worker; on failure frees it. */
static int submit(struct run *run, struct pool_job *j, char **err)
{
	if (pool_submit(&run->pool, j, err) == 0)
		return 0;
	pool_job_free(j);
	return -1;
}

/* Waits for one finished job and adds its results to the group: their
 * number, or -1 when nothing is in flight. */
static int take_result(struct run *run)
{
	struct pool_job *job;
	struct doc_result *res;
	int n = pool_wait(&run->pool, &job, &res);
	if (n < 0)
		return -1;
	group_add(run, job, res, n);
	free(res);
	return n;
}

/* Feeds the workers from the recovery queue, then from the candidates,
 * until both are empty (or a limit or signal stops new claims), and
 * commits every result. */
static int process(struct run *run, struct queue *q, struct candidates *c, char **err)
{
	run->ready = q;
	for (;;) {
		while (pool_has_idle(&run->pool)) {
			struct pool_job *j = NULL;
			if (q->head < q->n)
				j = q->jobs[q->head++];
			else if (!limits_reached(run))
				j = claim_next(run, c, err);
			if (!j) {
				if (*err)
					return -1;
				break;
			}
			if (submit(run, j, err) < 0)
				return -1;
		}
		if (run->pool.busy == 0 || take_result(run) < 0)
			break;
		int more = q->head < q->n || (c->head < c->n && !limits_reached(run));
		int drained = !more && run->pool.busy == 0;
		if (run->ngroup >= run->cfg->group_size || drained) {
			/* claim the next files now, so the workers can be fed
			 * from them while the group commits */
			while (!drained && q->n - q->head < run->cfg->group_size &&
			       c->head < c->n && !limits_reached(run)) {
				struct pool_job *j = claim_next(run, c, err);
				if (!j) {
					if (*err)
						return -1;
					break;
				}
				queue_push(q, j);
			}
			if (commit_group(run, err) < 0)
				return -1;
		}
	}
	if (commit_group(run, err) < 0)
		return -1;
	/* jobs whose budget spend changed before they were recorded: each
	 * alone, after a commit, so the spend it reads is the ledger's */
	while (run->again.head < run->again.n && !stop_requested) {
		if (submit(run, run->again.jobs[run->again.head++], err) < 0)
			return -1;
		if (take_result(run) < 0)
			break;
		if (commit_group(run, err) < 0)
			return -1;
	}
	return 0;
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

/* Watch mode: inotify on every source plus a periodic rescan as a safety
 * net. A file renamed into a source (IN_MOVED_TO) is complete by the rename
 * convention and taken at once; anything else waits for the quiet period. */
#define WATCH_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_ATTRIB)

static int watch_loop(struct run *run, struct queue *q, char **err)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0) {
		*err = xasprintf("cannot start inotify: %s", strerror(errno));
		return -1;
	}
	int *wds = xcalloc((size_t)run->nsources, sizeof *wds);
	for (int k = 0; k < run->nsources; k++) {
		wds[k] = inotify_add_watch(fd, run->sources[k].dir, WATCH_EVENTS);
		if (wds[k] < 0) {
			*err = xasprintf("cannot watch %s: %s", run->sources[k].dir, strerror(errno));
			free(wds);
			close(fd);
			return -1;
		}
	}
	msg_info(NULL, "watching %s/in%s (rescan every %d s); stop with SIGTERM or Ctrl-C",
		 run->spool.root, run->nsources > 1 ? " and the inboxes" : "",
		 run->cfg->rescan_seconds);
	struct candidates moved = { NULL, 0, 0 };
	int rc = 0;
	while (!stop_requested && rc == 0) {
		/* a folder removed (its watch ended, IN_IGNORED) and made again
		 * is watched again */
		for (int k = 0; k < run->nsources; k++)
			if (wds[k] < 0 && (wds[k] = inotify_add_watch(fd, run->sources[k].dir,
								      WATCH_EVENTS)) >= 0)
				msg_info(NULL, "watching %s again", run->sources[k].dir);
		struct candidates c;
		pickup_scan(run, &c, 0, &moved);
		candidates_free(&moved);
		rc = process(run, q, &c, err);
		candidates_free(&c);
		if (rc == 0)
			rc = decisions(run, err);
		if (rc < 0 || stop_requested)
			break;
		/* sleep until an event, the next rescan, or a quiet period ends */
		struct pollfd pfd = { fd, POLLIN, 0 };
		int timeout = run->cfg->quiet_seconds > 0 ? run->cfg->quiet_seconds : 1;
		if (timeout > run->cfg->rescan_seconds)
			timeout = run->cfg->rescan_seconds;
		int pr = poll(&pfd, 1, timeout * 1000);
		if (pr < 0 && errno != EINTR) {
			*err = xasprintf("waiting for files: %s", strerror(errno));
			rc = -1;
			break;
		}
		char evbuf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
		ssize_t len;
		while ((len = read(fd, evbuf, sizeof evbuf)) > 0) {
			for (char *p = evbuf; p < evbuf + len;) {
				struct inotify_event *ev = (struct inotify_event *)(void *)p;
				for (int k = 0; k < run->nsources; k++) {
					if ((ev->mask & IN_MOVED_TO) && ev->len && ev->wd == wds[k])
						candidates_add(&moved, xstrdup(ev->name), k);
					if ((ev->mask & IN_IGNORED) && ev->wd == wds[k])
						wds[k] = -1;
				}
				p += sizeof *ev + ev->len;
			}
		}
	}
	candidates_free(&moved);
	free(wds);
	close(fd);
	return rc;
}

static void sources_init(struct run *run)
{
	const struct config *cfg = run->cfg;
	run->nsources = 1 + cfg->ninboxes;
	run->sources = xcalloc((size_t)run->nsources, sizeof *run->sources);
	run->sources[0].dir = spool_path(&run->spool, "in");
	run->sources[0].label = "in";
	for (int i = 0; i < cfg->ninboxes; i++) {
		struct source *src = &run->sources[i + 1];
		char *real = realpath(cfg->inboxes[i].dir, NULL);
		src->dir = real ? real : xstrdup(cfg->inboxes[i].dir);
		src->label = cfg->inboxes[i].name;
		src->tag = cfg->inboxes[i].tag;
		src->partner = cfg->inboxes[i].partner;
		const char *fmt = cfg->inboxes[i].format;
		if (!strncasecmp(fmt, "csv:", 4)) {
			src->csv_map = fmt + 4;
		} else if (!strcasecmp(fmt, "csv") && src->partner) {
			const struct partner *p = partner_by_name(pipeline_partners(), src->partner);
			src->csv_map = p ? p->csv_map : NULL;
		}
	}
}

static void sources_free(struct run *run)
{
	for (int i = 0; i < run->nsources; i++) {
		free(run->sources[i].dir);
	}
	free(run->sources);
	run->sources = NULL;
	run->nsources = 0;
}

int batch_run(const struct config *cfg, const struct batch_opts *opts, struct batch_stats *st)
{
	struct run run;
	struct queue q = { NULL, 0, 0 };
	char *err = NULL;
	int code = EXIT_OK;
	memset(&run, 0, sizeof run);
	memset(st, 0, sizeof *st);
	st->watch = opts->watch;
	clock_gettime(CLOCK_MONOTONIC, &run.started);
	run.cfg = cfg;
	run.opts = opts;
	run.st = st;
	run.expected = -1;
	stop_requested = 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* a closed terminal or SSH session: a stop like the others (there is
	 * no configuration reload; a changed one needs a restart) */
	sigaction(SIGHUP, &sa, NULL);
	int orc = spool_open(&run.spool, cfg->spool_dir, &err);
	if (orc < 0) {
		msg_error(NULL, "%s", err);
		free(err);
		spool_close(&run.spool);
		return orc == -2 ? EXIT_NOINPUT : EXIT_TEMPFAIL;
	}
	run.spool.sync_filesystem = !strcmp(cfg->sync, "filesystem");
	int lk = spool_lock(&run.spool, &err);
	if (lk != 0) {
		if (lk != 1 || !opts->locked_ok)
			msg_error(NULL, "%s", err);
		free(err);
		spool_close(&run.spool);
		return lk == 1 ? EXIT_LOCKED : EXIT_TEMPFAIL;
	}
	if (pipeline_init(cfg, &err) < 0) {
		msg_error(NULL, "%s", err);
		free(err);
		spool_close(&run.spool);
		pipeline_shutdown();
		return EXIT_CONFIG;
	}
	if (pool_start(&run.pool, cfg, workers_for(cfg, opts), &err) < 0)
		goto tempfail;
	char *ledger_path = cfg->ledger_path ? xstrdup(cfg->ledger_path)
					     : spool_path(&run.spool, "ledger.db");
	int lrc = ledger_open(&run.ledger, ledger_path, &err);
	free(ledger_path);
	/* recovery needs the sources: what came through an inbox is
	 * translated as from that inbox again */
	sources_init(&run);
	if (lrc < 0 || recover(&run, &q, &err) < 0)
		goto tempfail;
	if (decisions(&run, &err) < 0)
		goto tempfail;
	if (opts->release_only) {
		/* nothing else */
	} else if (opts->watch) {
		if (watch_loop(&run, &q, &err) < 0)
			goto tempfail;
	} else {
		struct candidates c, known = { 0 };
		known_complete(&run, opts->complete, &known);
		pickup_scan(&run, &c, 1, &known);
		candidates_free(&known);
		run.expected = (q.n - q.head) + c.n;
		if (opts->max_files > 0 && run.expected > opts->max_files)
			run.expected = opts->max_files;
		int rc = process(&run, &q, &c, &err);
		candidates_free(&c);
		if (rc == 0)
			rc = invoice_shipments(&run, &err);
		if (rc < 0)
			goto tempfail;
	}
	st->stopped = stop_requested;
	/* a watcher stopped by a signal has done what it was asked: its failed
	 * documents are in failed/ and the log, and a service manager must
	 * not see the stop as a failure */
	code = (st->failed || st->unclaimable || st->uninvoiced) && !opts->watch ? EXIT_SOMEFAILED
										  : EXIT_OK;
	goto out;
tempfail:;
	/* a full disk: which one, what is free, and that nothing is lost */
	char *ldir = cfg->ledger_path && err && !strstr(err, strerror(ENOSPC))
			     ? xstrdup(cfg->ledger_path) : NULL;
	if (ldir && strrchr(ldir, '/'))
		*strrchr(ldir, '/') = '\0';
	char *full = spool_disk_full(err, ldir ? ldir : run.spool.root);
	if (full)
		msg_error(NULL, "%s: %s; the run stops here. Nothing was lost: the claimed inputs "
			  "wait in work/, and what was half-written in tmp/ is finished or removed "
			  "by the next run (leave both as they are). Free space on that disk (df %s), "
			  "then run again", full, err, ldir ? ldir : run.spool.root);
	else
		msg_error(NULL, "%s; the run stops here and nothing unfinished was acknowledged: "
			  "run again once the cause is fixed (claimed inputs stay in work/ and are "
			  "recovered)", err ? err : "temporary failure");
	free(full);
	free(ldir);
	free(err);
	code = EXIT_TEMPFAIL;
out:
	msg_progress_end();
	for (int i = 0; i < run.ngroup; i++)
		pending_release(&run.group[i]);
	free(run.group);
	for (int i = 0; i < run.nunclaimable; i++)
		free(run.unclaimable[i]);
	free(run.unclaimable);
	free(run.between_err);
	for (int i = q.head; i < q.n; i++)
		pool_job_free(q.jobs[i]);
	free(q.jobs);
	for (int i = run.again.head; i < run.again.n; i++)
		pool_job_free(run.again.jobs[i]);
	free(run.again.jobs);
	pool_stop(&run.pool);
	sources_free(&run);
	ledger_close(&run.ledger);
	spool_close(&run.spool);
	pipeline_shutdown();
	st->seconds = elapsed(&run);
	return code;
}

void batch_print_summary(const struct config *cfg, const struct batch_stats *st)
{
	int total = st->translated + st->duplicates + st->failed;
	/* of the documents counted, how many an interrupted run had left:
	 * only those finished in this run (a run that stops first says none) */
	char rec[64] = "";
	if (st->recovered && st->recovered >= total)
		snprintf(rec, sizeof rec, " (%s recovered from an interrupted run)",
			 total == 1 ? "it was" : "all");
	else if (st->recovered)
		snprintf(rec, sizeof rec, " (%d of them recovered from an interrupted run)",
			 st->recovered);
	printf("ordergate %s: %d document%s in %.2f s: %d translated, %d duplicate%s, "
	       "%d failed%s\n",
	       st->watch ? "watch" : "run", total, total == 1 ? "" : "s", st->seconds, st->translated, st->duplicates,
	       st->duplicates == 1 ? "" : "s", st->failed, rec);
	if (st->republished)
		printf("%d document%s an interrupted run had committed %s published now\n",
		       st->republished, st->republished == 1 ? "" : "s",
		       st->republished == 1 ? "was" : "were");
	if (st->files)
		printf("files: %d claimed (%d archive%s), %.1f kB read\n", st->files, st->archives,
		       st->archives == 1 ? "" : "s", (double)st->bytes / 1024.0);
	for (int i = 0; i < st->npartners; i++)
		printf("  %-30s %d translated, %d duplicates, %d failed\n", st->partners[i].name,
		       st->partners[i].translated, st->partners[i].duplicates,
		       st->partners[i].failed);
	const struct partner_stats *o = &st->partners[BATCH_MAX_PARTNERS];
	if (o->translated + o->duplicates + o->failed)
		printf("  %-30s %d translated, %d duplicates, %d failed\n", o->name, o->translated,
		       o->duplicates, o->failed);
	if (st->still_changing)
		printf("%d file%s still being written, left in in/ for the next run\n",
		       st->still_changing, st->still_changing == 1 ? " was" : "s were");
	if (st->unclaimable)
		printf("%d file%s could not be claimed and stay%s where %s (see the warnings)\n",
		       st->unclaimable, st->unclaimable == 1 ? "" : "s",
		       st->unclaimable == 1 ? "s" : "", st->unclaimable == 1 ? "it is" : "they are");
	if (st->invoices)
		printf("invoices written: %d\n", st->invoices);
	if (st->uninvoiced)
		printf("%d shipment%s could not be invoiced (see the errors); the next run tries "
		       "again\n", st->uninvoiced, st->uninvoiced == 1 ? "" : "s");
	if (st->released || st->expired || st->approval_files)
		printf("held orders: %d decided and published, %d expired; %d approval file%s applied\n",
		       st->released, st->expired, st->approval_files,
		       st->approval_files == 1 ? "" : "s");
	if (st->stopped)
		printf("stopped by a signal: what was in progress was finished; the rest waits "
		       "in in/\n");
	if (total)
		printf("outputs: %s/out/<partner>/<kind>/   inputs: %s/archive/   "
		       "failures: %s/failed/ (read the .why files)\n",
		       cfg->spool_dir, cfg->spool_dir, cfg->spool_dir);
}

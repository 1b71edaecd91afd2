/*
 * pool: see pool.h.
 */
#define _GNU_SOURCE
#include "pool.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "msg.h"
#include "wire.h"

#if defined(__SANITIZE_ADDRESS__)
#define OG_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OG_ASAN 1
#endif
#endif

/* Each worker holds up to POOL_DEPTH jobs: the one it is translating
 * (job[0]) and the next ones, already sent, waiting in its socket. It
 * answers them in order, so a reply always belongs to job[0]. A job is
 * queued behind another only when its message is small enough to sit in
 * the socket's buffer (QUEUE_MAX_MESSAGE); the parent never blocks writing
 * to a busy worker, which may itself be blocked writing its reply. */
#define POOL_DEPTH 2
#define QUEUE_MAX_MESSAGE (16 * 1024)
/* A document larger than this is followed by malloc_trim() in its worker. */
#define TRIM_AFTER_BYTES (4 * 1024 * 1024)

struct worker {
	pid_t pid;
	int fd;
	struct pool_job *job[POOL_DEPTH];
	int njobs;
	struct timespec started; /* when job[0] was sent, or its turn came */
};

void pool_job_free(struct pool_job *j)
{
	if (!j)
		return;
	free(j->id);
	free(j->name);
	free(j->work_name);
	free(j->path);
	free(j->received);
	free(j->partner);
	free(j->csv_map);
	free(j->canonical);
	free(j->action);
	free(j->message);
	free(j->po_number);
	free(j);
}

static void set_limits(const struct config *cfg)
{
#ifdef OG_ASAN
	(void)cfg; /* ASan reserves terabytes of address space: no RLIMIT_AS */
#else
	struct rlimit as = { (rlim_t)cfg->memory_limit_mb * 1024 * 1024,
			     (rlim_t)cfg->memory_limit_mb * 1024 * 1024 };
	setrlimit(RLIMIT_AS, &as);
#endif
	struct rlimit core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &core);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
}

static void cpu_timer(long seconds)
{
	struct itimerval t;
	memset(&t, 0, sizeof t);
	t.it_value.tv_sec = seconds;
	setitimer(ITIMER_PROF, &t, NULL);
}

struct member_beat {
	const struct config *cfg;
	int fd;
};

/* A member of a file begins: its own CPU limit, and a heartbeat (an empty
 * message) that restarts the parent's wall clock for this job. */
static void member_beat(void *arg)
{
	const struct member_beat *b = arg;
	struct buf none = BUF_INIT;
	cpu_timer(b->cfg->cpu_limit_seconds);
	wire_send(b->fd, &none);
}

static void worker_main(const struct config *cfg, int fd)
{
	struct member_beat beat = { cfg, fd };
	pipeline_set_member_hook(member_beat, &beat);
	set_limits(cfg);
	/* keep freed memory for the next document rather than giving it back
	 * to the kernel after each one: a trim costs a TLB flush on every
	 * core and the next document faults the same pages in again. Blocks
	 * over 4 MB (huge documents) still come from and go back to mmap. */
	mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
	mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
	signal(SIGPROF, SIG_DFL);
	/* a stop is the parent's to make: a SIGTERM or SIGHUP to the whole
	 * process group (systemd stopping the service, a closed terminal)
	 * must not kill a worker in the middle of a document, which would
	 * then fail as if the document had killed it. The parent finishes or
	 * abandons the work; a worker ends when its socket closes. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	struct buf msg = BUF_INIT;
	while (wire_recv(fd, &msg) == 0) {
		struct wire_reader r;
		wire_reader_init(&r, &msg);
		char *id = wire_gets(&r), *name = wire_gets(&r), *path = wire_gets(&r),
		     *received = wire_gets(&r), *partner = wire_gets(&r), *csv_map = wire_gets(&r);
		int render = (int)wire_get_i64(&r);
		char *canonical = wire_gets(&r), *action = wire_gets(&r), *message = wire_gets(&r),
		     *po_number = wire_gets(&r);
		struct doc_result *res = NULL;
		int n = 0;
		if (r.bad || !id || !name || !path || !received) {
			res = xcalloc(1, sizeof *res);
			n = 1;
			pipeline_fail(res, "worker", "report this as a bug", "malformed job message");
		} else {
			struct doc_job job = { .id = id, .name = name, .received = received,
					       .partner = partner, .csv_map = csv_map,
					       .from_spool = 1 };
			cpu_timer(cfg->cpu_limit_seconds);
			if (render && canonical && action && !strcmp(action, "invoice")) {
				res = xcalloc(1, sizeof *res);
				n = 1;
				pipeline_invoice(cfg, &job, canonical, strlen(canonical), message, po_number,
						 res);
			} else if (render && canonical && action) {
				res = xcalloc(1, sizeof *res);
				n = 1;
				pipeline_render(cfg, &job, canonical, strlen(canonical), action, message,
						po_number, res);
			} else {
				n = pipeline_run_input(cfg, &job, path, &res);
			}
			cpu_timer(0);
		}
		/* a huge document leaves hundreds of MB of freed tree pages
		 * resident (below the trim threshold of each free); give them
		 * back before the reply's copies are made. Small documents skip
		 * this: see the mallopt above */
		for (int i = 0; i < n; i++)
			if (res[i].size > TRIM_AFTER_BYTES) {
				malloc_trim(0);
				break;
			}
		buf_reset(&msg);
		wire_put_i64(&msg, n);
		struct buf one = BUF_INIT;
		for (int i = 0; i < n; i++) {
			buf_reset(&one);
			pipeline_result_encode(&res[i], &one);
			wire_put(&msg, one.data, one.len);
			pipeline_result_release(&res[i]);
		}
		buf_release(&one);
		free(res);
		free(id);
		free(name);
		free(path);
		free(received);
		free(partner);
		free(csv_map);
		free(canonical);
		free(action);
		free(message);
		free(po_number);
		if (wire_send(fd, &msg) < 0)
			break;
		buf_reset(&msg);
	}
	buf_release(&msg);
	_exit(0);
}

static int spawn(struct pool *p, struct worker *w, char **err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		*err = xasprintf("cannot create a worker socket: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		*err = xasprintf("cannot start a worker: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		for (int i = 0; i < p->n; i++)
			if (p->workers[i].fd >= 0)
				close(p->workers[i].fd);
		worker_main(p->cfg, sv[1]);
	}
	close(sv[1]);
	w->pid = pid;
	w->fd = sv[0];
	memset(w->job, 0, sizeof w->job);
	w->njobs = 0;
	return 0;
}

int pool_start(struct pool *p, const struct config *cfg, int n, char **err)
{
	*err = NULL;
	signal(SIGPIPE, SIG_IGN);
	p->cfg = cfg;
	p->n = n;
	p->busy = 0;
	p->backlog = NULL;
	p->nbacklog = 0;
	p->workers = xcalloc((size_t)n, sizeof *p->workers);
	for (int i = 0; i < n; i++)
		p->workers[i].fd = -1;
	for (int i = 0; i < n; i++)
		if (spawn(p, &p->workers[i], err) < 0)
			return -1;
	return 0;
}

int pool_has_idle(const struct pool *p)
{
	if (p->nbacklog > 0)
		return 0;
	for (int i = 0; i < p->n; i++)
		if (p->workers[i].njobs < POOL_DEPTH)
			return 1;
	return 0;
}

static void encode_job(const struct pool_job *job, struct buf *msg)
{
	wire_puts(msg, job->id);
	wire_puts(msg, job->name);
	wire_puts(msg, job->path);
	wire_puts(msg, job->received);
	wire_puts(msg, job->partner);
	wire_puts(msg, job->csv_map);
	wire_put_i64(msg, job->render);
	wire_puts(msg, job->canonical);
	wire_puts(msg, job->action);
	wire_puts(msg, job->message);
	wire_puts(msg, job->po_number);
}

/* Sends a job to worker w (which must have room for it, and no job at
 * all when the message is large). A worker found gone is replaced, and
 * the send tried once more, only when it held no other job: otherwise
 * its death is noticed, and reported against job[0], by pool_wait.
 * Returns 0 (sent), 1 (not sent: try another worker or later), -1 (no
 * worker could be started; *err set). */
static int send_job(struct pool *p, struct worker *w, struct pool_job *job, char **err)
{
	struct buf msg = BUF_INIT;
	encode_job(job, &msg);
	if (w->njobs > 0 && msg.len > QUEUE_MAX_MESSAGE) {
		buf_release(&msg);
		return 1;
	}
	int rc = w->fd >= 0 ? wire_send(w->fd, &msg) : -1;
	if (rc < 0 && w->njobs == 0) {
		/* the idle worker is gone; replace it and try once more */
		if (w->fd >= 0) {
			close(w->fd);
			waitpid(w->pid, NULL, 0);
		}
		w->fd = -1;
		w->pid = 0;
		if (spawn(p, w, err) < 0) {
			buf_release(&msg);
			return -1;
		}
		rc = wire_send(w->fd, &msg);
	}
	buf_release(&msg);
	if (rc < 0)
		return 1;
	if (w->njobs == 0)
		clock_gettime(CLOCK_MONOTONIC, &w->started);
	w->job[w->njobs++] = job;
	return 0;
}

/* Places a job on the least loaded worker that takes it; a job no worker
 * can take now waits in the backlog. */
static int place(struct pool *p, struct pool_job *job, char **err)
{
	for (int depth = 0; depth < POOL_DEPTH; depth++)
		for (int i = 0; i < p->n; i++) {
			struct worker *w = &p->workers[i];
			if (w->njobs != depth)
				continue;
			int rc = send_job(p, w, job, err);
			if (rc <= 0)
				return rc;
		}
	p->backlog = xrealloc(p->backlog, sizeof *p->backlog * (size_t)(p->nbacklog + 1));
	p->backlog[p->nbacklog++] = job;
	return 0;
}

/* Hands the backlog to workers that have room, oldest first. */
static int drain_backlog(struct pool *p, char **err)
{
	while (p->nbacklog > 0) {
		struct pool_job *job = p->backlog[0];
		int sent = 0;
		for (int depth = 0; depth < POOL_DEPTH && !sent; depth++)
			for (int i = 0; i < p->n && !sent; i++) {
				struct worker *w = &p->workers[i];
				if (w->njobs != depth)
					continue;
				int rc = send_job(p, w, job, err);
				if (rc < 0)
					return -1;
				sent = rc == 0;
			}
		if (!sent)
			return 0;
		p->nbacklog--;
		memmove(p->backlog, p->backlog + 1, sizeof *p->backlog * (size_t)p->nbacklog);
	}
	return 0;
}

int pool_submit(struct pool *p, struct pool_job *job, char **err)
{
	*err = NULL;
	if (!pool_has_idle(p)) {
		*err = xstrdup("no idle worker");
		return -1;
	}
	if (place(p, job, err) < 0)
		return -1;
	p->busy++;
	return 0;
}

static void death_reason(const struct config *cfg, int status, struct doc_result *res)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		if (sig == SIGPROF || sig == SIGXCPU)
			pipeline_fail(res, "worker",
				      "the document is too expensive to translate; if it is "
				      "genuine, raise [engine] cpu_limit_seconds",
				      "translation used more than the CPU limit of %ld s and "
				      "was stopped",
				      cfg->cpu_limit_seconds);
		else
			pipeline_fail(res, "worker",
				      "if the document is genuine and very large, raise [engine] "
				      "memory_limit_mb; otherwise report it",
				      "the worker translating it died with signal %d (%s); "
				      "memory limit %ld MB",
				      sig, strsignal(sig), cfg->memory_limit_mb);
	} else {
		pipeline_fail(res, "worker",
			      "if the document is genuine and very large, raise [engine] "
			      "memory_limit_mb",
			      "the worker translating it stopped (exit status %d), most likely "
			      "out of memory (limit %ld MB)",
			      WIFEXITED(status) ? WEXITSTATUS(status) : -1, cfg->memory_limit_mb);
	}
}

static int decode_list(const struct buf *msg, struct doc_result **res)
{
	struct wire_reader rd;
	wire_reader_init(&rd, msg);
	int64_t n = wire_get_i64(&rd);
	if (rd.bad || n < 1 || n > 10000000)
		return -1;
	*res = xcalloc((size_t)n, sizeof **res);
	for (int64_t i = 0; i < n; i++) {
		/* decoded where it lies: a huge order's outputs are not copied
		 * once more on the way */
		struct buf one;
		wire_get_view(&rd, &one);
		if (rd.bad || pipeline_result_decode(&one, &(*res)[i]) < 0) {
			for (int64_t k = 0; k <= i; k++)
				pipeline_result_release(&(*res)[k]);
			free(*res);
			*res = NULL;
			return -1;
		}
	}
	return (int)n;
}

/* Takes job[0] off worker w: the one its next reply (or its death)
 * belongs to. The next job, if any, starts its turn now. */
static struct pool_job *pop_job(struct worker *w)
{
	struct pool_job *job = w->job[0];
	memmove(w->job, w->job + 1, sizeof w->job[0] * (POOL_DEPTH - 1));
	w->job[POOL_DEPTH - 1] = NULL;
	w->njobs--;
	clock_gettime(CLOCK_MONOTONIC, &w->started);
	return job;
}

/* Worker w died (or spoke nonsense) while translating job: that one
 * document fails; a fresh worker takes w's place and the jobs queued
 * behind it, which it never started. */
static void worker_died(struct pool *p, struct worker *w, struct pool_job *job,
			struct doc_result **res)
{
	close(w->fd);
	w->fd = -1;
	int status = 0;
	kill(w->pid, SIGKILL);
	waitpid(w->pid, &status, 0);
	w->pid = 0;
	*res = xcalloc(1, sizeof **res);
	(*res)[0].id = xstrdup(job->id);
	(*res)[0].name = xstrdup(job->name);
	death_reason(p->cfg, status, &(*res)[0]);
	struct pool_job *queued[POOL_DEPTH];
	int nq = w->njobs;
	memcpy(queued, w->job, sizeof queued);
	memset(w->job, 0, sizeof w->job);
	w->njobs = 0;
	char *err = NULL;
	if (spawn(p, w, &err) < 0) {
		msg_error(NULL, "%s", err);
		free(err);
		w->fd = -1;
		w->pid = 0;
	}
	/* oldest first, ahead of anything submitted later */
	if (nq > 0) {
		p->backlog = xrealloc(p->backlog,
				      sizeof *p->backlog * (size_t)(p->nbacklog + nq));
		memmove(p->backlog + nq, p->backlog, sizeof *p->backlog * (size_t)p->nbacklog);
		memcpy(p->backlog, queued, sizeof *queued * (size_t)nq);
		p->nbacklog += nq;
	}
}

/* One finished job. timeout_ms < 0: waits as long as it takes, -1 when
 * nothing is in flight; otherwise waits at most timeout_ms and returns 0
 * when nothing is ready by then. */
static int next_result(struct pool *p, struct pool_job **job, struct doc_result **res,
		       int timeout_ms)
{
	int block = timeout_ms < 0;
	*res = NULL;
	*job = NULL;
	if (p->busy == 0)
		return block ? -1 : 0;
	struct pollfd *fds = xcalloc((size_t)p->n, sizeof *fds);
	int *idx = xcalloc((size_t)p->n, sizeof *idx);
	int n = -1;
	while (n < 0) {
		char *err = NULL;
		if (drain_backlog(p, &err) < 0 || p->nbacklog > 0) {
			int nf = 0;
			for (int i = 0; i < p->n; i++)
				nf += p->workers[i].njobs > 0;
			if (nf == 0) {
				/* no worker is running and none can be started: the
				 * oldest waiting job fails rather than waiting forever */
				*job = p->backlog[0];
				p->nbacklog--;
				memmove(p->backlog, p->backlog + 1,
					sizeof *p->backlog * (size_t)p->nbacklog);
				p->busy--;
				*res = xcalloc(1, sizeof **res);
				(*res)[0].id = xstrdup((*job)->id);
				(*res)[0].name = xstrdup((*job)->name);
				pipeline_fail(&(*res)[0], "worker", "run again; if it persists, check "
					      "the system's process and memory limits",
					      "no worker process could be started: %s",
					      err ? err : "unknown error");
				free(err);
				n = 1;
				break;
			}
		}
		free(err);
		int nf = 0;
		for (int i = 0; i < p->n; i++) {
			if (p->workers[i].njobs == 0)
				continue;
			fds[nf].fd = p->workers[i].fd;
			fds[nf].events = POLLIN;
			fds[nf].revents = 0;
			idx[nf++] = i;
		}
		if (nf == 0)
			break; /* nothing in flight after all */
		int rc = poll(fds, (nfds_t)nf, block ? 1000 : timeout_ms);
		if (rc < 0 && errno != EINTR)
			break;
		/* a worker stuck off-CPU (which the CPU timer cannot see) is killed
		 * after four times the CPU limit of wall time on one document */
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		for (int k = 0; k < nf; k++) {
			struct worker *w = &p->workers[idx[k]];
			if (now.tv_sec - w->started.tv_sec > 4 * p->cfg->cpu_limit_seconds + 5)
				kill(w->pid, SIGKILL);
		}
		for (int k = 0; k < nf && rc > 0 && n < 0; k++) {
			if (!fds[k].revents)
				continue;
			struct worker *w = &p->workers[idx[k]];
			struct buf msg = BUF_INIT;
			int got = wire_recv(w->fd, &msg);
			if (got == 0 && msg.len == 0) {
				/* a heartbeat: a member of the job began */
				clock_gettime(CLOCK_MONOTONIC, &w->started);
				buf_release(&msg);
				continue;
			}
			*job = pop_job(w);
			p->busy--;
			if (got == 0)
				n = decode_list(&msg, res);
			buf_release(&msg);
			if (n > 0)
				break;
			worker_died(p, w, *job, res);
			n = 1;
		}
		if (!block && n < 0)
			break;
	}
	free(fds);
	free(idx);
	return !block && n < 0 ? 0 : n;
}

int pool_wait(struct pool *p, struct pool_job **job, struct doc_result **res)
{
	return next_result(p, job, res, -1);
}

int pool_poll(struct pool *p, struct pool_job **job, struct doc_result **res, int timeout_ms)
{
	return next_result(p, job, res, timeout_ms < 0 ? 0 : timeout_ms);
}

void pool_stop(struct pool *p)
{
	for (int i = 0; i < p->n; i++) {
		struct worker *w = &p->workers[i];
		if (w->fd >= 0)
			close(w->fd);
		if (w->pid > 0)
			waitpid(w->pid, NULL, 0);
		for (int k = 0; k < w->njobs; k++)
			pool_job_free(w->job[k]);
	}
	for (int k = 0; k < p->nbacklog; k++)
		pool_job_free(p->backlog[k]);
	free(p->backlog);
	free(p->workers);
	memset(p, 0, sizeof *p);
}

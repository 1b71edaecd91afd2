/*
 * pool: see pool.h.
 */
#define _GNU_SOURCE
#include "pool.h"

#include <errno.h>
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

struct worker {
	pid_t pid;
	int fd;
	struct pool_job *job;
	struct timespec started;
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

static void worker_main(const struct config *cfg, int fd)
{
	set_limits(cfg);
	signal(SIGPROF, SIG_DFL);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
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
	w->job = NULL;
	return 0;
}

int pool_start(struct pool *p, const struct config *cfg, int n, char **err)
{
	*err = NULL;
	signal(SIGPIPE, SIG_IGN);
	p->cfg = cfg;
	p->n = n;
	p->busy = 0;
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
	return p->busy < p->n;
}

int pool_submit(struct pool *p, struct pool_job *job, char **err)
{
	*err = NULL;
	for (int i = 0; i < p->n; i++) {
		struct worker *w = &p->workers[i];
		if (w->job)
			continue;
		struct buf msg = BUF_INIT;
		wire_puts(&msg, job->id);
		wire_puts(&msg, job->name);
		wire_puts(&msg, job->path);
		wire_puts(&msg, job->received);
		wire_puts(&msg, job->partner);
		wire_puts(&msg, job->csv_map);
		wire_put_i64(&msg, job->render);
		wire_puts(&msg, job->canonical);
		wire_puts(&msg, job->action);
		wire_puts(&msg, job->message);
		wire_puts(&msg, job->po_number);
		int rc = wire_send(w->fd, &msg);
		buf_release(&msg);
		if (rc < 0) {
			/* the worker is gone; replace it and try once more */
			close(w->fd);
			waitpid(w->pid, NULL, 0);
			if (spawn(p, w, err) < 0)
				return -1;
			i--;
			continue;
		}
		w->job = job;
		clock_gettime(CLOCK_MONOTONIC, &w->started);
		p->busy++;
		return 0;
	}
	*err = xstrdup("no idle worker");
	return -1;
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
	struct buf one = BUF_INIT;
	for (int64_t i = 0; i < n; i++) {
		wire_get_buf(&rd, &one);
		if (rd.bad || pipeline_result_decode(&one, &(*res)[i]) < 0) {
			for (int64_t k = 0; k <= i; k++)
				pipeline_result_release(&(*res)[k]);
			free(*res);
			*res = NULL;
			buf_release(&one);
			return -1;
		}
	}
	buf_release(&one);
	return (int)n;
}

int pool_wait(struct pool *p, struct pool_job **job, struct doc_result **res)
{
	*res = NULL;
	*job = NULL;
	if (p->busy == 0)
		return -1;
	struct pollfd *fds = xcalloc((size_t)p->n, sizeof *fds);
	int *idx = xcalloc((size_t)p->n, sizeof *idx);
	int n = -1;
	while (n < 0) {
		int nf = 0;
		for (int i = 0; i < p->n; i++) {
			if (!p->workers[i].job)
				continue;
			fds[nf].fd = p->workers[i].fd;
			fds[nf].events = POLLIN;
			fds[nf].revents = 0;
			idx[nf++] = i;
		}
		int rc = poll(fds, (nfds_t)nf, 1000);
		if (rc < 0 && errno != EINTR)
			break;
		/* a worker stuck off-CPU (which the CPU timer cannot see) is killed
		 * after four times the CPU limit of wall time */
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
			*job = w->job;
			w->job = NULL;
			p->busy--;
			if (got == 0)
				n = decode_list(&msg, res);
			buf_release(&msg);
			if (n > 0)
				break;
			/* the worker died (or spoke nonsense): its one document fails */
			close(w->fd);
			int status = 0;
			kill(w->pid, SIGKILL);
			waitpid(w->pid, &status, 0);
			*res = xcalloc(1, sizeof **res);
			(*res)[0].id = xstrdup((*job)->id);
			(*res)[0].name = xstrdup((*job)->name);
			death_reason(p->cfg, status, &(*res)[0]);
			n = 1;
			char *err = NULL;
			if (spawn(p, w, &err) < 0) {
				msg_error(NULL, "%s", err);
				free(err);
			}
		}
	}
	free(fds);
	free(idx);
	return n;
}

void pool_stop(struct pool *p)
{
	for (int i = 0; i < p->n; i++) {
		struct worker *w = &p->workers[i];
		if (w->fd >= 0)
			close(w->fd);
		if (w->pid > 0)
			waitpid(w->pid, NULL, 0);
		pool_job_free(w->job);
	}
	free(p->workers);
	memset(p, 0, sizeof *p);
}

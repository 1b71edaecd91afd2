/*
 * fsio: see fsio.h.
 */
#define _GNU_SOURCE
#include "fsio.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

enum op { OP_ANY, OP_OPEN, OP_WRITE, OP_FSYNC, OP_RENAME, OP_UNLINK, OP_COMMIT, OP_N };

static const char *const op_names[OP_N] = { "any", "open", "write", "fsync",
					    "rename", "unlink", "commit" };

static struct {
	int ready;
	pid_t pid;      /* the process whose steps count */
	long steps;     /* steps of every kind so far */
	long calls[OP_N];
	/* the injected fault */
	int crash;      /* crash:N */
	int counting;   /* count */
	enum op op;
	int err;
	long at;
	int forever;
} f;

static void report_count(void)
{
	if (getpid() != f.pid)
		return;
	fprintf(stderr, "fsio: %ld steps", f.steps);
	for (int i = 1; i < OP_N; i++)
		fprintf(stderr, "%s%s %ld", i == 1 ? " (" : ", ", op_names[i], f.calls[i]);
	fprintf(stderr, ")\n");
}

static void setup(void)
{
	f.ready = 1;
	f.pid = getpid();
	const char *spec = getenv("ORDERGATE_FAULT");
	if (!spec || !*spec)
		return;
	if (!strcmp(spec, "count")) {
		f.counting = 1;
		atexit(report_count);
		return;
	}
	if (!strncmp(spec, "crash:", 6)) {
		f.at = strtol(spec + 6, NULL, 10);
		f.crash = f.at > 0;
		return;
	}
	char op[16] = "", err[16] = "", tail[16] = "";
	long at = 0;
	int n = sscanf(spec, "%15[a-z]:%15[A-Z]:%ld:%15s", op, err, &at, tail);
	if (n < 3 || at <= 0)
		return;
	for (int i = 0; i < OP_N; i++)
		if (!strcmp(op, op_names[i]))
			f.op = (enum op)i, f.at = at;
	f.err = !strcmp(err, "ENOSPC") ? ENOSPC : !strcmp(err, "EIO") ? EIO : 0;
	f.forever = n == 4 && !strcmp(tail, "forever");
	if (!f.err)
		f.at = 0;
}

int fsio_faulty(void)
{
	if (!f.ready)
		setup();
	return f.crash || f.at > 0;
}

/* Counts one step; returns the errno to fail it with, or 0 to proceed. */
static int step(enum op op, const char *detail)
{
	if (!f.ready)
		setup();
	if (getpid() != f.pid)
		return 0;
	f.steps++;
	f.calls[op]++;
	if (f.crash) {
		if (f.steps == f.at) {
			fprintf(stderr, "fsio: crash before step %ld (%s %s)\n", f.steps,
				op_names[op], detail ? detail : "");
			fflush(stderr);
			kill(getpid(), SIGKILL);
			pause();
		}
		return 0;
	}
	if (!f.at || (f.op != OP_ANY && f.op != op))
		return 0;
	long nth = f.op == OP_ANY ? f.steps : f.calls[op];
	if (nth == f.at || (f.forever && nth > f.at)) {
		fprintf(stderr, "fsio: injected %s on %s #%ld (%s)\n", strerror(f.err),
			op_names[op], nth, detail ? detail : "");
		return f.err;
	}
	return 0;
}

static char *fd_path(int fd, char *out, size_t size)
{
	char link[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	return out;
}

int fsio_open(const char *path, int flags, mode_t mode)
{
	int e = step(OP_OPEN, path);
	if (e) {
		errno = e;
		return -1;
	}
	return open(path, flags, mode);
}

int fsio_write_all(int fd, const void *data, size_t len, const char *what)
{
	int e = step(OP_WRITE, what);
	if (e) {
		/* a full disk typically takes part of the data first */
		if (write_all(fd, data, len / 2) < 0)
			return -1;
		errno = e;
		return -1;
	}
	return write_all(fd, data, len);
}

int fsio_fsync(int fd, const char *what)
{
	char path[512];
	int e = step(OP_FSYNC, what ? what : fd_path(fd, path, sizeof path));
	if (e) {
		errno = e;
		return -1;
	}
	return fsync(fd);
}

int fsio_syncfs(int fd, const char *what)
{
	int e = step(OP_FSYNC, what);
	if (e) {
		errno = e;
		return -1;
	}
	return syncfs(fd);
}

int fsio_rename(const char *from, const char *to)
{
	int e = step(OP_RENAME, to);
	if (e) {
		errno = e;
		return -1;
	}
	return rename(from, to);
}

int fsio_unlink(const char *path)
{
	int e = step(OP_UNLINK, path);
	if (e) {
		errno = e;
		return -1;
	}
	return unlink(path);
}

int fsio_commit_point(void)
{
	int e = step(OP_COMMIT, "ledger");
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

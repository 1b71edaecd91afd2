/*
 * fsio: see fsio.h.
 */
#define _GNU_SOURCE
#include "fsio.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

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
	int counting;   /* count, trace */
	int tracing;    /* trace */
	enum op op;
	int err;
	long at;
	int forever;
} fault;

static void report_count(void)
{
	if (getpid() != fault.pid)
		return;
	fprintf(stderr, "fsio: %ld steps", fault.steps);
	for (int i = 1; i < OP_N; i++)
		fprintf(stderr, "%s%s %ld", i == 1 ? " (" : ", ", op_names[i], fault.calls[i]);
	fprintf(stderr, ")\n");
}

static void parse_spec(void)
{
	fault.pid = getpid();
	const char *spec = getenv("ORDERGATE_FAULT");
	if (!spec || !*spec)
		return;
	if (!strcmp(spec, "count") || !strcmp(spec, "trace")) {
		fault.counting = 1;
		fault.tracing = !strcmp(spec, "trace");
		atexit(report_count);
		return;
	}
	if (!strncmp(spec, "crash:", 6)) {
		fault.at = strtol(spec + 6, NULL, 10);
		fault.crash = fault.at > 0;
		return;
	}
	char op[16] = "", err[16] = "", tail[16] = "";
	long at = 0;
	int n = sscanf(spec, "%15[a-z]:%15[A-Z]:%ld:%15s", op, err, &at, tail);
	if (n < 3 || at <= 0)
		return;
	for (int i = 0; i < OP_N; i++)
		if (!strcmp(op, op_names[i]))
			fault.op = (enum op)i, fault.at = at;
	static const struct {
		const char *name;
		int err;
	} errs[] = { { "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EPERM", EPERM }, { "EXDEV", EXDEV } };
	fault.err = 0;
	for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
		if (!strcmp(err, errs[i].name))
			fault.err = errs[i].err;
	fault.forever = n == 4 && !strcmp(tail, "forever");
	if (!fault.err)
		fault.at = 0;
}

static pthread_mutex_t step_lock = PTHREAD_MUTEX_INITIALIZER;

/* Reads ORDERGATE_FAULT once, whichever thread comes first. */
static void setup(void)
{
	if (__atomic_load_n(&fault.ready, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&step_lock);
	if (!fault.ready) {
		parse_spec();
		__atomic_store_n(&fault.ready, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&step_lock);
}

/* One step, under step_lock: steps may come from several threads at once
 * (the parallel fsyncs of a group, spool.c); each is counted and decided
 * alone. */
static int step_locked(enum op op, const char *detail)
{
	fault.steps++;
	fault.calls[op]++;
	if (fault.tracing)
		fprintf(stderr, "fsio: step %ld %s %s\n", fault.steps, op_names[op],
			detail ? detail : "");
	if (fault.crash) {
		if (fault.steps == fault.at) {
			fprintf(stderr, "fsio: crash before step %ld (%s %s)\n", fault.steps,
				op_names[op], detail ? detail : "");
			fflush(stderr);
			kill(getpid(), SIGKILL);
			pause();
		}
		return 0;
	}
	if (!fault.at || (fault.op != OP_ANY && fault.op != op))
		return 0;
	long nth = fault.op == OP_ANY ? fault.steps : fault.calls[op];
	if (nth == fault.at || (fault.forever && nth > fault.at)) {
		fprintf(stderr, "fsio: injected %s on %s #%ld (%s)\n", strerror(fault.err),
			op_names[op], nth, detail ? detail : "");
		return fault.err;
	}
	return 0;
}

/* Counts one step; returns the errno to fail it with, or 0 to proceed.
 * Without ORDERGATE_FAULT nothing is counted (no system call added to the
 * engine's hot path). */
static int step(enum op op, const char *detail)
{
	setup();
	if (!fault.counting && !fault.crash && !fault.at)
		return 0;
	if (getpid() != fault.pid)
		return 0;
	pthread_mutex_lock(&step_lock);
	int e = step_locked(op, detail);
	pthread_mutex_unlock(&step_lock);
	return e;
}

/* 1 (with errno set) when the step is to fail, else 0. */
static int refused(enum op op, const char *detail)
{
	int e = step(op, detail);
	if (e)
		errno = e;
	return e != 0;
}

int fsio_open(const char *path, int flags, mode_t mode)
{
	return refused(OP_OPEN, path) ? -1 : open(path, flags, mode);
}

int fsio_write_all(int fd, const void *data, size_t len, const char *what)
{
	int e = step(OP_WRITE, what);
	if (e) {
		/* a full disk typically takes part of the data first */
		if (write_all(fd, data, len / 2) == 0)
			errno = e;
		return -1;
	}
	return write_all(fd, data, len);
}

int fsio_fsync(int fd, const char *what)
{
	return refused(OP_FSYNC, what) ? -1 : fsync(fd);
}

int fsio_syncfs(int fd, const char *what)
{
	return refused(OP_FSYNC, what) ? -1 : syncfs(fd);
}

int fsio_rename(const char *from, const char *to)
{
	return refused(OP_RENAME, to) ? -1 : rename(from, to);
}

int fsio_rename_noreplace(const char *from, const char *to)
{
	if (refused(OP_RENAME, to))
		return -1;
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (link(from, to) < 0)
		return -1;
	return unlink(from) < 0 && errno != ENOENT ? -1 : 0;
}

int fsio_unlink(const char *path)
{
	return refused(OP_UNLINK, path) ? -1 : unlink(path);
}

int fsio_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsio_fsync(fd, dir);
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

int fsio_commit_point(void)
{
	return refused(OP_COMMIT, "ledger") ? -1 : 0;
}

/* --- the ledger's own writes and syncs --------------------------------- */

/* With a fault configured, the ledger opens its database through this
 * SQLite VFS: the default one, with every write and sync counted as a step
 * (and failed or crashed like the others). Without a fault the ledger uses
 * SQLite's default VFS untouched. */

struct shim_file {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct in the same allocation */
};

static sqlite3_vfs *real_vfs;
static sqlite3_vfs shim_vfs;

#define REAL(f) (((struct shim_file *)(f))->real)

static int shim_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int shim_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, amt, off);
}

static int shim_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	int e = step(OP_WRITE, "ledger");
	if (e)
		return e == ENOSPC ? SQLITE_FULL : SQLITE_IOERR_WRITE;
	return REAL(f)->pMethods->xWrite(REAL(f), buf, amt, off);
}

static int shim_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int shim_sync(sqlite3_file *f, int flags)
{
	int e = step(OP_FSYNC, "ledger");
	if (e)
		return e == ENOSPC ? SQLITE_FULL : SQLITE_IOERR_FSYNC;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int shim_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int shim_lock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int shim_unlock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int shim_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int shim_file_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int shim_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int shim_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int shim_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int shim_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void shim_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int shim_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int shim_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, amt, pp);
}

static int shim_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods shim_methods = {
	.iVersion = 3,
	.xClose = shim_close,
	.xRead = shim_read,
	.xWrite = shim_write,
	.xTruncate = shim_truncate,
	.xSync = shim_sync,
	.xFileSize = shim_file_size,
	.xLock = shim_lock,
	.xUnlock = shim_unlock,
	.xCheckReservedLock = shim_check_reserved,
	.xFileControl = shim_file_control,
	.xSectorSize = shim_sector_size,
	.xDeviceCharacteristics = shim_device,
	.xShmMap = shim_shm_map,
	.xShmLock = shim_shm_lock,
	.xShmBarrier = shim_shm_barrier,
	.xShmUnmap = shim_shm_unmap,
	.xFetch = shim_fetch,
	.xUnfetch = shim_unfetch,
};

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
		     int *out_flags)
{
	(void)vfs;
	struct shim_file *s = (struct shim_file *)f;
	s->real = (sqlite3_file *)(s + 1);
	memset(s->real, 0, (size_t)real_vfs->szOsFile);
	int rc = real_vfs->xOpen(real_vfs, name, s->real, flags, out_flags);
	if (rc != SQLITE_OK || !s->real->pMethods || s->real->pMethods->iVersion < 3) {
		if (rc == SQLITE_OK || s->real->pMethods)
			s->real->pMethods->xClose(s->real);
		f->pMethods = NULL;
		return rc == SQLITE_OK ? SQLITE_CANTOPEN : rc;
	}
	f->pMethods = &shim_methods;
	return SQLITE_OK;
}

static int shim_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	int e = step(OP_UNLINK, name);
	if (e)
		return SQLITE_IOERR_DELETE;
	return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int shim_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int shim_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

const char *fsio_sqlite_vfs(void)
{
	setup();
	if (!fault.crash && !fault.at && !fault.counting)
		return NULL;
	if (!real_vfs) {
		real_vfs = sqlite3_vfs_find(NULL);
		if (!real_vfs)
			return NULL;
		shim_vfs = *real_vfs; /* the calls not wrapped go to the same code */
		shim_vfs.pNext = NULL;
		shim_vfs.zName = "ordergate-fsio";
		shim_vfs.szOsFile = (int)sizeof(struct shim_file) + real_vfs->szOsFile;
		shim_vfs.xOpen = shim_open;
		shim_vfs.xDelete = shim_delete;
		shim_vfs.xAccess = shim_access;
		shim_vfs.xFullPathname = shim_full_pathname;
		if (sqlite3_vfs_register(&shim_vfs, 0) != SQLITE_OK) {
			real_vfs = NULL;
			return NULL;
		}
	}
	return shim_vfs.zName;
}

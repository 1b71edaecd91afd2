/*
 * spool: see spool.h.
 */
#define _GNU_SOURCE
#include "spool.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fsio.h"
#include "util.h"

static int close_staged(struct spool *s, char **err);

static void between_steps(struct spool *s)
{
	if (s->between)
		s->between(s->between_arg);
}

/* The lock belongs to this process alone: a forked worker closes its copy
 * of the descriptor at once, so that when the engine dies (even by kill -9)
 * the lock goes with it, whatever its workers are still doing. */
static int held_lock_fd = -1;

static void drop_lock_in_child(void)
{
	if (held_lock_fd >= 0)
		close(held_lock_fd);
	held_lock_fd = -1;
}

static const char *const states[] = { "in", "work", "tmp", "out", "archive", "failed",
				      "approvals" };

char *spool_path(const struct spool *s, const char *rel)
{
	return xasprintf("%s/%s", s->root, rel);
}

int spool_open(struct spool *s, const char *root, char **err)
{
	memset(s, 0, sizeof *s);
	s->lock_fd = -1;
	s->root_fd = -1;
	*err = NULL;
	/* the root is the operator's to make: a mistyped --spool (or a share
	 * not mounted yet) must not become a new, empty spool */
	struct stat st;
	if (stat(root, &st) < 0) {
		int e = errno;
		char *word = shell_word(root);
		*err = xasprintf("no spool at %s: %s; nothing was created there: check the folder "
				 "named (--spool, or [spool] dir in the configuration), or create the "
				 "spool first: mkdir -p %s",
				 root, strerror(e), word);
		free(word);
		return e == ENOENT || e == ENOTDIR ? -2 : -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		*err = xasprintf("the spool %s is not a folder: check --spool (or [spool] dir in the "
				 "configuration)", root);
		return -2;
	}
	s->root = realpath(root, NULL);
	if (!s->root) {
		*err = xasprintf("cannot resolve the spool %s: %s", root, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
		char *p = spool_path(s, states[i]);
		int rc = mkdir(p, 0775);
		if (rc < 0 && errno != EEXIST) {
			*err = xasprintf("cannot create %s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		free(p);
	}
	s->root_fd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0) {
		*err = xasprintf("cannot open the spool %s: %s", s->root, strerror(errno));
		return -1;
	}
	return 0;
}

/* A list of folder names without repeats (dirty_dirs, flush_dirs):
 * adds name[0..len) unless it is there. */
static void add_name(char ***names, int *n, const char *name, size_t len)
{
	for (int i = 0; i < *n; i++)
		if (strlen((*names)[i]) == len && !strncmp((*names)[i], name, len))
			return;
	*names = xrealloc(*names, sizeof(char *) * (size_t)(*n + 1));
	(*names)[(*n)++] = xstrndup(name, len);
}

/* Empties the list, keeping its array for the next names. */
static void clear_names(char **names, int *n)
{
	for (int i = 0; i < *n; i++)
		free(names[i]);
	*n = 0;
}

void spool_close(struct spool *s)
{
	clear_names(s->dirty_dirs, &s->ndirty);
	free(s->dirty_dirs);
	clear_names(s->flush_dirs, &s->nflush_dirs);
	free(s->flush_dirs);
	close_staged(s, NULL); /* unsynced: after an error, recovery removes them */
	free(s->staged);
	if (s->lock_fd >= 0) {
		if (held_lock_fd == s->lock_fd)
			held_lock_fd = -1;
		close(s->lock_fd);
	}
	if (s->root_fd >= 0)
		close(s->root_fd);
	free(s->root);
	memset(s, 0, sizeof *s);
	s->lock_fd = -1;
	s->root_fd = -1;
}

int spool_lock(struct spool *s, char **err)
{
	static int registered;
	if (!registered && pthread_atfork(NULL, NULL, drop_lock_in_child) == 0)
		registered = 1;
	*err = NULL;
	char *p = spool_path(s, "ordergate.lock");
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0664);
	if (fd < 0) {
		*err = xasprintf("cannot open the lock file %s: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		char holder[32] = "";
		ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
		holder[n > 0 ? n : 0] = '\0';
		close(fd);
		if (e == EWOULDBLOCK) {
			*err = xasprintf("another ordergate (pid %s) is working on this spool; "
					 "this run stops without touching it",
					 *str_trim(holder) ? str_trim(holder) : "unknown");
			free(p);
			return 1;
		}
		*err = xasprintf("cannot lock %s: %s", p, strerror(e));
		free(p);
		return -1;
	}
	char pid[32];
	int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)len, 0) < 0) {
		/* the pid is only informative */
	}
	free(p);
	s->lock_fd = fd;
	held_lock_fd = fd;
	return 0;
}

void spool_new_id(char out[SPOOL_ID_LEN + 1])
{
	static unsigned long counter;
	time_t t = og_now();
	struct tm tm;
	gmtime_r(&t, &tm);
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%04d%02d%02d-%02d%02d%02d-%06lu-%06lu",
		 (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100, tm.tm_mday % 100,
		 tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100,
		 (unsigned long)getpid() % 1000000, ++counter % 1000000);
	memcpy(out, tmp, SPOOL_ID_LEN);
	out[SPOOL_ID_LEN] = '\0';
}

int spool_parse_work_name(const char *name, char id[SPOOL_ID_LEN + 1], const char **orig)
{
	static const char pattern[] = "dddddddd-dddddd-dddddd-dddddd";
	for (int i = 0; i < SPOOL_ID_LEN; i++) {
		char c = name[i];
		if (!c || (pattern[i] == 'd' ? !isdigit((unsigned char)c) : c != '-'))
			return 0;
	}
	if (name[SPOOL_ID_LEN] != '-')
		return 0;
	memcpy(id, name, SPOOL_ID_LEN);
	id[SPOOL_ID_LEN] = '\0';
	if (orig)
		*orig = name + SPOOL_ID_LEN + 1;
	return 1;
}

size_t spool_work_tag(const char *rest, const char **name)
{
	const char *at = strchr(rest, '@');
	*name = at ? at + 1 : rest;
	return at ? (size_t)(at - rest) : 0;
}

static int is_temp_name(const char *n)
{
	static const char *suffixes[] = { ".tmp", ".part", ".filepart", "~", ".crdownload",
					   ".partial" };
	if (n[0] == '.')
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++)
		if (str_ends_with(n, suffixes[i]))
			return 1;
	return 0;
}

char *spool_visible_name(const char *name, size_t max)
{
	char *safe = safe_name(name, max);
	if (!is_temp_name(safe))
		return safe;
	char *v = xasprintf("%s_", safe);
	free(safe);
	return v;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int spool_list(struct spool *s, const char *dir, char ***names, int *n, int skip_temp)
{
	char *p = dir[0] == '/' ? xstrdup(dir) : spool_path(s, dir);
	DIR *d = opendir(p);
	free(p);
	*names = NULL;
	*n = 0;
	if (!d)
		return -1;
	int cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (skip_temp && is_temp_name(e->d_name))
			continue;
		if (e->d_type == DT_DIR)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*names = xrealloc(*names, sizeof(char *) * (size_t)cap);
		}
		(*names)[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*names, (size_t)*n, sizeof(char *), cmp_names);
	return 0;
}

int spool_claim(struct spool *s, const char *name, const char *id, char **work_name,
		char **err)
{
	char *in = spool_path(s, "in");
	int rc = spool_claim_from(s, in, name, id, NULL, work_name, err);
	free(in);
	return rc;
}

int spool_claim_from(struct spool *s, const char *dir, const char *name, const char *id,
		     const char *tag, char **work_name, char **err)
{
	*err = NULL;
	char *safe = safe_name(name, 120);
	*work_name = tag ? xasprintf("%s-%s@%s", id, tag, safe) : xasprintf("%s-%s", id, safe);
	free(safe);
	char *from = xasprintf("%s/%s", dir, name);
	char *to = xasprintf("%s/work/%s", s->root, *work_name);
	int rc = fsio_rename(from, to);
	int e = errno;
	free(from);
	free(to);
	if (rc == 0) {
		/* synced with the next flush, so the file cannot come back there */
		add_name(&s->flush_dirs, &s->nflush_dirs, dir, strlen(dir));
		return 0;
	}
	free(*work_name);
	*work_name = NULL;
	if (e == ENOENT)
		return 1;
	if (e == EXDEV) {
		*err = xasprintf("cannot claim %s/%s: the folder is on another filesystem than the "
				 "spool, so the move cannot be atomic; it stays there: put the folder "
				 "on the spool's filesystem", dir, name);
		return 2;
	}
	if (e == EPERM || e == EACCES || e == EBUSY || e == ETXTBSY) {
		/* this file's own trouble: the others can still be claimed */
		*err = xasprintf("cannot claim %s/%s: %s; it stays there: let ordergate's user move "
				 "it (its owner in a sticky folder, chattr +i, a lock) or take it "
				 "away", dir, name, strerror(e));
		return 2;
	}
	*err = xasprintf("cannot claim %s/%s: %s", dir, name, strerror(e));
	return -1;
}

static void add_staged(struct spool *s, int fd, char *path)
{
	if (s->nstaged == s->capstaged) {
		s->capstaged = s->capstaged ? s->capstaged * 2 : 64;
		s->staged = xrealloc(s->staged, sizeof *s->staged * (size_t)s->capstaged);
	}
	s->staged[s->nstaged++] = (struct staged_file){ fd, path, 0 };
}

int spool_stage(struct spool *s, const char *tmp_name, const void *data, size_t len,
		char **err)
{
	*err = NULL;
	char *p = xasprintf("%s/tmp/%s", s->root, tmp_name);
	int fd = fsio_open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST) {
		/* a leftover of an interrupted attempt at this same output */
		fsio_unlink(p);
		fd = fsio_open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	if (fd < 0) {
		*err = xasprintf("cannot create %s: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	if (fsio_write_all(fd, data, len, p) < 0) {
		*err = xasprintf("write of %s failed: %s", p, strerror(errno));
		close(fd);
		fsio_unlink(p);
		free(p);
		return -1;
	}
	/* made durable by spool_flush(), once for everything staged */
	add_staged(s, fd, p);
	between_steps(s);
	return 0;
}

/* Adds an existing spool file (a claimed input kept as its own archive
 * copy) to what spool_flush() makes durable: its bytes may not be on disk
 * yet, and the ledger will point at it. A file with other hard links is
 * not added: its bytes are read into *shared and 1 returned, because
 * moving it would archive bytes another name can still change. */
int spool_stage_existing(struct spool *s, const char *rel_path, struct buf *shared, char **err)
{
	*err = NULL;
	char *p = spool_path(s, rel_path);
	int fd = fsio_open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		*err = xasprintf("cannot open %s: %s", p, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(p);
		return -1;
	}
	if (st.st_nlink > 1) {
		int rc = read_fd_all(fd, shared, (size_t)st.st_size + 1);
		if (rc < 0)
			*err = xasprintf("cannot read %s: %s", p, strerror(errno));
		close(fd);
		free(p);
		return rc < 0 ? -1 : 1;
	}
	add_staged(s, fd, p);
	return 0;
}

/* Closes and forgets every staged file; the first failed close is
 * reported in *err when err is given. */
static int close_staged(struct spool *s, char **err)
{
	int rc = 0;
	for (int i = 0; i < s->nstaged; i++) {
		if (close(s->staged[i].fd) < 0 && rc == 0 && err) {
			*err = xasprintf("close of %s failed: %s", s->staged[i].path,
					 strerror(errno));
			rc = -1;
		}
		free(s->staged[i].path);
	}
	s->nstaged = 0;
	return rc;
}

/* Syncs items[0..n), staged files (or folders: fd -1), with up to
 * FSYNC_THREADS threads at once, one thread per item at least: the disk
 * takes concurrent flushes together (on the bench's disk a chain of
 * fsyncs of new files costs 0.1 ms each, eight at a time 0.05 ms; sixteen
 * gained nothing more in a run). The threads only read items. A failure
 * stops them taking more; the index of the first failure is returned,
 * with its errno, or -1. one_by_one: in this thread, calling between. */
#define FSYNC_THREADS 8

struct sync_share {
	const struct staged_file *items;
	int n;
	int next;   /* atomic: the next item to take */
	int failed; /* atomic */
	int err_at, err_no;
	pthread_mutex_t mu;
};

static int sync_one(const struct staged_file *it)
{
	if (it->fd >= 0)
		return fsio_fsync(it->fd, it->path);
	int rc = fsio_fsync_dir(it->path);
	return rc < 0 && errno == ENOENT && it->gone_ok ? 0 : rc;
}

static void *sync_some(void *arg)
{
	struct sync_share *sh = arg;
	while (!__atomic_load_n(&sh->failed, __ATOMIC_ACQUIRE)) {
		int i = __atomic_fetch_add(&sh->next, 1, __ATOMIC_ACQ_REL);
		if (i >= sh->n)
			break;
		if (sync_one(&sh->items[i]) < 0) {
			int e = errno;
			pthread_mutex_lock(&sh->mu);
			if (!sh->failed) {
				sh->err_at = i;
				sh->err_no = e;
				__atomic_store_n(&sh->failed, 1, __ATOMIC_RELEASE);
			}
			pthread_mutex_unlock(&sh->mu);
		}
	}
	return NULL;
}

static int sync_items(struct spool *s, const struct staged_file *items, int n, int one_by_one,
		      int *err_no)
{
	struct sync_share sh = { items, n, 0, 0, -1, 0, PTHREAD_MUTEX_INITIALIZER };
	if (one_by_one) {
		for (int i = 0; i < n && !sh.failed; i++) {
			between_steps(s);
			if (sync_one(&items[i]) < 0)
				sh.failed = 1, sh.err_at = i, sh.err_no = errno;
		}
	} else {
		pthread_t t[FSYNC_THREADS - 1];
		int nt = 0;
		for (; nt < FSYNC_THREADS - 1 && nt + 1 < n; nt++)
			if (pthread_create(&t[nt], NULL, sync_some, &sh) != 0)
				break;
		sync_some(&sh);
		for (int k = 0; k < nt; k++)
			pthread_join(t[k], NULL);
	}
	*err_no = sh.err_no;
	return sh.failed ? sh.err_at : -1;
}

/* Syncs the folders dirs[0..n), of which those from gone_ok_from on may
 * be gone; "cannot sync the folder F: ERROR" and then tail in *err on a
 * failure. */
static int sync_folders(struct spool *s, char **dirs, int n, int gone_ok_from, int one_by_one,
			const char *tail, char **err)
{
	struct staged_file *items = xcalloc((size_t)n + 1, sizeof *items);
	for (int i = 0; i < n; i++)
		items[i] = (struct staged_file){ -1, dirs[i], i >= gone_ok_from };
	int e = 0, bad = sync_items(s, items, n, one_by_one, &e);
	free(items);
	if (bad < 0)
		return 0;
	*err = xasprintf("cannot sync the folder %s: %s%s", dirs[bad], strerror(e), tail);
	return -1;
}

/* The staged files, then their folders (tmp/; work/ for claimed inputs
 * kept as their own archive copy) and the folders files were claimed
 * from (in/, an inbox), each once: the ledger's commit names the files
 * by these names, and a file's fsync does not make its name durable
 * everywhere (ext2, ext4 without a journal; POSIX asks for the folder's
 * fsync); a claimed file must not reappear where it was claimed from. */
static int sync_staged(struct spool *s, char **err)
{
	const char *tail = "; nothing of this group is recorded";
	int e = 0, bad = sync_items(s, s->staged, s->nstaged, s->between != NULL, &e);
	if (bad >= 0) {
		*err = xasprintf("fsync of %s failed: %s%s", s->staged[bad].path, strerror(e), tail);
		return -1;
	}
	/* the staged files' folders must be there; then the claims' */
	char **dirs = NULL;
	int n = 0;
	for (int i = 0; i < s->nstaged; i++) {
		const char *path = s->staged[i].path;
		add_name(&dirs, &n, path, (size_t)(strrchr(path, '/') - path));
	}
	int gone_ok_from = n;
	for (int i = 0; i < s->nflush_dirs; i++)
		add_name(&dirs, &n, s->flush_dirs[i], strlen(s->flush_dirs[i]));
	int rc = sync_folders(s, dirs, n, gone_ok_from, s->between != NULL, tail, err);
	clear_names(dirs, &n);
	free(dirs);
	clear_names(s->flush_dirs, &s->nflush_dirs);
	return rc;
}

int spool_flush(struct spool *s, char **err)
{
	*err = NULL;
	if (s->nstaged == 0 && s->nflush_dirs == 0)
		return 0;
	int rc = 0;
	if (s->sync_filesystem && s->nstaged > 1) {
		/* one journal commit for the whole group; syncfs reports any
		 * writeback error on this filesystem since the last call */
		if (fsio_syncfs(s->root_fd, "spool filesystem") < 0) {
			*err = xasprintf("cannot sync the spool's filesystem (%s): %s; nothing of "
					 "this group is recorded",
					 s->root, strerror(errno));
			rc = -1;
		}
		/* the claims' folders with everything else */
		clear_names(s->flush_dirs, &s->nflush_dirs);
	} else {
		for (int i = 0; i < s->nstaged; i++)
			(void)sync_file_range(s->staged[i].fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		rc = sync_staged(s, err);
	}
	/* a failed sync is never retried: the group is not recorded, its
	 * staged files stay in tmp/ for the next run's recovery to remove */
	if (close_staged(s, rc == 0 ? err : NULL) < 0)
		rc = -1;
	return rc;
}

static void remember_dir(struct spool *s, const char *dir)
{
	add_name(&s->dirty_dirs, &s->ndirty, dir, strlen(dir));
}

int spool_move(struct spool *s, const char *from_rel, const char *to_rel, char **err)
{
	*err = NULL;
	char *from = spool_path(s, from_rel);
	char *to = spool_path(s, to_rel);
	char *dir = xstrdup(to);
	*strrchr(dir, '/') = '\0';
	if (s->nstaged > 0 && spool_flush(s, err) < 0) {
		free(from);
		free(to);
		free(dir);
		return -1;
	}
	int rc = fsio_rename(from, to);
	if (rc < 0 && errno == ENOENT && mkdir_p(dir, 0775) == 0) {
		/* a new partner or day folder: its parents must be synced too */
		char *parent = xstrdup(dir);
		while (strlen(parent) > strlen(s->root)) {
			*strrchr(parent, '/') = '\0';
			remember_dir(s, parent);
		}
		free(parent);
		rc = fsio_rename(from, to);
	}
	if (rc < 0) {
		*err = xasprintf("cannot move %s to %s: %s", from, to, strerror(errno));
	} else {
		remember_dir(s, dir);
		*strrchr(from, '/') = '\0';
		remember_dir(s, from);
		between_steps(s);
	}
	free(from);
	free(to);
	free(dir);
	return rc;
}

int spool_publish(struct spool *s, const char *tmp_name, const char *rel_path, char **err)
{
	char *from = xasprintf("tmp/%s", tmp_name);
	int rc = spool_move(s, from, rel_path, err);
	free(from);
	return rc;
}

int spool_sync_dirs(struct spool *s, char **err)
{
	*err = NULL;
	int rc = 0;
	if (s->sync_filesystem && s->ndirty > 1) {
		if (fsio_syncfs(s->root_fd, "spool filesystem") < 0) {
			*err = xasprintf("cannot sync the spool's filesystem (%s): %s", s->root,
					 strerror(errno));
			rc = -1;
		}
	} else {
		/* all at once: a handful of flushes taken together */
		between_steps(s);
		rc = sync_folders(s, s->dirty_dirs, s->ndirty, s->ndirty, 0, "", err);
	}
	clear_names(s->dirty_dirs, &s->ndirty);
	return rc;
}

int spool_unlink(struct spool *s, const char *rel_path, char **err)
{
	*err = NULL;
	char *p = spool_path(s, rel_path);
	int rc = fsio_unlink(p);
	if (rc < 0 && errno != ENOENT)
		*err = xasprintf("cannot remove %s: %s", p, strerror(errno));
	else {
		rc = 0;
		*strrchr(p, '/') = '\0';
		remember_dir(s, p);
	}
	free(p);
	return rc;
}

int spool_exists(const struct spool *s, const char *rel_path)
{
	char *p = spool_path(s, rel_path);
	struct stat st;
	int rc = lstat(p, &st) == 0;
	free(p);
	return rc;
}

char *spool_disk_full(const char *err, const char *dir)
{
	/* ENOSPC from the spool's own writes; SQLite's SQLITE_FULL text
	 * (sqlite3_errstr) from the ledger's */
	if (!err || (!strstr(err, strerror(ENOSPC)) && !strstr(err, "database or disk is full")))
		return NULL;
	struct statvfs v;
	if (statvfs(dir, &v) < 0)
		return xasprintf("the disk holding %s is full", dir);
	double b = (double)v.f_bavail * (double)v.f_frsize;
	if (b < 1024.0 * 1024.0)
		return xasprintf("the disk holding %s is full (%.0f kB free)", dir, b / 1024.0);
	if (b < 1024.0 * 1024.0 * 1024.0)
		return xasprintf("the disk holding %s is full (%.1f MB free)", dir,
				 b / (1024.0 * 1024.0));
	return xasprintf("the disk holding %s is full (%.1f GB free)", dir,
			 b / (1024.0 * 1024.0 * 1024.0));
}

char *spool_archive_path(const char *work_name, time_t t, int as_sent)
{
	struct tm tm;
	localtime_r(&t, &tm);
	return xasprintf("archive/%04d/%02d/%02d/%s%s", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, work_name, as_sent ? "" : ".gz");
}

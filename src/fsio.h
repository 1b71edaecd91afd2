/*
 * fsio: the engine's durable file operations (open for writing, write,
 * fsync, syncfs, rename, unlink) and the ledger's commit point, in one
 * thin layer so that a test can stop the process or fail a call at any
 * step (docs/reliability.md, "Crash at every step" and "Faults").
 *
 * With ORDERGATE_FAULT set, every call counts as one step of the process
 * that first used the layer (forked workers do not count); the variable
 * selects an injected fault. Without it the layer only forwards:
 *
 *   crash:N                 SIGKILL the process just before step N
 *   OP:ERR:N                fail the Nth call of OP once
 *   OP:ERR:N:forever        fail the Nth call of OP and every later one
 *
 * OP is write, fsync, rename, unlink, open, commit or any; ERR is ENOSPC or
 * EIO. A failed call does nothing and returns -1 with errno set, exactly
 * like a real failure of that system call. Before a crash the layer prints
 * "fsio: crash before step N (OP DETAIL)" on stderr, so the harness can
 * report which step it stopped. ORDERGATE_FAULT=count prints
 * "fsio: N steps" at exit; ORDERGATE_FAULT=trace also prints each step as
 * it is taken, "fsio: step N OP DETAIL" (DETAIL: the path or "ledger").
 */
#ifndef OG_FSIO_H
#define OG_FSIO_H

#include <stddef.h>
#include <sys/types.h>

int fsio_open(const char *path, int flags, mode_t mode);
/* Writes all of len bytes (retrying short writes and EINTR). */
int fsio_write_all(int fd, const void *data, size_t len, const char *what);
int fsio_fsync(int fd, const char *what);
/* fsyncs a folder (opened for the purpose), so that the renames into and
 * out of it are durable. */
int fsio_fsync_dir(const char *dir);
/* Flushes the whole filesystem fd is on (one journal commit). */
int fsio_syncfs(int fd, const char *what);
int fsio_rename(const char *from, const char *to);
/* rename() that never replaces: -1 with errno EEXIST when to exists
 * (renameat2 RENAME_NOREPLACE; link and unlink where the filesystem
 * lacks it). */
int fsio_rename_noreplace(const char *from, const char *to);
int fsio_unlink(const char *path);
/* The ledger's commit point: called just before COMMIT; -1 with errno
 * set when a fault is injected there. */
int fsio_commit_point(void);

/* The name of the SQLite VFS the ledger opens its database with when a
 * fault is configured (its writes and syncs then count as steps too), or
 * NULL for SQLite's default. */
const char *fsio_sqlite_vfs(void);

#endif

/*
 * spool: the folder states of docs/spool.md and the only code that moves
 * files between them. Every move is a rename() inside the spool, so a state
 * is what `ls` shows and a move is atomic.
 *
 *   in/ -> work/ID-NAME (claimed) -> archive/YYYY/MM/DD/ID-NAME.gz (done)
 *                                 -> failed/ID-NAME + failed/ID-NAME.why
 *   tmp/ (being written) -> out/<partner>/<kind>/ (published)
 *
 * Writes go through spool_stage(): O_CREAT|O_EXCL in tmp/, every write
 * checked; the file stays open until spool_flush() makes everything staged
 * durable at once (fsync of each file, or with sync_filesystem one syncfs
 * of the spool's filesystem) and closes it, checked. A move or publish
 * flushes first, so nothing is renamed into place before its data is
 * durable. spool_publish() renames into place and remembers the folder;
 * spool_sync_dirs() syncs those folders. All of it goes through fsio (the
 * fault-injection layer). Errors return -1 with *err set (caller frees);
 * an I/O error is fatal for the batch (the caller stops and leaves work/
 * for recovery; a failed sync is never retried).
 */
#ifndef OG_SPOOL_H
#define OG_SPOOL_H

#include <stddef.h>
#include <time.h>

struct buf;

#define SPOOL_ID_LEN 29 /* YYYYMMDD-HHMMSS-PPPPPP-NNNNNN */

struct staged_file {
	int fd; /* -1: a folder, in the lists of what a sync takes */
	char *path;
	int gone_ok; /* a folder files were claimed from: if it is gone (an
		      * inbox removed meanwhile), no name is left to sync */
};

struct spool {
	char *root;
	int root_fd;
	char **dirty_dirs;
	int ndirty;
	int lock_fd;
	struct staged_file *staged; /* written, not yet durable */
	int nstaged, capstaged;
	char **flush_dirs; /* folders synced with the next flush: those files
			    * were claimed from since the last one */
	int nflush_dirs;
	int sync_filesystem; /* [engine] sync = filesystem */
	/* called between the slow steps of staging, syncing and publishing
	 * (each file written, each fsync or batch of fsyncs, each move), so
	 * the caller can keep other work moving while the disk is busy; NULL:
	 * none. It must not use the spool. With it set, a flush syncs one
	 * file after another, calling it in between; without, in threads. */
	void (*between)(void *arg);
	void *between_arg;
};

/* Opens the spool at root, a folder that must exist (0; -2 when it does
 * not, or is no folder: nothing is created, *err says so and how to make
 * it; -1 another error), and creates the state folders in it that are
 * missing. */
int spool_open(struct spool *s, const char *root, char **err);
void spool_close(struct spool *s);
/* Takes the spool lock; returns 1 when another process holds it. */
int spool_lock(struct spool *s, char **err);

/* name made safe (util.h safe_name) and never a temporary upload's name
 * (x.tmp, x.part, x~ get a '_' after them), so a file put under it into
 * in/ is picked up and one in failed/ is not taken for a leftover. */
char *spool_visible_name(const char *name, size_t max);

/* A new document ID, unique across processes. */
void spool_new_id(char out[SPOOL_ID_LEN + 1]);
/* 1 if name starts with a well-formed ID followed by '-'. */
int spool_parse_work_name(const char *name, char id[SPOOL_ID_LEN + 1], const char **orig);

/* File names in a spool folder (or an absolute folder), sorted; with
 * skip_temp, without dotfiles and temporary upload names. The caller frees
 * each name and the array. */
int spool_list(struct spool *s, const char *dir, char ***names, int *n, int skip_temp);
/* Claims in/NAME as work/ID-NAME: 0 claimed, 1 someone else took it, 2 it
 * cannot be moved but the spool is sound (permissions, an immutable file,
 * another filesystem): *err says why and what to do, the file stays; -1 the
 * spool itself failed (*err). */
int spool_claim(struct spool *s, const char *name, const char *id, char **work_name,
		char **err);

/* The same from another folder on the spool's filesystem (an inbox,
 * approvals/): with a tag, as work/ID-TAG@NAME, so that recovery after a
 * crash knows where the file came from (NAME, a safe name, holds no '@';
 * TAG must not either, nor '/'). */
int spool_claim_from(struct spool *s, const char *dir, const char *name, const char *id,
		     const char *tag, char **work_name, char **err);
/* The rest of a work/ name after "ID-": the length of its tag ("TAG@"
 * before the original name; 0 for none), *name the original name. */
size_t spool_work_tag(const char *rest, const char **name);

char *spool_path(const struct spool *s, const char *rel);
int spool_stage(struct spool *s, const char *tmp_name, const void *data, size_t len,
		char **err);
/* Makes an existing file in the spool durable with the next flush: 0; or,
 * when it has other hard links, reads it into *shared instead: 1. */
int spool_stage_existing(struct spool *s, const char *rel_path, struct buf *shared, char **err);
/* Makes every staged file durable and closes it. */
int spool_flush(struct spool *s, char **err);
int spool_publish(struct spool *s, const char *tmp_name, const char *rel_path, char **err);
/* Renames one spool path to another, creating folders, remembering both. */
int spool_move(struct spool *s, const char *from_rel, const char *to_rel, char **err);
int spool_sync_dirs(struct spool *s, char **err);
int spool_unlink(struct spool *s, const char *rel_path, char **err);
int spool_exists(const struct spool *s, const char *rel_path);
/* When err reports a full disk (ENOSPC, or the ledger's "database or disk
 * is full"): "the disk holding DIR is full (N kB free)", to say ahead of
 * err; else NULL. The caller frees it. */
char *spool_disk_full(const char *err, const char *dir);

/* archive/YYYY/MM/DD/<work_name>.gz for the time t: the name of the input's
 * gzip-compressed copy; as_sent (an input kept as it came, because it came
 * compressed): archive/YYYY/MM/DD/<work_name>. */
char *spool_archive_path(const char *work_name, time_t t, int as_sent);

#endif

/*
 * batch: one run over a spool (`ordergate run`). Takes the spool lock,
 * reconciles work/ and tmp/ with the ledger, claims what waits in in/,
 * has the worker pool translate it, and publishes the results in groups:
 * stage every file of the group in tmp/ (fsynced), commit the group's
 * ledger transaction (the commit point), rename the staged files into
 * place, fsync the folders, and only then remove the claimed inputs.
 * docs/spool.md states the guarantees this gives.
 */
#ifndef OG_BATCH_H
#define OG_BATCH_H

#include "config.h"

struct batch_opts {
	int workers;     /* 0: from config, then one per core */
	long max_files;  /* 0: no limit */
};

struct batch_stats {
	int claimed, translated, duplicates, failed, recovered;
	double seconds;
};

/* Returns a process exit code (exitcodes.h). */
int batch_run(const struct config *cfg, const struct batch_opts *opts, struct batch_stats *st);

#endif

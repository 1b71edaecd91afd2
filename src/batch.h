/*
 * batch: runs a spool (`ordergate run` once, `ordergate watch` until told to
 * stop). Takes the spool lock, reconciles work/ and tmp/ with the ledger,
 * picks up complete files from in/ (docs/spool.md, "Pickup"), has the worker
 * pool translate them, and publishes the results in groups: stage every
 * file of the group in tmp/ (fsynced), commit the group's ledger
 * transaction (the commit point), rename the staged files into place, fsync
 * the folders, and only then remove the claimed inputs.
 */
#ifndef OG_BATCH_H
#define OG_BATCH_H

#include "config.h"

struct batch_opts {
	int workers;     /* 0: from config, then one per core */
	long max_files;  /* 0: no limit */
	long max_seconds; /* 0: no limit; stop claiming after this long */
	int watch;       /* keep running, react to new files */
	int release_only; /* decisions and releases only: claim no new file */
	int locked_ok;   /* another ordergate holding the spool is no error (approve,
			    reprocess: it does the work): no log line, EXIT_LOCKED */
	const char *complete; /* a file known complete (reprocess put it back): taken at
				 once, without waiting for its quiet period */
};

#define BATCH_MAX_PARTNERS 32

struct partner_stats {
	char name[65];
	int translated, duplicates, failed;
};

struct batch_stats {
	/* recovered: of the documents counted, those an interrupted run had
	 * claimed; republished: those it had committed, published now */
	int files, translated, duplicates, failed, recovered, republished;
	int still_changing;  /* files left in in/ because they were still being written */
	int unclaimable;     /* files that could not be moved into work/: left where they are */
	int archives;        /* files that were archives, counted once each */
	long long bytes;
	double seconds;
	struct partner_stats partners[BATCH_MAX_PARTNERS + 1]; /* the last one is "others" */
	int npartners;
	int stopped;         /* a signal stopped the run early */
	int released;        /* held orders decided and published this run */
	int expired;         /* held orders declined for age */
	int approval_files;  /* approval files applied */
	int invoices;        /* invoices written for shipments */
	int watch;           /* the run was a watch (for the summary's label) */
	int uninvoiced;      /* shipments that could not be invoiced (tried again next run) */
};

/* Returns a process exit code (exitcodes.h). */
int batch_run(const struct config *cfg, const struct batch_opts *opts, struct batch_stats *st);
/* Prints the end-of-run summary to stdout. */
void batch_print_summary(const struct config *cfg, const struct batch_stats *st);

#endif

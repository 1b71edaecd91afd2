/*
 * config: the INI configuration (docs/configuration.md), parsed by libinih.
 * Every key has a default, so ordergate runs with no file at all. An unknown
 * section or key, or a bad value, is an error naming the file and line.
 * The struct owns its strings; config_release() frees them.
 */
#ifndef OG_CONFIG_H
#define OG_CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_INBOXES 32

/* The tag of approval files claimed into work/; no inbox gets it */
#define INBOX_TAG_APPROVALS "approvals"

/* An extra input folder bound to a partner: files dropped there are
 * claimed into the spool like those in in/ and published under the
 * partner's name. It must be on the spool's filesystem. */
struct inbox {
	char *name;
	char *dir;
	char *partner;
	char *format; /* auto (by content), csv (the partner's map) or csv:MAP */
	char *tag;    /* in spool names of its files (ID-TAG@NAME): the name made
		       * safe, unique among the inboxes, never INBOX_TAG_APPROVALS */
};

struct config {
	char *file;              /* the configuration file, absolute; NULL: built-in defaults */
	/* [spool] */
	char *spool_dir;
	char *ledger_path;       /* default <spool>/ledger.db */
	char *archive_form;      /* as-sent: the claimed file itself; gzip: a gzip copy */
	int archive_gzip;        /* archive_form is gzip */
	/* [engine] */
	int workers;             /* 0: one per core */
	long memory_limit_mb;    /* address space per worker */
	long cpu_limit_seconds;  /* CPU per document */
	long max_document_bytes;
	long chunk_above_kb;     /* orders this large go in chunks of lines; 0: never */
	long chunk_lines;        /* lines per chunk */
	int group_size;          /* documents per group commit */
	char *sync;              /* files: fsync each; filesystem: one syncfs per group */
	char *assume_timezone;   /* for date-times sent without a zone */
	int validate_outputs;    /* DTD-validate every cXML we write */
	char *data_dir;          /* holds xslt/ and maps/ */
	/* [unpack]: limits for compressed and archived input */
	long unpack_max_members;
	long unpack_max_member_bytes;
	long unpack_max_total_bytes;
	long unpack_max_ratio;
	int unpack_max_depth;
	/* [pickup]: when a file in in/ is complete */
	int quiet_seconds;       /* size and ctime unchanged this long */
	char *marker;            /* none, ok, done or any: X is taken once X.ok/X.done exists */
	char *ignore;            /* extra glob patterns never taken, comma-separated */
	/* [partners] */
	char *partners_dir;      /* default <data_dir>/maps/partners */
	char *require_known;     /* auto (yes once a profile exists), yes, no */
	/* [rules] */
	char *rules_file;        /* default <data_dir>/maps/rules.xml when it exists */
	int pending_max_days;    /* held orders older than this are rejected */
	char *po_pattern;        /* e.g. PO-{partner}-{yyyy}-{seq:6}; empty: the buyer's number */
	char *invoice_pattern;   /* default INV-{partner}-{seq:6} */
	/* [watch] */
	int rescan_seconds;
	/* [inbox NAME] sections */
	struct inbox inboxes[CONFIG_MAX_INBOXES];
	int ninboxes;
	/* [identity]: how ordergate names itself in what it writes */
	char *our_domain;
	char *our_identity;
	char *user_agent;
	char *payload_host;
};

/* Fills defaults, then reads path when not NULL. On error returns -1, sets
 * *err to "FILE:LINE: what is wrong" (caller frees) and releases c. */
int config_load(struct config *c, const char *path, char **err);
void config_release(struct config *c);
/* Path helpers: <data_dir>/xslt/<name>, <data_dir>/maps/<name>. */
char *config_xslt_path(const struct config *c, const char *name);
/* Checks what only the file system can tell (check-config): every inbox
 * folder exists and is on the spool's filesystem, so a file is moved out
 * of it in one atomic rename. 0, or -1 with *err. */
int config_check_folders(const struct config *c, char **err);

#endif

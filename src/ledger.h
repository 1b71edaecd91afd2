/*
 * ledger: the record of every document, order, line, output and event, in
 * SQLite (WAL, synchronous=FULL). It is the single source of truth for an
 * order's state and the commit point of the spool protocol (docs/spool.md):
 * a document is done when its transaction commits.
 *
 * Money is stored as INTEGER 1/10000 units (dec_t), never REAL.
 * Errors: -1 with *err set (caller frees); SQLITE_BUSY is retried for
 * [engine] busy timeout and then reported as a temporary failure.
 */
#ifndef OG_LEDGER_H
#define OG_LEDGER_H

#include <sqlite3.h>

#include "pipeline.h"

struct ledger {
	sqlite3 *db;
	char *path;
};

struct ledger_output {
	char *kind, *path, *tmp_name, *sha256;
};

int ledger_open(struct ledger *l, const char *path, char **err);
void ledger_close(struct ledger *l);
int ledger_begin(struct ledger *l, char **err);
int ledger_commit(struct ledger *l, char **err);
void ledger_rollback(struct ledger *l);

/* The document state: "done", "duplicate", "failed", or NULL when the
 * ledger has never committed it. Caller frees. */
char *ledger_document_state(struct ledger *l, const char *id);
/* Looks up (sender_key, payload_id): 1 found (sets *doc_id, *sha), 0 not. */
int ledger_find_payload(struct ledger *l, const char *sender_key, const char *payload_id,
			char **doc_id, char **sha256);

struct ledger_doc {
	const char *id, *name, *received, *state, *stage, *reason, *hint, *duplicate_of;
	const char *archive_path, *failed_path;
	const char *parent_id; /* the archive an archive member came in */
	const struct doc_result *res;
};
int ledger_add_document(struct ledger *l, const struct ledger_doc *d, char **err);
/* Records the order, its lines and the payload key of a translated document. */
int ledger_add_order(struct ledger *l, const char *doc_id, const struct doc_result *r,
		     char **err);
int ledger_add_output(struct ledger *l, const char *doc_id, const char *kind,
		      const char *format, const char *partner, const char *path,
		      const char *tmp_name, const char *payload_id, const char *sha256,
		      long long size, char **err);
int ledger_event(struct ledger *l, const char *doc_id, const char *kind, const char *detail,
		 char **err);
/* Files the ledger knows for a document (and, for an archive, its members):
 * outputs, archive copy, and failed members' files. */
int ledger_outputs(struct ledger *l, const char *doc_id, struct ledger_output **out, int *n);
void ledger_outputs_free(struct ledger_output *o, int n);
/* The failure reason text written to failed/ID-NAME.why (caller frees). */
char *ledger_failure_text(struct ledger *l, const char *id);

#endif

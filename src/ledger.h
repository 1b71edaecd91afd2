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
	int uncached; /* a connection borrowed for one call: no statement cached */
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
/* An order's period as the ledger records it: YYYY-MM of its order date,
 * into out[8] ("" without a date, recorded as NULL). */
void ledger_period(const char *order_date, char out[8]);
/* The spend of cost centre cc in period (YYYY-MM) and currency on db (a
 * ledger's connection, or a read-only one): the committed totals of
 * production orders confirmed or approved, the budget rules' og:spent.
 * -1 on a database error (*out 0). */
int ledger_spent(sqlite3 *db, const char *cc, const char *period, const char *currency,
		 dec_t *out);

int ledger_add_document(struct ledger *l, const struct ledger_doc *d, char **err);
/* Records the order, its lines, its checkpoints (a hold) and the payload
 * key of a translated document; po_number is ours (or NULL). replaces > 0:
 * the orders.id of the version this update or cancellation replaces
 * (orders.replaces), marked replaced_by it in the same transaction
 * (po_number, then, is that version's), and so is a held change of that
 * version still waiting; a change held itself replaces a version in force
 * (confirmed or approved) only once approved (ledger_set_order_state), and
 * one the rules rejected replaces nothing (replaces only names it). */
int ledger_add_order(struct ledger *l, const char *doc_id, const struct doc_result *r,
		     const char *po_number, long long replaces, char **err);

/* SQL: an order row (columns prefixed p, "" or "o.") is current: not
 * replaced or cancelled by a later version, and not itself a cancellation.
 * Recon, the spend export, the report and the budget count these only. */
#define LEDGER_CURRENT(p) "(" p "replaced_by IS NULL AND " p "type <> 'delete')"
/* SQL: the order row of table (or alias) t took effect: a new order, or a
 * change that replaced the version it names in orders.replaces (or names
 * none: its first version here). A change that waits for approval, or was
 * rejected or declined, while that version stays in force (or went to
 * another) did not: export recon and the report list the order once, as
 * the version in force, and count such changes apart. */
#define LEDGER_TOOK_EFFECT(t)                                                              \
	"(" t ".replaces IS NULL OR EXISTS (SELECT 1 FROM orders v WHERE v.id = " t ".replaces" \
	" AND v.replaced_by = " t ".id))"

/* The version an update or cancellation changes, followed to its newest
 * version (a change may name the first one). */
struct ledger_earlier {
	long long ref;
	char *document_id, *state, *type, *po_number;
	long long shipments; /* shipments recorded against it */
};
/* Among partner's orders in mode (production or test: a buyer's test
 * system never changes a production order), by the earlier document's
 * payloadID (payload_id non-empty: a cXML DocumentReference), else by partner and buyer
 * order number, a current one first; a held change still waiting to
 * replace the version in force gives that version. 1 found, 0 none, -1
 * error. */
int ledger_find_earlier(struct ledger *l, const char *partner, const char *mode,
			const char *payload_id, const char *order_id, struct ledger_earlier *e);
void ledger_earlier_free(struct ledger_earlier *e);
/* The version an update or cancellation replaces (found as
 * ledger_find_earlier finds it) as the spend counts it: its cost centre,
 * period, currency and committed total, when it counts in budget_spend
 * (production, confirmed or approved, current). Read through db, a
 * ledger's connection or a read-only one (the rules' in a worker): no
 * statement of it is kept. 1 found and counted, 0 none or not counted,
 * -1 on a database error (a ledger too old to link versions). */
struct ledger_replaced {
	char *document_id, *cost_center, *period, *currency;
	dec_t committed;
};
int ledger_replaced_spend(sqlite3 *db, const char *partner, const char *mode,
			  const char *payload_id, const char *order_id, struct ledger_replaced *out);
void ledger_replaced_free(struct ledger_replaced *r);
/* For a new order (payload_id, order_id) arriving from partner: a later
 * version of it the ledger has already, followed to its newest version,
 * when that is confirmed, pending or approved (an order recorded after its
 * own update is the stale version). 1: a version of partner's names
 * payload_id in its DocumentReference; 2: none does, but an update of
 * partner's with the same order number and no DocumentReference was
 * recorded without its original (warning update-without-original); 0
 * none, -1 error. */
int ledger_find_later(struct ledger *l, const char *partner, const char *mode,
		      const char *payload_id, const char *order_id, struct ledger_earlier *e);
/* A current order of partner's (not replaced, not a cancellation,
 * confirmed, pending or approved) with buyer order number order_id in
 * mode (production or test), the newest first: 1 (into e), 0 none, -1
 * error. A rejected or declined order's number may be used again. */
int ledger_find_current(struct ledger *l, const char *partner, const char *order_id,
			const char *mode, struct ledger_earlier *e);
/* canonical (an order's canonical text) with the digits of every
 * pcard number but the last four replaced by '*', as a copy to free; NULL
 * when it holds no card number. The ledger keeps no card number once the
 * order's outputs are written. */
char *ledger_masked_cards(const char *canonical);
/* Marks the order of document doc_id replaced by orders.id by. */
int ledger_mark_replaced(struct ledger *l, const char *doc_id, long long by, char **err);
/* A late original (doc_id, just recorded) of a held change recorded
 * without it (later): that change replaces it once approved (unless it
 * was rejected itself). */
int ledger_link_waiting(struct ledger *l, const char *doc_id, long long later, char **err);
/* Whether the version in force that held change ref waits to replace has
 * shipped since: 1 (*doc_id: its document; caller frees), 0 not, -1 error */
int ledger_waits_on_shipped(struct ledger *l, long long ref, char **doc_id);
/* Whether a held change waits to replace order ref (the version in
 * force): 1 (*doc_id: its document; caller frees), 0 not, -1 error */
int ledger_waiting_change(struct ledger *l, long long ref, char **doc_id);
/* The PO number of ours of the version order ref replaced, or NULL (a held
 * update, released: the supplier's PO stays the same). Caller frees. */
char *ledger_replaced_po(struct ledger *l, long long ref);
/* The next number of a gap-free sequence per partner and kind (inside the
 * caller's transaction: a rollback takes it back), formatted by pattern:
 * {partner} {yyyy} {yy} {mm} {dd} {seq} {seq:N}; a kind ending in "-test"
 * is numbered apart and prefixed TEST-. Caller frees. */
char *ledger_next_number(struct ledger *l, const char *partner, const char *kind,
			 const char *pattern, char **err);
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
/* The final path of the committed output staged as tmp_name, or NULL. */
char *ledger_output_path_for_tmp(struct ledger *l, const char *tmp_name);
/* The failure reason text written to failed/ID-NAME.why (caller frees). */
char *ledger_failure_text(struct ledger *l, const char *id);

/* --- orders and their approvals --- */

struct ledger_order {
	long long ref;
	char *document_id, *order_id, *partner, *state, *created, *currency, *po_number;
	char *canonical, *message, *mode;
	long long total_e4;
	char *type;	   /* new, update, delete */
	char *replaced_by; /* the document that replaced or cancelled it, or NULL */
};

struct ledger_checkpoint {
	long long seq;
	char *role, *state, *decided_by, *decided_at, *comment;
};

/* Orders whose order number, document ID or PO number is key. */
int ledger_find_orders(struct ledger *l, const char *key, struct ledger_order **out, int *n);
/* The version order ref (an update or cancellation) names in
 * orders.replaces, the one it replaces or waits to replace, into *out
 * (ledger_order_clear): 1, 0 none (a new order, or a change of an
 * order the ledger does not have), -1 error. */
int ledger_replaced_version(struct ledger *l, long long ref, struct ledger_order *out);
/* Orders in a state, oldest first (pending, approved, declined ...). */
int ledger_orders_in_state(struct ledger *l, const char *state, struct ledger_order **out,
			   int *n);
void ledger_orders_free(struct ledger_order *o, int n);
/* Frees one order's fields (not o itself). */
void ledger_order_clear(struct ledger_order *o);
int ledger_checkpoints(struct ledger *l, long long ref, struct ledger_checkpoint **out, int *n);
void ledger_checkpoints_free(struct ledger_checkpoint *c, int n);
int ledger_set_checkpoint(struct ledger *l, long long ref, long long seq, const char *state,
			  const char *by, const char *comment, char **err);
/* Sets an order's state (and message, when not NULL); "approved": a held
 * change replaces the version in force it waited to replace. */
int ledger_set_order_state(struct ledger *l, long long ref, const char *state,
			   const char *message, char **err);
/* A held order's next checkpoint, pending, after those it has; comment
 * says why it was added (rules_budget_recheck). */
int ledger_add_checkpoint(struct ledger *l, long long ref, const char *role, const char *comment,
			  char **err);
/* Replaces an order's canonical copy (a held order's, its decision
 * grown by checkpoints). */
int ledger_set_canonical(struct ledger *l, long long ref, const char *canonical, char **err);
/* After a held order's outputs are staged: its final state and copy. */
int ledger_release_order(struct ledger *l, long long ref, const char *state,
			 const char *decision, const char *canonical, const char *po_number,
			 char **err);

/* --- shipments and invoices --- */

/* A line's ordered and rejected quantity, what shipped so far and its
 * unit of measure (*uom: caller frees; NULL when not recorded): 0, or 1
 * when the order has no such line. */
int ledger_line_status(struct ledger *l, long long ref, long line, long long *quantity,
		       long long *rejected, long long *shipped, char **uom);
/* What remains to ship of an order: each line whose ordered less rejected
 * less shipped quantity is above zero, with that quantity, by line number
 * (*out NULL when nothing remains; caller frees). 0, or -1 on a database
 * error. */
int ledger_unshipped_lines(struct ledger *l, long long ref, struct shipment_line **out, int *n);
/* The shipment of order order_ref recorded under shipment_id (the first,
 * should there be several), with the document that brought it and its
 * lines by line number: 1, 0 when there is none, -1 on a database error.
 * Caller frees *doc_id and *lines. */
int ledger_find_shipment(struct ledger *l, long long order_ref, const char *shipment_id,
			 char **doc_id, struct shipment_line **lines, int *n);
/* Records a shipment of an order (and its payloadID, so the same ship
 * notice again is a duplicate); returns its id, or -1. */
long long ledger_add_shipment(struct ledger *l, const char *doc_id, long long order_ref,
			      const struct doc_result *r, char **err);

struct ledger_uninvoiced {
	long long shipment_ref, order_ref;
	char *document_id, *order_id, *partner, *mode, *canonical, *spec;
};
/* Shipments without an invoice, oldest first; spec as pipeline_invoice wants. */
int ledger_uninvoiced(struct ledger *l, struct ledger_uninvoiced **out, int *n);
void ledger_uninvoiced_free(struct ledger_uninvoiced *u, int n);
int ledger_add_invoice(struct ledger *l, long long order_ref, long long shipment_ref,
		       const char *number, const char *partner, const char *mode,
		       const struct order_info *amounts, char **err);

/* A folder inputs come through, by the tag in their spool names
 * (ID-TAG@NAME; in/'s have none) */
struct ledger_source {
	const char *tag;
	const char *dir;
};
/* Puts a failed or archived document's input back into the folder it came
 * through (the source whose tag its spool name carries, spool/in/ for none
 * or for a tag no source has now) under its original name, or ID-NAME
 * when another file waits there under that name (never over it), and
 * records it; *dest: where it went. -1 with *err when there is nothing to
 * put back or it cannot be put back, -2 when id is no document (*err says
 * which documents the key names as an order, PO number or payloadID). */
int ledger_reprocess(struct ledger *l, const char *spool, const struct ledger_source *src,
		     int nsrc, const char *id, char **dest, char **err);
/* Publishes a document's outputs (of one kind, or all but its archive copy)
 * again as new files, one copy of each original output (earlier resend
 * copies are never copied again); returns how many, -1 with *err saying
 * why, or -2 when id is no document (as ledger_reprocess). */
int ledger_resend(struct ledger *l, const char *spool, const char *id, const char *kind,
		  char **err);

#endif

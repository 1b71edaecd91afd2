/*
 * pipeline: one document's way through the engine, from bytes to rendered
 * outputs: detect -> parse -> map (XSLT) -> normalise/compute/validate ->
 * decide -> emit. It touches no spool folder and no ledger: it runs inside a
 * worker process (or in-process for `ordergate translate`) and returns a
 * struct doc_result, which the parent publishes and records.
 *
 * Memory: the result owns everything in it; pipeline_result_release().
 */
#ifndef OG_PIPELINE_H
#define OG_PIPELINE_H

#include <libxml/tree.h>

#include "canon.h"

struct partners;
#include "config.h"
#include "emit.h"
#include "shipment.h"
#include "util.h"

struct doc_result {
	char *id;     /* the document ID: the job's, or "<job ID>.<n>" for an archive member */
	char *name;   /* the name it arrived under ("batch.zip/orders/a.xml" for a member) */
	int container; /* an archive: its members follow it in the result list */
	int is_shipment; /* a ship notice: ship holds it, there is no order */
	struct shipment_info ship;
	int member;    /* a member of the archive before it in the list */
	struct buf input; /* a failed member's bytes, for failed/ */
	int ok;
	char *stage;  /* where it failed: read, detect, parse, map, normalise, decide, emit */
	char *reason; /* what went wrong, with line/column or path */
	char *hint;   /* what the operator should do */
	int status;   /* for a refused cXML document: the status code answered */
	char sha256[65];
	int64_t size;
	char *partner;   /* folder name under out/ */
	char *sender_key; /* lower(domain):identity of the buyer, for duplicates */
	char *decision;
	char *cost_center; /* from the rules' costCenter expression, or NULL */
	char *spend_seen;  /* the budget spend the rules read (rules_spend_seen), or NULL */
	char *chunked;     /* a large order taken in chunks of lines: how (a ledger event) */
	char *message;     /* the decision's message (a rejection's reason), or NULL */
	char **checkpoints; /* a held order's approver roles, in order */
	int ncheckpoints;
	struct order_info info;
	struct buf canonical;
	struct output_doc outputs[EMIT_MAX];
	int noutputs;
	/* for archive/: with [spool] archive_form = gzip, archive_gz is the
	 * input gzip-compressed, or as it came when it came compressed
	 * (archive_as_sent); as-sent, archive_gz is empty, archive_as_sent is
	 * set and the claimed file itself is archived: archive_sha256 and
	 * archive_size are its own (a .gz document's sha256 is the document's) */
	struct buf archive_gz;
	int archive_as_sent;
	char archive_sha256[65];
	int64_t archive_size;
};

struct doc_job {
	const char *id;
	const char *name;  /* the name it arrived under */
	const char *received; /* ISO time */
	int member;        /* an archive member: no archive copy of its own */
	const char *partner; /* bound by the inbox it came through, or NULL */
	const char *out_format; /* outbound format for every kind (translate -f), or NULL */
	const char *csv_map;    /* the CSV map bound to the inbox, or NULL: by header */
	struct buf *trace;      /* explain: receives the rules' trace, or NULL */
	int from_spool;         /* a file claimed from in/: a hard link is refused */
	struct buf *consume;    /* holds the input bytes, released by pipeline_run once
				   they are parsed (a large order's bytes would stay
				   beside every tree built after), or NULL */
};

/* The placeholder a worker writes where ordergate's own PO number goes; the
 * parent replaces it with the number it assigns in the commit, so numbers
 * are gap-free per partner. */
#define PO_NUMBER_PLACEHOLDER "ordergate-po-number-pending"

/* Called as each member of an archive (or order of a CSV file) begins,
 * so that the limits of a worker (CPU, wall clock) count per document,
 * not per file. NULL: nothing is called. */
void pipeline_set_member_hook(void (*hook)(void *arg), void *arg);


/* Loads stylesheets, schemas, DTDs and partner profiles; -1 with *err when
 * one is broken. */
int pipeline_init(const struct config *cfg, char **err);
void pipeline_shutdown(void);
/* The partner profiles loaded by pipeline_init(). */
const struct partners *pipeline_partners(void);
/* Runs one document held in memory. Never fails as a function: the outcome
 * is in res->ok. With with_outputs=0 it stops after the decision. */
void pipeline_run(const struct config *cfg, const struct doc_job *job, const char *data,
		  size_t len, int with_outputs, struct doc_result *res);
/* Reads path (no symlinks, regular files only, size limit; with
 * job->from_spool no file with other names, st_nlink > 1) and runs it. */
void pipeline_run_file(const struct config *cfg, const struct doc_job *job, const char *path,
		       struct doc_result *res);
/* Like pipeline_run_file, but unpacks gzip, zip and tar first and splits a
 * CSV file into its orders: returns the number of results in *out (caller
 * frees each and the array). For an archive or a CSV file, (*out)[0] is
 * the container and its documents follow. */
int pipeline_run_input(const struct config *cfg, const struct doc_job *job, const char *path,
		       struct doc_result **out);

void pipeline_result_release(struct doc_result *res);
/* Renders the outputs of an order decided after a hold (`approve`,
 * `reject`, expiry): canonical is the order as the ledger keeps it, action
 * "accept" or "reject", message the rejection's reason, po_number the
 * number assigned (or NULL). Fills res like pipeline_run. */
void pipeline_render(const struct config *cfg, const struct doc_job *job, const char *canonical,
		     size_t len, const char *action, const char *message, const char *po_number,
		     struct doc_result *res);
/* Builds the canonical invoice (xslt/invoice.rng) for what one shipment
 * shipped of an order, computes it in exact decimals with the partner's
 * tax, shipping and discount ([invoice] in its profile), and renders it in
 * the partner's invoice format. spec: "shipmentID|shipDate|carrier|
 * tracking|noticeDate|LINE=QTY_E4:BEFORE_E4,..." ('|' being the unit
 * separator 0x1f; an empty date is left out of the invoice; BEFORE:
 * what the order's earlier shipments shipped of the line, 0 when left
 * out). A line's amount is round((BEFORE + QTY) x price) - round(BEFORE x
 * price), so the invoices of a line shipped in parts add up to its
 * amount on the order. res gets the outputs and, in info, the amounts
 * (total = net). */
void pipeline_invoice(const struct config *cfg, const struct doc_job *job, const char *canonical,
		      size_t len, const char *spec, const char *invoice_number,
		      struct doc_result *res);
#define INVOICE_NUMBER_PLACEHOLDER "ordergate-invoice-number-pending"
/* Sets (or adds, right after orderID) the canonical order's poNumber. */
void insert_po_number(xmlDocPtr canonical, const char *number);
/* The text of a .why file in failed/ (caller frees). */
char *pipeline_why_text(const char *id, const char *name, const char *received,
			const char *stage, const char *reason, const char *hint);
void pipeline_result_encode(const struct doc_result *res, struct buf *msg);
int pipeline_result_decode(const struct buf *msg, struct doc_result *res);
/* Marks res failed (replacing any earlier failure). */
void pipeline_fail(struct doc_result *res, const char *stage, const char *hint,
		   const char *fmt, ...) OG_PRINTF(4, 5);

#endif

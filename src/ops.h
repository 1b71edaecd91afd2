/*
 * ops: what operators ask of the ledger (docs/operations.md): show an order
 * or document with its whole history, export the reconciliation and the
 * spend as CSV, and purge detail past the retention period. Reading only,
 * except purge. Text cells of CSV exports are neutralised against
 * spreadsheet formulas; amounts stay numbers.
 */
#ifndef OG_OPS_H
#define OG_OPS_H

#include <stdio.h>

#include "ledger.h"

/* 0 shown, 1 nothing matches key. */
int ops_show(struct ledger *l, const char *key, int json, FILE *out);
/* Dates as YYYY-MM-DD (inclusive), NULL for open ends. */
int ops_export_recon(struct ledger *l, const char *from, const char *to, FILE *out);
int ops_export_spend(struct ledger *l, const char *from, const char *to, FILE *out);
/* Purging in two steps, so that a crash in between is mended by running
 * purge again: the archived inputs older than days (paths relative to the
 * spool; the caller removes the files), then the rows of those files and
 * the ledger detail (order copies, events). The summary rows exports need
 * (orders, lines, shipments, invoices) stay, and so does the copy of an
 * order that can still ship or be invoiced (its invoices are made from it).
 * The documents keep[0..nkeep) (IDs: those whose input is still in work/,
 * committed but not yet archived: recovery archives them by their rows)
 * keep their archive copy and its row until a later purge. */
int ops_purge_files(struct ledger *l, int days, const char *const *keep, int nkeep,
		    char ***files, int *nfiles, char **err);
int ops_purge_rows(struct ledger *l, int days, const char *const *keep, int nkeep, char **err);

#endif

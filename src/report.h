/*
 * report: one self-contained HTML page about the ledger, for people: spend
 * by trading partner and by month, order volumes per partner, approval
 * cycle times, rejection and backorder reasons, and the reconciliation
 * status of every order line (ordered, confirmed, shipped, invoiced).
 *
 * Only production orders count; test-mode orders are left out and the page
 * says how many. The page needs nothing else to be read: inline CSS, charts
 * drawn as inline SVG, no script, no reference to anything outside it (a
 * Content-Security-Policy forbids loading any). Every text that comes from
 * the ledger is escaped for HTML. Money is printed exactly (dec_format, one
 * chart per currency, never summed across currencies); floating point only
 * sizes the bars.
 *
 * The ledger is read in one read transaction (a consistent snapshot, no
 * write lock), so a report can be made next to a running `ordergate watch`.
 * Returns 0, or -1 with *err set (caller frees) when the ledger cannot be
 * read or out cannot be written.
 */
#ifndef OG_REPORT_H
#define OG_REPORT_H

#include <stdio.h>

#include "ledger.h"

int report_html(struct ledger *l, FILE *out, char **err);

#endif

/*
 * approve: decisions on orders held for approvers (docs/rules.md, "Holds").
 * A held order waits for its checkpoints in order; a decision names the
 * order (its number, document ID or PO number), the role deciding, approve
 * or reject, a comment and who. A decision from the wrong role, for an
 * unknown order or one that is not waiting is refused with a message that
 * says why. Approving the last checkpoint makes the order "approved",
 * once its budget rules, run again on the spend of that moment (the
 * rules module must be loaded: rules_budget_recheck), still cover it:
 * else it stays pending with their approvers added, or is "declined"
 * with the rule's message and the budget's figures; rejecting any
 * checkpoint makes it "declined"; the next run (or the approve command
 * itself) renders and publishes what follows (batch.c, release).
 * Decisions come from the command line and from approval files (CSV:
 * order,role,decision,comment,by) dropped in the spool's approvals/.
 * Pending orders older than [rules] pending_max_days are declined.
 * Every function works inside the caller's ledger transaction.
 */
#ifndef OG_APPROVE_H
#define OG_APPROVE_H

#include <stdio.h>

#include "ledger.h"

/* 0 applied (*msg says what happened), 1 refused (*msg says why), 2 no
 * such order (*msg says so), -1 a ledger error (*err). Caller frees *msg
 * and *err. */
int approve_decide(struct ledger *l, const char *key, const char *role, int approve,
		   const char *comment, const char *by, char **msg, char **err);
/* Applies every line of an approval file, in order; a report line per
 * decision ("line N: ...\n") goes to refused or to applied. A line whose
 * decision the ledger already shows (same order, role, decision and
 * approver, nothing waiting for that role: a retried file's lines that its
 * first pass applied) is reported among the applied as "already applied"
 * and changes nothing; a conflicting one (reject after approve, another
 * approver) is refused as before. Returns the number refused, or -1
 * (*err). */
int approve_file(struct ledger *l, const char *path, struct buf *refused_lines,
		 struct buf *applied_lines, char **err);
/* Declines pending orders older than max_days. Returns how many, or -1. */
int approve_expire(struct ledger *l, int max_days, char **err);
/* What an operator is told when a change (an update or cancellation) is
 * rejected, by the rules, an approver, a budget rule at its release or
 * expiry: "the version in force, document D (PO-0001), stays" (doc, po
 * and state: the version it names, confirmed or approved), "the earlier
 * version, document D, waiting for approval, stays" (pending), NULL for
 * any other state. Caller frees. */
char *approve_kept_text(const char *doc, const char *po, const char *state);
/* The same for order o, rejected or about to be: NULL (*kept) when it is
 * no change, or the version it names is no longer in force (a held order
 * it replaced at once, or a later version replaced both). 0, or -1 (*err). */
int approve_kept(struct ledger *l, const struct ledger_order *o, char **kept, char **err);
/* Prints what waits for whom: a table whose columns are as wide as their
 * widest cell (a last column CHANGES when an update or cancellation waits:
 * the version it changes, "update of document D (PO-0001, 2.00 EUR, in
 * force)"), or (json) a JSON array of {document, order, partner, total,
 * currency, waits_for: [roles in order], reason, since, type, replaces:
 * {document, po, total, currency, state, in_force} or null, change}.
 * Returns how many orders, or -1 (nothing printed) when the ledger cannot
 * be read. */
int approve_list(struct ledger *l, int json, FILE *out);

#endif

/*
 * rules: the decide stage. Reads the rules file (docs/rules.md; XML, under
 * maps/ by default) and decides on a canonical order: approve, reject (code
 * and message), require approvers (ordered checkpoints, which put the order
 * on hold), and per line reject or backorder. Conditions are XPath over the
 * canonical order, evaluated by libxml2, with extension functions in the
 * namespace urn:ordergate:rules (prefix og): exact decimal comparison and
 * arithmetic (XPath numbers are floating point, so money is never compared
 * with < or >), catalogue and supplier lookups (CSV files beside the
 * rules), budgets per cost centre and period, and the spend already
 * approved this period (read from the ledger, read-only).
 *
 * The decision is written into the canonical order as <decision>; a trace of
 * every rule evaluated, every lookup and its value is kept for `explain`.
 * Without a rules file every order is accepted by the rule "default".
 *
 * Errors: -1 with *err naming the rule (a broken rules file at load time,
 * an XPath error or a non-decimal argument at run time).
 */
#ifndef OG_RULES_H
#define OG_RULES_H

#include <libxml/tree.h>
#include <sqlite3.h>

#include "canon.h"
#include "config.h"
#include "dec.h"
#include "util.h"

enum decision { DECISION_ACCEPT, DECISION_REJECT, DECISION_HOLD, DECISION_PARTIAL };

/* Loads the rules file and its tables (once per process; path NULL: none). */
int rules_init(const struct config *cfg, char **err);
void rules_shutdown(void);

/* Decides; adds <decision>. partner limits rules that name partners.
 * cost_center (may be NULL) receives the order's cost centre (caller
 * frees). trace (may be NULL) receives the explanation. Returns the
 * decision, or -1 with *err set. */
int rules_decide(xmlDocPtr canonical, const struct order_info *info, const char *partner,
		 char **cost_center, struct buf *trace, char **err);
const char *rules_decision_name(int d);

/* Budget spend. og:spent and og:budget-left read the spend recorded in the
 * ledger when the rules run; in a batch the workers decide side by side,
 * so the parent checks, before it records a job's orders, that no other
 * order of the same cost centre and period was recorded since (batch.c).
 * Spend is counted per currency (a budget is money in one currency). A
 * spend list holds (cost centre, period, currency, amount) entries. */
struct spend_entry {
	char *cost_center, *period, *currency;
	dec_t amount;
};
struct spend_list {
	struct spend_entry *e;
	int n;
};
/* Adds amount to the entry (cost_center, period, currency), creating it. */
void spend_list_add(struct spend_list *l, const char *cost_center, const char *period,
		    const char *currency, dec_t amount);
/* The entry's amount, or 0. */
dec_t spend_list_get(const struct spend_list *l, const char *cost_center, const char *period,
		     const char *currency);
void spend_list_free(struct spend_list *l);
/* Adds an order's committed total (without the lines rejected whole) to
 * l under its cost centre, period (YYYY-MM of the order date) and
 * currency when it counts as spend, as the ledger counts it: production,
 * confirmed (accept or partial), with a cost centre. */
void spend_list_count(struct spend_list *l, const char *cost_center, const char *order_date,
		      const char *currency, const char *mode, const char *decision,
		      dec_t committed);
/* A job of several orders (an archive, a CSV file) is decided one order
 * after another: each order decided sees the spend of the job's orders
 * before it. rules_job_begin() starts a job; rules_job_count() adds a
 * decided order (spend_list_count). */
void rules_job_begin(void);
void rules_job_count(const char *cost_center, const char *order_date, const char *currency,
		     const char *mode, const char *decision, dec_t committed);
/* The spend the last rules_decide() read, one entry per cost centre and
 * period it asked for (ledger plus the job's earlier orders), encoded for
 * the wire; NULL when it read none. Caller frees. */
char *rules_spend_seen(void);
/* Decodes a rules_spend_seen() text into *out (appended); -1 if malformed. */
int rules_spend_parse(const char *text, struct spend_list *out);
/* For the parent, when the spend a worker read has changed: decides the
 * order again from the worker's canonical text (its <decision> taken out),
 * reading the spend through db (the parent's ledger connection, inside its
 * transaction) plus job (the job's orders before this one). 1 when the
 * decision comes out the same, element for element; 0 when it differs or
 * cannot be made here (then a worker decides it again). */
int rules_same_decision(const char *canonical, size_t len, const struct order_info *info,
			const char *partner, sqlite3 *db, const struct spend_list *job);

/* Budgets when a held order is released (docs/rules.md, "Budgets at
 * release"): a held order reserves no budget, so at its last approval its
 * budget rules (the order rules whose test calls og:budget, og:spent or
 * og:budget-left) run again by themselves, in file order, on the order as
 * the ledger keeps it (canonical, with its <decision>) and on the spend
 * read through db (the caller's connection, inside its transaction: the
 * order itself, still pending, is not counted). No other rule runs again.
 * received lists the roles that have approved the order: a budget rule
 * asking for one of them asks nothing new. The result is
 * DECISION_ACCEPT (release it as it is), DECISION_HOLD (out->roles, with
 * out->rules the rule of each, wait for them too: out->canonical is the
 * order with their checkpoints added to its decision) or DECISION_REJECT
 * (out->rule, out->message: the rule's message), or -1 with *err (a rule
 * that fails, an order that cannot be read). out->figures names the
 * budget the rules read and its figures ("cost centre CC-7, 2026-05:
 * budget 1500.00 EUR, spent 1400.00, left 100.00; this order 800.00") for
 * a hold or a rejection. Without budget rules it is DECISION_ACCEPT at
 * once. */
struct budget_recheck {
	char **roles, **rules;
	int nroles;
	char *rule, *message, *figures, *canonical;
};
int rules_budget_recheck(const char *canonical, const char *partner, sqlite3 *db,
			 const char *const *received, int nreceived, struct budget_recheck *out,
			 char **err);
void rules_budget_recheck_free(struct budget_recheck *r);

#endif

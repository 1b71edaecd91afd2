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

#include "canon.h"
#include "config.h"
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

#endif

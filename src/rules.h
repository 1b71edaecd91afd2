/*
 * rules: the decide stage. Adds a <decision> to the canonical order.
 * This version has no rules file yet (docs/rules.md will describe it): every
 * order that reaches this stage is accepted by the built-in rule "default",
 * which the decision names so the ledger and confirmation say why.
 */
#ifndef OG_RULES_H
#define OG_RULES_H

#include <libxml/tree.h>

#include "canon.h"

enum decision { DECISION_ACCEPT, DECISION_REJECT, DECISION_HOLD, DECISION_PARTIAL };

/* Returns the decision taken, or -1 with *err set. */
int rules_decide(xmlDocPtr canonical, const struct order_info *info, char **err);
const char *rules_decision_name(int d);

#endif

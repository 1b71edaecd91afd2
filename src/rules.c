/*
 * rules: see rules.h.
 */
#include "rules.h"

#include "util.h"

int rules_decide(xmlDocPtr canonical, const struct order_info *info, char **err)
{
	(void)info;
	*err = NULL;
	xmlNodePtr order = xmlDocGetRootElement(canonical);
	xmlNodePtr d = xmlNewChild(order, NULL, (const xmlChar *)"decision", NULL);
	xmlSetProp(d, (const xmlChar *)"action", (const xmlChar *)"accept");
	xmlSetProp(d, (const xmlChar *)"rule", (const xmlChar *)"default");
	return DECISION_ACCEPT;
}

const char *rules_decision_name(int d)
{
	static const char *names[] = { "accept", "reject", "hold", "partial" };
	return d >= 0 && d < (int)ARRAY_SIZE(names) ? names[d] : "unknown";
}

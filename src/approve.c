/*
 * approve: see approve.h.
 */
#define _GNU_SOURCE
#include "approve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dec.h"
#include "msg.h"
#include "rules.h"
#include "util.h"

static const char *next_pending(struct ledger_checkpoint *c, int n, int *index)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(c[i].state, "pending")) {
			*index = i;
			return c[i].role;
		}
	*index = -1;
	return NULL;
}

/* The last approval of o (cp: its ncp checkpoints, every one approved
 * once this one is): its budget rules run again on the spend of this
 * moment (rules_budget_recheck; docs/rules.md, "Budgets at release"). The
 * result, or -1 with *why when they cannot run. */
static int recheck_budget(struct ledger *l, const struct ledger_order *o,
			  const struct ledger_checkpoint *cp, int ncp, struct budget_recheck *b,
			  char **why)
{
	const char **have = xcalloc((size_t)(ncp ? ncp : 1), sizeof *have);
	for (int i = 0; i < ncp; i++)
		have[i] = cp[i].role;
	int d = rules_budget_recheck(o->canonical, o->partner, l->db, have, ncp, b, why);
	free(have);
	return d;
}

/* An update or cancellation (a change of an order recorded before). */
static int is_change(const struct ledger_order *o)
{
	return o->type && (!strcmp(o->type, "update") || !strcmp(o->type, "delete"));
}

char *approve_kept_text(const char *doc, const char *po, const char *state)
{
	if (!state)
		return NULL;
	if (!strcmp(state, "confirmed") || !strcmp(state, "approved"))
		return xasprintf("the version in force, document %s%s%s%s, stays", doc,
				 po ? " (" : "", po ? po : "", po ? ")" : "");
	if (!strcmp(state, "pending"))
		return xasprintf("the earlier version, document %s, waiting for approval, stays",
				 doc);
	return NULL;
}

int approve_kept(struct ledger *l, const struct ledger_order *o, char **kept, char **err)
{
	*kept = NULL;
	if (!is_change(o))
		return 0;
	struct ledger_order v;
	int found = ledger_replaced_version(l, o->ref, &v);
	if (found < 0) {
		*err = xasprintf("cannot look up the version order %s (%s) changes", o->order_id,
				 o->document_id);
		return -1;
	}
	if (found && !v.replaced_by && strcmp(v.type, "delete"))
		*kept = approve_kept_text(v.document_id, v.po_number, v.state);
	ledger_order_clear(&v);
	return 0;
}

/* "budget-owner, then finance" */
static char *role_chain(char **roles, int n)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? ", then " : "", roles[i]);
	return buf_detach(&b);
}

int approve_decide(struct ledger *l, const char *key, const char *role, int approve,
		   const char *comment, const char *by, char **msg, char **err)
{
	*msg = NULL;
	*err = NULL;
	struct ledger_order *orders;
	int n;
	if (ledger_find_orders(l, key, &orders, &n) < 0) {
		*err = xasprintf("cannot look up order %s in the ledger", key);
		return -1;
	}
	/* a held order an update replaced or a cancellation cancelled waits
	 * no more: its replacement is what is decided */
	int pending = 0, which = -1, replaced = -1;
	for (int i = 0; i < n; i++)
		if (!strcmp(orders[i].state, "pending") && orders[i].replaced_by) {
			replaced = i;
		} else if (!strcmp(orders[i].state, "pending")) {
			pending++;
			which = i;
		}
	int rc = 1;
	if (n == 0) {
		rc = 2;
		*msg = xasprintf("no order %s in the ledger (give the order number, the document "
				 "ID or our PO number)", key);
	} else if (pending == 0 && replaced >= 0) {
		*msg = xasprintf("order %s (document %s) is not waiting for approval: document %s "
				 "replaced it (an update or cancellation from the buyer); "
				 "ordergate show %s tells whether that one waits",
				 key, orders[replaced].document_id, orders[replaced].replaced_by,
				 orders[replaced].replaced_by);
	} else if (pending == 0) {
		/* approved and declined are decided orders whose outputs are
		 * still to be written: say so, the words alone mean little */
		const char *st = orders[n - 1].state;
		/* the version in force (named by its PO number or document)
		 * of a held update: that update is what waits */
		char *change = NULL;
		if (ledger_waiting_change(l, orders[n - 1].ref, &change) < 0) {
			*err = xasprintf("cannot look up a change of order %s", key);
			ledger_orders_free(orders, n);
			return -1;
		}
		char *also = change ? xasprintf("; document %s, an update of it, waits for "
						"approval: ordergate approve %s",
						change, change)
				    : NULL;
		*msg = xasprintf("order %s is not waiting for approval: it is %s%s", key,
				 !strcmp(st, "approved")
					 ? "approved (its purchase order and confirmation are being "
					   "written)"
				 : !strcmp(st, "declined")
					 ? "declined: rejected, its rejection to the buyer being written"
					 : st,
				 also ? also : "");
		free(also);
		free(change);
	} else if (pending > 1) {
		struct buf ids = BUF_INIT;
		for (int i = 0; i < n; i++)
			if (!strcmp(orders[i].state, "pending") && !orders[i].replaced_by)
				buf_printf(&ids, "%s%s", ids.len ? ", " : "", orders[i].document_id);
		*msg = xasprintf("%d orders numbered %s wait for approval; name one by its document "
				 "ID: %s", pending, key, buf_str(&ids));
		buf_release(&ids);
	} else {
		struct ledger_order *o = &orders[which];
		/* named by its document ID: the order number beside it, not the ID twice */
		const char *name = strcmp(key, o->document_id) ? key : o->order_id;
		struct ledger_checkpoint *cp;
		int ncp, idx;
		if (ledger_checkpoints(l, o->ref, &cp, &ncp) < 0) {
			*err = xasprintf("cannot read the checkpoints of order %s", key);
			ledger_orders_free(orders, n);
			return -1;
		}
		const char *next = next_pending(cp, ncp, &idx);
		char *shipped = NULL;
		int ship = approve && next && idx == ncp - 1 && !strcasecmp(next, role)
				   ? ledger_waits_on_shipped(l, o->ref, &shipped)
				   : 0;
		int known = 0;
		const struct ledger_checkpoint *done = NULL;
		for (int i = 0; i < ncp; i++) {
			known |= !strcasecmp(cp[i].role, role);
			if (!strcasecmp(cp[i].role, role) && strcmp(cp[i].state, "pending"))
				done = &cp[i];
		}
		if (ship < 0) {
			*err = xasprintf("cannot look up the version order %s changes", key);
			rc = -1;
		} else if (ship) {
			/* as a change that arrives after shipping (docs/operations.md) */
			*msg = xasprintf("order %s (%s) is a change of document %s, which has shipped "
					 "since it arrived; a change after shipping is agreed with the "
					 "supplier by other means: reject this one", name,
					 o->document_id, shipped);
		} else if (done) {
			*msg = xasprintf("order %s: %s already decided (%s by %s at %s); a second "
					 "decision is refused", key, role, done->state,
					 done->decided_by ? done->decided_by : "?",
					 done->decided_at ? done->decided_at : "?");
		} else if (!next) {
			*msg = xasprintf("order %s has no pending checkpoint", key);
		} else if (strcasecmp(next, role)) {
			*msg = known ? xasprintf("order %s waits for %s first; a decision as %s is "
						 "refused until then", key, next, role)
				     : xasprintf("order %s needs no decision by %s (it waits for %s)",
						 key, role, next);
		} else {
			const char *who = by && *by ? by : "(not named)";
			int last = idx == ncp - 1;
			/* released by this approval: the budget may have been
			 * spent meanwhile (a held order reserves none) */
			struct budget_recheck b;
			memset(&b, 0, sizeof b);
			char *why = NULL;
			int d = approve && last ? recheck_budget(l, o, cp, ncp, &b, &why)
						: DECISION_ACCEPT;
			if (d < 0) {
				*msg = xasprintf("order %s (%s): its budget rules, run again before its "
						 "release, failed: %s; the approval is not recorded: fix "
						 "the rules file, then approve again",
						 name, o->document_id, why);
				free(why);
			} else {
				rc = ledger_set_checkpoint(l, o->ref, cp[idx].seq,
							   approve ? "approved" : "rejected", who, comment,
							   err) < 0 ? -1 : 0;
			}
			char *detail = xasprintf("%s %s by %s%s%s", role, approve ? "approved" : "rejected",
						 who, comment && *comment ? ": " : "", comment ? comment : "");
			if (rc == 0)
				rc = ledger_event(l, o->document_id, approve ? "approved" : "rejected", detail,
						  err) < 0 ? -1 : 0;
			free(detail);
			char *chain = role_chain(b.roles, b.nroles);
			if (rc == 0 && !approve) {
				rc = ledger_set_order_state(l, o->ref, "declined",
							    comment && *comment ? comment : "rejected by the approver",
							    err) < 0 ? -1 : 0;
			} else if (rc == 0 && last && d == DECISION_REJECT) {
				/* the buyer is told the rule's message and the figures */
				char *reason = xasprintf("%s (rule %s, at its release: %s)", b.message,
							 b.rule, b.figures);
				char *ev = xasprintf("by the budget rule %s, run again at its release: %s",
						     b.rule, reason);
				rc = ledger_set_order_state(l, o->ref, "declined", reason, err);
				if (rc == 0)
					rc = ledger_event(l, o->document_id, "rejected", ev, err);
				free(reason);
				free(ev);
			} else if (rc == 0 && last && d == DECISION_HOLD) {
				/* it waits for the budget's approvers too, each
				 * checkpoint saying why it was added */
				for (int k = 0; k < b.nroles && rc == 0; k++) {
					char *why_added = xasprintf("added at its release by the budget "
								    "rule %s: %s",
								    b.rules[k], b.figures);
					rc = ledger_add_checkpoint(l, o->ref, b.roles[k], why_added, err);
					free(why_added);
				}
				if (rc == 0)
					rc = ledger_set_canonical(l, o->ref, b.canonical, err);
				char *ev = xasprintf("not released: the budget rule %s, run again, asks "
						     "for %s: %s",
						     b.rule, chain, b.figures);
				if (rc == 0)
					rc = ledger_event(l, o->document_id, "held", ev, err);
				free(ev);
			} else if (rc == 0 && last) {
				rc = ledger_set_order_state(l, o->ref, "approved", NULL, err) < 0 ? -1 : 0;
			}
			if (rc == 0)
				*msg = !approve ? xasprintf("order %s (%s) rejected by %s: its rejection "
							    "goes to the buyer", name, o->document_id, role)
				       : last && d == DECISION_REJECT
					       ? xasprintf("order %s (%s) approved by %s, but rejected by "
							   "the budget rule %s, run again at its "
							   "release: %s (%s); its rejection goes to the "
							   "buyer",
							   name, o->document_id, role, b.rule, b.message,
							   b.figures)
				       : last && d == DECISION_HOLD
					       ? xasprintf("order %s (%s) approved by %s, but not "
							   "released: the budget rule %s, run again, "
							   "asks for %s (%s); it now waits for %s",
							   name, o->document_id, role, b.rule, chain,
							   b.figures, chain)
				       : last ? xasprintf("order %s (%s) approved by %s: fully approved, "
							  "the purchase order and confirmation follow",
							  name, o->document_id, role)
					      : xasprintf("order %s (%s) approved by %s; it now waits "
							  "for %s", name, o->document_id, role,
							  cp[idx + 1].role);
			/* a change rejected: the version it would have replaced
			 * stays, and the operator is told so */
			char *kept = NULL;
			if (rc == 0 && (!approve || (last && d == DECISION_REJECT)) &&
			    approve_kept(l, o, &kept, err) < 0)
				rc = -1;
			if (kept) {
				char *m = xasprintf("%s; %s", *msg, kept);
				free(*msg);
				*msg = m;
				free(kept);
			}
			free(chain);
			rules_budget_recheck_free(&b);
		}
		free(shipped);
		ledger_checkpoints_free(cp, ncp);
	}
	ledger_orders_free(orders, n);
	return rc;
}

/* 1 when the ledger already shows this line's decision: an order named key
 * whose checkpoint for role was decided the same way (approved or
 * rejected) by the same approver (by, or "(not named)" as approve_decide
 * records a line without one), and no order named key still waits for
 * that role, so the line has nothing left to do. That is what a retried
 * approval file holds in the lines its first pass applied. *msg says
 * which order and when. 0 when not, -1 on a ledger error (*err). */
static int already_applied(struct ledger *l, const char *key, const char *role, int approve,
			   const char *by, char **msg, char **err)
{
	*msg = NULL;
	struct ledger_order *orders;
	int n;
	if (ledger_find_orders(l, key, &orders, &n) < 0) {
		*err = xasprintf("cannot look up order %s in the ledger", key);
		return -1;
	}
	const char *want = approve ? "approved" : "rejected";
	const char *who = by && *by ? by : "(not named)";
	int found = 0, waiting = 0, rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		struct ledger_checkpoint *cp;
		int ncp;
		if (ledger_checkpoints(l, orders[i].ref, &cp, &ncp) < 0) {
			*err = xasprintf("cannot read the checkpoints of order %s", key);
			rc = -1;
			break;
		}
		for (int k = 0; k < ncp; k++) {
			if (strcasecmp(cp[k].role, role))
				continue;
			if (!strcmp(cp[k].state, "pending") && !strcmp(orders[i].state, "pending") &&
			    !orders[i].replaced_by)
				waiting++;
			else if (!strcmp(cp[k].state, want) && cp[k].decided_by &&
				 !strcmp(cp[k].decided_by, who) && found++ == 0)
				*msg = xasprintf("already applied: order %s (%s): %s %s by %s at %s; "
						 "nothing done again",
						 key, orders[i].document_id, cp[k].role, want, who,
						 cp[k].decided_at ? cp[k].decided_at : "?");
		}
		ledger_checkpoints_free(cp, ncp);
	}
	ledger_orders_free(orders, n);
	if (rc == 0 && found == 1 && !waiting)
		return 1;
	free(*msg);
	*msg = NULL;
	return rc;
}

/* Splits one line of an approval file into at most max fields, in place
 * (RFC 4180 within the line: a field in double quotes may hold commas, a
 * quote inside doubled; blanks around a field are dropped). Returns the
 * number of fields, or -1 with *why (static, or to free when *why_owned)
 * for a quote not closed on the line, text after a closing quote, or more
 * fields than max. */
static int split_fields(char *s, char **cells, int max, char **why)
{
	int n = 0;
	char *p = s;
	*why = NULL;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		char *field = p, *end;
		if (*p == '"') {
			char *w = field;
			for (p++;; p++) {
				if (!*p) {
					*why = xstrdup("a double quote that is not closed on the line");
					return -1;
				}
				if (*p == '"' && p[1] == '"')
					p++;
				else if (*p == '"')
					break;
				*w++ = *p;
			}
			end = w;
			for (p++; *p == ' ' || *p == '\t'; p++)
				;
			if (*p && *p != ',') {
				*why = xasprintf("text after the closing double quote of field %d", n + 1);
				return -1;
			}
		} else {
			while (*p && *p != ',')
				p++;
			end = p;
			while (end > field && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
		}
		int more = *p == ',';
		if (n < max)
			cells[n] = field;
		n++;
		*end = '\0';
		if (!more)
			break;
		p++;
	}
	if (n > max) {
		*why = xasprintf("%d fields, more than order,role,decision,comment,by (a comment "
				 "with a comma goes in double quotes)",
				 n);
		return -1;
	}
	return n;
}

int approve_file(struct ledger *l, const char *path, struct buf *refused_lines,
		 struct buf *applied_lines, char **err)
{
	*err = NULL;
	FILE *f = fopen(path, "r");
	if (!f) {
		*err = xasprintf("cannot read %s", path);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, refused = 0, header = 0;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		char *s = str_trim(line);
		if (lineno == 1 && s[0] == '\xef' && s[1] == '\xbb' && s[2] == '\xbf')
			s += 3;
		if (!*s || *s == '#')
			continue;
		char *cells[5] = { NULL };
		char *why = NULL;
		int nc = split_fields(s, cells, 5, &why);
		if (!header) {
			header = 1;
			if (!strncasecmp(s, "order", 5) && (nc < 0 || !strcasecmp(cells[0], "order"))) {
				free(why);
				continue; /* the header row */
			}
		}
		if (nc < 0) {
			buf_printf(refused_lines, "line %d: refused: %s\n", lineno, why);
			free(why);
			refused++;
			continue;
		}
		if (nc < 3 || !*cells[0] || !*cells[1]) {
			buf_printf(refused_lines,
				   "line %d: refused: needs order,role,decision[,comment,by]\n", lineno);
			refused++;
			continue;
		}
		int approve = !strcasecmp(cells[2], "approve") || !strcasecmp(cells[2], "approved");
		int reject = !strcasecmp(cells[2], "reject") || !strcasecmp(cells[2], "rejected");
		if (!approve && !reject) {
			buf_printf(refused_lines,
				   "line %d: refused: decision \"%s\" is not approve or reject\n", lineno,
				   cells[2]);
			refused++;
			continue;
		}
		/* as `ordergate reject` demands --comment: the buyer is told why */
		if (reject && (nc < 4 || !cells[3][strspn(cells[3], " \t\r\n")])) {
			buf_printf(refused_lines,
				   "line %d: refused: a reject needs a comment (the fourth field): "
				   "the buyer is told why\n",
				   lineno);
			refused++;
			continue;
		}
		char *msg = NULL;
		int rc = approve_decide(l, cells[0], cells[1], approve, nc > 3 ? cells[3] : NULL,
					nc > 4 ? cells[4] : NULL, &msg, err);
		if (rc == 1) {
			/* refused: a line this file's earlier pass applied (a retry
			 * through reprocess) is reported, not refused again */
			char *done = NULL;
			int a = already_applied(l, cells[0], cells[1], approve,
						nc > 4 ? cells[4] : NULL, &done, err);
			if (a != 0) {
				free(msg);
				msg = done;
				rc = a > 0 ? 0 : -1;
			}
		}
		if (rc < 0) {
			free(msg);
			free(line);
			fclose(f);
			return -1;
		}
		buf_printf(rc ? refused_lines : applied_lines, "line %d: %s%s\n", lineno,
			   rc ? "refused: " : "", msg);
		refused += rc != 0;
		free(msg);
	}
	free(line);
	fclose(f);
	return refused;
}

/* An ISO time with its offset (as iso_time() writes it) as epoch seconds. */
static time_t parse_time(const char *iso)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *rest = iso ? strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!rest)
		return 0;
	time_t t = timegm(&tm);
	int sign = *rest == '-' ? -1 : 1, hh = 0, mm = 0;
	if ((*rest == '+' || *rest == '-') && sscanf(rest + 1, "%2d:%2d", &hh, &mm) >= 1)
		t -= sign * (hh * 3600 + mm * 60);
	return t;
}

int approve_expire(struct ledger *l, int max_days, char **err)
{
	*err = NULL;
	struct ledger_order *o;
	int n, count = 0;
	if (ledger_orders_in_state(l, "pending", &o, &n) < 0) {
		*err = xstrdup("cannot list pending orders");
		return -1;
	}
	time_t now = og_now();
	for (int i = 0; i < n; i++) {
		time_t created = parse_time(o[i].created);
		if (!created || now - created < (time_t)max_days * 86400)
			continue;
		char *why = xasprintf("not approved within %d days; rejected automatically", max_days);
		int rc = ledger_set_order_state(l, o[i].ref, "declined", why, err);
		if (rc == 0)
			rc = ledger_event(l, o[i].document_id, "expired", why, err);
		free(why);
		if (rc < 0) {
			ledger_orders_free(o, n);
			return -1;
		}
		count++;
	}
	ledger_orders_free(o, n);
	return count;
}

/* Whether v, the version change o names, is in force: the supplier has
 * it (confirmed or approved), nothing replaced it, no cancellation. */
static int in_force(const struct ledger_order *v)
{
	return !v->replaced_by && v->type && strcmp(v->type, "delete") && v->state &&
	       (!strcmp(v->state, "confirmed") || !strcmp(v->state, "approved"));
}

/* What change o (an update or cancellation) changes, for an approver:
 * "update of document D (PO-0001, 2.00 EUR, in force)"; v is the version
 * it names (found: 1), else it changes an order the ledger does not have.
 * NULL for a new order. Caller frees. */
static char *change_text(const struct ledger_order *o, const struct ledger_order *v, int found)
{
	if (!is_change(o))
		return NULL;
	const char *what = !strcmp(o->type, "delete") ? "cancellation" : "update";
	if (!found)
		return xasprintf("%s of an order the ledger does not have (its first version here)",
				 what);
	char total[DEC_FMT_MAX];
	dec_format(v->total_e4, currency_decimals(v->currency), total);
	int mine = v->replaced_by && !strcmp(v->replaced_by, o->document_id);
	return xasprintf("%s of document %s (%s%s%s %s, %s)", what, v->document_id,
			 v->po_number ? v->po_number : "", v->po_number ? ", " : "", total,
			 v->currency ? v->currency : "",
			 in_force(v)	  ? "in force"
			 : mine		  ? "held, never sent: this one replaced it"
			 : v->replaced_by ? "replaced"
					  : v->state);
}

/* One row of the pending list. */
struct pending_row {
	struct ledger_order *o;
	char amount[DEC_FMT_MAX + 40];
	char total[DEC_FMT_MAX];
	struct buf chain; /* "manager, then finance" */
	char **roles;     /* the roles still to decide, in order */
	int nroles;
	char *reason;     /* why the next was added (at release, by a budget rule) */
	struct ledger_order v; /* an update or cancellation: the version it names */
	int has_v;
	char *change;     /* change_text, or NULL for a new order */
};

static void put_json_field(FILE *out, const char *key, const char *value, int comma)
{
	struct buf b = BUF_INIT;
	if (comma)
		buf_adds(&b, ",");
	json_pair(&b, key, value);
	fputs(buf_str(&b), out);
	buf_release(&b);
}

static void pad(FILE *out, const char *s, int width, int right)
{
	int n = (int)strlen(s);
	if (right)
		fprintf(out, "%*s%s", width > n ? width - n : 0, "", s);
	else
		fprintf(out, "%s%*s", s, width > n ? width - n : 0, "");
}

int approve_list(struct ledger *l, int json, FILE *out)
{
	struct ledger_order *o;
	int n;
	if (ledger_orders_in_state(l, "pending", &o, &n) < 0)
		return -1;
	/* everything is read before anything is printed: a ledger error
	 * leaves no half list (nor half JSON) on stdout */
	struct pending_row *rows = xcalloc((size_t)(n ? n : 1), sizeof *rows);
	int rc = n, changes = 0;
	for (int i = 0; i < n; i++) {
		struct pending_row *r = &rows[i];
		r->o = &o[i];
		struct ledger_checkpoint *cp;
		int ncp, idx;
		if (ledger_checkpoints(l, o[i].ref, &cp, &ncp) < 0) {
			rc = -1;
			break;
		}
		const char *next = next_pending(cp, ncp, &idx);
		buf_adds(&r->chain, next ? next : "?");
		if (next && cp[idx].comment && *cp[idx].comment)
			r->reason = xstrdup(cp[idx].comment);
		r->roles = xcalloc((size_t)(ncp ? ncp : 1), sizeof *r->roles);
		for (int k = idx; idx >= 0 && k < ncp; k++) {
			if (k > idx)
				buf_printf(&r->chain, ", then %s", cp[k].role);
			r->roles[r->nroles++] = xstrdup(cp[k].role);
		}
		ledger_checkpoints_free(cp, ncp);
		dec_format(o[i].total_e4, currency_decimals(o[i].currency), r->total);
		snprintf(r->amount, sizeof r->amount, "%s %s", r->total,
			 o[i].currency ? o[i].currency : "");
		r->has_v = ledger_replaced_version(l, o[i].ref, &r->v);
		if (r->has_v < 0) {
			rc = -1;
			break;
		}
		r->change = change_text(&o[i], &r->v, r->has_v);
		changes += r->change != NULL;
	}
	if (rc >= 0 && json) {
		fputc('[', out);
		for (int i = 0; i < n; i++) {
			const struct ledger_order *oi = rows[i].o;
			fputs(i ? ",\n{" : "\n{", out);
			put_json_field(out, "document", oi->document_id, 0);
			put_json_field(out, "order", oi->order_id, 1);
			put_json_field(out, "partner", oi->partner, 1);
			put_json_field(out, "total", rows[i].total, 1);
			put_json_field(out, "currency", oi->currency, 1);
			fputs(",\"waits_for\":[", out);
			for (int k = 0; k < rows[i].nroles; k++) {
				struct buf b = BUF_INIT;
				json_string(&b, rows[i].roles[k]);
				fprintf(out, "%s%s", k ? "," : "", buf_str(&b));
				buf_release(&b);
			}
			fputc(']', out);
			put_json_field(out, "reason", rows[i].reason, 1);
			put_json_field(out, "since", oi->created, 1);
			/* an update or cancellation: the version it changes */
			put_json_field(out, "type", oi->type, 1);
			if (rows[i].has_v) {
				const struct ledger_order *v = &rows[i].v;
				char vt[DEC_FMT_MAX];
				dec_format(v->total_e4, currency_decimals(v->currency), vt);
				fputs(",\"replaces\":{", out);
				put_json_field(out, "document", v->document_id, 0);
				put_json_field(out, "po", v->po_number, 1);
				put_json_field(out, "total", vt, 1);
				put_json_field(out, "currency", v->currency, 1);
				put_json_field(out, "state", v->state, 1);
				fprintf(out, ",\"in_force\":%s}", in_force(v) ? "true" : "false");
			} else {
				fputs(",\"replaces\":null", out);
			}
			put_json_field(out, "change", rows[i].change, 1);
			fputc('}', out);
		}
		fputs(n ? "\n]\n" : "]\n", out);
	} else if (rc >= 0 && n == 0) {
		fprintf(out, "no order waits for approval\n");
	} else if (rc >= 0) {
		/* each column as wide as its widest cell: long partner names
		 * and approver chains never push the columns out of line */
		int w[5] = { 8, 5, 7, 5, 9 }; /* DOCUMENT ORDER PARTNER TOTAL "WAITS FOR" */
		for (int i = 0; i < n; i++) {
			const char *cell[5] = { rows[i].o->document_id, rows[i].o->order_id,
						rows[i].o->partner, rows[i].amount,
						buf_str(&rows[i].chain) };
			for (int c = 0; c < 5; c++)
				if (cell[c] && (int)strlen(cell[c]) > w[c])
					w[c] = (int)strlen(cell[c]);
		}
		/* SINCE is as wide as its widest cell too when a CHANGES column
		 * (there only when an update or cancellation waits) follows */
		int w_since = 5;
		for (int i = 0; i < n; i++)
			if (rows[i].o->created && (int)strlen(rows[i].o->created) > w_since)
				w_since = (int)strlen(rows[i].o->created);
		const char *head[7] = { "DOCUMENT", "ORDER", "PARTNER", "TOTAL", "WAITS FOR", "SINCE",
					"CHANGES" };
		for (int i = -1; i < n; i++) {
			const char *cell[7] = { head[0], head[1], head[2], head[3],
						head[4], head[5], head[6] };
			if (i >= 0) {
				const struct ledger_order *oi = rows[i].o;
				cell[0] = oi->document_id;
				cell[1] = oi->order_id;
				cell[2] = oi->partner ? oi->partner : "";
				cell[3] = rows[i].amount;
				cell[4] = buf_str(&rows[i].chain);
				cell[5] = oi->created ? oi->created : "";
				cell[6] = rows[i].change;
			}
			for (int c = 0; c < 5; c++) {
				pad(out, cell[c] ? cell[c] : "", w[c], c == 3);
				fputs(c == 3 ? "  " : " ", out);
			}
			if (changes && cell[6]) {
				pad(out, cell[5], w_since, 0);
				fprintf(out, " %s\n", cell[6]);
			} else {
				fprintf(out, "%s\n", cell[5]);
			}
		}
		/* why an order waits for an approver added at its release */
		for (int i = 0, first = 1; i < n; i++) {
			if (!rows[i].reason)
				continue;
			fprintf(out, "%s%s (%s): %s: %s\n", first ? "\n" : "", rows[i].o->order_id,
				rows[i].o->document_id, rows[i].roles[0], rows[i].reason);
			first = 0;
		}
	}
	for (int i = 0; i < n; i++) {
		buf_release(&rows[i].chain);
		for (int k = 0; k < rows[i].nroles; k++)
			free(rows[i].roles[k]);
		free(rows[i].roles);
		free(rows[i].reason);
		ledger_order_clear(&rows[i].v);
		free(rows[i].change);
	}
	free(rows);
	ledger_orders_free(o, n);
	return rc;
}

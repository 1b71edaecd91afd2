/*
 * pipeline: see pipeline.h.
 */
#include "pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/xmlsave.h>
#include <zlib.h>

#include "csv.h"
#include "detect.h"
#include "msg.h"
#include "partner.h"
#include "rules.h"
#include "split.h"
#include "unpack.h"
#include "wire.h"
#include "xform.h"
#include "xmlsafe.h"

static const char *HINT_SENDER = "ask the sender to correct and resend the document";
static struct partners partners;
static const char *HINT_CSV_INBOX =
	"have the partner upload it to an inbox bound to its profile: in the configuration, "
	"[inbox NAME] with dir = the folder it uploads to and partner = its profile's name "
	"(format = csv:MAP to read it through one map; docs/maps.md), then move this file "
	"into that folder (from in/ it fails again)";
/* names the configured partners folder ([partners] dir), set by pipeline_init */
static char *hint_partner;
static const char *HINT_MAP = "fix the map or stylesheet named in the error, then run "
			      "`ordergate reprocess ID`";

int pipeline_init(const struct config *cfg, char **err)
{
	char *xslt = xasprintf("%s/xslt", cfg->data_dir);
	char *maps = xasprintf("%s/maps", cfg->data_dir);
	/* the rules file is ours too, wherever the configuration puts it */
	char *rules_dir = xstrdup(cfg->rules_file ? cfg->rules_file : maps);
	if (cfg->rules_file && strrchr(rules_dir, '/'))
		*strrchr(rules_dir, '/') = '\0';
	else if (cfg->rules_file)
		strcpy(rules_dir, ".");
	const char *dirs[] = { xslt, maps, rules_dir };
	xmlsafe_init(dirs, 3);
	free(xslt);
	free(maps);
	free(rules_dir);
	xform_init();
	char *rng = config_xslt_path(cfg, "canonical.rng");
	int rc = canon_init(rng, err);
	free(rng);
	if (rc < 0)
		return -1;
	const struct format *table;
	int nformats = detect_formats(&table);
	for (int i = 0; i < nformats && rc == 0; i++) {
		if (!table[i].map)
			continue;
		char *map = config_xslt_path(cfg, table[i].map);
		rc = xform_load(map, err) ? 0 : -1;
		free(map);
	}
	if (rc < 0)
		return -1;
	char *dir = cfg->partners_dir ? xstrdup(cfg->partners_dir)
				      : xasprintf("%s/maps/partners", cfg->data_dir);
	partner_release(&partners);
	rc = partner_load(&partners, dir, 0, err);
	free(hint_partner);
	hint_partner = xasprintf("check the partner profile in %s (identities, shared_secret, "
				 "inbound, order_types), or ask the sender",
				 dir);
	free(dir);
	if (rc < 0)
		return -1;
	if (rules_init(cfg, err) < 0)
		return -1;
	partners.require_known = !strcmp(cfg->require_known, "yes") ||
				 (!strcmp(cfg->require_known, "auto") && partners.n > 0);
	for (int i = 0; i < partners.n; i++) {
		const struct partner *p = &partners.p[i];
		if (!emit_known_format(p->po_format) || !emit_known_format(p->confirmation_format) ||
		    !emit_known_format(p->invoice_format)) {
			*err = xasprintf("%s: an [outbound] format has no stylesheet installed", p->file);
			return -1;
		}
	}
	return emit_init(cfg, err);
}

const struct partners *pipeline_partners(void)
{
	return &partners;
}

/* One deflate state for the life of the process, reset per document:
 * setting one up allocates and clears about 270 KB, which cost more than
 * compressing a 10 KB order (and the heap trims and refaults it each
 * time). deflateReset gives the same bytes as a fresh deflateInit2. */
static z_stream gz;
static int gz_ready;

void pipeline_shutdown(void)
{
	if (gz_ready)
		deflateEnd(&gz);
	gz_ready = 0;
	rules_shutdown();
	partner_release(&partners);
	free(hint_partner);
	hint_partner = NULL;
	emit_shutdown();
	canon_shutdown();
	xform_shutdown();
	xmlCleanupParser();
}

void pipeline_fail(struct doc_result *res, const char *stage, const char *hint,
		   const char *fmt, ...)
{
	free(res->stage);
	free(res->reason);
	free(res->hint);
	res->ok = 0;
	res->stage = xstrdup(stage);
	res->hint = xstrdup(hint);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	res->reason = xmalloc((size_t)(n > 0 ? n : 0) + 1);
	va_start(ap, fmt);
	vsnprintf(res->reason, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
	va_end(ap);
}

static void gzip_into(const char *data, size_t len, struct buf *out)
{
	if (!gz_ready) {
		memset(&gz, 0, sizeof gz);
		/* level 1: the archive copy is for keeping, not for shipping */
		if (deflateInit2(&gz, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return;
		gz_ready = 1;
	} else if (deflateReset(&gz) != Z_OK) {
		return;
	}
	size_t bound = deflateBound(&gz, (uLong)len) + 64;
	buf_reset(out);
	buf_grow(out, bound);
	gz.next_in = (Bytef *)(uintptr_t)data;
	gz.avail_in = (uInt)len;
	gz.next_out = (Bytef *)out->data;
	gz.avail_out = (uInt)bound;
	if (deflate(&gz, Z_FINISH) == Z_STREAM_END)
		out->len = gz.total_out;
	gz.next_in = NULL;
	gz.next_out = NULL;
}

/* What the parent archives for a claimed file (data, len: its bytes; sha:
 * their hash when the caller has it, else NULL): with archive_form = gzip,
 * a gzip copy (a file that came compressed is copied as it came); as-sent,
 * no copy, because the claimed file itself is moved into archive/: only
 * its hash and size, for the ledger. */
static void keep_for_archive(const struct config *cfg, struct doc_result *r, const char *data,
			     size_t len, int compressed, const char *sha)
{
	buf_reset(&r->archive_gz);
	r->archive_as_sent = compressed || !cfg->archive_gzip;
	r->archive_size = (int64_t)len;
	if (cfg->archive_gzip && compressed)
		buf_add(&r->archive_gz, data, len);
	else if (cfg->archive_gzip)
		gzip_into(data, len, &r->archive_gz);
	else if (sha)
		memcpy(r->archive_sha256, sha, sizeof r->archive_sha256);
	else
		sha256_hex(data, len, r->archive_sha256);
}

/* The canonical text as xmlDocDumpFormatMemoryEnc(doc, .., "UTF-8", 1)
 * writes it (the same save options), but straight into out: no
 * whole-document copies on the way. */
static void dump_canonical(xmlDocPtr doc, struct buf *out)
{
	xmlSaveCtxtPtr save = xmlSaveToIO(buf_write_cb, NULL, out, "UTF-8",
					  XML_SAVE_FORMAT | XML_SAVE_AS_XML);
	if (!save)
		return;
	xmlSaveDoc(save, doc);
	xmlSaveClose(save);
}

/* A large order's canonical text, written while emit renders it in chunks
 * and frees its lines: the text around the lines first (the whole dump with
 * a mark in their place), each run of lines just before it is freed, the
 * rest at the end. The bytes are dump_canonical's; when emit frees no line
 * (no output rendered in chunks) the text is dumped whole after all. */
struct canon_stream {
	struct buf *out;
	struct buf suffix;
	char *sep;
	long nlines;
	int on;
};

static void canon_stream_lines(void *arg, xmlDocPtr doc, xmlNodePtr first, xmlNodePtr end)
{
	struct canon_stream *cs = arg;
	size_t n = 0, cap = 64;
	xmlNodePtr *nodes = xmalloc(cap * sizeof *nodes);
	for (xmlNodePtr c = first; c != end; c = c->next) {
		if (n == cap)
			nodes = xrealloc(nodes, (cap *= 2) * sizeof *nodes);
		nodes[n++] = c;
	}
	if (n && cs->nlines)
		buf_adds(cs->out, cs->sep);
	/* order > lines > line: the depth dump_canonical writes it at */
	xform_dump_nodes(doc, nodes, n, 2, 1, cs->sep, cs->out);
	cs->nlines += (long)n;
	free(nodes);
}

/* Starts the text and sets formats' hook, or dumps it whole now (lines
 * that are not all elements would not be indented the same way). */
static void canon_stream_begin(xmlDocPtr doc, struct buf *out, struct canon_stream *cs,
			       struct emit_formats *formats)
{
	memset(cs, 0, sizeof *cs);
	cs->out = out;
	xmlNodePtr lines = canon_child(xmlDocGetRootElement(doc), "lines");
	int plain = lines && lines->children;
	for (xmlNodePtr c = lines ? lines->children : NULL; c && plain; c = c->next)
		plain = c->type == XML_ELEMENT_NODE;
	struct buf text = BUF_INIT;
	size_t pre = 0, post = 0;
	int found = 0;
	if (plain) {
		xmlNodePtr first = lines->children, last = lines->last;
		xmlNodePtr mark = xmlNewDocNode(doc, NULL, (const xmlChar *)XFORM_MARK, NULL);
		mark->parent = lines;
		lines->children = lines->last = mark;
		dump_canonical(doc, &text);
		lines->children = first;
		lines->last = last;
		xmlFreeNode(mark);
		found = xform_mark_at(&text, &pre, &post, &cs->sep) == 0;
	}
	if (!found || *cs->sep != '\n') {
		free(cs->sep);
		cs->sep = NULL;
		buf_release(&text);
		dump_canonical(doc, out);
		return;
	}
	buf_add(out, text.data, pre);
	buf_add(&cs->suffix, text.data + post, text.len - post);
	buf_release(&text);
	cs->on = 1;
	formats->lines_done = canon_stream_lines;
	formats->lines_arg = cs;
}

/* Ends the text after emit (doc's lines freed, or none of them). */
static void canon_stream_end(struct canon_stream *cs, xmlDocPtr doc)
{
	if (cs->on && cs->nlines) {
		buf_add(cs->out, cs->suffix.data, cs->suffix.len);
	} else if (cs->on) {
		buf_release(cs->out);
		dump_canonical(doc, cs->out);
	}
	cs->on = 0;
	buf_release(&cs->suffix);
	free(cs->sep);
	cs->sep = NULL;
}

/* Adds the outputs rendered in chunks to the document's "chunked" note. */
static void note_chunked_outputs(struct doc_result *res, const char *when)
{
	for (int i = 0; i < res->noutputs; i++)
		if (res->outputs[i].chunks) {
			char *more = xasprintf("%s%s%s rendered in %d chunks%s",
					       res->chunked ? res->chunked : "", res->chunked ? "; " : "",
					       res->outputs[i].kind, res->outputs[i].chunks, when);
			free(res->chunked);
			res->chunked = more;
		}
}

static char *lower(const char *s)
{
	char *p = xstrdup(s ? s : "");
	for (char *q = p; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	return p;
}

static void set_source_attrs(xmlDocPtr canonical, const struct doc_job *job)
{
	xmlNodePtr order = xmlDocGetRootElement(canonical);
	for (xmlNodePtr c = order ? order->children : NULL; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "source")) {
			xmlSetProp(c, (const xmlChar *)"documentID", (const xmlChar *)job->id);
			xmlSetProp(c, (const xmlChar *)"received", (const xmlChar *)job->received);
			return;
		}
	}
}

/* Adds <poNumber> right after <orderID>. */
void insert_po_number(xmlDocPtr canonical, const char *number)
{
	xmlNodePtr order = xmlDocGetRootElement(canonical);
	for (xmlNodePtr c = order ? order->children : NULL; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "poNumber")) {
			xmlNodeSetContent(c, (const xmlChar *)number);
			return;
		}
	}
	for (xmlNodePtr c = order ? order->children : NULL; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "orderID")) {
			xmlNodePtr n = xmlNewNode(NULL, (const xmlChar *)"poNumber");
			xmlNodeSetContent(n, (const xmlChar *)number);
			xmlAddNextSibling(c, n);
			return;
		}
	}
}

static void set_mode_test(xmlDocPtr canonical)
{
	xmlNodePtr order = xmlDocGetRootElement(canonical);
	for (xmlNodePtr c = order ? order->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "source"))
			xmlSetProp(c, (const xmlChar *)"mode", (const xmlChar *)"test");
}


static char *get_prop(xmlNodePtr n, const char *name)
{
	xmlChar *v = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
	char *r = v ? xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return r;
}

/* Reads the decision back into res for the ledger: line states, the
 * message, the checkpoints of a hold. */
static void read_decision(xmlDocPtr canonical, struct doc_result *res)
{
	xmlNodePtr d = canon_child(xmlDocGetRootElement(canonical), "decision");
	char *action = get_prop(d, "action");
	int hold = action && !strcmp(action, "hold"), reject = action && !strcmp(action, "reject");
	for (int i = 0; i < res->info.nlines; i++) {
		struct line_info *l = &res->info.lines[i];
		free(l->state);
		free(l->reason);
		l->state = xstrdup(hold ? "pending" : reject ? "rejected" : "accepted");
		l->reason = NULL;
		l->rejected = reject ? l->quantity : 0;
		l->backordered = 0;
	}
	for (xmlNodePtr c = d ? d->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)c->name, "message")) {
			xmlChar *t = xmlNodeGetContent(c);
			free(res->message);
			res->message = xstrdup(t ? (const char *)t : "");
			xmlFree(t);
		} else if (!strcmp((const char *)c->name, "checkpoint")) {
			res->checkpoints = xrealloc(res->checkpoints,
						    sizeof(char *) * (size_t)(res->ncheckpoints + 1));
			res->checkpoints[res->ncheckpoints++] = get_prop(c, "role");
		} else if (!strcmp((const char *)c->name, "line")) {
			char *num = get_prop(c, "number"), *act = get_prop(c, "action");
			char *qty = get_prop(c, "quantity");
			long n = num ? strtol(num, NULL, 10) : 0;
			for (int i = 0; i < res->info.nlines; i++) {
				struct line_info *l = &res->info.lines[i];
				if (l->number != n || !act)
					continue;
				dec_t q = l->quantity;
				if (qty)
					dec_parse(qty, &q);
				if (!strcmp(act, "reject")) {
					l->rejected = q;
					if (!hold) {
						free(l->state);
						l->state = xstrdup(q >= l->quantity ? "rejected" : "accepted");
					}
				} else if (!strcmp(act, "backorder")) {
					l->backordered = q;
					if (!hold) {
						free(l->state);
						l->state = xstrdup("backordered");
					}
				}
				free(l->reason);
				l->reason = get_prop(c, "reason");
			}
			free(num);
			free(act);
			free(qty);
		}
	}
	free(action);
}

/* Whether a cXML document is itself an answer: a Response, or a Message
 * (one-way in cXML, carried by the user's browser). Neither is answered
 * when refused: a Response to a Response has nothing to answer, and two
 * gateways that answered each other's refusals would never stop. */
static int cxml_is_answer(xmlDocPtr doc)
{
	for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    (!strcmp((const char *)n->name, "Response") ||
		     !strcmp((const char *)n->name, "Message")))
			return 1;
	return 0;
}

/* A refused cXML document that asked for something gets a cXML Response
 * for its sender. */
static void add_response(const struct config *cfg, const struct doc_job *job,
			 struct doc_result *res)
{
	int code = res->status;
	if (!code)
		code = !strcmp(res->stage, "detect") ? 450 : 400;
	res->status = code;
	char *err = NULL;
	if (emit_cxml_response(cfg, job->id, code, res->reason, &res->outputs[0], &err) == 0)
		res->noutputs = 1;
	free(err);
}

void pipeline_run(const struct config *cfg, const struct doc_job *job, const char *data,
		  size_t len, int with_outputs, struct doc_result *res)
{
	char *err = NULL;
	xmlDocPtr doc = NULL, canonical = NULL;
	const struct format *fmt = NULL;
	struct split *split = NULL;
	int chunked = 0;
	struct canon_stream cstream = { 0 };
	struct partner_auth auth;
	memset(&auth, 0, sizeof auth);
	int is_cxml = 0, is_answer = 0;
	res->size = (int64_t)len;
	if (!res->id)
		res->id = xstrdup(job->id);
	if (!res->name)
		res->name = xstrdup(job->name);
	res->member = job->member;
	sha256_hex(data, len, res->sha256);
	if (!job->member)
		keep_for_archive(cfg, res, data, len, 0, res->sha256);

	if (detect_bytes(data, len, &err) < 0) {
		pipeline_fail(res, "detect", HINT_SENDER, "%s", err);
		goto out;
	}
	xmlsafe_errors_reset();
	/* a large order is read as a skeleton now and its lines chunk by
	 * chunk at the map; anything split cannot take is parsed whole */
	if (cfg->chunk_above_kb > 0 && len >= (size_t)cfg->chunk_above_kb * 1024)
		split = split_open(data, len);
	if (split) {
		doc = split_skeleton(split);
	} else {
		doc = xmlsafe_parse(data, len, &err);
		if (job->consume) {
			buf_release(job->consume);
			data = NULL;
		}
	}
	if (!doc && strstr(err, "Memory allocation failed")) {
		pipeline_fail(res, "parse",
			      "if the document is genuine, raise [engine] memory_limit_mb",
			      "the document needs more memory than the worker limit of %ld MB "
			      "allows (%s)",
			      cfg->memory_limit_mb, err);
		goto out;
	}
	if (!doc) {
		pipeline_fail(res, "parse", HINT_SENDER, "%s", err);
		goto out;
	}
	is_cxml = !strcmp((const char *)xmlDocGetRootElement(doc)->name, "cXML");
	if (is_cxml)
		is_answer = cxml_is_answer(doc);
	fmt = detect_xml(doc, &err);
	if (!fmt) {
		pipeline_fail(res, "detect", HINT_SENDER, "%s", err);
		goto out;
	}
	partner_authenticate(&partners, fmt->name, doc, job->partner, &auth);
	if (auth.status) {
		res->status = auth.status;
		pipeline_fail(res, "authenticate",
			      !auth.partner && !strcmp(fmt->name, "csv") ? HINT_CSV_INBOX
									 : hint_partner,
			      "%s", auth.reason);
		goto out;
	}
	const struct partner *partner = auth.partner;
	if (fmt->shipment) {
		/* a ship notice: no order to map; the parent matches it to the ledger */
		if (shipment_read(doc, cfg->assume_timezone, &res->ship, &err) < 0) {
			pipeline_fail(res, "shipment", HINT_SENDER, "%s", err);
			goto out;
		}
		/* a CSV feed has no notice date of its own: the invoice refers
		 * to the feed by the time its file was received, recorded as
		 * that (docs/operations.md "Shipments and invoices") */
		if (!res->ship.notice_date)
			res->ship.notice_date = xstrdup(job->received);
		res->is_shipment = 1;
		res->info.format = xstrdup(fmt->name);
		char *lid = lower(partner ? partner->name
				  : job->partner ? job->partner
				  : auth.sender  ? auth.sender
						 : "unknown");
		res->partner = safe_name(lid, 64);
		free(lid);
		res->sender_key = xasprintf("shipments:%s", res->partner);
		xmlChar *pid = xmlGetProp(xmlDocGetRootElement(doc), (const xmlChar *)"payloadID");
		res->info.payload_id = pid ? xstrdup((const char *)pid)
					   : xasprintf("%s:%s:%s", fmt->name, res->ship.order_key,
						       res->ship.shipment_id);
		xmlFree(pid);
		res->ok = 1;
		goto out;
	}
	char *map_path = config_xslt_path(cfg, fmt->map);
	xsltStylesheetPtr map = xform_load(map_path, &err);
	free(map_path);
	if (!map) {
		pipeline_fail(res, "map", HINT_MAP, "%s", err);
		goto out;
	}
	char *version = detect_cxml_version(doc);
	struct xform_param params[] = { { "formatVersion", version }, { "received", job->received } };
	xmlsafe_errors_reset();
	if (split) {
		int rc = split_map(split, map, params, 2, cfg->chunk_lines, &canonical, &err);
		if (rc == 0)
			res->chunked = xasprintf("a large order (%zu kB, [engine] chunk_above_kb = "
						 "%ld): mapped %ld lines in chunks of up to %ld",
						 len / 1024, cfg->chunk_above_kb, split_lines(split),
						 cfg->chunk_lines);
		split_close(split);
		split = NULL;
		doc = NULL;
		chunked = rc == 0;
		if (rc == 1) {
			/* the chunks disagree (or the reader gave up): the whole tree */
			xmlsafe_errors_reset();
			doc = xmlsafe_parse(data, len, &err);
			if (!doc) {
				free(version);
				pipeline_fail(res, "parse", HINT_SENDER, "%s", err);
				goto out;
			}
		}
		if (job->consume) {
			buf_release(job->consume);
			data = NULL;
		}
	}
	if (!chunked && !canonical && doc)
		canonical = xform_apply(map, doc, params, 2, &err);
	free(version);
	if (!canonical) {
		pipeline_fail(res, "map", HINT_SENDER, "the %s map stopped: %s", fmt->what, err);
		goto out;
	}
	/* the partner's tree is not needed past the map: a large order's
	 * input tree would otherwise stay beside every tree built after it */
	xmlFreeDoc(doc);
	doc = NULL;
	set_source_attrs(canonical, job);
	if (partner && partner->mode && !strcmp(partner->mode, "test"))
		set_mode_test(canonical);
	if (canon_complete(canonical, cfg->assume_timezone, &res->info, &err) < 0) {
		pipeline_fail(res, "normalise", HINT_SENDER, "%s", err);
		goto out;
	}
	int code = partner_check_order_type(partner, res->info.type, &err);
	if (code) {
		res->status = code;
		pipeline_fail(res, "authenticate", hint_partner, "%s", err);
		goto out;
	}
	const char *dom = res->info.from_identity ? res->info.from_domain : res->info.sender_domain;
	const char *ident = res->info.from_identity ? res->info.from_identity
						    : res->info.sender_identity;
	char *ldom = lower(dom);
	res->sender_key = xasprintf("%s:%s", ldom, ident ? ident : "");
	char *lid = lower(ident);
	res->partner = safe_name(partner ? partner->name : job->partner ? job->partner : lid, 64);
	free(ldom);
	free(lid);

	int d = rules_decide(canonical, &res->info, res->partner, &res->cost_center, job->trace, &err);
	if (d < 0) {
		pipeline_fail(res, "decide", "fix the rules file at the place the error names "
			      "(`ordergate explain` on this input shows the rules at work), then run "
			      "`ordergate reprocess ID`", "%s", err);
		goto out;
	}
	res->decision = xstrdup(rules_decision_name(d));
	res->spend_seen = rules_spend_seen();
	read_decision(canonical, res);
	if (canon_accepted(canonical, &res->info, &err) < 0) {
		pipeline_fail(res, "decide", HINT_SENDER, "%s", err);
		goto out;
	}
	if (cfg->po_pattern && *cfg->po_pattern && (d == DECISION_ACCEPT || d == DECISION_PARTIAL))
		insert_po_number(canonical, PO_NUMBER_PLACEHOLDER);
	if (canon_validate(canonical, &err) < 0) {
		pipeline_fail(res, "decide", HINT_MAP, "%s", err);
		goto out;
	}
	if (with_outputs) {
		const char *same = job->out_format		 ? job->out_format
				   : emit_known_format(fmt->name) ? fmt->name
								  : "cxml";
		/* what goes out follows the decision: a rejected order gets only its
		 * confirmation, an order on hold nothing until it is decided */
		int po_ok = d == DECISION_ACCEPT || d == DECISION_PARTIAL;
		struct emit_formats formats = {
			!po_ok ? "none"
			: !job->out_format && partner && partner->po_format ? partner->po_format
									      : same,
			d == DECISION_HOLD ? "none"
			: !job->out_format && partner && partner->confirmation_format
				? partner->confirmation_format
				: same,
			NULL,
			partner ? partner->encoding : NULL,
			chunked ? cfg->chunk_lines : 0,
			NULL,
			NULL,
		};
		/* rendering a large order in chunks consumes its lines: the
		 * ledger's text is written as they go */
		if (chunked)
			canon_stream_begin(canonical, &res->canonical, &cstream, &formats);
		int n = emit_render(cfg, canonical, job->id, &formats, res->outputs, &err);
		canon_stream_end(&cstream, canonical);
		if (n < 0) {
			pipeline_fail(res, "emit", HINT_MAP, "%s", err);
			goto out;
		}
		res->noutputs = n;
		note_chunked_outputs(res, "");
		if (d == DECISION_HOLD && partner && partner->interim && !strcmp(fmt->name, "cxml")) {
			/* the interim status the partner asked for */
			struct buf roles = BUF_INIT;
			for (int i = 0; i < res->ncheckpoints; i++)
				buf_printf(&roles, "%s%s", i ? ", then " : "", res->checkpoints[i]);
			char *note = xasprintf("order %s is held for approval by %s; its confirmation "
					       "follows the decision",
					       res->info.order_id, buf_str(&roles));
			if (emit_cxml_interim(cfg, job->id, &res->info, note, &res->outputs[n], &err) < 0) {
				free(note);
				buf_release(&roles);
				pipeline_fail(res, "emit", HINT_MAP, "%s", err);
				goto out;
			}
			res->noutputs = n + 1;
			free(note);
			buf_release(&roles);
		}
	}
	/* after the outputs: the text need not sit beside their trees */
	if (!res->canonical.len)
		dump_canonical(canonical, &res->canonical);
	res->ok = 1;
	/* the job's next order sees this one's spend (an archive, a CSV file) */
	rules_job_count(res->cost_center, res->info.order_date, res->info.currency,
			res->info.mode, res->decision, res->info.committed);
out:
	if (!res->ok) {
		if (!res->info.format && fmt)
			res->info.format = xstrdup(fmt->name);
		if (!res->partner) {
			char *who = lower(auth.partner ? auth.partner->name
					  : job->partner    ? job->partner
					  : auth.sender     ? auth.sender
							    : "unknown");
			res->partner = safe_name(who, 64);
			free(who);
		}
		if (is_answer) {
			char *r = xasprintf("%s; no cXML Response was sent back: a Response or a "
					    "Message is never answered", res->reason);
			free(res->reason);
			res->reason = r;
		} else if (is_cxml && with_outputs && strcmp(res->stage, "emit") &&
			   res->noutputs == 0) {
			add_response(cfg, job, res);
		}
	}
	free(auth.reason);
	free(auth.sender);
	free(err);
	if (split)
		split_close(split); /* its skeleton is doc */
	else
		xmlFreeDoc(doc);
	xmlFreeDoc(canonical);
}

void pipeline_render(const struct config *cfg, const struct doc_job *job, const char *data,
		     size_t len, const char *action, const char *message, const char *po_number,
		     struct doc_result *res)
{
	char *err = NULL;
	res->id = xstrdup(job->id);
	res->name = xstrdup(job->name);
	xmlsafe_errors_reset();
	xmlDocPtr canonical = xmlsafe_parse(data, len, &err);
	if (!canonical) {
		pipeline_fail(res, "release", "report this as a bug: the ledger's copy is unreadable",
			      "%s", err);
		free(err);
		return;
	}
	xmlNodePtr order = xmlDocGetRootElement(canonical);
	xmlNodePtr d = canon_child(order, "decision");
	int reject = !strcmp(action, "reject");
	int changed = 0;
	for (xmlNodePtr c = d ? d->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)c->name, "checkpoint")) {
			char *st = get_prop(c, "state");
			if (st && !strcmp(st, "pending"))
				xmlSetProp(c, (const xmlChar *)"state",
					   (const xmlChar *)(reject ? "rejected" : "approved"));
			free(st);
		} else if (!strcmp((const char *)c->name, "line")) {
			char *act = get_prop(c, "action");
			changed |= act && strcmp(act, "accept");
			free(act);
		}
	}
	if (d) {
		xmlSetProp(d, (const xmlChar *)"action",
			   (const xmlChar *)(reject ? "reject" : changed ? "partial" : "accept"));
		if (reject) {
			/* a rejected order names no lines */
			for (xmlNodePtr c = d->children, next; c; c = next) {
				next = c->next;
				if (c->type == XML_ELEMENT_NODE &&
				    (!strcmp((const char *)c->name, "line") ||
				     !strcmp((const char *)c->name, "message"))) {
					xmlUnlinkNode(c);
					xmlFreeNode(c);
				}
			}
			xmlNodePtr m = xmlNewTextChild(d, NULL, (const xmlChar *)"message", NULL);
			xmlChar *esc = xmlEncodeSpecialChars(canonical,
							     (const xmlChar *)(message ? message : "rejected"));
			xmlNodeSetContent(m, esc);
			xmlFree(esc);
			/* checkpoints come after the message in the schema: those
			 * before it move behind it, in their order (the walk stops
			 * at the message, so a moved one is not met again) */
			for (xmlNodePtr c = d->children, next; c && c != m; c = next) {
				next = c->next;
				if (c->type == XML_ELEMENT_NODE &&
				    !strcmp((const char *)c->name, "checkpoint")) {
					xmlUnlinkNode(c);
					xmlAddChild(d, c);
				}
			}
		}
	}
	if (po_number && !reject)
		insert_po_number(canonical, po_number);
	struct order_info info;
	memset(&info, 0, sizeof info);
	if (canon_validate(canonical, &err) < 0) {
		pipeline_fail(res, "release", HINT_MAP, "%s", err);
		goto out;
	}
	const struct partner *partner = partner_by_name(&partners, job->partner);
	xmlNodePtr src = canon_child(order, "source");
	char *format = get_prop(src, "format");
	const char *same = format && emit_known_format(format) ? format : "cxml";
	struct emit_formats formats = {
		reject ? "none" : partner && partner->po_format ? partner->po_format : same,
		partner && partner->confirmation_format ? partner->confirmation_format : same,
		NULL,
		partner ? partner->encoding : NULL,
		cfg->chunk_above_kb > 0 && len >= (size_t)cfg->chunk_above_kb * 1024 ? cfg->chunk_lines
										       : 0,
		NULL,
		NULL,
	};
	struct canon_stream cstream = { 0 };
	if (formats.chunk_lines)
		canon_stream_begin(canonical, &res->canonical, &cstream, &formats);
	int n = emit_render(cfg, canonical, job->id, &formats, res->outputs, &err);
	canon_stream_end(&cstream, canonical);
	free(format);
	if (n < 0) {
		pipeline_fail(res, "release", HINT_MAP, "%s", err);
		goto out;
	}
	res->noutputs = n;
	if (!formats.chunk_lines)
		dump_canonical(canonical, &res->canonical);
	note_chunked_outputs(res, " on release");
	res->decision = xstrdup(reject ? "reject" : changed ? "partial" : "accept");
	res->ok = 1;
out:
	canon_info_release(&info);
	free(err);
	xmlFreeDoc(canonical);
}


static xmlNodePtr text_child(xmlNodePtr parent, const char *name, const char *value)
{
	xmlNodePtr n = xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);
	xmlChar *esc = xmlEncodeSpecialChars(parent->doc, (const xmlChar *)(value ? value : ""));
	xmlNodeSetContent(n, esc);
	xmlFree(esc);
	return n;
}

static void dec_child(xmlNodePtr parent, const char *name, dec_t v, int decimals)
{
	char s[DEC_FMT_MAX];
	dec_format(v, decimals, s);
	text_child(parent, name, s);
}

static int rate_of(const char *s, dec_t *out)
{
	*out = 0;
	return !s || dec_parse(s, out) == 0 ? 0 : -1;
}

void pipeline_invoice(const struct config *cfg, const struct doc_job *job, const char *data,
		      size_t len, const char *spec, const char *invoice_number,
		      struct doc_result *res)
{
	char *err = NULL;
	res->id = xstrdup(job->id);
	res->name = xstrdup(job->name);
	xmlsafe_errors_reset();
	xmlDocPtr order = xmlsafe_parse(data, len, &err);
	xmlDocPtr inv = NULL;
	char *fields[6] = { NULL };
	char *copy = xstrdup(spec ? spec : "");
	char *p = copy;
	for (int i = 0; i < 6; i++)
		fields[i] = strsep(&p, "\x1f");
	if (!order || !fields[5]) {
		pipeline_fail(res, "invoice", "report this as a bug", "%s",
			      err ? err : "malformed invoice job");
		goto out;
	}
	const struct partner *partner = partner_by_name(&partners, job->partner);
	xmlNodePtr o = xmlDocGetRootElement(order);
	char *currency = canon_child_str(o, "currency");
	int cd = currency_decimals(currency);
	dec_t tax_rate = 0, ship = 0, disc_rate = 0;
	if (partner && (rate_of(partner->tax_rate, &tax_rate) < 0 ||
			rate_of(partner->invoice_shipping, &ship) < 0 ||
			rate_of(partner->discount_rate, &disc_rate) < 0)) {
		pipeline_fail(res, "invoice", hint_partner, "bad [invoice] settings");
		free(currency);
		goto out;
	}
	/* every amount on the invoice is in the currency's minor unit, each
	 * rounded once (JPY shipping 12.50 is 13) */
	ship = dec_round(ship, cd);
	inv = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root = xmlNewNode(NULL, (const xmlChar *)"invoice");
	xmlDocSetRootElement(inv, root);
	xmlSetProp(root, (const xmlChar *)"version", (const xmlChar *)"1");
	char now[32];
	iso_time(og_now(), now);
	xmlNodePtr src = canon_child(o, "source");
	char *mode = get_prop(src, "mode");
	text_child(root, "invoiceID", invoice_number);
	text_child(root, "invoiceDate", now);
	text_child(root, "mode", mode ? mode : "production");
	text_child(root, "currency", currency);
	xmlNodePtr ref = xmlNewChild(root, NULL, (const xmlChar *)"order", NULL);
	char *doc_id = get_prop(src, "documentID"), *payload = get_prop(src, "payloadID");
	char *order_id = canon_child_str(o, "orderID"), *order_date = canon_child_str(o, "orderDate");
	xmlSetProp(ref, (const xmlChar *)"documentID", (const xmlChar *)(doc_id ? doc_id : ""));
	xmlSetProp(ref, (const xmlChar *)"orderID", (const xmlChar *)order_id);
	if (canon_child(o, "poNumber")) {
		char *po = canon_child_str(o, "poNumber");
		xmlSetProp(ref, (const xmlChar *)"poNumber", (const xmlChar *)po);
		free(po);
	}
	xmlSetProp(ref, (const xmlChar *)"orderDate", (const xmlChar *)order_date);
	xmlSetProp(ref, (const xmlChar *)"payloadID", (const xmlChar *)(payload ? payload : ""));
	/* the supplier invoices the buyer: from and to swap */
	xmlNodePtr from = xmlCopyNode(canon_child(o, "to"), 1), to = xmlCopyNode(canon_child(o, "from"), 1);
	xmlNodeSetName(from, (const xmlChar *)"from");
	xmlNodeSetName(to, (const xmlChar *)"to");
	xmlAddChild(root, from);
	xmlAddChild(root, to);
	xmlAddChild(root, xmlCopyNode(canon_child(o, "parties"), 1));
	xmlNodePtr sh = xmlNewChild(root, NULL, (const xmlChar *)"shipment", NULL);
	xmlSetProp(sh, (const xmlChar *)"shipmentID", (const xmlChar *)fields[0]);
	/* dates the shipment was recorded without stay out: never the
	 * invoice's own time in their place */
	if (*fields[1])
		xmlSetProp(sh, (const xmlChar *)"shipDate", (const xmlChar *)fields[1]);
	if (*fields[4])
		xmlSetProp(sh, (const xmlChar *)"noticeDate", (const xmlChar *)fields[4]);
	if (*fields[2])
		xmlSetProp(sh, (const xmlChar *)"carrier", (const xmlChar *)fields[2]);
	if (*fields[3])
		xmlSetProp(sh, (const xmlChar *)"tracking", (const xmlChar *)fields[3]);
	if (canon_child(o, "paymentTerms")) {
		char *t = canon_child_str(o, "paymentTerms");
		text_child(root, "paymentTerms", t);
		free(t);
	}
	xmlNodePtr lines = xmlNewChild(root, NULL, (const xmlChar *)"lines", NULL);
	dec_t subtotal = 0, tax = 0;
	int n = 0, rc = 0;
	struct line_info *li = NULL;
	for (char *save = NULL, *tok = strtok_r(fields[5], ",", &save); tok && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		long num = strtol(tok, NULL, 10);
		const char *eq = strchr(tok, '='), *colon = strchr(tok, ':');
		dec_t qty = eq ? strtoll(eq + 1, NULL, 10) : 0;
		dec_t before = colon ? strtoll(colon + 1, NULL, 10) : 0, upto;
		xmlNodePtr ol = NULL;
		for (xmlNodePtr c = canon_child(o, "lines") ? canon_child(o, "lines")->children : NULL;
		     c && !ol; c = c->next) {
			char *cn = get_prop(c, "number");
			if (cn && strtol(cn, NULL, 10) == num)
				ol = c;
			free(cn);
		}
		if (!ol) {
			rc = -1;
			break;
		}
		char *price_s = canon_child_str(ol, "unitPrice");
		dec_t price = 0, amount = 0, ltax = 0, a_upto, a_before;
		dec_parse(price_s, &price);
		free(price_s);
		/* quantity x price rounded once to the currency, as canon.c
		 * computes the order's line amount; for a line shipped in parts,
		 * what the line has shipped so far at that rounding less what its
		 * earlier shipments had: the invoices of the line add up to
		 * round(shipped x price), the order line's amount once it has
		 * shipped in full (each rounded alone, 3 x 100.5 JPY invoiced one
		 * at a time would be 303, not 302) */
		if (dec_add(before, qty, &upto) < 0 || dec_mul_round(upto, price, cd, &a_upto) < 0 ||
		    dec_mul_round(before, price, cd, &a_before) < 0 ||
		    dec_sub(a_upto, a_before, &amount) < 0) {
			rc = -1;
			break;
		}
		/* the line's tax: amount x rate %, exact, rounded once */
		if (dec_percent(amount, tax_rate, cd, &ltax) < 0 ||
		    dec_add(subtotal, amount, &subtotal) < 0 || dec_add(tax, ltax, &tax) < 0) {
			rc = -1;
			break;
		}
		li = xrealloc(li, sizeof *li * (size_t)(n + 1));
		memset(&li[n], 0, sizeof li[n]);
		li[n].number = num;
		li[n].quantity = qty;
		li[n].unit_price = price;
		li[n].amount = amount;
		li[n].tax = ltax;
		n++;
		xmlNodePtr l = xmlNewChild(lines, NULL, (const xmlChar *)"line", NULL);
		char buf[32];
		snprintf(buf, sizeof buf, "%ld", num);
		xmlSetProp(l, (const xmlChar *)"number", (const xmlChar *)buf);
		snprintf(buf, sizeof buf, "%d", n);
		xmlSetProp(l, (const xmlChar *)"invoiceLine", (const xmlChar *)buf);
		dec_child(l, "quantity", qty, 0);
		char *t = canon_child_str(ol, "unitOfMeasure");
		text_child(l, "unitOfMeasure", t);
		free(t);
		t = canon_child_str(ol, "supplierPartID");
		text_child(l, "supplierPartID", t);
		free(t);
		if (canon_child(ol, "buyerPartID")) {
			t = canon_child_str(ol, "buyerPartID");
			text_child(l, "buyerPartID", t);
			free(t);
		}
		t = canon_child_str(ol, "description");
		text_child(l, "description", t);
		free(t);
		/* the order's unit price, exact, in the currency's decimals or
		 * more where it has more: 100 JPY is 100, 3.3 EUR 3.30, 2.3345
		 * EUR 2.3345 (it was always two: 100.00 JPY) */
		dec_child(l, "unitPrice", price, cd);
		dec_child(l, "amount", amount, cd);
		dec_child(l, "tax", ltax, cd);
	}
	dec_t discount = 0, net = 0;
	/* discount: subtotal x rate %, exact, rounded once */
	if (rc == 0 && (dec_percent(subtotal, disc_rate, cd, &discount) < 0 ||
			dec_add(subtotal, tax, &net) < 0 || dec_add(net, ship, &net) < 0 ||
			dec_sub(net, discount, &net) < 0))
		rc = -1;
	xmlNodePtr sum = xmlNewChild(root, NULL, (const xmlChar *)"summary", NULL);
	dec_child(sum, "subtotal", subtotal, cd);
	dec_child(sum, "tax", tax, cd);
	if (partner && partner->tax_rate)
		dec_child(sum, "taxRate", tax_rate, 0);
	dec_child(sum, "shipping", ship, cd);
	dec_child(sum, "discount", discount, cd);
	dec_child(sum, "net", net, cd);
	free(mode);
	free(doc_id);
	free(payload);
	free(order_id);
	free(order_date);
	if (rc < 0 || n == 0) {
		pipeline_fail(res, "invoice", "report this as a bug", "the shipment names a line "
			      "the order does not have, or an amount overflowed");
		free(currency);
		free(li);
		goto out;
	}
	res->info.currency = currency;
	res->info.lines = li;
	res->info.nlines = n;
	res->info.subtotal = subtotal;
	res->info.tax = tax;
	res->info.shipping = ship;
	res->info.discount = discount;
	res->info.total = net;
	char *fmt = get_prop(src, "format");
	const char *same = fmt && emit_known_format(fmt) ? fmt : "cxml";
	struct emit_formats formats = { "none", "none",
					partner && partner->invoice_format ? partner->invoice_format : same,
					partner ? partner->encoding : NULL, 0, NULL,
					NULL };
	int k = emit_render(cfg, inv, job->id, &formats, res->outputs, &err);
	free(fmt);
	if (k < 0) {
		pipeline_fail(res, "invoice", HINT_MAP, "%s", err);
		goto out;
	}
	res->noutputs = k;
	res->ok = 1;
out:
	free(copy);
	free(err);
	xmlFreeDoc(order);
	xmlFreeDoc(inv);
}

/* Reads a claimed file with the checks every input gets: never through a
 * symbolic link, regular files only, within max_document_mb, and (files
 * from the spool, job->from_spool) no hard links. */
static int read_input(const struct config *cfg, const struct doc_job *job, const char *path,
		      struct buf *data, struct doc_result *res)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		pipeline_fail(res, "read",
			      errno == ELOOP ? "symbolic links are never followed; put the file "
					       "itself in in/"
					     : "check the file's permissions and drop it again",
			      "cannot open %s: %s", job->name,
			      errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		return -1;
	}
	struct stat st;
	int rc = -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		pipeline_fail(res, "read", "only regular files are read from in/",
			      "%s is not a regular file", job->name);
	} else if (job->from_spool && st.st_nlink > 1) {
		/* a hard link into in/ is the file it links to, wherever that
		 * is: read like an upload it would carry that file's bytes into
		 * the ledger, failed/ and the outputs */
		pipeline_fail(res, "read", "upload or copy the file itself into in/ (cp, not ln); "
			      "an uploader that links files into in/ must remove the other name "
			      "before the file is picked up",
			      "%s is a hard link: the file has %ju names, so it also exists "
			      "outside in/; hard links are never read",
			      job->name, (uintmax_t)st.st_nlink);
	} else if (st.st_size > cfg->max_document_bytes) {
		pipeline_fail(res, "read", "split the document or raise [engine] max_document_mb",
			      "the file is %lld bytes, over the limit of %ld bytes",
			      (long long)st.st_size, cfg->max_document_bytes);
	} else if (read_fd_all(fd, data, (size_t)cfg->max_document_bytes) < 0) {
		pipeline_fail(res, "read", "check the disk and drop the file again",
			      "cannot read %s: %s", job->name, strerror(errno));
	} else {
		rc = 0;
	}
	close(fd);
	return rc;
}

void pipeline_run_file(const struct config *cfg, const struct doc_job *job, const char *path,
		       struct doc_result *res)
{
	struct buf data = BUF_INIT;
	if (read_input(cfg, job, path, &data, res) == 0)
		pipeline_run(cfg, job, buf_str(&data), data.len, 1, res);
	buf_release(&data);
}

static struct unpack_limits limits_of(const struct config *cfg)
{
	struct unpack_limits l = { cfg->unpack_max_members, cfg->unpack_max_member_bytes,
				   cfg->unpack_max_total_bytes, cfg->unpack_max_ratio,
				   cfg->unpack_max_depth };
	return l;
}

static const char *HINT_UNPACK = "check the archive (unpack it by hand and look), then ask "
				 "the sender for a sound one, or raise the [unpack] limit "
				 "named if the archive is genuine";

static void fail_whole(struct doc_result *res, const struct doc_job *job, const char *orig,
		       size_t olen, const char *err)
{
	res->id = xstrdup(job->id);
	res->name = xstrdup(job->name);
	res->size = (int64_t)olen;
	sha256_hex(orig, olen, res->sha256);
	pipeline_fail(res, "unpack", HINT_UNPACK, "%s", err);
}

static void (*member_hook)(void *arg);
static void *member_hook_arg;

void pipeline_set_member_hook(void (*hook)(void *arg), void *arg)
{
	member_hook = hook;
	member_hook_arg = arg;
}

static void member_begins(void)
{
	if (member_hook)
		member_hook(member_hook_arg);
}

static int looks_like_xml(const char *data, size_t len);
static int run_csv(const struct config *cfg, const struct doc_job *job, const char *data,
		   size_t len, const char *orig, size_t olen, int orig_compressed,
		   struct doc_result **out);

/* An archive: the container result, then one result per member (a CSV
 * member: one per order it holds). depth: its nesting level (gzip layers
 * around it inside the file dropped), counted against [unpack] max_depth. */
static int run_container(const struct config *cfg, const struct doc_job *job, const char *bytes,
			 size_t len, const char *orig, size_t olen, int orig_compressed, int depth,
			 struct doc_result **out)
{
	struct unpack_limits lim = limits_of(cfg);
	struct unpack_result u;
	char *err = NULL;
	if (unpack_archive_at(bytes, len, job->name, depth, &lim, &u, &err) < 0) {
		*out = xcalloc(1, sizeof **out);
		fail_whole(&(*out)[0], job, orig, olen, err);
		free(err);
		unpack_free(&u);
		return 1;
	}
	int n = u.n + 1, w = 1; /* results: n allotted, w written */
	*out = xcalloc((size_t)n, sizeof **out);
	struct doc_result *c = &(*out)[0];
	c->id = xstrdup(job->id);
	c->name = xstrdup(job->name);
	c->container = 1;
	c->ok = 1;
	c->size = (int64_t)olen;
	sha256_hex(orig, olen, c->sha256);
	c->info.format = xstrdup(orig_compressed && !strcmp(u.format, "tar") ? "tar.gz" : u.format);
	keep_for_archive(cfg, c, orig, olen, orig_compressed || !strcmp(u.format, "zip"), c->sha256);
	for (int i = 0; i < u.nnotes; i++)
		canon_note_warning(&c->info, "unpack", u.notes[i]);
	for (int i = 0; i < u.n; i++) {
		member_begins();
		char *id = xasprintf("%s.%d", job->id, i + 1);
		struct doc_job mj = { .id = id, .name = u.members[i].name, .received = job->received,
				      .member = 1, .partner = job->partner, .csv_map = job->csv_map,
				      .out_format = job->out_format };
		const struct buf *md = &u.members[i].data;
		struct doc_result *csv = NULL;
		int ncsv = 0;
		if (!u.members[i].refused && md->len > 0 && !looks_like_xml(md->data, md->len))
			ncsv = run_csv(cfg, &mj, md->data, md->len, md->data, md->len, 0, &csv);
		if (ncsv > 1) {
			/* a CSV member: its orders are members of the archive
			 * (ID.N.K); the CSV file itself is no document */
			pipeline_result_release(&csv[0]);
			n += ncsv - 2;
			*out = xrealloc(*out, sizeof **out * (size_t)n);
			memcpy(*out + w, csv + 1, sizeof **out * (size_t)(ncsv - 1));
			w += ncsv - 1;
		} else if (ncsv == 1) {
			/* a CSV member no map can read: the member fails */
			struct doc_result *r = &(*out)[w++];
			*r = csv[0];
			r->member = 1;
			r->container = 0;
			buf_release(&r->archive_gz);
			buf_reset(&r->input);
			buf_add(&r->input, md->data, md->len);
		} else {
			struct doc_result *r = &(*out)[w++];
			if (u.members[i].refused) {
				r->id = xstrdup(id);
				r->name = xstrdup(u.members[i].name);
				r->member = 1;
				pipeline_fail(r, "unpack", HINT_UNPACK, "%s", u.members[i].refused);
			} else {
				pipeline_run(cfg, &mj, buf_str(&u.members[i].data), md->len, 1, r);
				if (!r->ok)
					buf_add(&r->input, md->data, md->len);
			}
		}
		free(csv);
		free(id);
	}
	unpack_free(&u);
	return n;
}

/* UTF-16, with or without a byte order mark, is only read as XML without a
 * map; detect_bytes takes the same first bytes */
static int looks_like_xml(const char *data, size_t len)
{
	return detect_xml_start(data, len);
}

static const char *HINT_CSV = "fix the row and column named (or the map in maps/csv) and "
			      "drop the file again; the file's other orders went through and "
			      "will be recognised as duplicates";

/* A CSV file: its orders become documents of their own, like archive
 * members. orig (olen bytes, gzip-compressed when orig_compressed) is the
 * file as it came, for the archive. Returns 0 when no map claims the
 * file (not CSV). */
static int run_csv(const struct config *cfg, const struct doc_job *job, const char *data,
		   size_t len, const char *orig, size_t olen, int orig_compressed,
		   struct doc_result **out)
{
	struct csv_map *map = NULL;
	char *err = NULL;
	int rc;
	if (job->csv_map) {
		char *safe = safe_name(job->csv_map, 64);
		char *path = xasprintf("%s/maps/csv/%s.ini", cfg->data_dir, safe);
		rc = csv_map_load(path, &map, &err) < 0 ? -1 : 1;
		free(safe);
		free(path);
	} else {
		char *dir = xasprintf("%s/maps/csv", cfg->data_dir);
		rc = csv_map_detect(dir, data, len, &map, &err);
		free(dir);
	}
	if (rc == 0)
		return 0;
	struct csv_order *orders = NULL;
	int n = 0;
	if (rc < 0 || csv_read(map, data, len, job->name, &orders, &n, &err) < 0) {
		*out = xcalloc(1, sizeof **out);
		fail_whole(&(*out)[0], job, orig, olen, err ? err : "cannot read the CSV file");
		free((*out)[0].stage);
		(*out)[0].stage = xstrdup("csv");
		free((*out)[0].hint);
		(*out)[0].hint = xstrdup("fix the file or the map in maps/csv, then drop it again");
		free(err);
		csv_map_free(map);
		return 1;
	}
	*out = xcalloc((size_t)n + 1, sizeof **out);
	struct doc_result *c = &(*out)[0];
	c->id = xstrdup(job->id);
	c->name = xstrdup(job->name);
	c->container = 1;
	c->ok = 1;
	c->size = (int64_t)olen;
	sha256_hex(orig, olen, c->sha256);
	c->info.format = xstrdup(orig_compressed ? "csv.gz" : "csv");
	keep_for_archive(cfg, c, orig, olen, orig_compressed, c->sha256);
	for (int i = 0; i < n; i++) {
		member_begins();
		struct doc_result *r = &(*out)[i + 1];
		char *id = xasprintf("%s.%d", job->id, i + 1);
		char *name = xasprintf("%s#%s", job->name,
				       orders[i].order_number ? orders[i].order_number : "?");
		struct doc_job mj = { .id = id, .name = name, .received = job->received,
				      .member = 1, .partner = job->partner,
				      .out_format = job->out_format };
		if (orders[i].error) {
			r->id = xstrdup(id);
			r->name = xstrdup(name);
			r->member = 1;
			r->info.format = xstrdup("csv");
			pipeline_fail(r, "csv", HINT_CSV, "%s", orders[i].error);
			buf_add(&r->input, data, len);
		} else {
			pipeline_run(cfg, &mj, orders[i].xml.data, orders[i].xml.len, 1, r);
			/* the order's identity is its fields, not the file it came in */
			memcpy(r->sha256, orders[i].sha256, sizeof r->sha256);
			if (!r->ok)
				buf_add(&r->input, data, len);
		}
		free(id);
		free(name);
	}
	csv_orders_free(orders, n);
	csv_map_free(map);
	return n + 1;
}

int pipeline_run_input(const struct config *cfg, const struct doc_job *job, const char *path,
		       struct doc_result **out)
{
	struct buf data = BUF_INIT, inner = BUF_INIT;
	*out = NULL;
	rules_job_begin();
	struct doc_result *one = xcalloc(1, sizeof *one);
	if (read_input(cfg, job, path, &data, one) < 0) {
		one->id = xstrdup(job->id);
		one->name = xstrdup(job->name);
		buf_release(&data);
		*out = one;
		return 1;
	}
	int n = 1;
	enum unpack_kind kind = unpack_sniff(data.data, data.len);
	if (kind == UNPACK_NONE && !looks_like_xml(data.data, data.len) && data.len > 0 &&
	    (n = run_csv(cfg, job, data.data, data.len, data.data, data.len, 0, out)) > 0) {
		free(one);
	} else if (kind == UNPACK_NONE) {
		n = 1;
		struct doc_job dj = *job;
		dj.consume = &data;
		pipeline_run(cfg, &dj, buf_str(&data), data.len, 1, one);
		*out = one;
	} else if (kind == UNPACK_ARCHIVE) {
		free(one);
		n = run_container(cfg, job, data.data, data.len, data.data, data.len, 0, 0, out);
	} else if (unpack_gzip_is_tar(data.data, data.len)) {
		/* a .tar.gz: libarchive reads the gzip layer, so each tar member
		 * meets max_member_mb and the whole tar max_total_mb/max_ratio */
		free(one);
		n = run_container(cfg, job, data.data, data.len, data.data, data.len, 1, 0, out);
	} else {
		struct unpack_limits lim = limits_of(cfg);
		char *err = NULL;
		int levels = 0; /* gzip inside gzip (x.xml.gz.gz), within max_depth */
		if (unpack_gunzip_nested(data.data, data.len, job->name, &lim, &inner, &levels,
					 &err) < 0) {
			fail_whole(one, job, data.data, data.len, err);
			keep_for_archive(cfg, one, data.data, data.len, 1, one->sha256);
			free(err);
			*out = one;
		} else if (unpack_sniff(inner.data, inner.len) == UNPACK_ARCHIVE) {
			free(one);
			n = run_container(cfg, job, inner.data, inner.len, data.data, data.len, 1, levels,
					  out);
		} else if (!looks_like_xml(inner.data, inner.len) && inner.len > 0 &&
			   (n = run_csv(cfg, job, inner.data, inner.len, data.data, data.len, 1,
					out)) > 0) {
			/* a gzipped CSV file: its orders, the file archived as sent */
			free(one);
		} else {
			n = 1;
			/* one gzip-compressed document: translated as itself, archived as sent */
			struct doc_job gj = *job;
			gj.member = 1;
			pipeline_run(cfg, &gj, buf_str(&inner), inner.len, 1, one);
			one->member = 0;
			/* its sha256 is the document's, not the file's */
			keep_for_archive(cfg, one, data.data, data.len, 1, NULL);
			*out = one;
		}
	}
	buf_release(&data);
	buf_release(&inner);
	return n;
}

void pipeline_result_release(struct doc_result *res)
{
	free(res->id);
	free(res->name);
	buf_release(&res->input);
	free(res->stage);
	free(res->reason);
	free(res->hint);
	free(res->partner);
	free(res->sender_key);
	free(res->decision);
	free(res->cost_center);
	free(res->spend_seen);
	free(res->chunked);
	free(res->message);
	shipment_info_release(&res->ship);
	for (int i = 0; i < res->ncheckpoints; i++)
		free(res->checkpoints[i]);
	free(res->checkpoints);
	canon_info_release(&res->info);
	buf_release(&res->canonical);
	for (int i = 0; i < res->noutputs; i++)
		emit_output_release(&res->outputs[i]);
	buf_release(&res->archive_gz);
	memset(res, 0, sizeof *res);
}

char *pipeline_why_text(const char *id, const char *name, const char *received,
			const char *stage, const char *reason, const char *hint)
{
	/* each field on its own line: control characters from the document
	 * (a newline in a file name or an order number) are shown escaped */
	const char *vals[] = { id, name, received, stage, reason, hint };
	const char *keys[] = { "document", "file", "received", "stage", "error", "what to do" };
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(vals); i++) {
		buf_printf(&b, "%s: ", keys[i]);
		msg_escape_controls(&b, vals[i] ? vals[i] : "");
		buf_addch(&b, '\n');
	}
	return buf_detach(&b);
}

/* The wire layout: keep encode and decode side by side. */
void pipeline_result_encode(const struct doc_result *r, struct buf *m)
{
	const struct order_info *i = &r->info;
	wire_put_i64(m, r->ok);
	wire_puts(m, r->stage);
	wire_puts(m, r->reason);
	wire_puts(m, r->hint);
	wire_puts(m, r->sha256);
	wire_put_i64(m, r->size);
	wire_puts(m, r->partner);
	wire_puts(m, r->sender_key);
	wire_puts(m, r->decision);
	wire_puts(m, r->cost_center);
	wire_puts(m, r->spend_seen);
	wire_puts(m, r->chunked);
	const char *strs[] = { i->format, i->payload_id, i->timestamp, i->mode, i->sender_domain,
			       i->sender_identity, i->from_domain, i->from_identity, i->to_domain,
			       i->to_identity, i->order_id, i->order_date, i->type, i->currency,
			       i->previous_payload_id };
	for (size_t k = 0; k < ARRAY_SIZE(strs); k++)
		wire_puts(m, strs[k]);
	const dec_t decs[] = { i->stated_total, i->subtotal, i->shipping, i->tax, i->discount,
			       i->total, i->committed, i->has_stated_total };
	for (size_t k = 0; k < ARRAY_SIZE(decs); k++)
		wire_put_i64(m, decs[k]);
	wire_put_i64(m, i->nlines);
	for (int k = 0; k < i->nlines; k++) {
		const struct line_info *l = &i->lines[k];
		wire_put_i64(m, l->number);
		wire_put_i64(m, l->quantity);
		wire_put_i64(m, l->unit_price);
		wire_put_i64(m, l->amount);
		wire_puts(m, l->uom);
		wire_puts(m, l->supplier_part);
		wire_puts(m, l->description);
		wire_puts(m, l->state);
		wire_put_i64(m, l->rejected);
		wire_put_i64(m, l->backordered);
		wire_puts(m, l->reason);
		wire_put_i64(m, l->tax);
	}
	wire_put_i64(m, i->nwarnings);
	for (int k = 0; k < i->nwarnings; k++)
		wire_puts(m, i->warnings[k]);
	wire_put(m, r->canonical.data, r->canonical.len);
	wire_put_i64(m, r->noutputs);
	for (int k = 0; k < r->noutputs; k++) {
		wire_puts(m, r->outputs[k].kind);
		wire_puts(m, r->outputs[k].format);
		wire_puts(m, r->outputs[k].payload_id);
		wire_put(m, r->outputs[k].data.data, r->outputs[k].data.len);
	}
	wire_put(m, r->archive_gz.data, r->archive_gz.len);
	wire_put_i64(m, r->archive_as_sent);
	wire_puts(m, r->archive_sha256);
	wire_put_i64(m, r->archive_size);
	wire_puts(m, r->id);
	wire_puts(m, r->name);
	wire_put_i64(m, r->status);
	wire_put_i64(m, r->is_shipment);
	wire_puts(m, r->ship.order_key);
	wire_puts(m, r->ship.shipment_id);
	wire_puts(m, r->ship.ship_date);
	wire_puts(m, r->ship.notice_date);
	wire_puts(m, r->ship.carrier);
	wire_puts(m, r->ship.tracking);
	wire_put_i64(m, r->ship.whole_order);
	wire_put_i64(m, r->ship.nlines);
	for (int k = 0; k < r->ship.nlines; k++) {
		wire_put_i64(m, r->ship.lines[k].number);
		wire_put_i64(m, r->ship.lines[k].quantity);
		wire_puts(m, r->ship.lines[k].uom);
	}
	wire_puts(m, r->message);
	wire_put_i64(m, r->ncheckpoints);
	for (int k = 0; k < r->ncheckpoints; k++)
		wire_puts(m, r->checkpoints[k]);
	wire_put_i64(m, r->container);
	wire_put_i64(m, r->member);
	wire_put(m, r->input.data, r->input.len);
}

int pipeline_result_decode(const struct buf *msg, struct doc_result *r)
{
	struct wire_reader rd;
	struct order_info *i = &r->info;
	memset(r, 0, sizeof *r);
	wire_reader_init(&rd, msg);
	r->ok = (int)wire_get_i64(&rd);
	r->stage = wire_gets(&rd);
	r->reason = wire_gets(&rd);
	r->hint = wire_gets(&rd);
	char *sha = wire_gets(&rd);
	snprintf(r->sha256, sizeof r->sha256, "%s", sha ? sha : "");
	free(sha);
	r->size = wire_get_i64(&rd);
	r->partner = wire_gets(&rd);
	r->sender_key = wire_gets(&rd);
	r->decision = wire_gets(&rd);
	r->cost_center = wire_gets(&rd);
	r->spend_seen = wire_gets(&rd);
	r->chunked = wire_gets(&rd);
	char **strs[] = { &i->format, &i->payload_id, &i->timestamp, &i->mode, &i->sender_domain,
			  &i->sender_identity, &i->from_domain, &i->from_identity, &i->to_domain,
			  &i->to_identity, &i->order_id, &i->order_date, &i->type, &i->currency,
			  &i->previous_payload_id };
	for (size_t k = 0; k < ARRAY_SIZE(strs); k++)
		*strs[k] = wire_gets(&rd);
	dec_t *decs[] = { &i->stated_total, &i->subtotal, &i->shipping, &i->tax, &i->discount,
			  &i->total, &i->committed };
	for (size_t k = 0; k < ARRAY_SIZE(decs); k++)
		*decs[k] = wire_get_i64(&rd);
	i->has_stated_total = (int)wire_get_i64(&rd);
	int64_t n = wire_get_i64(&rd);
	if (n < 0 || n > 10000000 || rd.bad)
		return -1;
	i->lines = xcalloc((size_t)(n ? n : 1), sizeof *i->lines);
	for (int k = 0; k < n && !rd.bad; k++) {
		struct line_info *l = &i->lines[k];
		i->nlines = k + 1;
		l->number = wire_get_i64(&rd);
		l->quantity = wire_get_i64(&rd);
		l->unit_price = wire_get_i64(&rd);
		l->amount = wire_get_i64(&rd);
		l->uom = wire_gets(&rd);
		l->supplier_part = wire_gets(&rd);
		l->description = wire_gets(&rd);
		l->state = wire_gets(&rd);
		l->rejected = wire_get_i64(&rd);
		l->backordered = wire_get_i64(&rd);
		l->reason = wire_gets(&rd);
		l->tax = wire_get_i64(&rd);
	}
	n = wire_get_i64(&rd);
	if (n < 0 || n > 1000 || rd.bad)
		return -1;
	i->warnings = xcalloc((size_t)(n ? n : 1), sizeof(char *));
	for (int k = 0; k < n && !rd.bad; k++) {
		i->warnings[k] = wire_gets(&rd);
		i->nwarnings = k + 1;
	}
	wire_get_buf(&rd, &r->canonical);
	n = wire_get_i64(&rd);
	if (n < 0 || n > EMIT_MAX || rd.bad)
		return -1;
	for (int k = 0; k < n && !rd.bad; k++) {
		struct output_doc *o = &r->outputs[k];
		r->noutputs = k + 1;
		o->kind = wire_gets(&rd);
		o->format = wire_gets(&rd);
		o->payload_id = wire_gets(&rd);
		wire_get_buf(&rd, &o->data);
	}
	wire_get_buf(&rd, &r->archive_gz);
	r->archive_as_sent = (int)wire_get_i64(&rd);
	char *asha = wire_gets(&rd);
	snprintf(r->archive_sha256, sizeof r->archive_sha256, "%s", asha ? asha : "");
	free(asha);
	r->archive_size = wire_get_i64(&rd);
	r->id = wire_gets(&rd);
	r->name = wire_gets(&rd);
	r->status = (int)wire_get_i64(&rd);
	r->is_shipment = (int)wire_get_i64(&rd);
	r->ship.order_key = wire_gets(&rd);
	r->ship.shipment_id = wire_gets(&rd);
	r->ship.ship_date = wire_gets(&rd);
	r->ship.notice_date = wire_gets(&rd);
	r->ship.carrier = wire_gets(&rd);
	r->ship.tracking = wire_gets(&rd);
	r->ship.whole_order = wire_get_i64(&rd) != 0;
	n = wire_get_i64(&rd);
	if (n < 0 || n > 10000000 || rd.bad)
		return -1;
	r->ship.lines = xcalloc((size_t)(n ? n : 1), sizeof *r->ship.lines);
	for (int k = 0; k < n && !rd.bad; k++) {
		r->ship.lines[k].number = wire_get_i64(&rd);
		r->ship.lines[k].quantity = wire_get_i64(&rd);
		char *uom = wire_gets(&rd);
		snprintf(r->ship.lines[k].uom, sizeof r->ship.lines[k].uom, "%s", uom ? uom : "");
		free(uom);
		r->ship.nlines = k + 1;
	}
	r->message = wire_gets(&rd);
	n = wire_get_i64(&rd);
	if (n < 0 || n > 1000 || rd.bad)
		return -1;
	r->checkpoints = xcalloc((size_t)(n ? n : 1), sizeof(char *));
	for (int k = 0; k < n && !rd.bad; k++) {
		r->checkpoints[k] = wire_gets(&rd);
		r->ncheckpoints = k + 1;
	}
	r->container = (int)wire_get_i64(&rd);
	r->member = (int)wire_get_i64(&rd);
	wire_get_buf(&rd, &r->input);
	return rd.bad ? -1 : 0;
}

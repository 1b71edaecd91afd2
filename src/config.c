/*
 * config: see config.h. Keys are a table; adding one is one row.
 */
#define _GNU_SOURCE
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datetime.h"
#include "util.h"

#ifndef OG_DATADIR
#define OG_DATADIR "/usr/local/share/ordergate"
#endif
#ifndef OG_VERSION
#define OG_VERSION "0.1.0"
#endif

enum key_type { K_STR, K_INT, K_LONG, K_BOOL, K_MB };

struct key {
	const char *section, *name;
	enum key_type type;
	size_t offset;
	long min, max;
};

#define OFF(f) offsetof(struct config, f)
static const struct key keys[] = {
	{ "spool", "dir", K_STR, OFF(spool_dir), 0, 0 },
	{ "spool", "ledger", K_STR, OFF(ledger_path), 0, 0 },
	{ "spool", "archive_form", K_STR, OFF(archive_form), 0, 0 },
	{ "engine", "workers", K_INT, OFF(workers), 0, 256 },
	{ "engine", "memory_limit_mb", K_LONG, OFF(memory_limit_mb), 32, 1 << 20 },
	{ "engine", "cpu_limit_seconds", K_LONG, OFF(cpu_limit_seconds), 1, 86400 },
	{ "engine", "max_document_mb", K_MB, OFF(max_document_bytes), 1, 4096 },
	{ "engine", "chunk_above_kb", K_LONG, OFF(chunk_above_kb), 0, 1L << 30 },
	{ "engine", "chunk_lines", K_LONG, OFF(chunk_lines), 1, 1000000 },
	{ "engine", "group_size", K_INT, OFF(group_size), 1, 10000 },
	{ "engine", "assume_timezone", K_STR, OFF(assume_timezone), 0, 0 },
	{ "engine", "sync", K_STR, OFF(sync), 0, 0 },
	{ "engine", "validate_outputs", K_BOOL, OFF(validate_outputs), 0, 1 },
	{ "engine", "data_dir", K_STR, OFF(data_dir), 0, 0 },
	{ "unpack", "max_members", K_LONG, OFF(unpack_max_members), 1, 1000000 },
	{ "unpack", "max_member_mb", K_MB, OFF(unpack_max_member_bytes), 1, 4096 },
	{ "unpack", "max_total_mb", K_MB, OFF(unpack_max_total_bytes), 1, 65536 },
	{ "unpack", "max_ratio", K_LONG, OFF(unpack_max_ratio), 0, 1000000 },
	{ "unpack", "max_depth", K_INT, OFF(unpack_max_depth), 0, 8 },
	{ "pickup", "quiet_seconds", K_INT, OFF(quiet_seconds), 0, 3600 },
	{ "pickup", "marker", K_STR, OFF(marker), 0, 0 },
	{ "pickup", "ignore", K_STR, OFF(ignore), 0, 0 },
	{ "watch", "rescan_seconds", K_INT, OFF(rescan_seconds), 1, 86400 },
	{ "partners", "dir", K_STR, OFF(partners_dir), 0, 0 },
	{ "rules", "file", K_STR, OFF(rules_file), 0, 0 },
	{ "rules", "pending_max_days", K_INT, OFF(pending_max_days), 1, 3650 },
	{ "numbering", "po_pattern", K_STR, OFF(po_pattern), 0, 0 },
	{ "numbering", "invoice_pattern", K_STR, OFF(invoice_pattern), 0, 0 },
	{ "partners", "require_known", K_STR, OFF(require_known), 0, 0 },
	{ "identity", "domain", K_STR, OFF(our_domain), 0, 0 },
	{ "identity", "identity", K_STR, OFF(our_identity), 0, 0 },
	{ "identity", "user_agent", K_STR, OFF(user_agent), 0, 0 },
	{ "identity", "payload_host", K_STR, OFF(payload_host), 0, 0 },
};

struct load_state {
	struct config *c;
	const char *path;
	char *err;
};

static int set_err(struct load_state *st, const char *fmt, ...) OG_PRINTF(2, 3);
static int set_err(struct load_state *st, const char *fmt, ...)
{
	if (!st->err) {
		va_list ap;
		va_start(ap, fmt);
		char tmp[512];
		vsnprintf(tmp, sizeof tmp, fmt, ap);
		va_end(ap);
		st->err = xstrdup(tmp);
	}
	return 0;
}

static int parse_bool(const char *v, int *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" }, *no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]))
			return *out = 1, 0;
		if (!strcasecmp(v, no[i]))
			return *out = 0, 0;
	}
	return -1;
}

static int inbox_key(struct load_state *st, const char *iname, const char *name,
		     const char *value)
{
	struct config *c = st->c;
	struct inbox *ib = NULL;
	for (int i = 0; i < c->ninboxes && !ib; i++)
		if (!strcmp(c->inboxes[i].name, iname))
			ib = &c->inboxes[i];
	if (!ib) {
		if (c->ninboxes == CONFIG_MAX_INBOXES)
			return set_err(st, "more than %d [inbox] sections", CONFIG_MAX_INBOXES);
		ib = &c->inboxes[c->ninboxes++];
		ib->name = xstrdup(iname);
		ib->format = xstrdup("auto");
	}
	char **field = !strcasecmp(name, "dir")	      ? &ib->dir
		       : !strcasecmp(name, "partner") ? &ib->partner
		       : !strcasecmp(name, "format")  ? &ib->format
						      : NULL;
	if (!field)
		return set_err(st, "unknown key \"%s\" in section [inbox %s] (dir, partner, format)",
			       name, iname);
	if (field == &ib->format && strcasecmp(value, "auto") && strcasecmp(value, "csv") &&
	    strncasecmp(value, "csv:", 4))
		return set_err(st, "[inbox %s] format: \"%s\" is not auto, csv or csv:MAP", iname,
			       value);
	if (field == &ib->partner) {
		char *safe = safe_name(value, 64);
		int same = !strcmp(safe, value);
		free(safe);
		if (!same || !*value)
			return set_err(st, "[inbox %s] partner: \"%s\" may hold only letters, "
				       "digits, '.', '_' and '-' (it names a folder)", iname, value);
	}
	free(*field);
	*field = xstrdup(value);
	return 1;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_state *st = user;
	if (!name)
		return 1; /* a section header alone */
	if (!strncasecmp(section, "inbox ", 6) && section[6])
		return inbox_key(st, section + 6, name, value);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct key *k = &keys[i];
		if (strcasecmp(k->section, section) || strcasecmp(k->name, name))
			continue;
		char *field = (char *)st->c + k->offset;
		if (k->type == K_STR) {
			free(*(char **)field);
			*(char **)field = xstrdup(value);
			return 1;
		}
		if (k->type == K_BOOL) {
			if (parse_bool(value, (int *)field) < 0)
				return set_err(st, "%s: \"%s\" is not yes or no", name, value);
			return 1;
		}
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < k->min || v > k->max) {
			char range[64];
			snprintf(range, sizeof range, "%ld..%ld", k->min, k->max);
			set_err(st, "%s: expected a whole number in %s", name, range);
			return 0;
		}
		if (k->type == K_INT)
			*(int *)field = (int)v;
		else if (k->type == K_LONG)
			*(long *)field = v;
		else
			*(long *)field = v * 1024 * 1024;
		return 1;
	}
	return set_err(st, "unknown key \"%s\" in section [%s]", name, section);
}

static void defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->workers = 0;
	c->memory_limit_mb = 512;
	c->cpu_limit_seconds = 10;
	/* a document needs about 30 times its size in memory while it is
	 * translated: 16 MB fits the default 512 MB worker */
	c->max_document_bytes = 16L * 1024 * 1024;
	/* larger orders are mapped and rendered in chunks of lines */
	c->chunk_above_kb = 8192;
	c->chunk_lines = 1000;
	c->group_size = 64;
	c->assume_timezone = xstrdup("+00:00");
	c->validate_outputs = 1;
	c->unpack_max_members = 1000;
	/* well under the worker's memory: members are held in memory */
	c->unpack_max_member_bytes = 16L * 1024 * 1024;
	c->unpack_max_total_bytes = 128L * 1024 * 1024;
	c->unpack_max_ratio = 200;
	c->unpack_max_depth = 2;
	c->quiet_seconds = 2;
	c->marker = xstrdup("none");
	c->sync = xstrdup("files");
	c->archive_form = xstrdup("as-sent");
	c->ignore = xstrdup("");
	c->rescan_seconds = 30;
	c->require_known = xstrdup("auto");
	c->pending_max_days = 14;
	const char *env = getenv("ORDERGATE_DATADIR");
	c->data_dir = xstrdup(env && *env ? env : OG_DATADIR);
	c->our_domain = xstrdup("NetworkID");
	c->our_identity = xstrdup("ordergate");
	c->user_agent = xstrdup("ordergate " OG_VERSION);
	char host[256] = "localhost";
	if (gethostname(host, sizeof host - 1) < 0 || !host[0])
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	c->payload_host = safe_name(host, 64);
}

/* Inbox i's tag: its name made safe; when that is the approval files'
 * tag or another inbox's name makes the same ("a b" and "a_b"), the first
 * 8 hex digits of its name's SHA-256 are added, so a tag does not depend
 * on the order of the sections. -1 with *err if two still meet. */
static int inbox_tag(struct config *c, int i, const char *path, char **err)
{
	struct inbox *ib = &c->inboxes[i];
	ib->tag = safe_name(ib->name, 40);
	int clash = !strcmp(ib->tag, INBOX_TAG_APPROVALS);
	for (int k = 0; k < c->ninboxes && !clash; k++) {
		char *other = safe_name(c->inboxes[k].name, 40);
		clash = k != i && !strcmp(other, ib->tag);
		free(other);
	}
	if (clash) {
		char sha[65];
		sha256_hex(ib->name, strlen(ib->name), sha);
		free(ib->tag);
		char *t = safe_name(ib->name, 31);
		ib->tag = xasprintf("%s-%.8s", t, sha);
		free(t);
	}
	for (int k = 0; k < i; k++)
		if (!strcmp(c->inboxes[k].tag, ib->tag)) {
			*err = xasprintf("%s: [inbox %s] and [inbox %s] would name their files alike "
					 "(%s); rename one", path, c->inboxes[k].name, ib->name, ib->tag);
			return -1;
		}
	return 0;
}

static int load(struct config *c, const char *path, char **err)
{
	defaults(c);
	*err = NULL;
	if (!path)
		return 0;
	struct load_state st = { c, path, NULL };
	int rc = ini_parse(path, on_key, &st);
	if (rc == -1) {
		*err = xasprintf("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (rc == -2) {
		*err = xasprintf("%s: out of memory while reading", path);
		return -1;
	}
	if (st.err) {
		*err = xasprintf("%s:%d: %s", path, rc, st.err);
		free(st.err);
		return -1;
	}
	if (rc > 0) {
		*err = xasprintf("%s:%d: not a section header or key = value line", path, rc);
		return -1;
	}
	for (const char *q = c->po_pattern ? c->po_pattern : ""; *q; q++)
		if (!isalnum((unsigned char)*q) && !strchr("{}:_./-", *q)) {
			*err = xasprintf("%s: [numbering] po_pattern: '%c' is not allowed (letters, "
					 "digits, {} : _ . / - only)", path, *q);
			return -1;
		}
	for (int i = 0; i < c->ninboxes; i++) {
		if (!c->inboxes[i].dir) {
			*err = xasprintf("%s: [inbox %s] needs a dir", path, c->inboxes[i].name);
			return -1;
		}
		if (inbox_tag(c, i, path, err) < 0)
			return -1;
	}
	if (strcmp(c->require_known, "auto") && strcmp(c->require_known, "yes") &&
	    strcmp(c->require_known, "no")) {
		*err = xasprintf("%s: [partners] require_known: \"%s\" is not auto, yes or no", path,
				 c->require_known);
		return -1;
	}
	if (strcmp(c->archive_form, "as-sent") && strcmp(c->archive_form, "gzip")) {
		*err = xasprintf("%s: [spool] archive_form: \"%s\" is not as-sent or gzip", path,
				 c->archive_form);
		return -1;
	}
	c->archive_gzip = !strcmp(c->archive_form, "gzip");
	if (strcmp(c->sync, "files") && strcmp(c->sync, "filesystem")) {
		*err = xasprintf("%s: [engine] sync: \"%s\" is not files or filesystem", path,
				 c->sync);
		return -1;
	}
	if (strcmp(c->marker, "none") && strcmp(c->marker, "ok") && strcmp(c->marker, "done") &&
	    strcmp(c->marker, "any")) {
		*err = xasprintf("%s: [pickup] marker: \"%s\" is not none, ok, done or any", path,
				 c->marker);
		return -1;
	}
	if (!datetime_valid_zone(c->assume_timezone)) {
		*err = xasprintf("%s: assume_timezone: \"%s\" is not a zone like +00:00 or -05:00",
				 path, c->assume_timezone);
		return -1;
	}
	return 0;
}

int config_load(struct config *c, const char *path, char **err)
{
	int rc = load(c, path, err);
	if (rc < 0) {
		config_release(c);
	} else if (path) {
		c->file = realpath(path, NULL);
		if (!c->file)
			c->file = xstrdup(path);
	}
	return rc;
}

void config_release(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].type == K_STR)
			free(*(char **)((char *)c + keys[i].offset));
	for (int i = 0; i < c->ninboxes; i++) {
		free(c->inboxes[i].name);
		free(c->inboxes[i].dir);
		free(c->inboxes[i].partner);
		free(c->inboxes[i].format);
		free(c->inboxes[i].tag);
	}
	free(c->file);
	memset(c, 0, sizeof *c);
}

int config_check_folders(const struct config *c, char **err)
{
	struct stat spool, box;
	*err = NULL;
	if (!c->spool_dir)
		return 0;
	int sr = stat(c->spool_dir, &spool);
	if (sr < 0 || !S_ISDIR(spool.st_mode)) {
		/* run and watch do not make it (ordergate(1)) */
		const char *why = sr < 0 ? strerror(errno) : "not a folder";
		char *word = shell_word(c->spool_dir);
		*err = xasprintf("[spool] dir %s: %s; create the spool first (mkdir -p %s, "
				 "writable by the user ordergate runs as)",
				 c->spool_dir, why, word);
		free(word);
		return -1;
	}
	for (int i = 0; i < c->ninboxes; i++) {
		const struct inbox *b = &c->inboxes[i];
		int r = stat(b->dir, &box);
		if (r < 0 || !S_ISDIR(box.st_mode)) {
			*err = xasprintf("[inbox %s] dir %s: %s; make the folder, on the spool's "
					 "filesystem", b->name, b->dir,
					 r < 0 ? strerror(errno) : "not a folder");
			return -1;
		}
		if (box.st_dev != spool.st_dev) {
			*err = xasprintf("[inbox %s] dir %s is on another filesystem than the spool "
					 "%s: its files cannot be moved out of it atomically, and "
					 "none would be claimed; put it on the spool's filesystem",
					 b->name, b->dir, c->spool_dir);
			return -1;
		}
	}
	return 0;
}

char *config_xslt_path(const struct config *c, const char *name)
{
	return xasprintf("%s/xslt/%s", c->data_dir, name);
}

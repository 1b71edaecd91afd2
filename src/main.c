/*
 * main: the ordergate command line. One binary, git-style subcommands from
 * a table; every subcommand takes --help. Exit codes: exitcodes.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "approve.h"
#include "batch.h"
#include "ledger.h"
#include "ops.h"
#include "spool.h"
#include "config.h"
#include "datetime.h"
#include "emit.h"
#include "exitcodes.h"
#include "msg.h"
#include "pipeline.h"
#include "report.h"
#include "rules.h"
#include "spool.h"

#ifndef OG_VERSION
#define OG_VERSION "0.1.0"
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;
};

static const struct command *find_command(const char *name);

static int usage_error(const char *cmd, const char *fmt, ...) OG_PRINTF(2, 3);
static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "ordergate %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ordergate %s --help'.\n", cmd);
	return EXIT_USAGE;
}

/* The usage error for what getopt_long refused (with opterr = 0, so it says
 * nothing itself and the error is one line, ours): names the option, and
 * says whether it is unknown or lacks its value. */
static int bad_option(const char *cmd, int argc, char **argv, const struct option *opts)
{
	const char *a = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	if (!strncmp(a, "--", 2)) {
		size_t n = strcspn(a + 2, "=");
		for (const struct option *o = opts; o->name; o++)
			if (n && !strncmp(o->name, a + 2, n) && o->has_arg == required_argument &&
			    !a[2 + n])
				return usage_error(cmd, "option --%s needs a value", o->name);
		return usage_error(cmd, "unknown option %.*s", (int)(n + 2), a);
	}
	for (const struct option *o = opts; o->name && optopt; o++)
		if (o->val == optopt && o->has_arg == required_argument && a[0] == '-' &&
		    a[1] == optopt && !a[2])
			return usage_error(cmd, "option -%c needs a value", optopt);
	if (optopt > ' ' && optopt < 127)
		return usage_error(cmd, "unknown option -%c", optopt);
	return usage_error(cmd, "unknown option %s", a);
}

static void print_help(const char *cmd)
{
	const struct command *c = find_command(cmd);
	if (c)
		printf("%s", c->usage);
}

/* Options every subcommand shares. */
struct common {
	const char *config_file;
	const char *spool;
	int quiet, json, verbose;
};

enum { OPT_LOG_JSON = 256, OPT_ID };

static int load_config(const struct common *co, struct config *cfg)
{
	char *err = NULL;
	if (config_load(cfg, co->config_file, &err) < 0) {
		fprintf(stderr, "ordergate: configuration error: %s\n", err);
		free(err);
		return -1;
	}
	if (co->spool) {
		free(cfg->spool_dir);
		cfg->spool_dir = xstrdup(co->spool);
	}
	return 0;
}

static int run_or_watch(const char *cmd, int watch, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "spool", required_argument, NULL, 's' }, { "config", required_argument, NULL, 'c' },
		{ "jobs", required_argument, NULL, 'j' },  { "max-files", required_argument, NULL, 'm' },
		{ "max-seconds", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },	   { "verbose", no_argument, NULL, 'v' },
		{ "log-json", no_argument, NULL, OPT_LOG_JSON },
		{ "help", no_argument, NULL, 'h' },	   { NULL, 0, NULL, 0 }
	};
	struct common co = { NULL, NULL, 0, 0, 0 };
	struct batch_opts bo = { .watch = watch };
	int c;
	while ((c = getopt_long(argc, argv, "s:c:j:m:t:qvh", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 's': co.spool = optarg; break;
		case 'c': co.config_file = optarg; break;
		case 'j':
			bo.workers = (int)strtol(optarg, &end, 10);
			if (*end || bo.workers < 1 || bo.workers > 256)
				return usage_error(cmd, "-j wants a number of workers from 1 to 256, not \"%s\"", optarg);
			break;
		case 'm':
			if (watch)
				return usage_error(cmd, "%s", "--max-files is for run: a watch keeps going "
						   "(for a bounded batch, use ordergate run --max-files)");
			bo.max_files = strtol(optarg, &end, 10);
			if (*end || bo.max_files < 1)
				return usage_error(cmd, "--max-files wants a positive number, not \"%s\"", optarg);
			break;
		case 't':
			if (watch)
				return usage_error(cmd, "%s", "--max-seconds is for run: a watch keeps going "
						   "until SIGTERM, SIGINT or SIGHUP");
			bo.max_seconds = strtol(optarg, &end, 10);
			if (*end || bo.max_seconds < 1)
				return usage_error(cmd, "--max-seconds wants a positive number, not \"%s\"", optarg);
			break;
		case 'q': co.quiet = 1; break;
		case 'v': co.verbose = 1; break;
		case OPT_LOG_JSON: co.json = 1; break;
		case 'h': print_help(cmd); return EXIT_OK;
		default: return bad_option(cmd, argc, argv, opts);
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);
	msg_configure(co.quiet, co.json, co.verbose);
	struct config cfg;
	if (load_config(&co, &cfg) < 0)
		return EXIT_CONFIG;
	if (!cfg.spool_dir) {
		config_release(&cfg);
		return usage_error(cmd, "%s", "no spool: give --spool DIR or [spool] dir in the configuration");
	}
	struct batch_stats st;
	int code = batch_run(&cfg, &bo, &st);
	if (code != EXIT_LOCKED && code != EXIT_CONFIG && code != EXIT_NOINPUT && !co.quiet)
		batch_print_summary(&cfg, &st);
	config_release(&cfg);
	return code;
}

static int cmd_run(int argc, char **argv)
{
	return run_or_watch("run", 0, argc, argv);
}

static int cmd_watch(int argc, char **argv)
{
	return run_or_watch("watch", 1, argc, argv);
}

static int write_file(const char *dir, const char *name, const struct buf *b)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	int rc = -1;
	if (f) {
		rc = fwrite(b->data, 1, b->len, f) == b->len ? 0 : -1;
		if (fclose(f) != 0)
			rc = -1;
	}
	if (rc < 0)
		fprintf(stderr, "ordergate translate: cannot write %s: %s\n", p, strerror(errno));
	free(p);
	return rc;
}

static int cmd_translate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "output", required_argument, NULL, 'o' },
		{ "id", required_argument, NULL, OPT_ID },  { "help", no_argument, NULL, 'h' },
		{ "format", required_argument, NULL, 'f' }, { NULL, 0, NULL, 0 }
	};
	struct common co = { NULL, NULL, 0, 0, 0 };
	const char *outdir = NULL, *out_format = NULL;
	const char *id = "00000000-000000-000000-000000";
	int c;
	while ((c = getopt_long(argc, argv, "c:o:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': co.config_file = optarg; break;
		case 'o': outdir = optarg; break;
		case 'f':
			if (strcmp(optarg, "cxml") && strcmp(optarg, "oagis") && strcmp(optarg, "csv"))
				return usage_error("translate", "-f wants cxml, oagis or csv, not \"%s\"", optarg);
			out_format = optarg;
			break;
		case OPT_ID: id = optarg; break;
		case 'h': print_help("translate"); return EXIT_OK;
		default: return bad_option("translate", argc, argv, opts);
		}
	}
	if (optind != argc - 1)
		return usage_error("translate", "%s", "give exactly one FILE");
	const char *file = argv[optind];
	struct config cfg;
	if (load_config(&co, &cfg) < 0)
		return EXIT_CONFIG;
	char *err = NULL;
	if (pipeline_init(&cfg, &err) < 0) {
		fprintf(stderr, "ordergate: %s\n", err);
		free(err);
		config_release(&cfg);
		return EXIT_CONFIG;
	}
	struct stat sb;
	if (stat(file, &sb) < 0) {
		fprintf(stderr, "ordergate translate: %s: %s\n", file, strerror(errno));
		pipeline_shutdown();
		config_release(&cfg);
		return EXIT_NOINPUT;
	}
	char now[32];
	iso_time(og_now(), now);
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	struct doc_job job = { .id = id, .name = base, .received = now, .out_format = out_format };
	struct doc_result *results = NULL;
	int n = pipeline_run_input(&cfg, &job, file, &results);
	int code = EXIT_OK;
	for (int k = 0; k < n; k++) {
		struct doc_result *r = &results[k];
		if (n > 1)
			fprintf(stderr, "== %s %s%s\n", r->id, r->name,
				r->container ? " (archive)" : "");
		if (r->container && r->ok) {
			for (int i = 0; i < r->info.nwarnings; i++)
				fprintf(stderr, "%s: note: %s\n", file, r->info.warnings[i]);
			continue;
		}
		if (!r->ok) {
			fprintf(stderr, "%s: failed at %s: %s\nwhat to do: %s\n", r->name, r->stage,
				r->reason, r->hint);
			code = EXIT_SOMEFAILED;
			continue;
		}
		if (outdir) {
			char *dir = n > 1 ? xasprintf("%s/%s", outdir, r->id) : xstrdup(outdir);
			if (mkdir_p(dir, 0775) < 0 || write_file(dir, "canonical.xml", &r->canonical) < 0)
				code = EXIT_TEMPFAIL;
			for (int i = 0; i < r->noutputs && code != EXIT_TEMPFAIL; i++) {
				char *name = xasprintf("%s.xml", r->outputs[i].kind);
				if (write_file(dir, name, &r->outputs[i].data) < 0)
					code = EXIT_TEMPFAIL;
				free(name);
			}
			free(dir);
		} else {
			fwrite(r->canonical.data, 1, r->canonical.len, stdout);
		}
		for (int i = 0; i < r->info.nwarnings; i++)
			fprintf(stderr, "%s: warning: %s\n", r->name, r->info.warnings[i]);
	}
	for (int k = 0; k < n; k++)
		pipeline_result_release(&results[k]);
	free(results);
	pipeline_shutdown();
	config_release(&cfg);
	return code;
}

/* One option of a command's own besides --spool, --config and --help:
 * --name VALUE into *value, or with value NULL the flag --name into *flag.
 * letter: getopt's code, also the short option -letter when is_short. */
struct cmd_opt {
	const char *name;
	int letter;
	int is_short;
	const char **value;
	int *flag;
};

#define MAX_CMD_OPTS 4

/* Parses the options of a command that works on a spool: --spool DIR,
 * --config FILE, --help and its own (own[0..nown)). Returns -1 when the
 * command goes on (its operands from argv[optind]), else its exit code:
 * EXIT_OK after printing its help, EXIT_USAGE for an unknown option. */
static int parse_cmd_opts(const char *cmd, int argc, char **argv, struct common *co,
			  const struct cmd_opt *own, int nown)
{
	struct option opts[3 + MAX_CMD_OPTS + 1] = {
		{ "spool", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
	};
	char shortopts[8 + 2 * MAX_CMD_OPTS] = "s:c:h";
	size_t ns = strlen(shortopts);
	for (int i = 0; i < nown && i < MAX_CMD_OPTS; i++) {
		opts[3 + i] = (struct option){ own[i].name,
					       own[i].value ? required_argument : no_argument, NULL,
					       own[i].letter };
		if (own[i].is_short) {
			shortopts[ns++] = (char)own[i].letter;
			if (own[i].value)
				shortopts[ns++] = ':';
		}
	}
	shortopts[ns] = '\0';
	int c;
	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		int known = 1;
		switch (c) {
		case 's': co->spool = optarg; break;
		case 'c': co->config_file = optarg; break;
		case 'h': print_help(cmd); return EXIT_OK;
		default:
			known = 0;
			for (int i = 0; i < nown && !known; i++) {
				if (own[i].letter != c)
					continue;
				known = 1;
				if (own[i].value)
					*own[i].value = optarg;
				else
					*own[i].flag = 1;
			}
		}
		if (!known)
			return bad_option(cmd, argc, argv, opts);
	}
	return -1;
}

static char *ledger_path_of(const struct config *cfg)
{
	return cfg->ledger_path ? xstrdup(cfg->ledger_path) : xasprintf("%s/ledger.db", cfg->spool_dir);
}

/* With the ledger in the spool (no [spool] ledger of its own): a spool
 * folder that cannot be found is said, exit 66 when it does not exist, 75
 * otherwise; 0 when it is there. */
static int spool_missing(const char *cmd, const struct config *cfg)
{
	struct stat st;
	if (cfg->ledger_path || !cfg->spool_dir || stat(cfg->spool_dir, &st) == 0)
		return 0;
	int e = errno;
	fprintf(stderr, "ordergate %s: no spool at %s: %s; check --spool (or [spool] dir "
		"in the configuration)\n", cmd, cfg->spool_dir, strerror(e));
	return e == ENOENT || e == ENOTDIR ? EXIT_NOINPUT : EXIT_TEMPFAIL;
}

/* The operator's commands read the ledger a run made: they never create
 * one. A spool folder that does not exist exits 66, like run (one that
 * cannot be opened otherwise, 75: ordergate(1)); one without its ledger
 * is a wrong --spool (or one no run has worked on yet): said so, exit 66,
 * nothing created there. 0: the ledger is there. */
static int ledger_missing(const char *cmd, const struct config *cfg, const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0 || errno != ENOENT)
		return 0;
	int rc = spool_missing(cmd, cfg);
	if (rc)
		return rc;
	fprintf(stderr, "ordergate %s: no ledger at %s: no run or watch has worked on this "
		"spool yet, or %s names the wrong folder; nothing was created\n", cmd, path,
		cfg->ledger_path ? "[spool] ledger" : "--spool");
	return EXIT_NOINPUT;
}

/* approve and reject: record the decision, then publish what follows
 * unless another ordergate holds the spool (it will do it). */
static int decide(const char *cmd, int approve, int argc, char **argv)
{
	struct common co = { NULL, NULL, 0, 0, 0 };
	const char *role = NULL, *comment = NULL, *by = getenv("USER");
	const struct cmd_opt own[] = { { "as", 'a', 1, &role, NULL },
				       { "comment", 'm', 1, &comment, NULL },
				       { "by", 'b', 1, &by, NULL } };
	int done = parse_cmd_opts(cmd, argc, argv, &co, own, 3);
	if (done >= 0)
		return done;
	if (optind != argc - 1 || !role)
		return usage_error(cmd, "%s", "give ORDER and --as ROLE");
	if (!approve && (!comment || !comment[strspn(comment, " \t\r\n")]))
		return usage_error(cmd, "%s", "a rejection needs --comment: the buyer is told why");
	struct config cfg;
	if (load_config(&co, &cfg) < 0)
		return EXIT_CONFIG;
	if (!cfg.spool_dir) {
		config_release(&cfg);
		return usage_error(cmd, "%s", "no spool: give --spool DIR");
	}
	struct ledger l;
	char *err = NULL, *msg = NULL;
	char *path = ledger_path_of(&cfg);
	int code = EXIT_OK;
	if ((code = ledger_missing(cmd, &cfg, path)) != 0) {
		free(path);
		config_release(&cfg);
		return code;
	}
	/* an approval that releases the order runs its budget rules again */
	if (approve && rules_init(&cfg, &err) < 0) {
		fprintf(stderr, "ordergate %s: %s; nothing was decided: fix the rules file "
			"(ordergate check-config names the place), then approve again\n", cmd, err);
		free(err);
		free(path);
		config_release(&cfg);
		return EXIT_CONFIG;
	}
	if (ledger_open(&l, path, &err) < 0 || ledger_begin(&l, &err) < 0) {
		fprintf(stderr, "ordergate %s: %s\n", cmd, err);
		code = EXIT_TEMPFAIL;
	} else {
		int rc = approve_decide(&l, argv[optind], role, approve, comment, by, &msg, &err);
		if (rc < 0 || (rc == 0 && ledger_commit(&l, &err) < 0)) {
			ledger_rollback(&l);
			fprintf(stderr, "ordergate %s: %s\n", cmd, err ? err : "ledger error");
			code = EXIT_TEMPFAIL;
		} else if (rc >= 1) {
			ledger_rollback(&l);
			fprintf(stderr, "ordergate %s: refused: %s\n", cmd, msg);
			code = rc == 2 ? EXIT_NOINPUT : EXIT_SOMEFAILED;
		} else {
			printf("%s\n", msg);
		}
	}
	ledger_close(&l);
	free(path);
	free(err);
	free(msg);
	if (code == EXIT_OK) {
		/* publish what follows now, unless a run or watch holds the spool */
		struct batch_opts bo = { .workers = 1, .release_only = 1, .locked_ok = 1 };
		struct batch_stats st;
		msg_configure(0, 0, 0);
		int rc = batch_run(&cfg, &bo, &st);
		if (rc == EXIT_LOCKED)
			printf("another ordergate is working on the spool: it publishes the outputs "
			       "on its next pass (a resend or purge holding it: the next run "
			       "does)\n");
		else if (rc != EXIT_OK && rc != EXIT_SOMEFAILED)
			code = rc;
	}
	rules_shutdown();
	config_release(&cfg);
	return code;
}

static int cmd_approve(int argc, char **argv)
{
	return decide("approve", 1, argc, argv);
}

static int cmd_reject(int argc, char **argv)
{
	return decide("reject", 0, argc, argv);
}

static int cmd_pending(int argc, char **argv)
{
	struct common co = { NULL, NULL, 0, 0, 0 };
	int json = 0;
	const struct cmd_opt own[] = { { "json", 'J', 0, NULL, &json } };
	int done = parse_cmd_opts("pending", argc, argv, &co, own, 1);
	if (done >= 0)
		return done;
	struct config cfg;
	if (load_config(&co, &cfg) < 0)
		return EXIT_CONFIG;
	if (!cfg.spool_dir) {
		config_release(&cfg);
		return usage_error("pending", "%s", "no spool: give --spool DIR");
	}
	struct ledger l;
	char *err = NULL;
	char *path = ledger_path_of(&cfg);
	int code = EXIT_OK;
	if ((code = ledger_missing("pending", &cfg, path)) != 0) {
		free(path);
		config_release(&cfg);
		return code;
	}
	if (ledger_open(&l, path, &err) < 0 || approve_list(&l, json, stdout) < 0) {
		fprintf(stderr, "ordergate pending: %s\n", err ? err : "cannot read the ledger");
		code = EXIT_TEMPFAIL;
	}
	ledger_close(&l);
	free(path);
	free(err);
	config_release(&cfg);
	return code;
}

/* Options of the ledger commands: --spool/--config and a few extras. */
struct ledger_cmd {
	struct common co;
	struct config cfg;
	struct ledger l;
	char *path;
};

static int open_ledger_cmd(const char *cmd, struct ledger_cmd *lc)
{
	if (load_config(&lc->co, &lc->cfg) < 0)
		return EXIT_CONFIG;
	if (!lc->cfg.spool_dir) {
		config_release(&lc->cfg);
		return usage_error(cmd, "%s", "no spool: give --spool DIR");
	}
	char *err = NULL;
	lc->path = ledger_path_of(&lc->cfg);
	int missing = ledger_missing(cmd, &lc->cfg, lc->path);
	if (missing) {
		free(lc->path);
		config_release(&lc->cfg);
		return missing;
	}
	if (ledger_open(&lc->l, lc->path, &err) < 0) {
		fprintf(stderr, "ordergate %s: %s\n", cmd, err);
		free(err);
		ledger_close(&lc->l);
		free(lc->path);
		config_release(&lc->cfg);
		return EXIT_TEMPFAIL;
	}
	return EXIT_OK;
}

static void close_ledger_cmd(struct ledger_cmd *lc)
{
	ledger_close(&lc->l);
	free(lc->path);
	config_release(&lc->cfg);
}

static int cmd_show(int argc, char **argv)
{
	struct ledger_cmd lc;
	memset(&lc, 0, sizeof lc);
	int json = 0;
	const struct cmd_opt own[] = { { "json", 'J', 0, NULL, &json } };
	int done = parse_cmd_opts("show", argc, argv, &lc.co, own, 1);
	if (done >= 0)
		return done;
	if (optind != argc - 1)
		return usage_error("show", "%s", "give one KEY: order number, PO number, document ID or payloadID");
	int rc = open_ledger_cmd("show", &lc);
	if (rc)
		return rc;
	rc = ops_show(&lc.l, argv[optind], json, stdout);
	if (rc == 1)
		fprintf(stderr, "ordergate show: nothing in the ledger matches %s\n", argv[optind]);
	close_ledger_cmd(&lc);
	return rc == 0 ? EXIT_OK : rc == 1 ? EXIT_NOINPUT : EXIT_TEMPFAIL;
}

static int valid_date(const char *d)
{
	char out[64];
	return d && datetime_normalize(d, "+00:00", out) == DATETIME_DATE;
}

/* "cannot write FILE: why" for an --out FILE that cannot be written (the
 * name the operator gave, never a temporary one), saying when it is the
 * folder that is missing. */
static void out_error(const char *cmd, const char *outfile, int e)
{
	char *dir = xstrdup(outfile);
	char *slash = strrchr(dir, '/');
	struct stat st;
	if (slash)
		*slash = '\0';
	if (e == ENOENT && slash && slash > dir && stat(dir, &st) < 0)
		fprintf(stderr, "ordergate %s: cannot write %s: the folder %s does not exist\n", cmd,
			outfile, dir);
	else if (e == ENOTDIR)
		fprintf(stderr, "ordergate %s: cannot write %s: %s is not a folder\n", cmd,
			outfile, dir);
	else
		fprintf(stderr, "ordergate %s: cannot write %s: %s\n", cmd, outfile, strerror(e));
	free(dir);
}

/* An --out FILE, written whole or not at all: to a temporary file of its
 * own beside it (FILE.XXXXXX: a file of the operator's named FILE.tmp, or
 * a second export to the same FILE at the same time, is never touched),
 * flushed to disk, then renamed over FILE (through a symbolic link, over
 * its target, the link staying), with the mode a new file gets; a FIFO or
 * a device is written as it is, never replaced by a regular file. Errors
 * name FILE as given (out_error). */
struct out_file {
	const char *name;
	char *tmp, *real;
	FILE *f;
};

static FILE *out_open(const char *cmd, struct out_file *o, const char *name)
{
	memset(o, 0, sizeof *o);
	o->name = name;
	struct stat st;
	if (stat(name, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->f = fopen(name, "w");
		if (!o->f)
			out_error(cmd, name, errno);
		return o->f;
	}
	if (stat(name, &st) == 0)
		o->real = realpath(name, NULL);
	o->tmp = xasprintf("%s.XXXXXX", o->real ? o->real : name);
	int fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd >= 0) {
		mode_t mask = umask(0);
		umask(mask);
		if (fchmod(fd, 0666 & ~mask) < 0 || !(o->f = fdopen(fd, "w"))) {
			int e = errno;
			close(fd);
			unlink(o->tmp);
			errno = e;
		}
	}
	if (!o->f) {
		out_error(cmd, name, errno);
		free(o->tmp);
		free(o->real);
		o->tmp = o->real = NULL;
	}
	return o->f;
}

/* Closes o: with ok, puts FILE in place (0, or -1 with the error said);
 * without, removes what was written (-1). */
static int out_close(const char *cmd, struct out_file *o, int ok)
{
	int rc = ok ? 0 : -1;
	if (o->tmp && rc == 0 && (fflush(o->f) != 0 || fsync(fileno(o->f)) < 0)) {
		out_error(cmd, o->name, errno);
		rc = -1;
	}
	if (fclose(o->f) != 0 && rc == 0) {
		out_error(cmd, o->name, errno);
		rc = -1;
	}
	if (o->tmp && rc == 0 && rename(o->tmp, o->real ? o->real : o->name) < 0) {
		out_error(cmd, o->name, errno);
		rc = -1;
	}
	if (o->tmp && rc < 0)
		unlink(o->tmp);
	free(o->tmp);
	free(o->real);
	o->f = NULL;
	return rc;
}

static int cmd_export(int argc, char **argv)
{
	struct ledger_cmd lc;
	memset(&lc, 0, sizeof lc);
	const char *from = NULL, *to = NULL, *outfile = NULL;
	const struct cmd_opt own[] = { { "from", 'f', 0, &from, NULL },
				       { "to", 't', 0, &to, NULL },
				       { "out", 'o', 1, &outfile, NULL } };
	int done = parse_cmd_opts("export", argc, argv, &lc.co, own, 3);
	if (done >= 0)
		return done;
	if (optind != argc - 1 || (strcmp(argv[optind], "recon") && strcmp(argv[optind], "spend")))
		return usage_error("export", "%s", "say what: recon or spend");
	if ((from && !valid_date(from)) || (to && !valid_date(to)))
		return usage_error("export", "%s", "--from and --to take dates: YYYY-MM-DD");
	if (from && to && strcmp(from, to) > 0)
		return usage_error("export", "--from %s is after --to %s: no day is in between", from,
				   to);
	int rc = open_ledger_cmd("export", &lc);
	if (rc)
		return rc;
	struct out_file o;
	FILE *f = outfile ? out_open("export", &o, outfile) : stdout;
	if (!f) {
		close_ledger_cmd(&lc);
		return EXIT_TEMPFAIL;
	}
	int n = !strcmp(argv[optind], "recon") ? ops_export_recon(&lc.l, from, to, f)
					       : ops_export_spend(&lc.l, from, to, f);
	if (n < 0)
		fprintf(stderr, "ordergate export: cannot read the ledger %s\n", lc.path);
	if (outfile && out_close("export", &o, n >= 0) < 0)
		n = -1;
	if (n >= 0 && outfile)
		fprintf(stderr, "ordergate export: %d row%s written to %s\n", n, n == 1 ? "" : "s", outfile);
	close_ledger_cmd(&lc);
	return n < 0 ? EXIT_TEMPFAIL : EXIT_OK;
}

static int cmd_report(int argc, char **argv)
{
	struct ledger_cmd lc;
	memset(&lc, 0, sizeof lc);
	const char *outfile = NULL;
	const struct cmd_opt own[] = { { "out", 'o', 1, &outfile, NULL } };
	int done = parse_cmd_opts("report", argc, argv, &lc.co, own, 1);
	if (done >= 0)
		return done;
	if (optind < argc)
		return usage_error("report", "unexpected argument \"%s\"", argv[optind]);
	int rc = open_ledger_cmd("report", &lc);
	if (rc)
		return rc;
	/* the page replaces FILE whole (out_open) */
	int to_stdout = !outfile || !strcmp(outfile, "-");
	struct out_file o;
	FILE *f = to_stdout ? stdout : out_open("report", &o, outfile);
	char *err = NULL;
	if (!f) {
		rc = EXIT_TEMPFAIL;
	} else if (report_html(&lc.l, f, &err) < 0) {
		int e = errno;
		/* a write that failed: the file asked for, and why */
		if (!to_stdout && !strncmp(err, "cannot write the report", 23) && e)
			out_error("report", outfile, e);
		else
			fprintf(stderr, "ordergate report: %s\n", err);
		rc = EXIT_TEMPFAIL;
	}
	if (f && !to_stdout && out_close("report", &o, rc == EXIT_OK) < 0)
		rc = EXIT_TEMPFAIL;
	free(err);
	close_ledger_cmd(&lc);
	return rc;
}

/* resend and purge write into the spool: they hold its lock while they
 * work when it is free, so no run or watch starts meanwhile (its start-up
 * recovery clears tmp/ and finishes the archiving of committed inputs).
 * When another ordergate holds it they work beside it, as approve and
 * reprocess do: past its start-up the holder writes only files named by
 * its own documents' IDs, never a resend's copy or an archived input
 * (docs/operations.md, "The spool lock"). 0 (sp to close after the work),
 * or the exit code of a spool that cannot be opened. */
static int lock_if_free(const char *cmd, const struct config *cfg, struct spool *sp)
{
	char *err = NULL;
	int rc = spool_open(sp, cfg->spool_dir, &err);
	if (rc == 0 && (rc = spool_lock(sp, &err)) == 1)
		rc = 0; /* held by another: beside it */
	if (rc < 0) {
		fprintf(stderr, "ordergate %s: %s\n", cmd, err);
		free(err);
		spool_close(sp);
		return rc == -2 ? EXIT_NOINPUT : EXIT_TEMPFAIL;
	}
	free(err);
	return 0;
}

static int cmd_purge(int argc, char **argv)
{
	struct ledger_cmd lc;
	memset(&lc, 0, sizeof lc);
	const char *older = NULL;
	const struct cmd_opt own[] = { { "older-than", 'd', 0, &older, NULL } };
	int done = parse_cmd_opts("purge", argc, argv, &lc.co, own, 1);
	if (done >= 0)
		return done;
	if (!older)
		return usage_error("purge", "%s", "give --older-than DAYS");
	char *end;
	long days = strtol(older, &end, 10);
	if (*end || end == older || days < 1)
		return usage_error("purge", "--older-than wants a number of days, not \"%s\"", older);
	int rc = open_ledger_cmd("purge", &lc);
	if (rc)
		return rc;
	struct spool sp;
	if ((rc = lock_if_free("purge", &lc.cfg, &sp)) != 0) {
		close_ledger_cmd(&lc);
		return rc;
	}
	/* a document whose input is still in work/ (committed, then a crash
	 * before its archiving) is left for a later purge: a run's recovery
	 * archives it by the rows purge would remove, perhaps right now */
	char **work = NULL, **keep = NULL;
	int nwork = 0, nkeep = 0;
	if (spool_list(&sp, "work", &work, &nwork, 0) < 0) {
		fprintf(stderr, "ordergate purge: cannot list %s/work: %s\n", sp.root, strerror(errno));
		close_ledger_cmd(&lc);
		spool_close(&sp);
		return EXIT_TEMPFAIL;
	}
	keep = xcalloc((size_t)nwork + 1, sizeof *keep);
	for (int i = 0; i < nwork; i++) {
		char id[SPOOL_ID_LEN + 1];
		if (spool_parse_work_name(work[i], id, NULL))
			keep[nkeep++] = xstrdup(id);
	}
	char **files = NULL, *err = NULL;
	int n = 0;
	rc = ops_purge_files(&lc.l, (int)days, (const char *const *)keep, nkeep, &files, &n, &err);
	for (int i = 0; rc >= 0 && i < n; i++) {
		char *p = xasprintf("%s/%s", lc.cfg.spool_dir, files[i]);
		if (unlink(p) < 0 && errno != ENOENT) {
			fprintf(stderr, "ordergate purge: cannot remove %s: %s\n", p, strerror(errno));
			rc = -1;
		}
		free(p);
	}
	if (rc >= 0)
		rc = ops_purge_rows(&lc.l, (int)days, (const char *const *)keep, nkeep, &err);
	if (rc >= 0)
		printf("purged %d archived input%s and the ledger detail older than %ld days; "
		       "the summary rows stay\n", n, n == 1 ? "" : "s", days);
	else
		fprintf(stderr, "ordergate purge: %s\n", err ? err : "failed");
	for (int i = 0; i < n; i++)
		free(files[i]);
	free(files);
	for (int i = 0; i < nwork; i++)
		free(work[i]);
	free(work);
	for (int i = 0; i < nkeep; i++)
		free(keep[i]);
	free(keep);
	free(err);
	close_ledger_cmd(&lc);
	spool_close(&sp);
	return rc < 0 ? EXIT_TEMPFAIL : EXIT_OK;
}

/* reprocess and resend work on one document's files through the spool. */
static int cmd_reprocess(int argc, char **argv)
{
	struct ledger_cmd lc;
	memset(&lc, 0, sizeof lc);
	int done = parse_cmd_opts("reprocess", argc, argv, &lc.co, NULL, 0);
	if (done >= 0)
		return done;
	if (optind != argc - 1)
		return usage_error("reprocess", "%s", "give one document ID");
	int rc = open_ledger_cmd("reprocess", &lc);
	if (rc)
		return rc;
	const char *id = argv[optind];
	/* the folders inputs came through, by their tags: the inboxes and
	 * approvals/ */
	struct ledger_source src[CONFIG_MAX_INBOXES + 1];
	for (int i = 0; i < lc.cfg.ninboxes; i++)
		src[i] = (struct ledger_source){ lc.cfg.inboxes[i].tag, lc.cfg.inboxes[i].dir };
	char *approvals = xasprintf("%s/approvals", lc.cfg.spool_dir);
	src[lc.cfg.ninboxes] = (struct ledger_source){ INBOX_TAG_APPROVALS, approvals };
	char *err = NULL, *dest = NULL;
	rc = ledger_reprocess(&lc.l, lc.cfg.spool_dir, src, lc.cfg.ninboxes + 1, id, &dest, &err);
	free(approvals);
	int unknown = rc == -2;
	if (rc < 0)
		fprintf(stderr, "ordergate reprocess: %s\n", err);
	else
		printf("ordergate reprocess: %s put back as %s\n", id, dest);
	fflush(stdout);
	free(err);
	close_ledger_cmd(&lc);
	if (rc < 0) {
		free(dest);
		return unknown ? EXIT_NOINPUT : EXIT_SOMEFAILED;
	}
	/* and run it now, unless another ordergate holds the spool */
	struct config cfg;
	if (load_config(&lc.co, &cfg) == 0) {
		struct batch_opts bo = { .workers = 1, .complete = dest, .locked_ok = 1 };
		struct batch_stats st;
		rc = batch_run(&cfg, &bo, &st);
		if (rc == EXIT_LOCKED)
			printf("another ordergate is working on the spool: it picks the document up "
			       "(a resend or purge holding it: the next run does)\n");
		else
			batch_print_summary(&cfg, &st);
		config_release(&cfg);
	}
	free(dest);
	return rc == EXIT_LOCKED ? EXIT_OK : rc;
}

static int cmd_resend(int argc, char **argv)
{
	struct ledger_cmd lc;
	memset(&lc, 0, sizeof lc);
	const char *kind = NULL;
	const struct cmd_opt own[] = { { "kind", 'k', 1, &kind, NULL } };
	int done = parse_cmd_opts("resend", argc, argv, &lc.co, own, 1);
	if (done >= 0)
		return done;
	if (optind != argc - 1)
		return usage_error("resend", "%s", "give one document ID");
	if (kind && strcmp(kind, "po") && strcmp(kind, "confirmation") && strcmp(kind, "invoice"))
		return usage_error("resend", "--kind wants po, confirmation or invoice, not \"%s\"",
				   kind);
	int rc = open_ledger_cmd("resend", &lc);
	if (rc)
		return rc;
	struct spool sp;
	if ((rc = lock_if_free("resend", &lc.cfg, &sp)) != 0) {
		close_ledger_cmd(&lc);
		return rc;
	}
	char *err = NULL;
	int n = ledger_resend(&lc.l, lc.cfg.spool_dir, argv[optind], kind, &err);
	if (n < 0)
		fprintf(stderr, "ordergate resend: %s\n", err);
	else
		printf("%d output%s written again (same content and payloadID, so the receiver "
		       "can tell it is a resend)\n", n, n == 1 ? "" : "s");
	free(err);
	close_ledger_cmd(&lc);
	spool_close(&sp);
	return n == -2 ? EXIT_NOINPUT : n < 0 ? EXIT_SOMEFAILED : EXIT_OK;
}

static int cmd_explain(int argc, char **argv)
{
	struct common co = { NULL, NULL, 0, 0, 0 };
	int done = parse_cmd_opts("explain", argc, argv, &co, NULL, 0);
	if (done >= 0)
		return done;
	if (optind != argc - 1)
		return usage_error("explain", "%s", "give exactly one FILE");
	struct config cfg;
	if (load_config(&co, &cfg) < 0)
		return EXIT_CONFIG;
	/* the budget rules read the spool's ledger: a spool that is not there
	 * is a mistake, as for run; one no run has worked on yet has spent
	 * nothing */
	int missing = spool_missing("explain", &cfg);
	if (missing) {
		config_release(&cfg);
		return missing;
	}
	struct stat sb;
	char *ledger = cfg.ledger_path ? xstrdup(cfg.ledger_path)
		       : cfg.spool_dir ? xasprintf("%s/ledger.db", cfg.spool_dir) : NULL;
	if (ledger && stat(ledger, &sb) < 0 && errno == ENOENT)
		fprintf(stderr, "ordergate explain: note: no ledger at %s yet: budget rules see "
			"nothing spent\n", ledger);
	free(ledger);
	char *err = NULL;
	if (pipeline_init(&cfg, &err) < 0) {
		fprintf(stderr, "ordergate: %s\n", err);
		free(err);
		pipeline_shutdown();
		config_release(&cfg);
		return EXIT_CONFIG;
	}
	const char *file = argv[optind];
	char now[32];
	iso_time(og_now(), now);
	struct buf trace = BUF_INIT;
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	struct doc_job job = { .id = "00000000-000000-000000-000000", .name = base,
			       .received = now, .trace = &trace };
	struct doc_result res;
	memset(&res, 0, sizeof res);
	struct buf data = BUF_INIT;
	int code = EXIT_OK;
	FILE *f = fopen(file, "rb");
	if (!f) {
		fprintf(stderr, "ordergate explain: %s: %s\n", file, strerror(errno));
		code = EXIT_NOINPUT;
	} else {
		char chunk[65536];
		size_t n;
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&data, chunk, n);
		fclose(f);
		/* a dry run: decide, render nothing, write nothing */
		pipeline_run(&cfg, &job, buf_str(&data), data.len, 0, &res);
		fwrite(trace.data, 1, trace.len, stdout);
		if (!res.ok) {
			printf("the document fails at %s: %s\n", res.stage, res.reason);
			code = EXIT_SOMEFAILED;
		}
	}
	buf_release(&data);
	buf_release(&trace);
	pipeline_result_release(&res);
	pipeline_shutdown();
	config_release(&cfg);
	return code;
}

static int cmd_check_config(int argc, char **argv)
{
	static const struct option opts[] = { { "config", required_argument, NULL, 'c' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct common co = { NULL, NULL, 0, 0, 0 };
	int c;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': co.config_file = optarg; break;
		case 'h': print_help("check-config"); return EXIT_OK;
		default: return bad_option("check-config", argc, argv, opts);
		}
	}
	if (optind < argc)
		co.config_file = argv[optind];
	struct config cfg;
	if (load_config(&co, &cfg) < 0)
		return EXIT_CONFIG;
	char *err = NULL;
	int rc = config_check_folders(&cfg, &err);
	if (rc == 0)
		rc = pipeline_init(&cfg, &err);
	if (rc == 0)
		rc = emit_load_all_schemas(&cfg, &err);
	if (rc < 0) {
		fprintf(stderr, "ordergate: configuration error: %s\n", err);
		free(err);
	} else {
		printf("configuration OK%s%s\n", co.config_file ? ": " : " (built-in defaults)",
		       co.config_file ? co.config_file : "");
	}
	pipeline_shutdown();
	config_release(&cfg);
	return rc < 0 ? EXIT_CONFIG : EXIT_OK;
}

static int cmd_help(int argc, char **argv);

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("ordergate %s\n", OG_VERSION);
	return EXIT_OK;
}

static const struct command commands[] = {
	{ "run", cmd_run, "process everything waiting in a spool, once (for cron and timers)",
	  "usage: ordergate run --spool DIR [options]\n"
	  "\n"
	  "Claims every complete file in DIR/in, translates it in worker processes,\n"
	  "publishes the outbound documents to DIR/out/<partner>/<kind>/, moves the\n"
	  "input to DIR/archive/YYYY/MM/DD/ (as it came, or gzip: [spool] archive_form)\n"
	  "or to DIR/failed/ with a .why file, and records everything in the ledger\n"
	  "(DIR/ledger.db).\n"
	  "\n"
	  "  -s, --spool DIR      the spool folder: it must exist (the folders in it are\n"
	  "                       created; a DIR that does not exist exits 66)\n"
	  "  -c, --config FILE    INI configuration (docs/configuration.md)\n"
	  "  -j, --jobs N         worker processes (default: one per core)\n"
	  "  -m, --max-files N    claim at most N files in this run\n"
	  "  -t, --max-seconds S  claim nothing new after S seconds\n"
	  "  -q, --quiet          only warnings and errors\n"
	  "  -v, --verbose        also debug lines\n"
	  "      --log-json       one JSON object per log line\n"
	  "  -h, --help           this text\n"
	  "\n"
	  "Exit: 0 all processed, 1 some documents failed, 66 no spool at DIR, 73\n"
	  "another ordergate holds the spool, 75 temporary failure such as a full disk\n"
	  "(run again), 78 configuration error.\n" },
	{ "watch", cmd_watch, "keep running: process files as they arrive (for a service)",
	  "usage: ordergate watch --spool DIR [options]\n"
	  "\n"
	  "Like run, but keeps going: reacts to new files in DIR/in with inotify\n"
	  "(a file renamed into in/ is taken at once; a file written in place once it\n"
	  "has been quiet for [pickup] quiet_seconds), rescans every [watch]\n"
	  "rescan_seconds as a safety net, and on SIGTERM, SIGINT or SIGHUP finishes\n"
	  "what it holds, commits, and exits 0.\n"
	  "\n"
	  "  -s, --spool DIR      the spool folder: it must exist\n"
	  "  -c, --config FILE    INI configuration\n"
	  "  -j, --jobs N         worker processes (default: one per core)\n"
	  "  -q, --quiet          only warnings and errors\n"
	  "  -v, --verbose        also debug lines\n"
	  "      --log-json       one JSON object per log line\n"
	  "  -h, --help           this text\n"
	  "\n"
	  "--max-files and --max-seconds are run's: a watch has no batch to limit (64).\n" },
	{ "translate", cmd_translate, "show the canonical order (and outputs) for one file",
	  "usage: ordergate translate [-c FILE] [-o DIR] [-f FORMAT] [--id ID] FILE\n"
	  "\n"
	  "Runs FILE through detection, mapping, normalisation, validation and the\n"
	  "decision, exactly as `run` would, without touching any spool or ledger.\n"
	  "Prints the canonical order on stdout, or with -o writes canonical.xml,\n"
	  "po.xml and confirmation.xml into DIR. Errors are the ones `run` writes\n"
	  "into failed/*.why.\n"
	  "\n"
	  "  -c, --config FILE    INI configuration\n"
	  "  -o, --output DIR     write the canonical order and outbound documents here\n"
	  "  -f, --format FORMAT  write the outbound documents as cxml, oagis or csv\n"
	  "                       (default: the partner profile's, else the inbound format)\n"
	  "      --id ID          document ID to use (default all zeros)\n"
	  "  -h, --help           this text\n"
	  "\n"
	  "Set ORDERGATE_TIME=<epoch seconds> for reproducible timestamps.\n"
	  "Exit: 0 translated, 1 the document failed, 66 no such file, 78 configuration error.\n" },
	{ "explain", cmd_explain, "dry run of the approval rules on one file",
	  "usage: ordergate explain [-c FILE] [--spool DIR] ORDER-FILE\n"
	  "\n"
	  "Translates the order and runs the approval rules on it, printing for the\n"
	  "order and each line which rules were evaluated, which fired, every lookup\n"
	  "and comparison with its values, and the decision. Writes nothing. With\n"
	  "--spool, budget rules see the spend recorded in that spool's ledger.\n" },
	{ "approve", cmd_approve, "approve a held order as one of its approvers",
	  "usage: ordergate approve ORDER --as ROLE [--comment TEXT] [--by NAME] --spool DIR\n"
	  "\n"
	  "ORDER is the buyer's order number, the document ID or our PO number. The\n"
	  "order must wait for ROLE next (checkpoints are decided in order). Once the\n"
	  "last approver approves, the purchase order and the confirmation are written\n"
	  "(now, or by the running ordergate if one holds the spool), unless the\n"
	  "order's budget rules, run again on the spend of that moment, ask for an\n"
	  "approver it has not had (it then waits for that one too) or reject it (the\n"
	  "buyer gets the rejection); the message names the budget and the figures.\n"
	  "Exit: 0 recorded, 1 refused (the message says why), 78 the rules file\n"
	  "cannot be read.\n" },
	{ "reject", cmd_reject, "reject a held order as one of its approvers",
	  "usage: ordergate reject ORDER --as ROLE --comment TEXT [--by NAME] --spool DIR\n"
	  "\n"
	  "Rejects the order; the buyer gets a rejection carrying TEXT.\n"
	  "Exit: 0 recorded, 1 refused (the message says why).\n" },
	{ "pending", cmd_pending, "list held orders and whom they wait for",
	  "usage: ordergate pending --spool DIR [--json]\n"
	  "\n"
	  "Lists the held orders, oldest first, and the approvers each waits for, in\n"
	  "order; under the table, why an order waits for an approver its budget rules\n"
	  "added at its release (the budget, spent and left). --json prints a JSON\n"
	  "array instead (document, order, partner, total, currency, waits_for,\n"
	  "reason, since), [] when none waits.\n" },
	{ "show", cmd_show, "an order or document: lines, states, history, outputs",
	  "usage: ordergate show KEY --spool DIR [--json]\n"
	  "\n"
	  "KEY is an order number, our PO number, a document ID or a payloadID. Shows\n"
	  "the order, its lines and their states, approvals, outputs with paths and\n"
	  "hashes, shipments, invoices and the full history.\n" },
	{ "reprocess", cmd_reprocess, "run a failed or archived input again",
	  "usage: ordergate reprocess DOCUMENT-ID --spool DIR\n"
	  "\n"
	  "Puts the input back (from failed/ or from its archived copy) into the folder\n"
	  "it came through, in/, its inbox or approvals/, and runs it, after a map or\n"
	  "rule fix. Never over a file waiting there under the same name: then it goes\n"
	  "back as ID-NAME. Recorded in the history; a document that went through\n"
	  "before is recognised as a duplicate and writes nothing new.\n" },
	{ "resend", cmd_resend, "write an output again",
	  "usage: ordergate resend DOCUMENT-ID [--kind po|confirmation|invoice] --spool DIR\n"
	  "\n"
	  "Publishes the document's outputs again, byte for byte (same payloadID), as\n"
	  "new files next to the first ones. Recorded in the history. Holds the spool\n"
	  "lock while it writes when it is free; beside a running watch it works too.\n" },
	{ "export", cmd_export, "reconciliation and spend as CSV",
	  "usage: ordergate export recon|spend --spool DIR [--from DATE] [--to DATE] [--out FILE]\n"
	  "\n"
	  "recon: one row per order line: ordered, confirmed, backordered, rejected,\n"
	  "shipped and invoiced quantities and amounts, variance and a status\n"
	  "(matched, open, under-invoiced, over-shipped, rejected). Each order once,\n"
	  "as the version in force (not an update that waits or was rejected).\n"
	  "spend: totals by partner, cost centre and month. Production orders only.\n"
	  "RFC 4180; text cells that start with = + - @ are neutralised.\n" },
	{ "report", cmd_report, "one HTML page: spend, volumes, approvals, reasons, reconciliation",
	  "usage: ordergate report --spool DIR [--out FILE.html]\n"
	  "\n"
	  "Writes one self-contained HTML page about the ledger: spend by trading\n"
	  "partner and by month (per currency), order volumes per partner, approval\n"
	  "cycle times (per approver role), rejection and backorder reasons, and the\n"
	  "reconciliation status of every order line (ordered, confirmed, shipped,\n"
	  "invoiced). Production orders only. The page loads nothing from anywhere\n"
	  "(inline CSS, charts as inline SVG, no scripts): mail it, archive it, open\n"
	  "it offline.\n"
	  "\n"
	  "  -s, --spool DIR      the spool folder\n"
	  "  -c, --config FILE    INI configuration\n"
	  "  -o, --out FILE       write the page to FILE (replaced whole; default stdout)\n"
	  "  -h, --help           this text\n"
	  "\n"
	  "Set ORDERGATE_TIME=<epoch seconds> for a reproducible \"generated\" time.\n"
	  "Exit: 0 written, 66 no spool or no ledger at DIR, 75 the ledger could not be\n"
	  "read or FILE written.\n" },
	{ "purge", cmd_purge, "remove archived inputs and ledger detail past retention",
	  "usage: ordergate purge --older-than DAYS --spool DIR\n"
	  "\n"
	  "Removes the archived inputs and the ledger detail (stored order copies, the\n"
	  "history) older than DAYS; the summary rows stay. Holds the spool lock while\n"
	  "it works when it is free; beside a running watch it works too.\n" },
	{ "check-config", cmd_check_config, "validate the configuration and the stylesheets",
	  "usage: ordergate check-config [-c] FILE\n"
	  "\n"
	  "Reads the configuration, compiles every stylesheet and schema it names and\n"
	  "prints \"configuration OK\", or names the bad line or file and exits 78.\n" },
	{ "version", cmd_version, "print the version", "usage: ordergate version\n" },
	{ "help", cmd_help, "list the subcommands, or show one's help",
	  "usage: ordergate help [SUBCOMMAND]\n" },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 1 && find_command(argv[1])) {
		print_help(argv[1]);
		return EXIT_OK;
	}
	if (argc > 1)
		return usage_error("help", "no subcommand \"%s\"; 'ordergate help' lists them",
				   argv[1]);
	printf("usage: ordergate [--version] [--help] SUBCOMMAND [options]\n\nsubcommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		printf("  %-14s %s\n", commands[i].name, commands[i].summary);
	printf("\n'ordergate SUBCOMMAND --help' tells more. Documentation: docs/ordergate.1.md\n");
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	opterr = 0; /* bad_option() says what getopt_long refused, once */
	if (argc < 2) {
		cmd_help(1, argv);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return cmd_version(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(argc - 1, argv + 1);
	const struct command *c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "ordergate: '%s' is not a subcommand. See 'ordergate help'.\n", argv[1]);
		return EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}

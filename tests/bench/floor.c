/*
 * floor: the lower bound for ordergate's translation work, with the same
 * stylesheets and the same number of processes, and nothing else.
 *
 *   floor [-j N] [-x XSLTDIR] [-n MAX] DIR
 *
 * Reads every *.xml file of DIR into memory (sorted by name, at most MAX),
 * compiles the three stylesheets, then forks N processes that split the
 * documents round-robin and, for each one, time:
 *
 *   parse (libxml2, from memory, the engine's options)
 *   -> cxml-to-canonical.xsl (param formatVersion, empty)
 *   -> add the one element the outbound sheets insist on: order/summary
 *      with subtotal = the stated total (the engine computes it in C; here
 *      it is the cheapest stand-in, no decimal arithmetic)
 *   -> canonical-to-cxml-order.xsl and canonical-to-cxml-confirmation.xsl
 *      (the engine's parameters), each serialised to a string.
 *
 * No file is written, no ledger, no validation (RelaxNG or DTD), no
 * normalisation, no gzip, no hashing, no pipe to a parent. Prints one JSON
 * object on stdout: documents, bytes, ok, failed, wall, user and sys
 * seconds of the workers (getrusage of children), and the largest worker's
 * peak RSS (kB).
 *
 * Written for the ordergate benchmark (tests/bench/run.sh).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libexslt/exslt.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxslt/transform.h>
#include <libxslt/variables.h>
#include <libxslt/xslt.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>

#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOWARNING)

struct doc {
	char *data;
	size_t len;
};

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "floor: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void quiet_errors(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_file(const char *path, struct doc *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	d->len = (size_t)st.st_size;
	d->data = malloc(d->len + 1);
	if (!d->data) {
		close(fd);
		return -1;
	}
	size_t got = 0;
	while (got < d->len) {
		ssize_t n = read(fd, d->data + got, d->len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	d->len = got;
	d->data[got] = 0;
	return 0;
}

static xsltStylesheetPtr load_sheet(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	xsltStylesheetPtr s = xsltParseStylesheetFile((const xmlChar *)path);
	if (!s || s->errors)
		die("cannot compile %s", path);
	return s;
}

/* order/summary/subtotal := order/total (or 0 when the order states none) */
static void add_summary(xmlDocPtr canonical)
{
	xmlNodePtr order = xmlDocGetRootElement(canonical);
	if (!order)
		return;
	const xmlChar *total = (const xmlChar *)"0";
	xmlChar *owned = NULL;
	for (xmlNodePtr c = order->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, (const xmlChar *)"total")) {
			owned = xmlNodeGetContent(c);
			if (owned)
				total = owned;
			break;
		}
	xmlNodePtr summary = xmlNewChild(order, NULL, (const xmlChar *)"summary", NULL);
	xmlNewTextChild(summary, NULL, (const xmlChar *)"subtotal", total);
	xmlFree(owned);
}

static xmlDocPtr apply(xsltStylesheetPtr sheet, xmlDocPtr doc, const char **params)
{
	xsltTransformContextPtr ctxt = xsltNewTransformContext(sheet, doc);
	if (!ctxt)
		return NULL;
	xsltSetCtxtParseOptions(ctxt, PARSE_OPTIONS);
	for (int i = 0; params && params[i]; i += 2)
		xsltQuoteOneUserParam(ctxt, (const xmlChar *)params[i], (const xmlChar *)params[i + 1]);
	xmlDocPtr res = xsltApplyStylesheetUser(sheet, doc, NULL, NULL, NULL, ctxt);
	if (res && ctxt->state != XSLT_STATE_OK) {
		xmlFreeDoc(res);
		res = NULL;
	}
	xsltFreeTransformContext(ctxt);
	return res;
}

static int render(xsltStylesheetPtr sheet, xmlDocPtr canonical, const char **params,
		  size_t *out_bytes)
{
	xmlDocPtr res = apply(sheet, canonical, params);
	if (!res)
		return -1;
	xmlChar *s = NULL;
	int len = 0;
	int rc = xsltSaveResultToString(&s, &len, res, sheet);
	xmlFreeDoc(res);
	if (rc < 0 || !s)
		return -1;
	*out_bytes += (size_t)len;
	xmlFree(s);
	return 0;
}

int main(int argc, char **argv)
{
	int jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	long max = 0;
	const char *xsltdir = "xslt";
	int opt;
	while ((opt = getopt(argc, argv, "j:x:n:h")) != -1) {
		switch (opt) {
		case 'j':
			jobs = atoi(optarg);
			break;
		case 'x':
			xsltdir = optarg;
			break;
		case 'n':
			max = atol(optarg);
			break;
		default:
			fprintf(stderr, "usage: floor [-j N] [-x XSLTDIR] [-n MAX] DIR\n");
			return opt == 'h' ? 0 : 64;
		}
	}
	if (optind != argc - 1 || jobs < 1) {
		fprintf(stderr, "usage: floor [-j N] [-x XSLTDIR] [-n MAX] DIR\n");
		return 64;
	}
	const char *dir = argv[optind];

	/* the file names, sorted, then every document into memory */
	DIR *d = opendir(dir);
	if (!d)
		die("cannot open the folder %s", dir);
	char **names = NULL;
	size_t nnames = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".xml"))
			continue;
		if (nnames == cap) {
			cap = cap ? cap * 2 : 1024;
			names = realloc(names, cap * sizeof *names);
			if (!names)
				die("%s", "out of memory");
		}
		names[nnames++] = strdup(e->d_name);
	}
	closedir(d);
	if (nnames == 0)
		die("no *.xml file in %s", dir);
	qsort(names, nnames, sizeof *names, cmp_str);
	size_t nall = nnames;
	if (max > 0 && (size_t)max < nnames)
		nnames = (size_t)max;
	struct doc *docs = calloc(nnames, sizeof *docs);
	size_t total_bytes = 0;
	for (size_t i = 0; i < nnames; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (read_file(path, &docs[i]) < 0)
			die("cannot read %s", path);
		total_bytes += docs[i].len;
	}

	/* compile once, before forking, as the engine's workers do at start */
	xmlSetGenericErrorFunc(NULL, quiet_errors);
	xsltSetGenericErrorFunc(NULL, quiet_errors);
	exsltRegisterAll();
	xsltStylesheetPtr map = load_sheet(xsltdir, "cxml-to-canonical.xsl");
	xsltStylesheetPtr po = load_sheet(xsltdir, "canonical-to-cxml-order.xsl");
	xsltStylesheetPtr conf = load_sheet(xsltdir, "canonical-to-cxml-confirmation.xsl");

	int pfd[2];
	if (pipe(pfd) < 0)
		die("%s", "pipe failed");
	double t0 = now();
	for (int w = 0; w < jobs; w++) {
		pid_t pid = fork();
		if (pid < 0)
			die("%s", "fork failed");
		if (pid > 0)
			continue;
		close(pfd[0]);
		long ok = 0, failed = 0;
		size_t out_bytes = 0;
		const char *map_params[] = { "formatVersion", "", NULL };
		const char *out_params[] = { "payloadID", "20260101-000000-000000-000000.po@floor.test",
					     "timestamp", "2026-01-01T00:00:00+00:00",
					     "senderDomain", "NetworkID",
					     "senderIdentity", "ordergate",
					     "userAgent", "ordergate floor",
					     "noticeDate", "2026-01-01T00:00:00+00:00",
					     "confirmID", "20260101-000000-000000-000000",
					     NULL };
		for (size_t i = (size_t)w; i < nnames; i += (size_t)jobs) {
			xmlDocPtr doc = xmlReadMemory(docs[i].data, (int)docs[i].len, "document", NULL,
						      PARSE_OPTIONS);
			xmlDocPtr canonical = doc ? apply(map, doc, map_params) : NULL;
			int good = canonical != NULL;
			if (good) {
				add_summary(canonical);
				good = render(po, canonical, out_params, &out_bytes) == 0 &&
				       render(conf, canonical, out_params, &out_bytes) == 0;
			}
			if (good)
				ok++;
			else
				failed++;
			xmlFreeDoc(canonical);
			xmlFreeDoc(doc);
		}
		char line[128];
		int n = snprintf(line, sizeof line, "%ld %ld %zu\n", ok, failed, out_bytes);
		if (write(pfd[1], line, (size_t)n) != n)
			_exit(3);
		_exit(0);
	}
	close(pfd[1]);
	long ok = 0, failed = 0;
	size_t out_bytes = 0;
	FILE *in = fdopen(pfd[0], "r");
	long a, b;
	size_t c;
	while (in && fscanf(in, "%ld %ld %zu", &a, &b, &c) == 3) {
		ok += a;
		failed += b;
		out_bytes += c;
	}
	int bad = 0, status;
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
	double wall = now() - t0;
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	double user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	double sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	printf("{\"documents\": %zu, \"bytes\": %zu, \"ok\": %ld, \"failed\": %ld, "
	       "\"output_bytes\": %zu, \"jobs\": %d, \"wall_s\": %.3f, \"user_s\": %.3f, "
	       "\"sys_s\": %.3f, \"worker_max_rss_kb\": %ld, \"dead_workers\": %d}\n",
	       nnames, total_bytes, ok, failed, out_bytes, jobs, wall, user, sys,
	       ru.ru_maxrss, bad);
	if (in)
		fclose(in);
	xsltFreeStylesheet(map);
	xsltFreeStylesheet(po);
	xsltFreeStylesheet(conf);
	for (size_t i = 0; i < nnames; i++)
		free(docs[i].data);
	free(docs);
	for (size_t i = 0; i < nall; i++)
		free(names[i]);
	free(names);
	xsltCleanupGlobals();
	xmlCleanupParser();
	return bad || failed ? 1 : 0;
}

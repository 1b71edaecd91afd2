/*
 * testutil: see testutil.h.
 */
#define _GNU_SOURCE
#include "testutil.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline.h"
#include "util.h"
#include "xmlsafe.h"

static struct config engine_cfg;
static int engine_loaded, engine_up;

void t_engine_setup(void)
{
	char *err = NULL;
	if (engine_up)
		return;
	if (!engine_loaded) {
		if (config_load(&engine_cfg, NULL, &err) < 0)
			ck_abort_msg("config_load(NULL) failed: %s", err ? err : "?");
		engine_loaded = 1;
	}
	if (pipeline_init(&engine_cfg, &err) < 0) {
		char msg[1024];
		snprintf(msg, sizeof msg, "pipeline_init failed (data dir %s): %s",
			 engine_cfg.data_dir, err ? err : "?");
		free(err);
		ck_abort_msg("%s", msg);
	}
	engine_up = 1;
}

void t_engine_shutdown(void)
{
	if (engine_up)
		pipeline_shutdown();
	engine_up = 0;
	if (engine_loaded)
		config_release(&engine_cfg);
	engine_loaded = 0;
}

const struct config *t_cfg(void)
{
	ck_assert_msg(engine_up, "the engine fixture did not run");
	return &engine_cfg;
}

char *t_tempdir(void)
{
	char tmpl[] = "/tmp/og-unit-XXXXXX";
	char *d = mkdtemp(tmpl);
	ck_assert_msg(d != NULL, "mkdtemp: %s", strerror(errno));
	return xstrdup(d);
}

static int open_up(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DNR)
		chmod(path, (st->st_mode & 07777) | 0700);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void t_rmtree(const char *path)
{
	if (!path || strncmp(path, "/tmp/og-unit-", 13) != 0)
		return; /* never remove anything but our own temporary folders */
	/* read-only folders (spool tests make some) must be writable first */
	nftw(path, open_up, 16, FTW_PHYS);
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void t_write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd >= 0, "cannot create %s: %s", path, strerror(errno));
	ck_assert_int_eq(write_all(fd, data, len), 0);
	ck_assert_int_eq(close(fd), 0);
}

char *t_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct buf b = BUF_INIT;
	int rc = read_fd_all(fd, &b, (size_t)1 << 30);
	close(fd);
	if (rc < 0) {
		buf_release(&b);
		return NULL;
	}
	if (len)
		*len = b.len;
	return buf_detach(&b);
}

int t_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *or_default(const char *v, const char *d)
{
	return v ? v : d;
}

char *t_cxml(const struct t_order *o)
{
	static const struct t_line one = { "1", "3", "0.10", "USD" };
	const char *cur = or_default(o->currency, "USD");
	const char *total = or_default(o->total, "0.30");
	const char *date = or_default(o->order_date, "2024-03-01T10:00:00-05:00");
	const char *ts = or_default(o->timestamp, "2024-03-01T10:00:00-05:00");
	const struct t_line *lines = o->lines ? o->lines : &one;
	int n = o->nlines < 0 ? 0 : (o->lines ? o->nlines : 1);
	struct buf b = BUF_INIT;
	buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd\">\n");
	buf_printf(&b, "<cXML payloadID=\"%s\"", or_default(o->payload_id, "pid-1@buyer.example"));
	if (*ts)
		buf_printf(&b, " timestamp=\"%s\"", ts);
	buf_adds(&b, ">\n"
		     "  <Header>\n"
		     "    <From><Credential domain=\"NetworkID\"><Identity>Buyer1</Identity>"
		     "</Credential></From>\n"
		     "    <To><Credential domain=\"DUNS\"><Identity>123456789</Identity>"
		     "</Credential></To>\n"
		     "    <Sender><Credential domain=\"NetworkID\"><Identity>Buyer1</Identity>"
		     "<SharedSecret>s3cret</SharedSecret></Credential>"
		     "<UserAgent>unit test</UserAgent></Sender>\n"
		     "  </Header>\n"
		     "  <Request deploymentMode=\"production\">\n"
		     "    <OrderRequest>\n");
	buf_printf(&b, "      <OrderRequestHeader orderID=\"PO-1\" orderDate=\"%s\" type=\"new\">\n",
		   date);
	if (*total)
		buf_printf(&b, "        <Total><Money currency=\"%s\">%s</Money></Total>\n", cur,
			   total);
	if (o->header_extra)
		buf_printf(&b, "        %s\n", o->header_extra);
	buf_adds(&b, "        <ShipTo><Address><Name xml:lang=\"en\">Acme</Name><PostalAddress>"
		     "<Street>1 Main St</Street><City>Town</City>"
		     "<Country isoCountryCode=\"US\">United States</Country>"
		     "</PostalAddress></Address></ShipTo>\n"
		     "        <BillTo><Address><Name xml:lang=\"en\">Acme</Name></Address></BillTo>\n"
		     "      </OrderRequestHeader>\n");
	for (int i = 0; i < n; i++) {
		const struct t_line *l = &lines[i];
		buf_printf(&b, "      <ItemOut quantity=\"%s\"", l->quantity);
		if (l->number)
			buf_printf(&b, " lineNumber=\"%s\"", l->number);
		buf_printf(&b, ">\n"
			       "        <ItemID><SupplierPartID>P-%d</SupplierPartID></ItemID>\n"
			       "        <ItemDetail>\n"
			       "          <UnitPrice><Money currency=\"%s\">%s</Money></UnitPrice>\n"
			       "          <Description xml:lang=\"en\">Widget %d</Description>\n"
			       "          <UnitOfMeasure>EA</UnitOfMeasure>\n"
			       "        </ItemDetail>\n"
			       "      </ItemOut>\n",
			   i + 1, l->currency ? l->currency : cur, l->price, i + 1);
	}
	buf_adds(&b, "    </OrderRequest>\n"
		     "  </Request>\n"
		     "</cXML>\n");
	return buf_detach(&b);
}

char *t_canon_line(const char *number, const char *quantity, const char *price,
		   const char *price_currency)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "    <line number=\"%s\">\n"
		       "      <quantity>%s</quantity>\n"
		       "      <unitOfMeasure>ea</unitOfMeasure>\n"
		       "      <supplierPartID>P-%s</supplierPartID>\n"
		       "      <description lang=\"en\">Widget %s</description>\n",
		   number, quantity, number, number);
	if (price_currency)
		buf_printf(&b, "      <unitPrice currency=\"%s\">%s</unitPrice>\n", price_currency,
			   price);
	else
		buf_printf(&b, "      <unitPrice>%s</unitPrice>\n", price);
	buf_adds(&b, "    </line>\n");
	return buf_detach(&b);
}

char *t_canonical(const char *currency, const char *header_xml, const char *order_date,
		  const char *lines_xml)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<order version=\"1\">\n"
		     "  <source format=\"cxml\" documentType=\"OrderRequest\" payloadID=\"p-1\""
		     " timestamp=\"2024-03-01T10:00:00Z\" mode=\"production\""
		     " documentID=\"20240301-100000-000001-000001\""
		     " received=\"2024-03-01T10:00:00+00:00\"/>\n"
		     "  <sender domain=\"NetworkID\" identity=\"Buyer1\"/>\n"
		     "  <from domain=\"NetworkID\" identity=\"Buyer1\"/>\n"
		     "  <to domain=\"DUNS\" identity=\"123456789\"/>\n"
		     "  <orderID>PO-1</orderID>\n");
	buf_printf(&b, "  <orderDate>%s</orderDate>\n", order_date);
	buf_adds(&b, "  <type>new</type>\n"
		     "  <orderType>regular</orderType>\n");
	buf_printf(&b, "  <currency>%s</currency>\n", currency);
	buf_adds(&b, header_xml);
	buf_adds(&b, "  <parties/>\n"
		     "  <contacts/>\n"
		     "  <comments/>\n"
		     "  <extrinsics/>\n"
		     "  <lines>\n");
	buf_adds(&b, lines_xml);
	buf_adds(&b, "  </lines>\n"
		     "</order>\n");
	return buf_detach(&b);
}

void t_trust(const char *extra)
{
	char *x = xasprintf("%s/xslt", t_cfg()->data_dir);
	char *m = xasprintf("%s/maps", t_cfg()->data_dir);
	const char *dirs[] = { x, m, extra };
	xmlsafe_init(dirs, extra ? 3 : 2);
	free(x);
	free(m);
}

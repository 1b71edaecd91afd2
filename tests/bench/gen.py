#!/usr/bin/env python3
"""gen.py: deterministic workload generator for the ordergate benchmark.

Writes cXML OrderRequest documents that `ordergate translate` accepts:

    gen.py --out DIR --count N [--seed S] [--start K] [--jobs J]
        N orders named order-NNNNNNN.xml (numbered from K), a realistic mix:
        1 to 20 lines (about 7 on average), 6 to 12 KB (a long order is
        written with lean lines; a few still reach 12.3 KB), eight buyers with
        their own credentials, cXML versions, currencies and sites, header
        and line extrinsics, accounting distributions, a ship-to on every
        order (and now and then on a line), contacts, comments, p-cards,
        shipping and tax, a few updates and a few test-mode orders.

    gen.py --out DIR --huge LINES [--seed S]
        one order with LINES lines of about 0.9 KB each (huge-order.xml;
        100,000 lines make about 93 MB).

The same seed always gives the same bytes, whatever --jobs: each order has
its own random.Random, and only random() and gammavariate() are drawn from
(their algorithms have not changed in many Python releases). Only the
standard library is used.
"""

import argparse
import os
import random
import sys
from decimal import ROUND_HALF_UP, Decimal
from multiprocessing import Pool
from xml.sax.saxutils import escape, quoteattr

MIN_BYTES = 6 * 1024
MAX_BYTES = 12 * 1024

# ---------------------------------------------------------------------------
# the buyers

STREETS = ["Main Street", "Market St", "Industrial Way", "Harbour Road", "Elm Avenue",
           "Station Road", "Kings Parade", "Lindenstrasse", "Rue de la Paix",
           "Commerce Blvd", "Technology Drive", "Mill Lane", "Oak Court"]
FIRST = ["Anna", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hiro", "Ines",
         "Jonas", "Kofi", "Lena", "Marta", "Nils", "Olga", "Pavel", "Quinn", "Rosa",
         "Sven", "Tariq", "Uma", "Vera", "Wim", "Yuki", "Zoe"]
LAST = ["Smith", "Keller", "Dubois", "Tanaka", "Rossi", "Novak", "Garcia", "Olsen",
        "Brown", "Weber", "Moreau", "Sato", "Costa", "Lindqvist", "Okafor"]

BUYERS = [
    dict(key="acme", name="Acme Manufacturing Inc.", from_domain="NetworkID",
         from_id="AN01000000123", sender=("NetworkID", "AN01000000001"),
         agent="Ariba Network v2.0", version="1.2.050", currency="USD", country="US",
         cname="United States", mail="acme.example",
         cities=[("Sunnyvale", "CA", "94089"), ("Austin", "TX", "78701"),
                 ("Columbus", "OH", "43215"), ("Reno", "NV", "89501")],
         market=True),
    dict(key="zinc", name="Zinc Werke GmbH", from_domain="DUNS", from_id="313456789",
         sender=("DUNS", "313456789"), agent="SAP Ariba Buying", version="1.2.036",
         currency="EUR", country="DE", cname="Deutschland", mail="zinc.example",
         cities=[("Solingen", None, "42699"), ("Wuppertal", None, "42103"),
                 ("Koeln", None, "50667")]),
    dict(key="northwind", name="Northwind Traders", from_domain="NetworkID",
         from_id="northwind-coupa", sender=("NetworkID", "COUPA_NW"),
         agent="Coupa Procurement 1.0", version="1.2.014", currency="USD", country="US",
         cname="United States", mail="northwind.example",
         cities=[("New York", "NY", "10018"), ("Boston", "MA", "02110"),
                 ("Newark", "NJ", "07102")]),
    dict(key="globex", name="Globex UK Ltd", from_domain="NetworkID", from_id="GLOBEX-UK",
         sender=("NetworkID", "JAGGAER-EU"), agent="JAGGAER One", version="1.2.045",
         currency="GBP", country="GB", cname="United Kingdom", mail="globex.example",
         cities=[("London", None, "EC1A 1BB"), ("Leeds", None, "LS1 4AP"),
                 ("Bristol", None, "BS1 5TR")]),
    dict(key="kansai", name="Kansai Trading K.K.", from_domain="NetworkID",
         from_id="KANSAI-JP", sender=("NetworkID", "KANSAI-JP"), agent="Kansai ERP 7",
         version="1.2.050", currency="JPY", country="JP", cname="Japan",
         mail="kansai.example",
         cities=[("Osaka", None, "530-0001"), ("Kyoto", None, "600-8216")]),
    dict(key="contoso", name="Contoso Health", from_domain="DUNS", from_id="123450001",
         sender=("NetworkID", "contoso-procure"), agent="Contoso eProcurement 4.2",
         version="1.2.021", currency="USD", country="US", cname="United States",
         mail="contoso.example",
         cities=[("Seattle", "WA", "98101"), ("Portland", "OR", "97201")], pcard=True),
    dict(key="initech", name="Initech Canada", from_domain="NetworkID",
         from_id="INITECH-CA", sender=("NetworkID", "INITECH-CA"),
         agent="Initech Buyer 2.3", version="1.2.036", currency="CAD", country="CA",
         cname="Canada", mail="initech.example",
         cities=[("Toronto", "ON", "M5H 2N2"), ("Ottawa", "ON", "K1P 1J1")]),
    dict(key="umbrella", name="Umbrella France SAS", from_domain="NetworkID",
         from_id="UMBRELLA-FR", sender=("NetworkID", "AN01000000001"),
         agent="Ariba Network v2.0", version="1.2.050", currency="EUR", country="FR",
         cname="France", mail="umbrella.example",
         cities=[("Paris", None, "75002"), ("Lyon", None, "69002"), ("Lille", None, "59000")],
         market=True),
]
WEIGHTS = [24, 14, 16, 10, 6, 12, 8, 10]

# catalogue: (description, UOM, UNSPSC, price low, price high, fractional qty)
CATALOGUE = [
    ("Copy paper A4 80 g/m2, 500 sheets", "BX", "14111507", 3, 9, False),
    ("Ballpoint pen, blue, box of 50", "BX", "44121704", 5, 20, False),
    ("Ergonomic office chair with lumbar support", "EA", "56112102", 150, 900, False),
    ("Height adjustable desk 160 x 80 cm", "EA", "56101703", 300, 1400, False),
    ("Laptop 14 inch, 16 GB RAM, 512 GB SSD", "EA", "43211503", 700, 2200, False),
    ("USB-C docking station", "EA", "43211602", 90, 320, False),
    ("Nitrile gloves, size M, 100 pieces", "BX", "42132203", 6, 18, False),
    ("Safety goggles, anti-fog", "EA", "46181804", 4, 25, False),
    ("Hydraulic oil HLP 46", "LTR", "15121504", 2, 6, True),
    ("Stainless steel hex bolt M8 x 40", "EA", "31161501", 0, 2, False),
    ("Consulting services, senior engineer", "HUR", "80101500", 90, 260, True),
    ("Installation service, half day", "DAY", "72151500", 300, 900, True),
    ("Coffee beans, 1 kg bag", "KGM", "50201706", 12, 35, True),
    ("Printer toner cartridge, black", "EA", "44103103", 40, 180, False),
    ("Cleaning supplies kit", "PK", "47131700", 15, 60, False),
    ("Network cable Cat6, 5 m", "EA", "43202222", 3, 12, False),
    ("Whiteboard markers, assorted colours", "PK", "44121708", 5, 15, False),
    ("Pallet of drinking water, 24 x 1.5 l", "PL", "50202301", 80, 200, False),
]
EXTRINSIC_NAMES = ["CostCenter", "Requester", "ProjectCode", "CompanyCode", "PurchasingOrg",
                   "Approver", "BudgetYear", "ContractNumber", "Department", "GLAccount"]
SEGMENT_TYPES = [("CostCenter", "Cost centre"), ("GLAccount", "General ledger"),
                 ("ProjectCode", "Project"), ("ProfitCenter", "Profit centre"),
                 ("InternalOrder", "Internal order")]
NOTES = ["Please deliver between 8:00 and 16:00, dock 3.",
         "Call the requester before delivery.",
         "Partial deliveries accepted; invoice per delivery.",
         "Quote the PO number on every delivery note and invoice.",
         "Goods must be palletised and labelled with the cost centre.",
         "Urgent: needed for the line changeover next week."]

MINOR = {"JPY": 0}


def money(v, cur):
    q = Decimal(1).scaleb(-MINOR.get(cur, 2))
    return v.quantize(q, rounding=ROUND_HALF_UP)


class Gen:
    def __init__(self, seed, index):
        # one Random per document: any document can be regenerated alone,
        # and the parallel split cannot change the bytes
        self.r = random.Random(seed * 1000003 + index)
        self.index = index
        self.seed = seed

    # small helpers on top of random() only, so the stream is stable
    def pick(self, seq):
        return seq[int(self.r.random() * len(seq))]

    def chance(self, p):
        return self.r.random() < p

    def between(self, lo, hi):
        return lo + int(self.r.random() * (hi - lo + 1))

    def person(self):
        return "%s %s" % (self.pick(FIRST), self.pick(LAST))

    def line_count(self):
        # gamma(2, 3.2) + 1.5 rounded down, clipped to 1..20: mode 4, mean close to 7
        n = int(self.r.gammavariate(2.0, 3.2) + 1.5)
        return max(1, min(20, n))

    def address(self, b, ind, addr_id, with_deliver=True, with_phone=True):
        city, state, postal = self.pick(b["cities"])
        p = [ind, '<Address isoCountryCode="%s" addressID=%s>\n' % (b["country"], quoteattr(addr_id)),
             ind, '  <Name xml:lang="en">%s - %s</Name>\n' % (escape(b["name"]), escape(city)),
             ind, '  <PostalAddress name="default">\n']
        if with_deliver:
            p += [ind, "    <DeliverTo>%s</DeliverTo>\n" % escape(self.person())]
            if self.chance(0.4):
                p += [ind, "    <DeliverTo>Building %d, room %d</DeliverTo>\n"
                      % (self.between(1, 12), self.between(100, 499))]
        p += [ind, "    <Street>%d %s</Street>\n" % (self.between(1, 400), self.pick(STREETS)),
              ind, "    <City>%s</City>\n" % escape(city)]
        if state:
            p += [ind, "    <State>%s</State>\n" % state]
        p += [ind, "    <PostalCode>%s</PostalCode>\n" % postal,
              ind, '    <Country isoCountryCode="%s">%s</Country>\n' % (b["country"], escape(b["cname"])),
              ind, "  </PostalAddress>\n",
              ind, '  <Email name="default">receiving.%s@%s</Email>\n' % (city.lower().replace(" ", ""), b["mail"])]
        if with_phone:
            p += [ind, '  <Phone name="work"><TelephoneNumber><CountryCode isoCountryCode="%s">%d</CountryCode>'
                  '<AreaOrCityCode>%d</AreaOrCityCode><Number>%d</Number></TelephoneNumber></Phone>\n'
                  % (b["country"], self.between(1, 81), self.between(20, 999), self.between(1000000, 9999999))]
        p += [ind, "</Address>\n"]
        return "".join(p)

    def line(self, b, number, cur, rich_level):
        """One ItemOut. rich_level 0: the lean minimum; 1: usual; 2: everything."""
        desc, uom, unspsc, lo, hi, frac = self.pick(CATALOGUE)
        if frac and self.chance(0.5):
            qty = Decimal(self.between(1, 40)) / Decimal(4)
        else:
            qty = Decimal(self.between(1, 25) if hi < 100 else self.between(1, 6))
        cents = self.between(lo * 100 + 1, hi * 100 + 99)
        price = Decimal(cents).scaleb(-2)
        if cur == "JPY":
            price = (price * 150).quantize(Decimal(1))
        amount = money(qty * price, cur)
        part = "%s-%05d" % (unspsc[:4], self.between(1, 99999))
        ind = "      "
        p = ['%s<ItemOut quantity="%s" lineNumber="%d"' % (ind, qty.normalize() if qty != qty.to_integral() else int(qty), number)]
        if rich_level and self.chance(0.5):
            p.append(' requestedDeliveryDate="2026-%02d-%02d"' % (self.between(1, 12), self.between(1, 28)))
        p.append(">\n")
        p += [ind, "  <ItemID>\n", ind, "    <SupplierPartID>%s</SupplierPartID>\n" % part]
        if rich_level and self.chance(0.35):
            p += [ind, "    <SupplierPartAuxiliaryID>cart:%d;item:%d</SupplierPartAuxiliaryID>\n"
                  % (self.between(10000, 99999), number)]
        if rich_level and self.chance(0.5):
            p += [ind, "    <BuyerPartID>%s-%d</BuyerPartID>\n" % (b["key"].upper()[:3], self.between(1000, 99999))]
        p += [ind, "  </ItemID>\n", ind, "  <ItemDetail>\n",
              ind, '    <UnitPrice><Money currency="%s">%s</Money></UnitPrice>\n' % (cur, price),
              ind, '    <Description xml:lang="en">%s</Description>\n' % escape(desc),
              ind, "    <UnitOfMeasure>%s</UnitOfMeasure>\n" % uom,
              ind, '    <Classification domain="UNSPSC">%s</Classification>\n' % unspsc]
        if rich_level and self.chance(0.4):
            p += [ind, "    <ManufacturerPartID>MPN-%d</ManufacturerPartID>\n" % self.between(10000, 999999),
                  ind, "    <ManufacturerName>%s</ManufacturerName>\n" % self.pick(["Contoso", "Fabrikam", "Wingtip", "Litware", "Tailspin"])]
        if rich_level and self.chance(0.5):
            p += [ind, '    <Extrinsic name="LineType">%s</Extrinsic>\n' % self.pick(["Quantity", "Service", "Catalog", "NonCatalog"])]
        p += [ind, "  </ItemDetail>\n"]
        if rich_level == 2 or (rich_level and self.chance(0.08)):
            p += ["        <ShipTo>\n", self.address(b, "          ", "LS-%d" % self.between(1, 500), True, False),
                  "        </ShipTo>\n"]
        if rich_level and self.chance(0.15):
            rate = Decimal(self.pick([5, 7, 10, 19, 20]))
            tax = money(amount * rate / 100, cur)
            p += [ind, '  <Tax><Money currency="%s">%s</Money><Description xml:lang="en">VAT %s%%</Description></Tax>\n'
                  % (cur, tax, rate)]
        if rich_level == 2 or (rich_level and self.chance(0.6)):
            nseg = self.between(2, 4)
            p += [ind, "  <Distribution>\n",
                  ind, '    <Accounting name="%s">\n' % self.pick(["Cost", "Default", "Capex", "Opex"])]
            for t, d in SEGMENT_TYPES[:nseg]:
                p += [ind, '      <Segment type="%s" id="%s" description="%s"/>\n' % (t, "%s%d" % (t[:2].upper(), self.between(100, 99999)), d)]
            p += [ind, "    </Accounting>\n",
                  ind, '    <Charge><Money currency="%s">%s</Money></Charge>\n' % (cur, amount),
                  ind, "  </Distribution>\n"]
        if rich_level == 2 or (rich_level and self.chance(0.1)):
            p += [ind, '  <Comments xml:lang="en">%s</Comments>\n' % escape(self.pick(NOTES))]
        p += [ind, "</ItemOut>\n"]
        return "".join(p), amount

    def order(self, nlines=None, rich_level=None, size_range=(MIN_BYTES, MAX_BYTES)):
        b = BUYERS[self.weighted()]
        cur = b["currency"]
        n = nlines if nlines is not None else self.line_count()
        lines = []
        subtotal = Decimal(0)
        for i in range(n):
            lvl = rich_level if rich_level is not None else 1
            text, amount = self.line(b, i + 1, cur, lvl)
            lines.append(text)
            subtotal += amount
        tail = "    </OrderRequest>\n  </Request>\n</cXML>\n"
        hseed = int(self.r.random() * 2 ** 53)

        def assemble():
            # the header draws from its own stream, so rebuilding it after
            # a change of lines changes only the figures
            saved, self.r = self.r, random.Random(hseed)
            try:
                head = self.header(b, cur, subtotal, n)
            finally:
                self.r = saved
            return head, head[0] + head[1] + head[2] + "".join(lines) + tail

        head, doc = assemble()
        # too large: regenerate lines lean, from the first, until it fits
        k = 0
        while size_range and rich_level is None and len(doc) > size_range[1] and k < n:
            text, amount = self.line(b, k + 1, cur, 0)
            subtotal += amount - self.amount_of(lines[k], cur)
            lines[k] = text
            k += 1
            head, doc = assemble()
        target = self.between(*size_range) if size_range else 0
        # too small: more header extrinsics (what real buyers pile up)
        extra = []
        k = 0
        while len(doc) + sum(len(x) for x in extra) < target:
            extra.append('        <Extrinsic name="%s%d">%s</Extrinsic>\n'
                         % (self.pick(EXTRINSIC_NAMES), k, escape(self.pick(NOTES))))
            k += 1
        if extra:
            doc = head[0] + head[1] + "".join(extra) + head[2] + "".join(lines) + tail
        return doc

    @staticmethod
    def amount_of(line_text, cur):
        # the amount a line contributes: quantity x price as written
        q = line_text.split('quantity="', 1)[1].split('"', 1)[0]
        pr = line_text.split("<UnitPrice><Money", 1)[1].split(">", 1)[1].split("<", 1)[0]
        return money(Decimal(q) * Decimal(pr), cur)

    def weighted(self):
        x = self.r.random() * sum(WEIGHTS)
        for i, w in enumerate(WEIGHTS):
            x -= w
            if x < 0:
                return i
        return len(WEIGHTS) - 1

    def header(self, b, cur, subtotal, n):
        """Returns (text before the header extrinsics, the extrinsics, the rest up to the lines)."""
        i = self.index
        payload = "%d.%d.%07d@%s" % (1767225600 + i * 7, self.seed, i, b["mail"])
        day = 1 + i % 28
        ts = "2026-%02d-%02dT%02d:%02d:%02d-05:00" % (1 + (i // 28) % 12, day, self.between(6, 20),
                                                     self.between(0, 59), self.between(0, 59))
        mode = "test" if self.chance(0.02) else "production"
        typ = "update" if self.chance(0.05) else "new"
        p = ['<?xml version="1.0" encoding="UTF-8"?>\n',
             '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/%s/cXML.dtd">\n' % b["version"],
             '<cXML payloadID="%s" timestamp="%s" xml:lang="en-US">\n' % (payload, ts),
             "  <Header>\n    <From>\n"]
        if b.get("market"):
            p.append('      <Credential domain="NetworkID" type="marketplace"><Identity>MKT-%d</Identity></Credential>\n'
                     % self.between(1, 9))
        p += ['      <Credential domain="%s"><Identity>%s</Identity></Credential>\n' % (b["from_domain"], b["from_id"]),
              "    </From>\n    <To>\n",
              '      <Credential domain="DUNS"><Identity>987654321</Identity></Credential>\n',
              "    </To>\n    <Sender>\n",
              '      <Credential domain="%s"><Identity>%s</Identity><SharedSecret>s3cr3t-%d</SharedSecret></Credential>\n'
              % (b["sender"][0], b["sender"][1], self.between(1000, 9999)),
              "      <UserAgent>%s</UserAgent>\n" % escape(b["agent"]),
              "    </Sender>\n  </Header>\n",
              '  <Request deploymentMode="%s">\n    <OrderRequest>\n' % mode]
        attrs = 'orderID="%s-PO-%07d" orderDate="%s" type="%s"' % (b["key"].upper(), i, ts, typ)
        if typ == "update":
            attrs += ' orderVersion="2"'
        if self.chance(0.6):
            attrs += ' requisitionID="REQ-%d"' % self.between(10000, 999999)
        p += ["      <OrderRequestHeader %s>\n" % attrs,
              '        <Total><Money currency="%s">%s</Money></Total>\n' % (cur, subtotal)]
        site = "%s-S%02d" % (b["key"].upper(), self.between(1, 40))
        p += ["        <ShipTo>\n", self.address(b, "          ", site), "        </ShipTo>\n",
              "        <BillTo>\n", self.address(b, "          ", "%s-AP" % b["key"].upper(), False, False),
              "        </BillTo>\n"]
        ship = money(Decimal(self.between(0, 9000)).scaleb(-2) * (150 if cur == "JPY" else 1), cur)
        p.append('        <Shipping><Money currency="%s">%s</Money><Description xml:lang="en">%s</Description></Shipping>\n'
                 % (cur, ship, self.pick(["Freight", "Standard ground", "Express", "Included"])))
        if self.chance(0.7):
            tax = money(subtotal * Decimal(self.pick([5, 7, 10, 19, 20])) / 100, cur)
            p.append('        <Tax><Money currency="%s">%s</Money><Description xml:lang="en">Sales tax</Description></Tax>\n'
                     % (cur, tax))
        if b.get("pcard") or self.chance(0.05):
            p.append('        <Payment><PCard number="4%015d" expiration="2028-%02d-28" name="Corporate card"/></Payment>\n'
                     % (self.between(0, 10 ** 9) * 1000003 % 10 ** 15, self.between(1, 12)))
        if self.chance(0.5):
            p.append('        <PaymentTerm payInNumberOfDays="%d"/>\n' % self.pick([10, 30, 45, 60]))
        for role in ["buyer", "endUser"][: self.between(1, 2)]:
            who = self.person()
            p.append('        <Contact role="%s"><Name xml:lang="en">%s</Name><Email>%s@%s</Email></Contact>\n'
                     % (role, who, who.lower().replace(" ", "."), b["mail"]))
        if self.chance(0.5):
            p.append('        <Comments xml:lang="en">%s</Comments>\n' % escape(self.pick(NOTES)))
        if typ == "update":
            p.append('        <DocumentReference payloadID="%d.prev@%s"/>\n' % (i, b["mail"]))
        before = "".join(p)
        ext = []
        for name in EXTRINSIC_NAMES[: self.between(2, 6)]:
            ext.append('        <Extrinsic name="%s">%s-%d</Extrinsic>\n' % (name, name[:3].upper(), self.between(1, 99999)))
        after = "      </OrderRequestHeader>\n"
        return before, "".join(ext), after


def write_one(args):
    out, seed, index, name = args
    doc = Gen(seed, index).order().encode("utf-8")
    path = os.path.join(out, name)
    with open(path, "wb") as f:
        f.write(doc)
    return len(doc), doc.count(b"<ItemOut ")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output folder (created)")
    ap.add_argument("--count", type=int, default=0, help="number of orders")
    ap.add_argument("--start", type=int, default=0, help="first order number")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--huge", type=int, default=0, metavar="LINES",
                    help="write one order with LINES lines instead")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    if a.huge:
        g = Gen(a.seed, 999999)
        doc = g.order(nlines=a.huge, rich_level=1, size_range=None).encode("utf-8")
        with open(os.path.join(a.out, "huge-order.xml"), "wb") as f:
            f.write(doc)
        if not a.quiet:
            print("gen: 1 order, %d lines, %d bytes" % (a.huge, len(doc)))
        return 0
    if a.count <= 0:
        ap.error("give --count N or --huge LINES")
    work = [(a.out, a.seed, i, "order-%07d.xml" % i) for i in range(a.start, a.start + a.count)]
    if a.jobs > 1 and a.count >= 200:
        with Pool(a.jobs) as pool:
            stats = pool.map(write_one, work, chunksize=256)
    else:
        stats = [write_one(w) for w in work]
    sizes = [s for s, _ in stats]
    lines = [n for _, n in stats]
    if not a.quiet:
        print("gen: %d orders, %.1f MB, size %d..%d bytes (mean %d), lines %d..%d (mean %.2f)"
              % (len(stats), sum(sizes) / 1e6, min(sizes), max(sizes), sum(sizes) // len(sizes),
                 min(lines), max(lines), sum(lines) / len(lines)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

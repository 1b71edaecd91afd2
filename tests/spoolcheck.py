#!/usr/bin/env python3
"""spoolcheck.py: the spool invariants and the stage a run was killed in.

    spoolcheck.py invariants SPOOL [--complete] [--sent DIR]
        Prints one line per violation on stderr; exit 1 if there is any.
        Always checked (any spool, after a run has ended):
          - nothing in work/ or tmp/;
          - SQLite PRAGMA integrity_check is ok;
          - every output the ledger records exists once, complete (size
            and SHA-256 as recorded); no output path recorded twice;
          - no file in out/, out-test/ or archive/ without its ledger row,
            no file in failed/ that no ledger row explains;
          - no temporary or hidden name (.x, *.tmp, *.part, ...) in out/,
            out-test/, archive/ or failed/; every .why complete;
          - no payloadID translated twice (sender, payloadID), no document
            with more than one order.
        --complete: a run has completed over every input: in/ is empty and
          every top-level document is in exactly one of archive/ and
          failed/ (the one its state says).
        --sent DIR: the files dropped (one file per input, names unique):
          every one is in exactly one of archive/ and failed/, byte for byte
          (archive copies decompressed), once in the ledger, and nothing
          else is there.

    spoolcheck.py stage SPOOL IN_AT_START
        After a kill -9: which stage the run was in, from the spool and the
        ledger (a copy of it, so the engine's own recovery is what the
        restart exercises). IN_AT_START: files in in/ when the killed run started.
"""

import atexit
import gzip
import hashlib
import os
import shutil
import sqlite3
import sys
import tempfile

TEMP_SUFFIXES = (".tmp", ".part", ".filepart", ".partial", ".crdownload", "~")
ID_LEN = 29  # YYYYMMDD-HHMMSS-PPPPPP-NNNNNN


def files(root, sub):
    """Every file under root/sub, as paths relative to root."""
    out = []
    base = os.path.join(root, sub)
    for d, _, names in os.walk(base):
        for n in names:
            out.append(os.path.relpath(os.path.join(d, n), root))
    return sorted(out)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def is_temp(name):
    return name.startswith(".") or name.endswith(TEMP_SUFFIXES)


def open_ledger(spool):
    """The ledger, without changing anything a restart finds: a copy of
    ledger.db and its WAL (a killed run leaves a WAL that only a writer may
    recover; opening the original read-write would checkpoint it)."""
    path = os.path.join(spool, "ledger.db")
    if not os.path.exists(path):
        return None
    tmp = tempfile.mkdtemp(prefix="spoolcheck.")
    atexit.register(shutil.rmtree, tmp, True)
    for ext in ("", "-wal"):
        if os.path.exists(path + ext):
            shutil.copyfile(path + ext, os.path.join(tmp, "ledger.db" + ext))
    db = sqlite3.connect(os.path.join(tmp, "ledger.db"))
    # names are stored as they came, not always UTF-8 (a Latin-1 file or
    # tar member name): decode text as os.listdir() does (undecodable bytes
    # as surrogates), so ledger names compare equal to the files on disk
    db.text_factory = os.fsdecode
    return db


def original_name(rel, archived=None):
    """archive/Y/M/D/ID-NAME (kept as sent: archive_form = as-sent, or it
    came compressed), archive/Y/M/D/ID-NAME.gz (gzipped here: archive_form =
    gzip) or failed/ID-NAME -> NAME (ID-TAG@NAME from an inbox) (None for an
    archive member's failed file, ID.n-NAME). archived maps the ledger's
    archive paths to the names the documents came under."""
    base = os.path.basename(rel)
    if len(base) <= ID_LEN + 1 or base[ID_LEN] != "-":
        return None
    if archived and rel in archived:
        return archived[rel]
    name = base[ID_LEN + 1:]
    # ID-TAG@NAME: claimed from an inbox (or approvals/), whose tag is first
    name = name.split("@", 1)[-1]
    if rel.startswith("archive/") and name.endswith(".gz"):
        name = name[:-3]
    return name


def invariants(spool, complete, sent):
    bad = []
    for sub in ("work", "tmp"):
        for f in files(spool, sub):
            bad.append("leftover in %s/: %s" % (sub, f))
    db = open_ledger(spool)
    if db is None:
        if sent and os.listdir(sent):
            bad.append("no ledger.db")
        return bad
    try:
        ic = [r[0] for r in db.execute("PRAGMA integrity_check")]
        if ic != ["ok"]:
            bad.append("integrity_check: %s" % "; ".join(ic[:5]))
        outputs = db.execute("SELECT path, sha256, size FROM outputs").fetchall()
        docs = db.execute("SELECT id, name, state, archive_path, failed_path, parent_id, "
                          "sender_key, payload_id FROM documents").fetchall()
        twice = db.execute("SELECT sender_key, payload_id, count(*) FROM documents "
                           "WHERE state = 'done' AND payload_id IS NOT NULL "
                           "GROUP BY 1, 2 HAVING count(*) > 1").fetchall()
        orders_twice = db.execute("SELECT document_id, count(*) FROM orders "
                                  "GROUP BY 1 HAVING count(*) > 1").fetchall()
    except sqlite3.Error as e:
        bad.append("ledger: %s" % e)
        return bad
    finally:
        db.close()

    # every recorded output once, complete
    recorded = {}
    for path, sha, size in outputs:
        recorded[path] = recorded.get(path, 0) + 1
        full = os.path.join(spool, path)
        if not os.path.isfile(full):
            bad.append("ledger output missing: %s" % path)
            continue
        if os.path.getsize(full) != size:
            bad.append("ledger output %s: %d bytes, recorded %d" % (path, os.path.getsize(full), size))
        elif sha256(full) != sha:
            bad.append("ledger output %s: SHA-256 differs from the ledger's" % path)
    for path, n in recorded.items():
        if n > 1:
            bad.append("output path recorded %d times: %s" % (n, path))
    for k, p, n in twice:
        bad.append("payloadID translated %d times: %s %s" % (n, k, p))
    for d, n in orders_twice:
        bad.append("document %s has %d orders" % (d, n))

    # nothing published that the ledger does not explain
    explained = set(recorded)
    for d in docs:
        if d[4]:
            explained.add(d[4])
            explained.add(d[4] + ".why")
    for sub in ("out", "out-test", "archive", "failed"):
        for f in files(spool, sub):
            if is_temp(os.path.basename(f)):
                bad.append("temporary or hidden file visible: %s" % f)
            if f not in explained:
                bad.append("file without a ledger row: %s" % f)
            if f.endswith(".why"):
                with open(os.path.join(spool, f), "rb") as fh:
                    text = fh.read()
                if not text.endswith(b"\n") or b"\nstage: " not in b"\n" + text \
                        or b"to retry after a fix: " not in text:
                    bad.append("incomplete .why: %s" % f)

    top = [d for d in docs if d[5] is None]
    if complete:
        for f in files(spool, "in"):
            if not is_temp(os.path.basename(f)):
                bad.append("left in in/: %s" % f)
        for d in top:
            did, name, state, arch, failed = d[0], d[1], d[2], d[3], d[4]
            in_arch = bool(arch) and os.path.isfile(os.path.join(spool, arch))
            in_failed = bool(failed) and os.path.isfile(os.path.join(spool, failed))
            if state == "failed" and not (in_failed and not in_arch):
                bad.append("%s (%s): failed, but archive=%s failed=%s" % (did, name, in_arch, in_failed))
            if state != "failed" and not (in_arch and not in_failed):
                bad.append("%s (%s): %s, but archive=%s failed=%s" % (did, name, state, in_arch, in_failed))
            if state == "failed" and not os.path.isfile(os.path.join(spool, failed + ".why")):
                bad.append("%s (%s): no .why next to %s" % (did, name, failed))

    if sent is not None:
        names = sorted(os.listdir(sent))
        want = set(names)
        archived = {d[3]: d[1] for d in docs if d[3]}
        seen = {}
        for sub in ("archive", "failed"):
            for f in files(spool, sub):
                if f.endswith(".why"):
                    continue
                n = original_name(f, archived)
                if n is None:
                    continue  # a failed archive member: a ledger output, checked above
                seen.setdefault(n, []).append(f)
        for n in names:
            where = seen.get(n, [])
            if not where:
                bad.append("lost: %s is in neither archive/ nor failed/" % n)
            elif len(where) > 1:
                bad.append("%s is there %d times: %s" % (n, len(where), ", ".join(where)))
            else:
                with open(os.path.join(sent, n), "rb") as fh:
                    orig = fh.read()
                with open(os.path.join(spool, where[0]), "rb") as fh:
                    kept = fh.read()
                same = kept == orig
                if not same and where[0].startswith("archive/"):
                    try:
                        same = gzip.decompress(kept) == orig
                    except (OSError, EOFError):
                        same = False
                if not same:
                    bad.append("%s differs from what was dropped" % where[0])
        for n, where in seen.items():
            if n not in want:
                bad.append("not dropped, yet there: %s" % ", ".join(where))
        counts = {}
        for d in top:
            counts[d[1]] = counts.get(d[1], 0) + 1
        for n in names:
            if counts.get(n, 0) != 1:
                bad.append("%s is in the ledger %d times" % (n, counts.get(n, 0)))
        for n in counts:
            if n not in want:
                bad.append("the ledger has a document nobody dropped: %s" % n)
    return bad


def stage(spool, in_at_start):
    work = [os.path.basename(f) for f in files(spool, "work")]
    tmp = [os.path.basename(f) for f in files(spool, "tmp")]
    inn = [f for f in files(spool, "in") if not is_temp(os.path.basename(f))]
    ids, tmp_committed = set(), set()
    db = None
    try:
        db = open_ledger(spool)
        if db is not None:
            ids = {r[0] for r in db.execute("SELECT id FROM documents")}
            tmp_committed = {r[0] for r in db.execute("SELECT tmp_name FROM outputs")}
    except sqlite3.Error as e:
        if "no such table" not in str(e):  # killed while creating the ledger
            return "unknown (ledger unreadable: %s)" % e
    finally:
        if db is not None:
            db.close()

    def committed_tmp(n):
        return n in tmp_committed or (n.endswith(".why") and n[:-4] in ids)

    if any(committed_tmp(n) for n in tmp):
        return "committed, not published"
    if tmp:
        return "staged in tmp/, not committed"
    if any(n[:ID_LEN] in ids for n in work):
        return "published, input not yet removed"
    if work:
        return "processing (claimed, not committed)"
    if len(inn) >= in_at_start:
        return "before any claim"
    if not inn:
        return "after the last commit"
    return "between groups"


def main(argv):
    if len(argv) >= 3 and argv[1] == "invariants":
        spool, rest = argv[2], argv[3:]
        complete = "--complete" in rest
        sent = rest[rest.index("--sent") + 1] if "--sent" in rest else None
        bad = invariants(spool, complete or sent is not None, sent)
        for b in bad:
            print("  " + b, file=sys.stderr)
        return 1 if bad else 0
    if len(argv) == 4 and argv[1] == "stage":
        print(stage(argv[2], int(argv[3])))
        return 0
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))

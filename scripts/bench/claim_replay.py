"""Replays the run loop's per-job database work on a copy of a loaded
gridbatch database, without the network: in each transaction, record the
previous batch of jobs as submitted, claim the next batch of due pending
jobs and mark them submitting (the statements of src/store/run_queue.cpp).
Prints a markdown row: microseconds per job. Python's own cost, about 4 us a
job, is included, so compare variants with each other, not with
`gridbatch run`.

Usage: python3 claim_replay.py DB [VARIANT] [BATCH]
  DB       a database loaded by `gridbatch load`; it is only read (the
           replay runs on a copy in a temporary directory)
  VARIANT  as-loaded (default): the schema as it is
           slim: jobs_batch dropped, jobs_due partial on pending
           narrow: a narrow state table beside the jobs rows, which then
                   are only read (indexes like slim's)
  BATCH    jobs per transaction, default 16
"""
import atexit
import os
import shutil
import sqlite3
import sys
import tempfile
import time

VARIANTS = ("as-loaded", "slim", "narrow")


def fail(message):
    sys.exit("claim_replay: " + message)


if not 2 <= len(sys.argv) <= 4:
    fail("usage: claim_replay.py DB [%s] [BATCH]" % "|".join(VARIANTS))
path = sys.argv[1]
variant = sys.argv[2] if len(sys.argv) > 2 else "as-loaded"
if variant not in VARIANTS:
    fail("unknown variant '%s' (one of %s)" % (variant, ", ".join(VARIANTS)))
try:
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 16
except ValueError:
    batch = 0
if batch < 1:
    fail("BATCH must be a whole number of at least 1, not '%s'" % sys.argv[3])
if not os.path.isfile(path):
    fail("%s: no such file" % path)

work = tempfile.mkdtemp(prefix="claim-replay-")
atexit.register(shutil.rmtree, work, True)
copy = os.path.join(work, "replay.db")
try:
    source = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"jobs", "batches"} <= tables:
        fail("%s: not a gridbatch database (no jobs and batches tables)" % path)
    db = sqlite3.connect(copy, isolation_level=None)
    source.backup(db)
    source.close()
except sqlite3.DatabaseError as e:
    fail("%s: %s" % (path, e))
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")

table = "jobs"
if variant == "slim":
    db.executescript("""DROP INDEX jobs_batch; DROP INDEX jobs_due;
        CREATE INDEX jobs_due ON jobs(next_attempt_at) WHERE state = 'pending';""")
elif variant == "narrow":
    db.executescript("""
        CREATE TABLE st (id INTEGER PRIMARY KEY, state TEXT NOT NULL,
          next_attempt_at REAL NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,
          remote_id TEXT, submitted_at TEXT, updated_at TEXT, remote_status TEXT,
          vm_status TEXT, missing_since REAL, last_polled_at REAL NOT NULL DEFAULT 0);
        INSERT INTO st(id, state) SELECT id, state FROM jobs;
        CREATE INDEX st_due ON st(next_attempt_at) WHERE state = 'pending';
        CREATE INDEX st_poll ON st(last_polled_at) WHERE state IN ('submitted', 'running');""")
    table = "st"

if variant == "narrow":
    claim = ("SELECT s.id, j.prompt, j.model, b.app, b.hours, s.attempts + 1"
             " FROM st s JOIN jobs j ON j.id = s.id JOIN batches b ON b.id = j.batch_id"
             " WHERE s.state = 'pending' AND s.next_attempt_at <= ?"
             " ORDER BY s.next_attempt_at, s.id LIMIT ?")
else:
    claim = ("SELECT j.id, j.prompt, j.model, b.app, b.hours, j.attempts + 1"
             " FROM jobs j JOIN batches b ON b.id = j.batch_id"
             " WHERE j.state = 'pending' AND j.next_attempt_at <= ?"
             " ORDER BY j.next_attempt_at, j.id LIMIT ?")
mark = ("UPDATE %s SET state = 'submitting', attempts = attempts + 1, updated_at = ?"
        " WHERE id = ?") % table
submitted = ("UPDATE %s SET state = 'submitted', remote_id = ?, submitted_at = ?,"
             " updated_at = ?, last_polled_at = ?, remote_status = NULL, vm_status = NULL,"
             " missing_since = NULL WHERE id = ? AND state = 'submitting'") % table

now, text = time.time(), "2026-11-29T09:00:00.000Z"
previous, jobs = [], 0
wall0, cpu0 = time.perf_counter(), time.process_time()
while True:
    db.execute("BEGIN IMMEDIATE")
    for job in previous:
        db.execute(submitted, ("remote%d" % job, text, text, now, job))
    rows = db.execute(claim, (now, batch)).fetchall()
    for r in rows:
        db.execute(mark, (text, r[0]))
    db.execute("COMMIT")
    previous = [r[0] for r in rows]
    jobs += len(rows)
    if not rows:
        break
wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
print("| %s | %d | %d | %.1f | %.1f |" % (variant, batch, jobs, 1e6 * wall / jobs, 1e6 * cpu / jobs))
db.close()

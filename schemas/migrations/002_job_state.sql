-- gridbatch job store, schema version 2: what the run loop changes about a
-- job moves out of `jobs` into a narrow table beside it, `job_state`.
--
-- Version 1 kept state, attempts, times and errors in the jobs row, which
-- also holds the prompt and the output: every state change (three per job
-- on the way to `submitted`) rewrote the whole row, prompt included, and
-- moved its entries in three indexes. Now `jobs` holds what a job is (its
-- identity, its prompt, and the results a poll brings back) and `job_state`
-- what is happening to it: a row of a few dozen bytes, two small partial
-- indexes for the dispatcher and the poller, no index on its state.

-- `jobs` is rebuilt without the moved columns: the old table steps aside
-- as jobs_v1 (taking its indexes along), the new one takes its name, and
-- job_state, made after that, refers to the new one. Dropping jobs_v1 then
-- cascades into nothing.
ALTER TABLE jobs RENAME TO jobs_v1;

CREATE TABLE jobs_v2 (
  id              INTEGER PRIMARY KEY,
  batch_id        INTEGER NOT NULL REFERENCES batches(id),
  -- Identity: 16-byte hash of (batch name, prompt id, rendered prompt, model, repeat index).
  content_key     BLOB NOT NULL UNIQUE,
  prompt_id       TEXT NOT NULL,
  model           TEXT NOT NULL,
  prompt          TEXT NOT NULL,
  vars            TEXT,                 -- JSON object of sweep variables, or NULL
  repeat_index    INTEGER NOT NULL DEFAULT 0,
  output          TEXT,                 -- the latest log the service returned
  runtime         INTEGER,              -- seconds, as the service reports it
  remote_created  TEXT,                 -- the service's `created`
  created_at      TEXT NOT NULL,        -- when the job was loaded
  load_serial     INTEGER NOT NULL DEFAULT 0   -- batches.load_serial of the load that added this job
                                               -- (with load-serial tracking: last listed it)
);

INSERT INTO jobs_v2 (id, batch_id, content_key, prompt_id, model, prompt, vars, repeat_index,
                     output, runtime, remote_created, created_at, load_serial)
  SELECT id, batch_id, content_key, prompt_id, model, prompt, vars, repeat_index,
         output, runtime, remote_created, created_at, load_serial
  FROM jobs_v1 ORDER BY id;

ALTER TABLE jobs_v2 RENAME TO jobs;

CREATE TABLE job_state (
  job_id          INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  -- Copies of jobs.batch_id and jobs.model, never changed: counts per batch,
  -- model and state, and the --batch and --model filters, read this table
  -- alone.
  batch_id        INTEGER NOT NULL,
  model           TEXT NOT NULL,
  -- An OR of comparisons, not IN (...): SQLite 3.40 builds a temporary
  -- b-tree of the IN list each time it checks a row, twice per submit.
  state           TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state = 'pending' OR state = 'submitting' OR state = 'submitted'
                         OR state = 'running' OR state = 'completed' OR state = 'failed'
                         OR state = 'cancelled'),
  attempts        INTEGER NOT NULL DEFAULT 0,   -- submits sent (or about to be)
  remote_id       TEXT,
  remote_status   TEXT,                 -- the service's status, as it spelled it
  vm_status       TEXT,
  last_error      TEXT,
  updated_at      TEXT NOT NULL,        -- last change of any kind
  submitted_at    TEXT,
  finished_at     TEXT,
  next_attempt_at REAL NOT NULL DEFAULT 0,     -- not to be claimed before this time
  last_polled_at  REAL NOT NULL DEFAULT 0,     -- 0: never polled
  missing_since   REAL                  -- first poll whose reply left this id out
);

INSERT INTO job_state (job_id, batch_id, model, state, attempts, remote_id, remote_status,
                       vm_status, last_error, updated_at, submitted_at, finished_at,
                       next_attempt_at, last_polled_at, missing_since)
  SELECT id, batch_id, model, state, attempts, remote_id, remote_status, vm_status, last_error,
         updated_at, submitted_at, finished_at, next_attempt_at, last_polled_at, missing_since
  FROM jobs_v1 ORDER BY id;

DROP TABLE jobs_v1;  -- and its four indexes

-- Every job has its state row, made with it.
CREATE TRIGGER jobs_state_row AFTER INSERT ON jobs BEGIN
  INSERT INTO job_state (job_id, batch_id, model, updated_at)
  VALUES (new.id, new.batch_id, new.model, new.created_at);
END;

-- The dispatcher claims due pending jobs; the poller takes in-flight jobs,
-- least recently polled first. A state change moves an entry only when the
-- job enters or leaves pending, or enters or leaves flight.
CREATE INDEX job_state_due ON job_state (next_attempt_at) WHERE state = 'pending';
CREATE INDEX job_state_poll ON job_state (last_polled_at) WHERE state IN ('submitted', 'running');
-- `status` lists the latest distinct errors; few jobs have one.
CREATE INDEX job_state_errors ON job_state (last_error) WHERE last_error IS NOT NULL;
-- Export and the loader's counts select one batch's jobs.
CREATE INDEX jobs_batch ON jobs (batch_id, model);

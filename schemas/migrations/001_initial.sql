-- gridbatch job store, schema version 1.
-- Times a user reads are ISO-8601 UTC text; times the scheduler compares are
-- REAL seconds since the Unix epoch.

CREATE TABLE batches (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  app           TEXT NOT NULL,
  hours         REAL,                   -- runtime limit sent with each submit; NULL: not sent
  manifest_path TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  load_serial   INTEGER NOT NULL DEFAULT 0   -- loads of this batch so far (see jobs.load_serial)
);

CREATE TABLE jobs (
  id              INTEGER PRIMARY KEY,
  batch_id        INTEGER NOT NULL REFERENCES batches(id),
  -- Identity: 16-byte hash of (batch name, prompt id, rendered prompt, model, repeat index).
  content_key     BLOB NOT NULL UNIQUE,
  prompt_id       TEXT NOT NULL,
  model           TEXT NOT NULL,
  prompt          TEXT NOT NULL,
  vars            TEXT,                 -- JSON object of sweep variables, or NULL
  repeat_index    INTEGER NOT NULL DEFAULT 0,
  state           TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending','submitting','submitted','running',
                                   'completed','failed','cancelled')),
  attempts        INTEGER NOT NULL DEFAULT 0,   -- submits sent (or about to be)
  remote_id       TEXT,
  remote_status   TEXT,                 -- the service's status, as it spelled it
  vm_status       TEXT,
  output          TEXT,                 -- the latest log the service returned
  runtime         INTEGER,              -- seconds, as the service reports it
  remote_created  TEXT,                 -- the service's `created`
  created_at      TEXT NOT NULL,        -- when the job was loaded
  updated_at      TEXT NOT NULL,        -- last change of any kind
  submitted_at    TEXT,
  finished_at     TEXT,
  next_attempt_at REAL NOT NULL DEFAULT 0,     -- not to be claimed before this time
  last_polled_at  REAL NOT NULL DEFAULT 0,     -- 0: never polled
  missing_since   REAL,                 -- first poll whose reply left this id out
  last_error      TEXT,
  load_serial     INTEGER NOT NULL DEFAULT 0   -- batches.load_serial of the load that added this job
                                               -- (with load-serial tracking: last listed it)
);

-- The dispatcher claims due pending jobs; the poller takes in-flight jobs,
-- least recently polled first; status and export group and filter by batch.
CREATE INDEX jobs_due ON jobs (state, next_attempt_at);
CREATE INDEX jobs_poll ON jobs (last_polled_at) WHERE state IN ('submitted', 'running');
CREATE INDEX jobs_batch ON jobs (batch_id, model, state);
-- `status` lists the latest distinct errors; few jobs have one.
CREATE INDEX jobs_errors ON jobs (last_error) WHERE last_error IS NOT NULL;

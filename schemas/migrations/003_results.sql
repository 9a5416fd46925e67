-- gridbatch job store, schema version 3: a completed job carries no error,
-- and the `results` view gives the export's columns to any SQLite client.
--
-- Version 2 kept last_error when a job completed after a failed attempt
-- (a 429, a timeout), so exports showed an error beside a good output. Now
-- completion moves it into previous_error, the error of the job's last
-- failed attempt, and last_error holds the current problem only.
ALTER TABLE job_state ADD COLUMN previous_error TEXT;

UPDATE job_state SET previous_error = last_error, last_error = NULL
  WHERE state = 'completed' AND last_error IS NOT NULL;

-- `gridbatch show` finds a prompt's jobs, and `export --wide` reads each
-- prompt's jobs together (batch, prompt id, repeat, then model), through
-- this index instead of a scan or a sort of the whole table.
CREATE INDEX jobs_prompt ON jobs (batch_id, prompt_id, repeat_index, model);

-- One row per job with the columns of `gridbatch export`, in its order
-- (docs/EXPORT.md, "The results view"). A stable interface: later schema
-- versions keep these names and meanings. The jobs come in the order they
-- were loaded; `vars` is the JSON object text of the sweep variables.
CREATE VIEW results AS
  SELECT b.name AS batch, j.prompt_id AS prompt_id, j.model AS model, j.prompt AS prompt,
         s.state AS state, j.output AS output, j.runtime AS runtime, s.remote_id AS remote_id,
         s.attempts AS attempts, s.last_error AS error, s.previous_error AS previous_error,
         j.created_at AS created, s.submitted_at AS submitted_at,
         s.finished_at AS finished_at, j.repeat_index AS "repeat", j.vars AS vars
  FROM jobs AS j JOIN job_state AS s ON s.job_id = j.id JOIN batches AS b ON b.id = j.batch_id
  ORDER BY j.id;

-- gridbatch job store, schema version 5: models a run held.
--
-- When the service refuses a model's submits the same way for several jobs
-- in a row (its error names the model: "Unknown model: X"), the run's
-- circuit breaker holds that model's jobs as pending while the other models
-- go on (docs/RELIABILITY.md, "The circuit breaker"). `status` shows the
-- hold and its reason. A hold lasts until the next `run`, which tries the
-- model again.
CREATE TABLE holds (
  model   TEXT PRIMARY KEY,
  reason  TEXT NOT NULL,
  held_at TEXT NOT NULL
) WITHOUT ROWID;

-- gridbatch job store, schema version 4: each in-flight job carries the time
-- of its next poll, chosen by the run's poll schedule (adaptive by default,
-- or every --poll-interval with --poll-fixed), and the last time a poll saw
-- it unfinished.
--
-- Version 3 polled every in-flight job --poll-interval after its last poll,
-- found through an index on last_polled_at. Now the schedule decides per
-- job (not before a job of its model could plausibly be done, more often
-- near the model's typical finish, seldom in between), so the poller's
-- index is on next_poll_at and its query stays one index range scan.
ALTER TABLE job_state ADD COLUMN next_poll_at REAL NOT NULL DEFAULT 0;
-- When a poll last found the job unfinished: the job ended after it. NULL: never.
ALTER TABLE job_state ADD COLUMN last_running_at REAL;

-- Jobs in flight now keep the fixed schedule's next poll.
UPDATE job_state SET next_poll_at = last_polled_at + 5
  WHERE state = 'submitted' OR state = 'running';

DROP INDEX job_state_poll;
CREATE INDEX job_state_poll ON job_state (next_poll_at) WHERE state IN ('submitted', 'running');

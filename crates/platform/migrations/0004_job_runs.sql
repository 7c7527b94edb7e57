-- Scheduled jobs run once per period across every replica of a service:
-- the replica that moves a job's last run forward runs it (platform::jobs).
CREATE TABLE IF NOT EXISTS job_runs (
    job         text PRIMARY KEY,
    last_run_at timestamptz NOT NULL
);

-- Opt-in (not in db/migration): a leaner index set for the logs table. It writes faster than the default
-- seven b-tree indexes and keeps every read endpoint and monitoring query on an index; see
-- docs/PERFORMANCE.md for the measurements. Apply it with your other migrations, or with
-- `java -jar stratal-logback-<version>-cli.jar migrate up --lean-indexes --url ...`.
DROP INDEX IF EXISTS idx_logs_type;
DROP INDEX IF EXISTS idx_logs_job_run_id;
DROP INDEX IF EXISTS idx_logs_task_run_id;
DROP INDEX IF EXISTS idx_logs_timestamp;
DROP INDEX IF EXISTS idx_logs_level;

-- idx_logs_job_run_timestamp and idx_logs_task_run_timestamp stay: they serve the job and task run
-- endpoints in order, and the foreign keys' ON DELETE CASCADE.
CREATE INDEX IF NOT EXISTS idx_logs_type_timestamp ON logs (type, timestamp);
CREATE INDEX IF NOT EXISTS idx_logs_timestamp_brin ON logs USING brin (timestamp);

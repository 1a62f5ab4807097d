-- Opt-in (not in db/migration): an index of each job run's warnings and errors, in time order. It makes
-- "the errors of this run" (level=error, level=warn,error on /job-runs/{id}) read only those rows instead of
-- the run's or the table's, and costs writes little, as it holds about one row in twenty; see
-- docs/PERFORMANCE.md. Apply it with your other migrations, or with
-- `java -jar stratal-logback-<version>-cli.jar migrate up --problem-index --url ...`. It blocks writes
-- while it builds (2 s on 10 million rows here, longer on a busy table): on a large table in use, build it yourself
-- with CREATE INDEX CONCURRENTLY instead. Like the other files here it names the table `logs`.
CREATE INDEX IF NOT EXISTS idx_logs_job_run_problems ON logs (job_run_id, timestamp) WHERE level IN ('warn', 'error');

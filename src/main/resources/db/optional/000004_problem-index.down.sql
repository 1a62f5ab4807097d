DROP INDEX IF EXISTS idx_logs_job_run_problems;

-- Back to the default seven indexes.
DROP INDEX IF EXISTS idx_logs_type_timestamp;
DROP INDEX IF EXISTS idx_logs_timestamp_brin;

CREATE INDEX IF NOT EXISTS idx_logs_type ON logs (type);
CREATE INDEX IF NOT EXISTS idx_logs_job_run_id ON logs (job_run_id);
CREATE INDEX IF NOT EXISTS idx_logs_task_run_id ON logs (task_run_id);
CREATE INDEX IF NOT EXISTS idx_logs_timestamp ON logs (timestamp);
CREATE INDEX IF NOT EXISTS idx_logs_level ON logs (level);

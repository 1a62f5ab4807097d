DROP TRIGGER IF EXISTS stratal_job_runs_insert ON logs;
DROP TRIGGER IF EXISTS stratal_job_runs_update ON logs;
DROP TRIGGER IF EXISTS stratal_job_runs_delete ON logs;
DROP TRIGGER IF EXISTS stratal_job_runs_truncate ON logs;
DROP FUNCTION IF EXISTS stratal_job_runs_changed();
DROP FUNCTION IF EXISTS stratal_job_runs_truncated();
DROP TABLE IF EXISTS stratal_job_run_tasks;
DROP TABLE IF EXISTS stratal_job_runs;

-- Back to the baseline: the unified table goes, task_logs returns (empty) as 000001 created it.
DROP TABLE IF EXISTS logs;

CREATE TABLE task_logs (
    id BIGSERIAL PRIMARY KEY,
    task_run_id UUID NOT NULL REFERENCES task_runs (id) ON DELETE CASCADE,
    timestamp TIMESTAMP DEFAULT now(),
    stream TEXT CHECK (stream IN ('stdout', 'stderr')) NOT NULL DEFAULT 'stdout',
    message TEXT NOT NULL
);

CREATE INDEX idx_task_logs_task_run_id ON task_logs (task_run_id);

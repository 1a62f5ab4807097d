-- Baseline that 000002 upgrades from: job runs, their task runs, and the old per-task log table.
CREATE TABLE job_runs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    job_name TEXT NOT NULL,
    status TEXT CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')) NOT NULL DEFAULT 'pending',
    started_at TIMESTAMP WITH TIME ZONE,
    finished_at TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE task_runs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    job_run_id UUID NOT NULL REFERENCES job_runs (id) ON DELETE CASCADE,
    task_name TEXT NOT NULL,
    status TEXT CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')) NOT NULL DEFAULT 'pending',
    exit_code INTEGER,
    started_at TIMESTAMP WITH TIME ZONE,
    finished_at TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX idx_task_runs_job_run_id ON task_runs (job_run_id);

CREATE TABLE task_logs (
    id BIGSERIAL PRIMARY KEY,
    task_run_id UUID NOT NULL REFERENCES task_runs (id) ON DELETE CASCADE,
    timestamp TIMESTAMP DEFAULT now(),
    stream TEXT CHECK (stream IN ('stdout', 'stderr')) NOT NULL DEFAULT 'stdout',
    message TEXT NOT NULL
);

CREATE INDEX idx_task_logs_task_run_id ON task_logs (task_run_id);

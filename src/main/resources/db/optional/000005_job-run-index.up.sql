-- Opt-in (not in db/migration): a running index of the job runs that have logs, so the job-runs list
-- (GET /api/v1/logs/job-runs) reads one row per run instead of counting the runs' logs: on 10 million rows
-- it answers in a few milliseconds, where counting takes 90 to 450 ms; see docs/PERFORMANCE.md, section 6.
-- Triggers on logs keep it current for every writer (the appender's COPY, plain INSERTs, deletes by
-- retention or by a cascade from job_runs, updates, TRUNCATE), one aggregate per statement, not per row.
-- Apply it with your other migrations, or with
-- `java -jar stratal-logback-<version>-cli.jar migrate up --job-run-index --url ...`. It fills itself from
-- the existing rows as it is created, holding writers off meanwhile (about 3 s per 10 million rows here).
-- Like the other files here it names the table `logs`; it needs PostgreSQL 11 or later.
-- Applied again, it starts over: what an earlier application left is dropped first. The triggers only if
-- they are there, as dropping one locks out readers of logs too, until the fill below is done.
DO $$
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = 'logs'::regclass) = 'p' THEN
        RAISE EXCEPTION 'logs is partitioned (db/optional/000006): the job-run index does not follow partitions '
            'dropped by retention, so it is not made on a partitioned logs table';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'logs'::regclass AND tgname LIKE 'stratal\_job\_runs\_%') THEN
        DROP TRIGGER IF EXISTS stratal_job_runs_insert ON logs;
        DROP TRIGGER IF EXISTS stratal_job_runs_update ON logs;
        DROP TRIGGER IF EXISTS stratal_job_runs_delete ON logs;
        DROP TRIGGER IF EXISTS stratal_job_runs_truncate ON logs;
    END IF;
END
$$;
DROP FUNCTION IF EXISTS stratal_job_runs_changed();
DROP FUNCTION IF EXISTS stratal_job_runs_truncated();
DROP TABLE IF EXISTS stratal_job_run_tasks;
DROP TABLE IF EXISTS stratal_job_runs;

CREATE TABLE stratal_job_runs (
    job_run_id UUID PRIMARY KEY,
    first TIMESTAMP,
    last TIMESTAMP,
    logs BIGINT NOT NULL,
    errors BIGINT NOT NULL,
    warnings BIGINT NOT NULL
);
CREATE INDEX idx_stratal_job_runs_last ON stratal_job_runs (last DESC NULLS LAST, job_run_id DESC);

CREATE TABLE stratal_job_run_tasks (
    job_run_id UUID NOT NULL,
    task_run_id UUID NOT NULL,
    PRIMARY KEY (job_run_id, task_run_id)
);

-- Rows removed (DELETE, or the old side of an UPDATE) and rows added (INSERT, COPY, the new side of an
-- UPDATE), each as a transition table of the whole statement. Counts are exact under concurrent writers;
-- first and last are looked up again from the run's index only when removed rows held them.
CREATE FUNCTION stratal_job_runs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Every writer locks the runs it touches in id order, so two never deadlock; and once the locks are
    -- held, the statements below see (in a snapshot of their own) what the writers before committed.
    IF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM stratal_job_runs WHERE job_run_id IN (SELECT job_run_id FROM removed)
        ORDER BY job_run_id FOR UPDATE;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM 1 FROM stratal_job_runs
        WHERE job_run_id IN (SELECT job_run_id FROM removed UNION SELECT job_run_id FROM added)
        ORDER BY job_run_id FOR UPDATE;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE stratal_job_runs r
        SET logs = r.logs - g.logs, errors = r.errors - g.errors, warnings = r.warnings - g.warnings,
            first = CASE WHEN g.first <= r.first
                THEN (SELECT min(l.timestamp) FROM logs l WHERE l.job_run_id = r.job_run_id) ELSE r.first END,
            last = CASE WHEN g.last >= r.last
                THEN (SELECT max(l.timestamp) FROM logs l WHERE l.job_run_id = r.job_run_id) ELSE r.last END
        FROM (SELECT job_run_id, count(*) AS logs, count(*) FILTER (WHERE level = 'error') AS errors,
                     count(*) FILTER (WHERE level = 'warn') AS warnings, min(timestamp) AS first, max(timestamp) AS last
              FROM removed WHERE job_run_id IS NOT NULL GROUP BY job_run_id) g
        WHERE r.job_run_id = g.job_run_id;
        DELETE FROM stratal_job_runs r WHERE r.logs <= 0 AND r.job_run_id IN (SELECT job_run_id FROM removed);
        DELETE FROM stratal_job_run_tasks t
        USING (SELECT DISTINCT job_run_id, task_run_id FROM removed
               WHERE job_run_id IS NOT NULL AND task_run_id IS NOT NULL) g
        WHERE t.job_run_id = g.job_run_id AND t.task_run_id = g.task_run_id
          AND NOT EXISTS (SELECT 1 FROM logs l WHERE l.task_run_id = g.task_run_id AND l.job_run_id = g.job_run_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        -- in id order, so writers that share runs lock them in the same order and never deadlock
        INSERT INTO stratal_job_runs AS r (job_run_id, first, last, logs, errors, warnings)
        SELECT job_run_id, min(timestamp), max(timestamp), count(*), count(*) FILTER (WHERE level = 'error'),
               count(*) FILTER (WHERE level = 'warn')
        FROM added WHERE job_run_id IS NOT NULL GROUP BY job_run_id ORDER BY job_run_id
        ON CONFLICT (job_run_id) DO UPDATE
        SET first = least(r.first, excluded.first), last = greatest(r.last, excluded.last),
            logs = r.logs + excluded.logs, errors = r.errors + excluded.errors, warnings = r.warnings + excluded.warnings;
        INSERT INTO stratal_job_run_tasks (job_run_id, task_run_id)
        SELECT DISTINCT job_run_id, task_run_id FROM added
        WHERE job_run_id IS NOT NULL AND task_run_id IS NOT NULL ORDER BY 1, 2
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION stratal_job_runs_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE stratal_job_runs, stratal_job_run_tasks;
    RETURN NULL;
END
$$;

-- The triggers first: creating them locks out writers until this transaction ends, so the fill below sees
-- every row and no row is counted twice.
CREATE TRIGGER stratal_job_runs_insert AFTER INSERT ON logs REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION stratal_job_runs_changed();
CREATE TRIGGER stratal_job_runs_update AFTER UPDATE ON logs REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION stratal_job_runs_changed();
CREATE TRIGGER stratal_job_runs_delete AFTER DELETE ON logs REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION stratal_job_runs_changed();
CREATE TRIGGER stratal_job_runs_truncate AFTER TRUNCATE ON logs
    FOR EACH STATEMENT EXECUTE FUNCTION stratal_job_runs_truncated();

INSERT INTO stratal_job_runs (job_run_id, first, last, logs, errors, warnings)
SELECT job_run_id, min(timestamp), max(timestamp), count(*), count(*) FILTER (WHERE level = 'error'),
       count(*) FILTER (WHERE level = 'warn')
FROM logs WHERE job_run_id IS NOT NULL GROUP BY job_run_id;
INSERT INTO stratal_job_run_tasks (job_run_id, task_run_id)
SELECT DISTINCT job_run_id, task_run_id FROM logs WHERE job_run_id IS NOT NULL AND task_run_id IS NOT NULL;

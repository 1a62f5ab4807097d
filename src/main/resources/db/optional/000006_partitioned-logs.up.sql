-- Opt-in (not in db/migration): logs range-partitioned by timestamp (UTC), one partition per day by
-- default, with a default partition for the timestamps no partition covers. Old logs then go by dropping
-- whole partitions (the retention command does that), and each insert updates the indexes of one small
-- partition, not of one ever larger table; see docs/SCALING.md for the measurements.
-- Apply it after the numbered migrations, or with
-- `java -jar stratal-logback-<version>-cli.jar migrate up --partitioned [--partition-interval day] --url ...`.
-- Like the other files here it names the table `logs`, and it needs PostgreSQL 13 or later.
--
-- What changes for the table: the primary key becomes (id, timestamp), as a partitioned table's unique
-- keys must hold its partition key, and timestamp becomes NOT NULL (it keeps its default, now()). The owner
-- and grants, columns, CHECKs, foreign keys and index set stay: the indexes the table has (the default set, the lean set,
-- the problem index, your own) are made again on the partitioned table.
--
-- Settings, read when set (the CLI sets them from its flags; golang-migrate users can SET them in the
-- session or edit the defaults below):
--   stratal.partition_interval  hour, day (the default), week or month
--   stratal.partition_premake   how many partitions to keep ready ahead of now (default 7)
--
-- A logs table that has rows is converted in place and keeps every row: it becomes the partition of all
-- timestamps before the next interval boundary (FROM (MINVALUE) TO (that boundary)), named
-- as pg_partman would name that interval's (logs_p2026_11_29 for a day); a NULL timestamp takes its row's created_at; a row dated at or after the
-- boundary moves to its own partition. The conversion holds writers off while it builds the new primary
-- key and checks the rows once (docs/SCALING.md has the time per million rows); the retention command
-- drops that partition once all of it is past the cut-off, and deletes inside it before that.
--
-- With pg_partman in this database (CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman),
-- the table is registered with it: pg_partman makes the partitions, the default one and the next ones, and
-- its run_maintenance_proc() keeps them coming (schedule it: README, "Partitioned logs"). Without it,
-- stratal_create_log_partitions() below makes them; run it daily (the CLI's `partitions` command does).
-- pg_partman is the supported way; the function is what you need to get started.
--
-- The job-run index (000005) does not follow partitions: revert it before this file, which refuses while
-- it is there. Applied to a logs table that is partitioned already, this file changes nothing.

-- Makes partitions of `parent` ahead of now: from the end of its newest partition (or from `start`), one
-- per interval (the newest partition's width, or `step`), until `premake` intervals past the current one
-- are covered. Rows the default partition holds for a new partition's range move into it. Returns the
-- names of the partitions made.
CREATE OR REPLACE FUNCTION stratal_create_log_partitions(parent regclass DEFAULT to_regclass('logs'), premake integer DEFAULT 7,
                                                         step interval DEFAULT NULL, start timestamp DEFAULT NULL)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET datestyle = 'ISO, YMD'
AS $fn$
DECLARE
    newest_from timestamp;
    newest_to timestamp;
    lower_bound timestamp;
    upper_bound timestamp;
    horizon timestamp;
    parent_schema text;
    parent_name text;
    default_part regclass;
    name_format text;
    child text;
BEGIN
    IF premake IS NULL OR premake < 0 THEN
        RAISE EXCEPTION 'premake: % is not a number of partitions (0 or more)', premake;
    END IF;
    SELECT n.nspname, c.relname INTO parent_schema, parent_name
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = parent AND c.relkind = 'p';
    IF parent_name IS NULL THEN
        RAISE EXCEPTION '% is not a partitioned table', parent;
    END IF;
    PERFORM pg_advisory_xact_lock(1398035025, parent::oid::integer); -- one maker per table at a time

    SELECT b[1]::timestamp, b[2]::timestamp INTO newest_from, newest_to
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid,
           regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)') AS b
     WHERE i.inhparent = parent AND b IS NOT NULL
     ORDER BY b[2]::timestamp DESC
     LIMIT 1;
    step := coalesce(step, age(newest_to, newest_from));
    lower_bound := coalesce(start, newest_to);
    IF step IS NULL OR lower_bound IS NULL THEN
        RAISE EXCEPTION '% has no partition with both bounds to go on from: give step and start', parent;
    END IF;
    IF step <= interval '0' THEN
        RAISE EXCEPTION 'step: % is not a positive interval', step;
    END IF;
    name_format := CASE
        WHEN extract(year FROM step) > 0 OR extract(month FROM step) > 0 THEN 'YYYY_MM'
        WHEN step < interval '1 day' THEN 'YYYY_MM_DD_HH24MI'
        ELSE 'YYYY_MM_DD' END;

    SELECT i.inhrelid::regclass INTO default_part
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = parent AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT';

    horizon := (now() AT TIME ZONE 'UTC') + premake * step;
    WHILE lower_bound <= horizon LOOP
        upper_bound := lower_bound + step;
        child := format('%I.%I', parent_schema, parent_name || '_p' || to_char(lower_bound, name_format));
        IF default_part IS NOT NULL AND EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                                                 WHERE i.inhparent = parent AND c.oid = default_part) THEN
            -- rows already in the default partition for this range move with it, or the new bounds
            -- would contradict the default partition's contents
            EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', child, parent);
            -- no writer may add a row for this range to the default partition between the move and the attach
            EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', default_part);
            EXECUTE format('WITH moved AS (DELETE FROM %s WHERE timestamp >= $1 AND timestamp < $2 RETURNING *) '
                           'INSERT INTO %s SELECT * FROM moved', default_part, child) USING lower_bound, upper_bound;
            EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)',
                           parent, child, lower_bound, upper_bound);
        ELSE
            EXECUTE format('CREATE TABLE %s PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                           child, parent, lower_bound, upper_bound);
        END IF;
        RETURN NEXT child;
        lower_bound := upper_bound;
    END LOOP;
END
$fn$;

DO $$
DECLARE
    unit text := coalesce(nullif(current_setting('stratal.partition_interval', true), ''), 'day');
    premake_text text := coalesce(nullif(current_setting('stratal.partition_premake', true), ''), '7');
    premake integer;
    step interval;
    current_start timestamp;
    cutover timestamp;
    has_rows boolean;
    index_sql text[];
    statement text;
    partman_schema text;
    partman_version text;
    logs_schema text;
    logs_owner text;
    logs_acl aclitem[];
    name_format text;
    converted text;
BEGIN
    IF unit NOT IN ('hour', 'day', 'week', 'month') THEN
        RAISE EXCEPTION 'stratal.partition_interval: ''%'' is not hour, day, week or month', unit;
    END IF;
    IF premake_text !~ '^\d{1,4}$' THEN
        RAISE EXCEPTION 'stratal.partition_premake: ''%'' is not a number of partitions (0 to 9999)', premake_text;
    END IF;
    premake := premake_text::integer;
    IF to_regclass('logs') IS NULL THEN
        RAISE EXCEPTION 'there is no logs table: apply the numbered migrations (db/migration) first';
    END IF;
    IF (SELECT relkind FROM pg_class WHERE oid = 'logs'::regclass) = 'p' THEN
        RAISE NOTICE 'logs is partitioned already: nothing to do';
        RETURN;
    END IF;
    SELECT n.nspname, pg_get_userbyid(c.relowner), c.relacl INTO logs_schema, logs_owner, logs_acl
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = 'logs'::regclass;
    IF logs_schema <> current_schema() THEN
        RAISE EXCEPTION 'logs is in schema %, not in %, where this file would make the new table: set search_path to % first',
            logs_schema, current_schema(), logs_schema;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'logs'::regclass AND tgname LIKE 'stratal\_job\_runs\_%') THEN
        RAISE EXCEPTION 'the job-run index (db/optional/000005_job-run-index) is on logs and does not follow '
            'partitions: revert it (its .down.sql, or drop its triggers) before partitioning';
    END IF;

    LOCK TABLE logs IN ACCESS EXCLUSIVE MODE;
    step := ('1 ' || unit)::interval;
    current_start := date_trunc(unit, now() AT TIME ZONE 'UTC');
    cutover := current_start + step;
    has_rows := EXISTS (SELECT 1 FROM logs);

    -- the table's indexes, to be made again on the partitioned table (all but the primary key)
    SELECT coalesce(array_agg(pg_get_indexdef(i.indexrelid) ORDER BY c.relname), '{}') INTO index_sql
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = 'logs'::regclass AND NOT i.indisprimary;

    ALTER TABLE logs DROP CONSTRAINT IF EXISTS logs_pkey;
    ALTER TABLE logs RENAME TO logs_before_partitioning;
    FOR statement IN
        SELECT format('ALTER INDEX %I.%I RENAME TO %I', n.nspname, c.relname, left(c.relname, 42) || '_before_partitioning')
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE i.indrelid = 'logs_before_partitioning'::regclass
    LOOP
        EXECUTE statement;
    END LOOP;

    CREATE TABLE logs (
        id BIGINT NOT NULL DEFAULT nextval('logs_id_seq'),
        type TEXT CONSTRAINT logs_type_check CHECK (type IN ('system', 'job', 'task')) NOT NULL DEFAULT 'system',
        job_run_id UUID CONSTRAINT logs_job_run_id_fkey REFERENCES job_runs (id) ON DELETE CASCADE NULL,
        task_run_id UUID CONSTRAINT logs_task_run_id_fkey REFERENCES task_runs (id) ON DELETE CASCADE NULL,
        timestamp TIMESTAMP NOT NULL DEFAULT now(),
        level TEXT CONSTRAINT logs_level_check CHECK (level IN ('info', 'error', 'warn', 'debug')) NOT NULL DEFAULT 'info',
        stream TEXT CONSTRAINT logs_stream_check CHECK (stream IN ('stdout', 'stderr', 'system')) NOT NULL DEFAULT 'system',
        message TEXT NOT NULL,
        metadata JSONB,
        created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
        CONSTRAINT logs_pkey PRIMARY KEY (id, timestamp)
    ) PARTITION BY RANGE (timestamp);
    ALTER SEQUENCE logs_id_seq OWNED BY logs.id;
    FOREACH statement IN ARRAY index_sql LOOP
        EXECUTE statement;
    END LOOP;
    -- the old table's owner and grants, so the roles that wrote and read it still can
    IF logs_owner <> current_user THEN
        EXECUTE format('ALTER TABLE logs OWNER TO %I', logs_owner);
    END IF;
    FOR statement IN
        SELECT format('GRANT %s ON logs TO %s%s', a.privilege_type,
                      CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                      CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
          FROM aclexplode(logs_acl) a
         WHERE a.grantee <> (SELECT relowner FROM pg_class WHERE oid = 'logs'::regclass)
    LOOP
        EXECUTE statement;
    END LOOP;

    SELECT n.nspname, e.extversion INTO partman_schema, partman_version
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_partman';
    IF partman_schema IS NOT NULL THEN
        -- pg_partman makes the default partition and the partitions from the start on
        IF split_part(partman_version, '.', 1)::integer >= 5 THEN
            EXECUTE format('SELECT %I.create_parent(p_parent_table := %L, p_control := %L, p_interval := %L, '
                           'p_premake := %s, p_start_partition := %L)', partman_schema,
                           current_schema() || '.logs', 'timestamp', '1 ' || unit, premake,
                           CASE WHEN has_rows THEN cutover ELSE current_start END);
        ELSE
            EXECUTE format('SELECT %I.create_parent(p_parent_table := %L, p_control := %L, p_type := %L, '
                           'p_interval := %L, p_premake := %s, p_start_partition := %L)', partman_schema,
                           current_schema() || '.logs', 'timestamp', 'native',
                           CASE unit WHEN 'hour' THEN 'hourly' WHEN 'day' THEN 'daily' WHEN 'week' THEN 'weekly'
                                     ELSE 'monthly' END, premake,
                           CASE WHEN has_rows THEN cutover ELSE current_start END);
        END IF;
        -- make partitions ahead of now even while no logs arrive
        -- and do not let a far-off timestamp in the default partition decide which ones to make
        EXECUTE format('UPDATE %I.part_config SET infinite_time_partitions = true, ignore_default_data = true'
                       ' WHERE parent_table = %L', partman_schema, current_schema() || '.logs');
    ELSE
        CREATE TABLE logs_default PARTITION OF logs DEFAULT;
        -- with rows, the converted table covers the current interval, so one more is made at least: the
        -- partition the next ones follow on from
        PERFORM stratal_create_log_partitions('logs', CASE WHEN has_rows THEN greatest(premake, 1) ELSE premake END,
                                              step, CASE WHEN has_rows THEN cutover ELSE current_start END);
    END IF;

    IF NOT has_rows THEN
        DROP TABLE logs_before_partitioning;
        RETURN;
    END IF;

    -- the old table is named as the partition of the interval before the cut-over would be, so pg_partman,
    -- which orders partitions by the dates in their names, takes it for one of its own
    IF partman_schema IS NOT NULL THEN
        EXECUTE format('SELECT datetime_string FROM %I.part_config WHERE parent_table = %L', partman_schema,
                       current_schema() || '.logs') INTO name_format;
    ELSE
        name_format := CASE unit WHEN 'hour' THEN 'YYYY_MM_DD_HH24MI' WHEN 'month' THEN 'YYYY_MM' ELSE 'YYYY_MM_DD' END;
    END IF;
    converted := 'logs_p' || to_char(cutover - step, name_format);

    -- the conversion: the old table becomes the partition of everything before the cut-over
    UPDATE logs_before_partitioning SET timestamp = coalesce(created_at, now()) AT TIME ZONE 'UTC' WHERE timestamp IS NULL;
    CREATE TEMPORARY TABLE stratal_logs_after_cutover ON COMMIT DROP AS
        WITH moved AS (DELETE FROM logs_before_partitioning WHERE timestamp >= cutover RETURNING *) SELECT * FROM moved;
    ALTER TABLE logs_before_partitioning ALTER COLUMN timestamp SET NOT NULL;
    ALTER TABLE logs_before_partitioning ADD CONSTRAINT logs_before_partitioning_pkey PRIMARY KEY (id, timestamp);
    EXECUTE format('ALTER TABLE logs_before_partitioning ADD CONSTRAINT logs_before_partitioning_range CHECK (timestamp < %L)', cutover);
    EXECUTE format('ALTER TABLE logs ATTACH PARTITION logs_before_partitioning FOR VALUES FROM (MINVALUE) TO (%L)', cutover);
    ALTER TABLE logs_before_partitioning DROP CONSTRAINT logs_before_partitioning_range;
    EXECUTE format('ALTER TABLE logs_before_partitioning RENAME TO %I', converted);
    INSERT INTO logs SELECT * FROM stratal_logs_after_cutover;
END
$$;

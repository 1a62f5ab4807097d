-- Back to one plain logs table, every row kept: the rows of all partitions are copied into a table made
-- as migration 000002 makes it (primary key id, timestamp nullable), with the index set the partitioned table had,
-- and the partitioned table goes. The table is registered with pg_partman no more. The copy holds writers
-- off while it runs and needs room for a second copy of the table.
DO $$
DECLARE
    index_sql text[];
    statement text;
    partman_schema text;
    template text;
    logs_owner text;
    logs_acl aclitem[];
BEGIN
    IF to_regclass('logs') IS NULL OR (SELECT relkind FROM pg_class WHERE oid = 'logs'::regclass) <> 'p' THEN
        RAISE NOTICE 'logs is not partitioned: nothing to do';
        RETURN;
    END IF;
    LOCK TABLE logs IN ACCESS EXCLUSIVE MODE;
    SELECT pg_get_userbyid(relowner), relacl INTO logs_owner, logs_acl FROM pg_class WHERE oid = 'logs'::regclass;

    SELECT n.nspname INTO partman_schema
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_partman';
    IF partman_schema IS NOT NULL THEN
        EXECUTE format('SELECT template_table FROM %I.part_config WHERE parent_table = %L', partman_schema,
                       current_schema() || '.logs') INTO template;
        EXECUTE format('DELETE FROM %I.part_config WHERE parent_table = %L', partman_schema, current_schema() || '.logs');
        IF template IS NOT NULL THEN
            EXECUTE format('DROP TABLE IF EXISTS %s', template);
        END IF;
    END IF;

    SELECT coalesce(array_agg(replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON ') ORDER BY c.relname), '{}')
      INTO index_sql
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = 'logs'::regclass AND NOT i.indisprimary;

    ALTER TABLE logs RENAME TO logs_partitioned;
    FOR statement IN
        SELECT format('ALTER INDEX %I.%I RENAME TO %I', n.nspname, c.relname, left(c.relname, 48) || '_partitioned')
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE i.indrelid = 'logs_partitioned'::regclass
    LOOP
        EXECUTE statement;
    END LOOP;

    CREATE TABLE logs (
        id BIGINT NOT NULL DEFAULT nextval('logs_id_seq') PRIMARY KEY,
        type TEXT CONSTRAINT logs_type_check CHECK (type IN ('system', 'job', 'task')) NOT NULL DEFAULT 'system',
        job_run_id UUID CONSTRAINT logs_job_run_id_fkey REFERENCES job_runs (id) ON DELETE CASCADE NULL,
        task_run_id UUID CONSTRAINT logs_task_run_id_fkey REFERENCES task_runs (id) ON DELETE CASCADE NULL,
        timestamp TIMESTAMP DEFAULT now(),
        level TEXT CONSTRAINT logs_level_check CHECK (level IN ('info', 'error', 'warn', 'debug')) NOT NULL DEFAULT 'info',
        stream TEXT CONSTRAINT logs_stream_check CHECK (stream IN ('stdout', 'stderr', 'system')) NOT NULL DEFAULT 'system',
        message TEXT NOT NULL,
        metadata JSONB,
        created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP
    );
    ALTER SEQUENCE logs_id_seq OWNED BY logs.id;
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
    INSERT INTO logs SELECT * FROM logs_partitioned ORDER BY id;
    DROP TABLE logs_partitioned;
    FOREACH statement IN ARRAY index_sql LOOP
        EXECUTE statement;
    END LOOP;
END
$$;

DROP FUNCTION IF EXISTS stratal_create_log_partitions(regclass, integer, interval, timestamp);

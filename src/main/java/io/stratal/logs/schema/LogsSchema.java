package io.stratal.logs.schema;

import io.stratal.logs.names.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The one source of the {@code logs} table's DDL: the unified {@code logs} table and its seven indexes. The migration file
 * {@code 000002_column-job-run-logs.up.sql} holds the same statements, and a test keeps the two equal.
 */
public final class LogsSchema {

    /** The columns the appender writes, in COPY order. */
    public static final String COPY_COLUMNS = "(type, job_run_id, task_run_id, timestamp, level, stream, message, metadata)";

    /** Serializes concurrent {@code createSchema} runs of several apps starting at once. */
    private static final long DDL_LOCK_KEY = 0x5354524154414cL; // "STRATAL"

    private LogsSchema() {
    }

    /**
     * The statements that create the table and its indexes.
     *
     * @param name the name
     * @param ifNotExists     add {@code IF NOT EXISTS} to every statement
     * @param jobRunsFk       reference {@code job_runs (id)} from {@code job_run_id}
     * @param taskRunsFk      reference {@code task_runs (id)} from {@code task_run_id}
     * @return the statements, in the order to run them
     */
    public static List<String> createStatements(TableName name, boolean ifNotExists, boolean jobRunsFk, boolean taskRunsFk) {
        String maybe = ifNotExists ? "IF NOT EXISTS " : "";
        String table = name.qualified();
        List<String> statements = new ArrayList<>();
        statements.add("CREATE TABLE " + maybe + table + " (\n"
                + "    id BIGSERIAL PRIMARY KEY,\n"
                + "    type TEXT CHECK (type IN ('system', 'job', 'task')) NOT NULL DEFAULT 'system',\n"
                + "    job_run_id UUID" + (jobRunsFk ? " REFERENCES " + name.sibling("job_runs") + " (id) ON DELETE CASCADE" : "") + " NULL,\n"
                + "    task_run_id UUID" + (taskRunsFk ? " REFERENCES " + name.sibling("task_runs") + " (id) ON DELETE CASCADE" : "") + " NULL,\n"
                + "    timestamp TIMESTAMP DEFAULT now(),\n"
                + "    level TEXT CHECK (level IN ('info', 'error', 'warn', 'debug')) NOT NULL DEFAULT 'info',\n"
                + "    stream TEXT CHECK (stream IN ('stdout', 'stderr', 'system')) NOT NULL DEFAULT 'system',\n"
                + "    message TEXT NOT NULL,\n"
                + "    metadata JSONB,\n"
                + "    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP\n"
                + ")");
        String prefix = "idx_" + name.table();
        statements.add("CREATE INDEX " + maybe + prefix + "_type ON " + table + " (type)");
        statements.add("CREATE INDEX " + maybe + prefix + "_job_run_id ON " + table + " (job_run_id)");
        statements.add("CREATE INDEX " + maybe + prefix + "_task_run_id ON " + table + " (task_run_id)");
        statements.add("CREATE INDEX " + maybe + prefix + "_timestamp ON " + table + " (timestamp)");
        statements.add("CREATE INDEX " + maybe + prefix + "_level ON " + table + " (level)");
        statements.add("CREATE INDEX " + maybe + prefix + "_job_run_timestamp ON " + table + " (job_run_id, timestamp)");
        statements.add("CREATE INDEX " + maybe + prefix + "_task_run_timestamp ON " + table + " (task_run_id, timestamp)");
        return statements;
    }

    /**
     * Creates the table and indexes that are missing, with foreign keys only to the run tables that exist.
     * Never drops or alters anything. Returns {@code true} when the table had to be created.
     *
     * @param connection a connection to the database
     * @param name the name
     * @return true when it created the table
     * @throws SQLException when the database cannot answer
     */
    public static boolean createIfMissing(Connection connection, TableName name) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_advisory_xact_lock(" + DDL_LOCK_KEY + ")");
            boolean existed = exists(connection, name.qualified());
            boolean jobRuns = exists(connection, name.sibling("job_runs"));
            boolean taskRuns = exists(connection, name.sibling("task_runs"));
            for (String sql : createStatements(name, true, jobRuns, taskRuns)) {
                statement.execute(sql);
            }
            connection.commit();
            return !existed;
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * {@return true when a table (or view) of that name is visible on the connection's search path}
     *
     * @param connection a connection to the database
     * @param relation a table or view name, possibly schema-qualified
     * @throws SQLException when the database cannot answer
     */
    public static boolean exists(Connection connection, String relation) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            statement.setString(1, relation);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}

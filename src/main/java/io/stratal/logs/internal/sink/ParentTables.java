package io.stratal.logs.internal.sink;

import io.stratal.logs.names.TableName;
import io.stratal.logs.LogRecord;
import io.stratal.logs.pipeline.MissingParents;
import io.stratal.logs.pipeline.WriteException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What the logs table's foreign keys point at, read from the catalog, so that after a foreign-key violation
 * the writer can say exactly which run ids are missing instead of blaming whole batches.
 */
final class ParentTables {

    private String jobRunsTable;
    private String jobRunsColumn;
    private String taskRunsTable;
    private String taskRunsColumn;

    /** Reads the single-column foreign keys of {@code job_run_id} and {@code task_run_id}. */
    void read(Connection connection, TableName logs) throws SQLException {
        String sql = "SELECT a.attname, c.confrelid::regclass::text, af.attname "
                + "FROM pg_constraint c "
                + "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                + "JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1] "
                + "WHERE c.conrelid = to_regclass(?) AND c.contype = 'f' AND cardinality(c.conkey) = 1";
        jobRunsTable = null;
        taskRunsTable = null;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, logs.qualified());
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1).equals("job_run_id")) {
                        jobRunsTable = rs.getString(2);
                        jobRunsColumn = rs.getString(3);
                    } else if (rs.getString(1).equals("task_run_id")) {
                        taskRunsTable = rs.getString(2);
                        taskRunsColumn = rs.getString(3);
                    }
                }
            }
        }
    }

    /** The run ids of {@code rows} that their parent tables lack, asked in the caller's transaction. */
    MissingParents missing(Connection connection, List<LogRecord> rows) throws SQLException {
        Set<UUID> jobRunIds = new HashSet<>();
        Set<UUID> taskRunIds = new HashSet<>();
        for (LogRecord row : rows) {
            if (row.jobRunId() != null) {
                jobRunIds.add(row.jobRunId());
            }
            if (row.taskRunId() != null) {
                taskRunIds.add(row.taskRunId());
            }
        }
        return new MissingParents(absent(connection, jobRunsTable, jobRunsColumn, jobRunIds),
                absent(connection, taskRunsTable, taskRunsColumn, taskRunIds));
    }

    private static Set<UUID> absent(Connection connection, String table, String column, Collection<UUID> ids) throws SQLException {
        Set<UUID> missing = new HashSet<>();
        if (table == null || ids.isEmpty()) {
            return missing;
        }
        String quoted = "\"" + column.replace("\"", "\"\"") + "\"";
        String sql = "SELECT t.id FROM unnest(?::uuid[]) AS t(id) WHERE NOT EXISTS (SELECT 1 FROM " + table
                + " p WHERE p." + quoted + " = t.id)";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            Array array = connection.createArrayOf("uuid", ids.toArray());
            statement.setArray(1, array);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    missing.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return missing;
    }

    /**
     * After a foreign-key violation, with the transaction rolled back: the failure, naming the run ids the
     * batch referenced that the parent tables lack, so only their rows wait.
     */
    WriteException failure(Connection connection, List<LogRecord> rows, SQLException e) throws SQLException {
        MissingParents missing = missing(connection, rows);
        connection.rollback();
        return new WriteException(WriteException.Kind.FOREIGN_KEY, SqlStates.FOREIGN_KEY_VIOLATION,
                String.valueOf(e.getMessage()), e, -1, missing);
    }
}

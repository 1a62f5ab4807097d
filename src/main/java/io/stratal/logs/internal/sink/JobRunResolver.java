package io.stratal.logs.internal.sink;

import io.stratal.logs.LogRecord;
import io.stratal.logs.LogType;
import io.stratal.logs.names.TableName;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Gives a task log without a job run id the job run its task run belongs to, where {@code task_runs} records
 * one. Each task run is looked up once, in the batch's own transaction, and remembered (the most recent
 * {@value #MAX_CACHED_TASK_RUNS}).
 */
final class JobRunResolver {

    private static final int MAX_CACHED_TASK_RUNS = 10_000;

    private final String taskRuns;
    private final Map<UUID, UUID> jobRunOfTaskRun = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, UUID> eldest) {
            return size() > MAX_CACHED_TASK_RUNS;
        }
    };
    private boolean taskRunsHaveJobRunId;

    JobRunResolver(TableName logs) {
        this.taskRuns = logs.sibling("task_runs");
    }

    /** Learns whether {@code task_runs} has a {@code job_run_id} column; without one nothing is resolved. */
    void prepare(Connection connection) throws SQLException {
        String sql = "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname = ?"
                + " AND NOT attisdropped)";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, taskRuns);
            statement.setString(2, "job_run_id");
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                taskRunsHaveJobRunId = rs.getBoolean(1);
            }
        }
    }

    /** {@code batch}, or a copy of it in which task logs without a job run have the one their task run records. */
    List<LogRecord> withResolvedJobRuns(Connection connection, List<LogRecord> batch) throws SQLException {
        if (!taskRunsHaveJobRunId) {
            return batch;
        }
        Set<UUID> unknown = new LinkedHashSet<>();
        for (LogRecord record : batch) {
            if (needsJobRun(record) && !jobRunOfTaskRun.containsKey(record.taskRunId())) {
                unknown.add(record.taskRunId());
            }
        }
        if (!unknown.isEmpty()) {
            lookUp(connection, unknown);
        }
        List<LogRecord> rows = null;
        for (int i = 0; i < batch.size(); i++) {
            LogRecord record = batch.get(i);
            UUID jobRunId = needsJobRun(record) ? jobRunOfTaskRun.get(record.taskRunId()) : null;
            if (jobRunId != null) {
                if (rows == null) {
                    rows = new ArrayList<>(batch);
                }
                rows.set(i, record.withJobRunId(jobRunId));
            }
        }
        return rows == null ? batch : rows;
    }

    private static boolean needsJobRun(LogRecord record) {
        return record.type() == LogType.TASK && record.taskRunId() != null && record.jobRunId() == null;
    }

    private void lookUp(Connection connection, Set<UUID> taskRunIds) throws SQLException {
        String sql = "SELECT id, job_run_id FROM " + taskRuns + " WHERE id = ANY (?) AND job_run_id IS NOT NULL";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            Array ids = connection.createArrayOf("uuid", taskRunIds.toArray());
            statement.setArray(1, ids);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    jobRunOfTaskRun.put(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class));
                }
            }
        }
    }
}

package io.stratal.logs.internal.jdbc;

import io.stratal.logs.jdbc.LogsSchema;
import io.stratal.logs.names.TableName;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogType;
import io.stratal.logs.writer.Batch;
import io.stratal.logs.writer.BatchSink;
import io.stratal.logs.writer.MissingParents;
import io.stratal.logs.writer.Reporter;
import io.stratal.logs.writer.WriteException;
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
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes a batch with one {@code COPY ... FROM STDIN} in one transaction, together with the batch id in the
 * ledger ({@link BatchLedger}), so a retry never stores the same batch twice.
 *
 * <p>COPY measured slightly faster than a multi-row insert from arrays on the seed schema (faster in 5 of
 * 6 runs with the ledger insert; see docs/PERFORMANCE.md). Rows are encoded and streamed in chunks, so the
 * server starts on the first rows while the rest are still being encoded.
 */
public final class CopyBatchWriter implements BatchSink {

    /** Bytes encoded before they are handed to the server. */
    private static final int CHUNK_BYTES = 64 * 1024;
    /** A buffer grown past this by one huge batch is dropped afterwards rather than kept forever. */
    private static final int MAX_RETAINED_BUFFER = 4 * 1024 * 1024;
    private static final int MAX_CACHED_TASK_RUNS = 10_000;
    /** program_limit_exceeded: what a commit that notifies gets when the server's notification queue is full. */
    private static final String NOTIFY_QUEUE_FULL = "54000";
    private static final long NOTIFY_PAUSE_NANOS = TimeUnit.MINUTES.toNanos(5);

    private final ConnectionFactory connections;
    private final TableName table;
    private final boolean createSchema;
    private final Reporter reporter;
    private final String copySql;
    private final String notifyChannel;
    /** Notifications resume at this nanoTime after the queue was full; in the past when never paused. */
    private long notifyPausedUntil = System.nanoTime();
    private final CopyRowEncoder encoder = new CopyRowEncoder();
    private final BatchLedger ledger;
    private final ParentTables parents = new ParentTables();
    private final Map<UUID, UUID> jobRunOfTaskRun = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, UUID> eldest) {
            return size() > MAX_CACHED_TASK_RUNS;
        }
    };
    private CopyBuffer buffer = new CopyBuffer(CHUNK_BYTES * 2);
    private boolean prepared;
    private boolean taskRunsHaveJobRunId;

    public CopyBatchWriter(ConnectionFactory connections, TableName table, boolean createSchema, Reporter reporter) {
        this(connections, table, createSchema, reporter, null);
    }

    /**
     * @param notifyChannel where each committed batch is announced with {@code pg_notify(channel, table)}, so
     *                      a log server streams the new rows at once; {@code null} announces nothing
     */
    public CopyBatchWriter(ConnectionFactory connections, TableName table, boolean createSchema, Reporter reporter,
                           String notifyChannel) {
        this.notifyChannel = notifyChannel;
        this.connections = connections;
        this.table = table;
        this.createSchema = createSchema;
        this.reporter = reporter;
        this.copySql = "COPY " + table.qualified() + " " + LogsSchema.COPY_COLUMNS + " FROM STDIN";
        this.ledger = new BatchLedger(table);
    }

    @Override
    public void write(Batch batch) throws WriteException {
        try (Connection connection = connections.getConnection()) {
            prepareOnce(connection);
            boolean autoCommit = connection.getAutoCommit();
            if (autoCommit) {
                connection.setAutoCommit(false);
            }
            try {
                if (!ledger.claim(connection, batch.id())) {
                    connection.rollback();
                    ledger.alreadyCommitted(batch.id());
                    return;
                }
                List<LogRecord> rows = withResolvedJobRuns(connection, batch.records());
                try {
                    copy(connection, rows);
                } catch (SQLException e) {
                    if (SqlStates.FOREIGN_KEY_VIOLATION.equals(SqlStates.firstState(e))) {
                        ledger.abandoned();
                        connection.rollback();
                        throw foreignKeyFailure(connection, rows, e);
                    }
                    throw e;
                }
                boolean announced = announce(connection);
                try {
                    connection.commit();
                } catch (SQLException e) {
                    if (announced && NOTIFY_QUEUE_FULL.equals(e.getSQLState())) {
                        pauseNotifications();
                    }
                    throw e; // kept and retried: without the notification it goes through
                }
                ledger.committed(batch.id(), batch.durable());
            } catch (SQLException | RuntimeException e) {
                ledger.abandoned();
                rollbackQuietly(connection);
                throw e;
            } finally {
                if (autoCommit) {
                    restoreAutoCommitQuietly(connection);
                }
            }
        } catch (SQLException e) {
            throw SqlStates.toWriteException(e);
        }
    }

    /**
     * Inside the transaction: PostgreSQL delivers the notification when, and only if, it commits. Returns
     * whether it notified.
     */
    private boolean announce(Connection connection) throws SQLException {
        if (notifyChannel == null || System.nanoTime() - notifyPausedUntil < 0) {
            return false;
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
            statement.setString(1, notifyChannel);
            statement.setString(2, table.qualified());
            statement.execute();
        }
        return true;
    }

    /**
     * The server's notification queue is full, and every transaction that notifies fails at commit until a
     * listener that does not read (a stuck LISTEN session) goes away. Logs come first: write without
     * notifying for a while, and say why.
     */
    private void pauseNotifications() {
        notifyPausedUntil = System.nanoTime() + NOTIFY_PAUSE_NANOS;
        reporter.warn("PostgreSQL's notification queue is full (SQLSTATE " + NOTIFY_QUEUE_FULL + "), so a batch that"
                + " notified " + notifyChannel + " could not commit; batches are written without NOTIFY for the next "
                + TimeUnit.NANOSECONDS.toMinutes(NOTIFY_PAUSE_NANOS) + " minutes (log servers still find them by polling)."
                + " A LISTEN session that does not read holds the queue: see pg_notification_queue_usage()");
    }

    /** Names the run ids the batch referenced that the parent tables lack, so only their rows wait. */
    private WriteException foreignKeyFailure(Connection connection, List<LogRecord> rows, SQLException e) throws SQLException {
        MissingParents missing = parents.missing(connection, rows);
        connection.rollback();
        return new WriteException(WriteException.Kind.FOREIGN_KEY, SqlStates.FOREIGN_KEY_VIOLATION,
                String.valueOf(e.getMessage()), e, -1, missing);
    }

    private void copy(Connection connection, List<LogRecord> rows) throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
        try {
            buffer.reset();
            for (LogRecord row : rows) {
                encoder.encode(row, buffer);
                if (buffer.size() >= CHUNK_BYTES) {
                    copy.writeToCopy(buffer.array(), 0, buffer.size());
                    buffer.reset();
                }
            }
            if (buffer.size() > 0) {
                copy.writeToCopy(buffer.array(), 0, buffer.size());
            }
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException ignored) {
                    // the original failure is the one worth reporting
                }
            }
            if (buffer.array().length > MAX_RETAINED_BUFFER) {
                buffer = new CopyBuffer(CHUNK_BYTES * 2);
            }
        }
    }

    /** Creates the schema if asked, and learns what the database offers, on the first connection. */
    private void prepareOnce(Connection connection) throws SQLException {
        if (prepared) {
            return;
        }
        if (createSchema) {
            if (LogsSchema.createIfMissing(connection, table)) {
                reporter.info("Created table " + table + " and its indexes");
            }
        }
        if (!ledger.prepare(connection, createSchema)) {
            reporter.warn("Table " + table.sibling(BatchLedger.TABLE) + " is missing and createSchema is off: a batch "
                    + "retried after the connection died during COMMIT may be stored twice. Create it with: "
                    + BatchLedger.createStatement(table.sibling(BatchLedger.TABLE)));
        }
        taskRunsHaveJobRunId = hasColumn(connection, table.sibling("task_runs"), "job_run_id");
        parents.read(connection, table);
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
        prepared = true;
    }

    /**
     * A task log without a job run id gets the job run its task run belongs to, where {@code task_runs}
     * records one. Looked up once per task run, in the batch's own transaction.
     */
    private List<LogRecord> withResolvedJobRuns(Connection connection, List<LogRecord> batch) throws SQLException {
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
            lookUpJobRuns(connection, unknown);
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

    private void lookUpJobRuns(Connection connection, Set<UUID> taskRunIds) throws SQLException {
        String sql = "SELECT id, job_run_id FROM " + table.sibling("task_runs") + " WHERE id = ANY (?) AND job_run_id IS NOT NULL";
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

    private boolean hasColumn(Connection connection, String relation, String column) throws SQLException {
        String sql = "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname = ? AND NOT attisdropped)";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, relation);
            statement.setString(2, column);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is likely gone; the pool discards it
        }
    }

    private static void restoreAutoCommitQuietly(Connection connection) {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException ignored) {
            // as above
        }
    }

    @Override
    public void forget(List<UUID> batchIds) {
        ledger.forget(batchIds);
    }

    @Override
    public void close() {
        connections.close();
    }
}

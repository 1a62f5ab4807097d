package io.stratal.logs.internal.sink;

import io.stratal.logs.schema.LogsSchema;
import io.stratal.logs.names.TableName;
import io.stratal.logs.LogRecord;
import io.stratal.logs.pipeline.Batch;
import io.stratal.logs.pipeline.BatchSink;
import io.stratal.logs.pipeline.StatusListener;
import io.stratal.logs.pipeline.WriteException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes a batch with one {@code COPY ... FROM STDIN} in one transaction, together with the batch id in the
 * ledger ({@link BatchLedger}), so a retry never stores the same batch twice.
 *
 * <p>COPY measured slightly faster than a multi-row insert from arrays on the default schema (faster in 5 of
 * 6 runs with the ledger insert; see docs/PERFORMANCE.md). Rows are encoded and streamed in chunks, so the
 * server starts on the first rows while the rest are still being encoded.
 *
 * <p>Around the COPY, in the same transaction: the batch id claimed in the ledger, task logs given their
 * job run ({@link JobRunResolver}), the batch announced ({@link BatchNotifier}); before the first batch, the
 * schema ({@link SchemaPreparation}); after a foreign-key violation, the run ids that are missing
 * ({@link ParentTables}).
 */
public final class CopyBatchWriter implements BatchSink {

    /** Bytes encoded before they are handed to the server. */
    private static final int CHUNK_BYTES = 64 * 1024;
    /** A buffer grown past this by one huge batch is dropped afterwards rather than kept forever. */
    private static final int MAX_RETAINED_BUFFER = 4 * 1024 * 1024;

    private final ConnectionFactory connections;
    private final String copySql;
    private final CopyRowEncoder encoder = new CopyRowEncoder();
    private final BatchLedger ledger;
    private final ParentTables parents = new ParentTables();
    private final JobRunResolver jobRuns;
    private final BatchNotifier notifier;
    private final SchemaPreparation schema;
    private CopyBuffer buffer = new CopyBuffer(CHUNK_BYTES * 2);

    /**
     * @param notifyChannel where each committed batch is announced with {@code pg_notify(channel, table)}, so
     *                      a log server streams the new rows at once; {@code null} announces nothing
     */
    public CopyBatchWriter(ConnectionFactory connections, TableName table, boolean createSchema, StatusListener reporter,
                           String notifyChannel) {
        this.connections = connections;
        this.copySql = "COPY " + table.qualified() + " " + LogsSchema.COPY_COLUMNS + " FROM STDIN";
        this.ledger = new BatchLedger(table);
        this.jobRuns = new JobRunResolver(table);
        this.notifier = new BatchNotifier(notifyChannel, table, reporter);
        this.schema = new SchemaPreparation(table, createSchema, reporter);
    }

    @Override
    public void write(Batch batch) throws WriteException {
        try (Connection connection = connections.getConnection()) {
            schema.once(connection, ledger, parents, jobRuns);
            boolean autoCommit = connection.getAutoCommit();
            if (autoCommit) {
                connection.setAutoCommit(false);
            }
            try {
                if (!ledger.claim(connection, batch.id())) {
                    connection.rollback();
                    ledger.alreadyCommitted(batch.id(), batch.durable());
                    return;
                }
                List<LogRecord> rows = jobRuns.withResolvedJobRuns(connection, batch.records());
                try {
                    copy(connection, rows);
                } catch (SQLException e) {
                    if (SqlStates.FOREIGN_KEY_VIOLATION.equals(SqlStates.firstState(e))) {
                        ledger.abandoned();
                        connection.rollback();
                        throw parents.failure(connection, rows, e);
                    }
                    throw e;
                }
                boolean announced = notifier.announce(connection);
                try {
                    connection.commit();
                } catch (SQLException e) {
                    notifier.commitFailed(announced, e);
                    throw e; // kept and retried: after a full notification queue it goes through without NOTIFY
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

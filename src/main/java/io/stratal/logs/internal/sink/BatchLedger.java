package io.stratal.logs.internal.sink;

import io.stratal.logs.schema.LogsSchema;
import io.stratal.logs.names.TableName;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Makes a retried batch land once. Each batch's transaction inserts the batch id into a small ledger table
 * before its rows; when the connection dies during {@code COMMIT} the writer cannot know whether the rows
 * are in, and the retry's insert of the same id then fails with a unique violation if they are.
 *
 * <p>The table stays small: once a commit is confirmed its id is no longer needed, and the next batch's
 * transaction deletes it in the same statement that inserts its own. Only ids whose outcome was never
 * confirmed, or that a crash left behind, stay longer; they are pruned after {@link #RETENTION_DAYS} days.
 */
final class BatchLedger {

    static final String TABLE = "stratal_batches";
    static final int RETENTION_DAYS = 30;
    private static final String UNIQUE_VIOLATION = "23505";
    private static final int MAX_FORGET_PER_BATCH = 1000;

    private final String table;
    private final List<UUID> confirmed = new ArrayList<>();
    private List<UUID> forgetting = List.of();
    private boolean available;

    BatchLedger(TableName logsTable) {
        this.table = logsTable.sibling(TABLE);
    }

    static String createStatement(String table) {
        return "CREATE TABLE IF NOT EXISTS " + table + " (\n"
                + "    id UUID PRIMARY KEY,\n"
                + "    committed_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP\n"
                + ")";
    }

    /**
     * Creates the table if asked, and prunes it. Returns {@code false} when there is no ledger to use; the
     * writer then works without one.
     */
    boolean prepare(Connection connection, boolean create) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            if (create) {
                statement.execute(createStatement(table));
            }
            available = LogsSchema.exists(connection, table);
            if (available) {
                statement.execute("DELETE FROM " + table + " WHERE committed_at < now() - interval '" + RETENTION_DAYS + " days'");
            }
        }
        return available;
    }

    /**
     * Inside the batch's open transaction: records {@code batchId}, and forgets ids confirmed earlier.
     * Returns {@code false} when an earlier attempt already committed this batch; the transaction is then
     * aborted and must be rolled back.
     */
    boolean claim(Connection connection, UUID batchId) throws SQLException {
        if (!available) {
            return true;
        }
        forgetting = confirmed.size() <= MAX_FORGET_PER_BATCH
                ? List.copyOf(confirmed) : List.copyOf(confirmed.subList(0, MAX_FORGET_PER_BATCH));
        String sql = "WITH forgotten AS (DELETE FROM " + table + " WHERE id = ANY (?)) INSERT INTO " + table + " (id) VALUES (?)";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            Array ids = connection.createArrayOf("uuid", forgetting.toArray());
            statement.setArray(1, ids);
            statement.setObject(2, batchId);
            statement.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                forgetting = List.of();
                return false;
            }
            throw e;
        }
    }

    /**
     * After a commit: the forgotten ids are gone, and {@code batchId} can be forgotten next time, unless it
     * is {@code durable} (replayed from the spool): then it stays until {@link #forget} says its file is gone.
     */
    void committed(UUID batchId, boolean durable) {
        confirmed.removeAll(forgetting);
        forgetting = List.of();
        if (!durable) {
            confirmed.add(batchId);
        }
    }

    /** These ids will not be retried any more; delete them with the next batch. */
    void forget(List<UUID> batchIds) {
        if (available) {
            confirmed.addAll(batchIds);
        }
    }

    /** After a rollback or a failure: nothing was forgotten. */
    void abandoned() {
        forgetting = List.of();
    }

    /**
     * An earlier attempt had committed {@code batchId}: it is confirmed now, and can be forgotten next time unless it
     * is {@code durable}: a frame read back from the spool is read again after a crash until its file is gone, so its
     * id stays until {@link #forget}, as after {@link #committed}.
     */
    void alreadyCommitted(UUID batchId, boolean durable) {
        if (!durable) {
            confirmed.add(batchId);
        }
    }
}

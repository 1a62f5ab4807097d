package io.stratal.logs.schema;

import io.stratal.logs.names.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes logs older than a given age, in batches of {@code batchSize} rows, each in a transaction of its
 * own, so a large purge neither holds locks for long nor builds one huge transaction. The timestamp index
 * (the default set's b-tree, or the lean set's BRIN) finds the rows. Timestamps are UTC, so the cut-off is too.
 *
 * <p>On a partitioned table ({@code migrate up --partitioned}) the partitions wholly older than the cut-off
 * are dropped, each at once and without leaving dead rows behind; the batched delete then runs only in the
 * partitions that straddle the cut-off (and the default one).
 */
public final class Retention {

    private final TableName table;
    private final int batchSize;

    /**
     * Retention of {@code table}.
     *
     * @param table     the logs table
     * @param batchSize rows deleted a transaction, 1 or more
     */
    public Retention(TableName table, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: " + batchSize + " is below 1");
        }
        this.table = table;
        this.batchSize = batchSize;
    }

    /**
     * {@return the UTC cut-off for {@code age} before {@code now}: rows with an earlier timestamp are old}
     *
     * @param now the present moment
     * @param age how old rows may get
     */
    public static LocalDateTime cutoff(Instant now, Duration age) {
        return LocalDateTime.ofInstant(now.minus(age), ZoneOffset.UTC);
    }

    /**
     * What a purge did.
     *
     * @param droppedPartitions the partitions dropped whole
     * @param droppedRows       the rows they held
     * @param deletedRows       the rows deleted one batch at a time
     */
    public record Result(List<String> droppedPartitions, long droppedRows, long deletedRows) {

        /** {@return the rows that went, by dropping and by deleting} */
        public long total() {
            return droppedRows + deletedRows;
        }
    }

    /** Told of each step of a purge as it ends: a partition dropped, or a batch deleted; each its own transaction. */
    public interface Progress {
        /**
         * One step ended.
         *
         * @param step  the partition's name, or {@code "delete"} for a batch
         * @param rows  the rows it took
         * @param nanos how long its transaction took (and held its locks)
         */
        void step(String step, long rows, long nanos);
    }

    /**
     * Purges the rows older than {@code cutoff}: drops the partitions wholly before it, when the table is
     * partitioned, then deletes the rest in batches.
     *
     * @param connection a connection to the database
     * @param cutoff the cut-off, in UTC: rows with an earlier timestamp are old
     * @return what went
     * @throws SQLException when the database cannot answer
     */
    public Result purge(Connection connection, LocalDateTime cutoff) throws SQLException {
        return purge(connection, cutoff, (step, rows, nanos) -> { });
    }

    /**
     * Like {@link #purge(Connection, LocalDateTime)}, telling {@code progress} of each step as it ends.
     *
     * @param connection the connection to purge on
     * @param cutoff     rows with an earlier timestamp go (UTC)
     * @param progress   told of each partition dropped and each batch deleted
     * @return what went
     * @throws SQLException when a step fails (the steps before it stay done)
     */
    public Result purge(Connection connection, LocalDateTime cutoff, Progress progress) throws SQLException {
        Partitions partitions = new Partitions(table);
        List<String> dropped = new ArrayList<>();
        long droppedRows = 0;
        if (partitions.isPartitioned(connection)) {
            for (Partitions.Partition p : partitions.whollyBefore(connection, cutoff)) {
                long rows = partitions.count(connection, p);
                long start = System.nanoTime();
                partitions.drop(connection, p, rows);
                progress.step(p.name(), rows, System.nanoTime() - start);
                droppedRows += rows;
                dropped.add(p.name());
            }
        }
        return new Result(dropped, droppedRows, deleteOlderThan(connection, cutoff, progress));
    }

    /**
     * {@return how many rows are older than {@code cutoff}}
     *
     * @param connection a connection to the database
     * @param cutoff the cut-off, in UTC: rows with an earlier timestamp are old
     * @throws SQLException when the database cannot answer
     */
    public long countOlderThan(Connection connection, LocalDateTime cutoff) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT count(*) FROM " + table.qualified() + " WHERE timestamp < ?")) {
            statement.setObject(1, cutoff);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Deletes the rows older than {@code cutoff}, a batch per transaction.
     *
     * @param connection the connection to delete on
     * @param cutoff     rows with an earlier timestamp go (UTC)
     * @return how many rows went
     * @throws SQLException when a batch fails (the batches before it stay deleted)
     */
    public long deleteOlderThan(Connection connection, LocalDateTime cutoff) throws SQLException {
        return deleteOlderThan(connection, cutoff, (step, rows, nanos) -> { });
    }

    private long deleteOlderThan(Connection connection, LocalDateTime cutoff, Progress progress) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(true); // each DELETE commits on its own
        // the outer condition on timestamp lets a partitioned table skip the partitions past the cut-off
        String sql = "DELETE FROM " + table.qualified() + " WHERE timestamp < ? AND id IN (SELECT id FROM "
                + table.qualified() + " WHERE timestamp < ? LIMIT ?)";
        long deleted = 0;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            while (true) {
                statement.setObject(1, cutoff);
                statement.setObject(2, cutoff);
                statement.setInt(3, batchSize);
                long start = System.nanoTime();
                int n = statement.executeUpdate();
                progress.step("delete", n, System.nanoTime() - start);
                deleted += n;
                if (n < batchSize) {
                    return deleted;
                }
            }
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }
}

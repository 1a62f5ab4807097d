package io.stratal.logs.archive;

import io.stratal.logs.names.TableName;
import io.stratal.logs.query.StoredLog;
import io.stratal.logs.schema.Partitions;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The delete half of {@link LogArchive#archiveAndPurge}, given files already read back against their manifests:
 * the partitions that hold only archived rows are dropped, then the other archived rows are deleted by id.
 */
final class ArchivePurge {

    private static final int DELETE_BATCH = 10_000;

    private final TableName table;

    ArchivePurge(TableName table) {
        this.table = table;
    }

    /** Drops the partitions that hold only archived rows, then deletes the other archived rows by id. */
    LogArchive.Purge purge(Connection connection, LocalDateTime cutoff, LogArchive.Result archived, List<ArchiveFile> files)
            throws ArchiveException, SQLException, IOException {
        List<String> dropped = new ArrayList<>();
        long droppedRows = 0;
        long deleted = 0;
        try {
            Partitions partitions = new Partitions(table);
            if (partitions.isPartitioned(connection)) {
                for (Partitions.Partition p : partitions.whollyBefore(connection, cutoff)) {
                    long rows = partitions.count(connection, p);
                    loadIds(connection, files, p.from(), p.to());
                    if (partitions.dropIfArchived(connection, p, ARCHIVED_IDS)) {
                        dropped.add(p.name());
                        droppedRows += rows;
                    }
                }
                dropIds(connection);
            }
            for (ArchiveFile file : files) {
                deleted += deleteArchived(connection, file, cutoff);
            }
        } catch (SQLException e) {
            throw new SQLException(e.getMessage() + " (stopped after dropping " + dropped.size() + " partition(s) and deleting "
                    + deleted + " row(s), all of them archived)", e.getSQLState(), e);
        } catch (ArchiveException | IOException e) {
            throw new ArchiveException(e.getMessage() + " (stopped after dropping " + dropped.size() + " partition(s) and deleting "
                    + deleted + " row(s), all of them archived)", e);
        }
        return new LogArchive.Purge(archived, dropped, droppedRows, deleted);
    }

    private static final String ARCHIVED_IDS = "stratal_archived_ids";

    /** The ids of the files whose days meet {@code [from, to)} ({@code from} null: from the start), in a temporary table. */
    private static void loadIds(Connection connection, List<ArchiveFile> files, LocalDateTime from, LocalDateTime to)
            throws SQLException, IOException, ArchiveException {
        try (java.sql.Statement statement = connection.createStatement()) {
            statement.execute("CREATE TEMPORARY TABLE IF NOT EXISTS " + ARCHIVED_IDS + " (id bigint NOT NULL)");
            statement.execute("TRUNCATE " + ARCHIVED_IDS);
        }
        org.postgresql.copy.CopyManager copy = connection.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
        for (ArchiveFile file : files) {
            LocalDateTime dayStart = file.day.atStartOfDay();
            if ((from != null && !dayStart.plusDays(1).isAfter(from)) || !dayStart.isBefore(to)) {
                continue;
            }
            StringBuilder ids = new StringBuilder();
            try (ArchiveRows rows = new ArchiveRows(file.data)) {
                for (StoredLog row = rows.next(); row != null; row = rows.next()) {
                    ids.append(row.id()).append('\n');
                    if (ids.length() > (1 << 20)) {
                        copy.copyIn("COPY " + ARCHIVED_IDS + " FROM STDIN", new java.io.StringReader(ids.toString()));
                        ids.setLength(0);
                    }
                }
            }
            copy.copyIn("COPY " + ARCHIVED_IDS + " FROM STDIN", new java.io.StringReader(ids.toString()));
        }
        try (java.sql.Statement statement = connection.createStatement()) {
            statement.execute("ANALYZE " + ARCHIVED_IDS); // a hash anti-join, not a nested loop
        }
    }

    private static void dropIds(Connection connection) throws SQLException {
        try (java.sql.Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + ARCHIVED_IDS);
        }
    }

    /** Deletes the rows the file holds, by id, a batch per transaction; rows logged since stay for the next run. */
    private long deleteArchived(Connection connection, ArchiveFile file, LocalDateTime cutoff)
            throws ArchiveException, SQLException, IOException {
        LocalDateTime from = file.day.atStartOfDay();
        LocalDateTime to = LogArchive.min(from.plusDays(1), cutoff);
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(true);
        long[] deleted = {0};
        // the timestamp range lets a partitioned table look in the day's partitions only
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table.qualified()
                + " WHERE id = ANY (?) AND timestamp >= ? AND timestamp < ?")) {
            List<Long> ids = new ArrayList<>(DELETE_BATCH);
            try (ArchiveRows rows = new ArchiveRows(file.data)) {
                for (StoredLog row = rows.next(); row != null; row = rows.next()) {
                    ids.add(row.id());
                    if (ids.size() == DELETE_BATCH) {
                        deleted[0] += deleteIds(connection, delete, ids, from, to);
                    }
                }
            }
            if (!ids.isEmpty()) {
                deleted[0] += deleteIds(connection, delete, ids, from, to);
            }
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        return deleted[0];
    }

    private static int deleteIds(Connection connection, PreparedStatement delete, List<Long> ids, LocalDateTime from,
                                 LocalDateTime to) throws SQLException {
        Array array = connection.createArrayOf("bigint", ids.toArray());
        delete.setArray(1, array);
        delete.setObject(2, from);
        delete.setObject(3, to);
        int n = delete.executeUpdate();
        array.free();
        ids.clear();
        return n;
    }
}

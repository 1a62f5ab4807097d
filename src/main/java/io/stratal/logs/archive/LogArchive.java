package io.stratal.logs.archive;

import io.stratal.logs.names.TableName;
import io.stratal.logs.query.StoredLog;
import io.stratal.logs.schema.Partitions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Archive before delete. {@link #archive} writes every row older than a cut-off to one gzipped NDJSON file per
 * UTC day in a directory, each with its manifest; running it again adds to a day only the rows its file lacks,
 * and writes nothing for a day that is complete. {@link #archiveAndPurge} then reads every file back against its
 * manifest and deletes (or, on a partitioned table, drops whole partitions of) exactly the rows the verified
 * files hold; when any file fails, nothing is deleted. One run at a time writes to a directory: a second one
 * fails at once, naming the lock.
 *
 * <p>Rows without a timestamp are older than no cut-off: they are neither archived nor deleted, and counted in
 * {@link Result#undated()}. The {@code created_at} column is not archived (the read API's rows have none).
 * Everything streams: a day of ten million rows is read by a cursor and written as it comes.
 */
public final class LogArchive {

    private static final int FETCH = 5000;
    private static final int DELETE_BATCH = 10_000;

    private final TableName table;

    /**
     * The archive of {@code table}.
     *
     * @param table the logs table
     */
    public LogArchive(TableName table) {
        this.table = table;
    }

    /** What archiving did to one day's file. */
    public enum Outcome {
        /** The file was written: the day had no archive yet. */
        WRITTEN,
        /** The file was rewritten with rows the table had and it lacked (late rows, or a cut-off later in the day). */
        COMPLETED,
        /** The file already held every row: nothing was written. */
        UNCHANGED
    }

    /**
     * One day's archive.
     *
     * @param day      the UTC day
     * @param file     its data file
     * @param outcome  what this run did to it
     * @param rows     the rows the file holds now
     * @param added    the rows this run added to it
     * @param manifest its manifest
     */
    public record Day(LocalDate day, Path file, Outcome outcome, long rows, long added, ArchiveManifest manifest) {
    }

    /**
     * What an archive run did.
     *
     * @param days    the days with rows older than the cut-off, oldest first
     * @param undated rows without a timestamp, which no cut-off takes
     */
    public record Result(List<Day> days, long undated) {

        /** {@return the rows this run added to the archive} */
        public long added() {
            return days.stream().mapToLong(Day::added).sum();
        }
    }

    /**
     * What archiving and purging did.
     *
     * @param archive           the archive run
     * @param droppedPartitions partitions dropped whole, their rows all in verified files
     * @param droppedRows       the rows they held
     * @param deletedRows       the rows deleted by id, a batch per transaction
     */
    public record Purge(Result archive, List<String> droppedPartitions, long droppedRows, long deletedRows) {

        /** {@return the rows that went, by dropping and deleting} */
        public long total() {
            return droppedRows + deletedRows;
        }
    }

    /**
     * Makes {@code dir} if missing and checks that a file can be written in it, before anything is read.
     *
     * @param dir the destination directory
     * @throws ArchiveException naming the directory and why it cannot be written
     */
    public static void checkWritable(Path dir) throws ArchiveException {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".stratal-probe-", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new ArchiveException("cannot write to " + dir + ": " + e, e);
        }
    }

    /**
     * Archives every row older than {@code cutoff} into {@code dir}, one file per UTC day.
     *
     * @param connection a connection to the database
     * @param cutoff     rows with an earlier timestamp (UTC) are archived
     * @param dir        the destination; made if missing
     * @return what was written
     * @throws ArchiveException when the directory cannot be written, or a day's existing file does not match its
     *                          manifest (that day and the ones after it are left alone)
     * @throws SQLException     when the database cannot answer
     * @throws IOException      when a file cannot be written or read
     */
    public Result archive(Connection connection, LocalDateTime cutoff, Path dir)
            throws ArchiveException, SQLException, IOException {
        checkWritable(dir);
        try (ArchiveFile.DirectoryLock lock = ArchiveFile.lock(dir)) {
            return archiveLocked(connection, cutoff, dir);
        }
    }

    private Result archiveLocked(Connection connection, LocalDateTime cutoff, Path dir)
            throws ArchiveException, SQLException, IOException {
        List<Day> days = new ArrayList<>();
        for (LocalDate day : daysBefore(connection, cutoff)) {
            LocalDateTime from = day.atStartOfDay();
            LocalDateTime to = min(day.plusDays(1).atStartOfDay(), cutoff);
            days.add(archiveDay(connection, new ArchiveFile(dir, day), from, to));
        }
        return new Result(days, undated(connection));
    }

    /**
     * Archives, reads every file back against its manifest, and only then deletes what the files hold: on a
     * partitioned table, a partition wholly before the cut-off is dropped when every row it holds is in a file
     * (checked while the partition is locked against writes), and the other rows are deleted by id.
     *
     * @param connection a connection to the database
     * @param cutoff     rows with an earlier timestamp (UTC) are archived, then deleted
     * @param dir        the destination; made if missing
     * @return what was archived and deleted
     * @throws ArchiveException when any file cannot be written or does not read back as its manifest says: then
     *                          nothing is deleted
     * @throws SQLException     when the database cannot answer (the steps before stay done: rows deleted were archived)
     * @throws IOException      when a file cannot be written or read
     */
    public Purge archiveAndPurge(Connection connection, LocalDateTime cutoff, Path dir)
            throws ArchiveException, SQLException, IOException {
        ArchiveFile.DirectoryLock held;
        try {
            checkWritable(dir);
            held = ArchiveFile.lock(dir);
        } catch (ArchiveException e) {
            throw new ArchiveException(e.getMessage() + "; nothing was deleted", e);
        }
        try (ArchiveFile.DirectoryLock lock = held) {
            Result archived;
            List<ArchiveFile> files = new ArrayList<>();
            try {
                archived = archiveLocked(connection, cutoff, dir);
                for (Day day : archived.days()) {
                    ArchiveFile file = new ArchiveFile(dir, day.day());
                    if (!file.verify().equals(day.manifest())) {
                        throw new ArchiveException(file.data.getFileName() + " changed while it was being verified");
                    }
                    files.add(file);
                }
            } catch (ArchiveException | IOException e) {
                throw new ArchiveException(e.getMessage() + "; nothing was deleted", e);
            }
            return purgeVerified(connection, cutoff, archived, files);
        }
    }

    /** Drops the partitions that hold only archived rows, then deletes the other archived rows by id. */
    private Purge purgeVerified(Connection connection, LocalDateTime cutoff, Result archived, List<ArchiveFile> files)
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
        return new Purge(archived, dropped, droppedRows, deleted);
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
            try (ArchiveFile.Rows rows = new ArchiveFile.Rows(file.data)) {
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

    private Day archiveDay(Connection connection, ArchiveFile file, LocalDateTime from, LocalDateTime to)
            throws ArchiveException, SQLException, IOException {
        file.rollForward();
        if (!Files.exists(file.manifest) && !Files.exists(file.data)) {
            ArchiveManifest written = write(connection, file, null, from, to);
            return new Day(file.day, file.data, Outcome.WRITTEN, written.rows(), written.rows(), written);
        }
        ArchiveManifest existing = file.verify();
        long missing = merge(connection, file, from, to, null);
        if (missing == 0) {
            return new Day(file.day, file.data, Outcome.UNCHANGED, existing.rows(), 0, existing);
        }
        ArchiveManifest written = write(connection, file, file.data, from, to);
        return new Day(file.day, file.data, Outcome.COMPLETED, written.rows(), written.rows() - existing.rows(), written);
    }

    /** Writes the day's rows (merged with {@code existing}'s, when given) to the temporary files and commits them. */
    private ArchiveManifest write(Connection connection, ArchiveFile file, Path existing, LocalDateTime from, LocalDateTime to)
            throws ArchiveException, SQLException, IOException {
        ArchiveManifest manifest;
        try (ArchiveFile.Output out = file.new Output()) {
            if (existing == null) {
                selectDay(connection, from, to, rs -> {
                    while (rs.next()) {
                        out.write(StoredLog.read(rs));
                    }
                });
            } else {
                merge(connection, file, from, to, out);
            }
            manifest = out.finish();
        } catch (ArchiveException | SQLException | IOException | RuntimeException e) {
            java.nio.file.Files.deleteIfExists(file.dataTmp());
            throw e;
        }
        file.commit(manifest);
        return manifest;
    }

    /**
     * Walks the day's rows in the table and in the file together, in id order; a row in both is taken from the file
     * (as it was archived). Writes the union to {@code out} when given. {@return the rows the table has and the file lacks}
     */
    private long merge(Connection connection, ArchiveFile file, LocalDateTime from, LocalDateTime to, ArchiveFile.Output out)
            throws ArchiveException, SQLException, IOException {
        long[] missing = {0};
        try (ArchiveFile.Rows archived = new ArchiveFile.Rows(file.data)) {
            selectDay(connection, from, to, rs -> {
                StoredLog kept = archived.next();
                boolean more = rs.next();
                StoredLog fresh = more ? StoredLog.read(rs) : null;
                while (kept != null || fresh != null) {
                    if (fresh == null || (kept != null && kept.id() < fresh.id())) {
                        emit(out, kept);
                        kept = archived.next();
                    } else {
                        if (kept != null && kept.id() == fresh.id()) {
                            emit(out, kept);
                            kept = archived.next();
                        } else {
                            emit(out, fresh);
                            missing[0]++;
                        }
                        fresh = rs.next() ? StoredLog.read(rs) : null;
                    }
                }
            });
        }
        return missing[0];
    }

    private static void emit(ArchiveFile.Output out, StoredLog row) throws IOException {
        if (out != null) {
            out.write(row);
        }
    }

    private interface RowsHandler {
        void handle(ResultSet rs) throws SQLException, IOException, ArchiveException;
    }

    /** The rows of {@code [from, to)} in id order, through a cursor: never the whole day in memory. */
    private void selectDay(Connection connection, LocalDateTime from, LocalDateTime to, RowsHandler handler)
            throws SQLException, IOException, ArchiveException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false); // pgjdbc streams with a fetch size only inside a transaction
        try (PreparedStatement select = connection.prepareStatement("SELECT " + StoredLog.COLUMNS + " FROM "
                + table.qualified() + " WHERE timestamp >= ? AND timestamp < ? ORDER BY id")) {
            select.setFetchSize(FETCH);
            select.setObject(1, from);
            select.setObject(2, to);
            try (ResultSet rs = select.executeQuery()) {
                handler.handle(rs);
            }
            connection.commit();
        } catch (SQLException | IOException | ArchiveException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailed) {
                e.addSuppressed(rollbackFailed);
            }
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private List<LocalDate> daysBefore(Connection connection, LocalDateTime cutoff) throws SQLException {
        List<LocalDate> days = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT DISTINCT date_trunc('day', timestamp)::date FROM "
                + table.qualified() + " WHERE timestamp < ? ORDER BY 1")) {
            statement.setObject(1, cutoff);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    days.add(rs.getObject(1, LocalDate.class));
                }
            }
        }
        return days;
    }

    private long undated(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT count(*) FROM " + table.qualified() + " WHERE timestamp IS NULL");
             ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Deletes the rows the file holds, by id, a batch per transaction; rows logged since stay for the next run. */
    private long deleteArchived(Connection connection, ArchiveFile file, LocalDateTime cutoff)
            throws ArchiveException, SQLException, IOException {
        LocalDateTime from = file.day.atStartOfDay();
        LocalDateTime to = min(from.plusDays(1), cutoff);
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(true);
        long[] deleted = {0};
        // the timestamp range lets a partitioned table look in the day's partitions only
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table.qualified()
                + " WHERE id = ANY (?) AND timestamp >= ? AND timestamp < ?")) {
            List<Long> ids = new ArrayList<>(DELETE_BATCH);
            try (ArchiveFile.Rows rows = new ArchiveFile.Rows(file.data)) {
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

    private static LocalDateTime min(LocalDateTime a, LocalDateTime b) {
        return a.isBefore(b) ? a : b;
    }
}

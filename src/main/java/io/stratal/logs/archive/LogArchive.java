package io.stratal.logs.archive;

import io.stratal.logs.names.TableName;
import io.stratal.logs.query.StoredLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        try (ArchiveLock lock = ArchiveLock.take(dir)) {
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
        ArchiveLock held;
        try {
            checkWritable(dir);
            held = ArchiveLock.take(dir);
        } catch (ArchiveException e) {
            throw new ArchiveException(e.getMessage() + "; nothing was deleted", e);
        }
        try (ArchiveLock lock = held) {
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
            return new ArchivePurge(table).purge(connection, cutoff, archived, files);
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
        try (ArchiveRows archived = new ArchiveRows(file.data)) {
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

    static LocalDateTime min(LocalDateTime a, LocalDateTime b) {
        return a.isBefore(b) ? a : b;
    }
}

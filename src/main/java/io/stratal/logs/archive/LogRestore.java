package io.stratal.logs.archive;

import io.stratal.logs.names.TableName;
import io.stratal.logs.query.StoredLog;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Loads archived rows back into the table with their ids, timestamps and metadata. A file is read back against its
 * manifest first (when it has one). Rows go in chunks: COPY into a temporary table, then one {@code INSERT} of the
 * rows whose id the table does not hold yet; the others are counted as skipped, so restoring twice adds nothing.
 * On a partitioned table a row no partition covers goes to the default partition, which is made when the table
 * has none.
 */
public final class LogRestore {

    private static final int CHUNK = 20_000;
    private static final String STAGE = "stratal_restore";

    private final TableName table;

    /**
     * Restores into {@code table}.
     *
     * @param table the logs table
     */
    public LogRestore(TableName table) {
        this.table = table;
    }

    /**
     * What a restore did.
     *
     * @param files    the data files read, in order
     * @param restored rows inserted
     * @param skipped  rows already in the table, left as they were
     */
    public record Result(List<Path> files, long restored, long skipped) {
    }

    /**
     * Restores a data file, or every {@code logs-*.ndjson.gz} of a directory (oldest day first).
     *
     * @param connection a connection to the database
     * @param fileOrDir  a data file or an archive directory
     * @return what was restored
     * @throws ArchiveException when a file does not match its manifest or is not an archive (files before it stay
     *                          restored)
     * @throws SQLException     when the database refuses the rows
     * @throws IOException      when a file cannot be read
     */
    public Result restore(Connection connection, Path fileOrDir) throws ArchiveException, SQLException, IOException {
        List<Path> files = files(fileOrDir);
        long[] counts = {0, 0};
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TEMPORARY TABLE IF NOT EXISTS " + STAGE + " (id bigint, type text, job_run_id uuid,"
                    + " task_run_id uuid, timestamp timestamp, level text, stream text, message text, metadata jsonb)");
            for (Path file : files) {
                LocalDate day = ArchiveFile.dayOf(file);
                ArchiveFile archived = day == null ? null : new ArchiveFile(file.toAbsolutePath().getParent(), day);
                if (archived != null && Files.exists(archived.manifest)) {
                    archived.verify();
                }
                List<StoredLog> chunk = new ArrayList<>(CHUNK);
                try (ArchiveRows rows = new ArchiveRows(file)) {
                    for (StoredLog row = rows.next(); row != null; row = rows.next()) {
                        chunk.add(row);
                        if (chunk.size() == CHUNK) {
                            load(connection, chunk, counts);
                        }
                    }
                }
                if (!chunk.isEmpty()) {
                    load(connection, chunk, counts);
                }
            }
            statement.execute("DROP TABLE IF EXISTS " + STAGE);
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        return new Result(files, counts[0], counts[1]);
    }

    private static List<Path> files(Path fileOrDir) throws ArchiveException, IOException {
        if (Files.isRegularFile(fileOrDir)) {
            return List.of(fileOrDir);
        }
        if (!Files.isDirectory(fileOrDir)) {
            throw new ArchiveException(fileOrDir + " is neither an archive file nor a directory");
        }
        try (Stream<Path> listing = Files.list(fileOrDir)) {
            List<Path> files = listing.filter(f -> ArchiveFile.dayOf(f) != null).sorted().toList();
            if (files.isEmpty()) {
                throw new ArchiveException(fileOrDir + " holds no logs-YYYY-MM-DD" + ArchiveFile.DATA + " file");
            }
            return files;
        }
    }

    /** One chunk in one transaction: staged by COPY, inserted where the id is new. */
    private void load(Connection connection, List<StoredLog> chunk, long[] counts) throws SQLException, IOException {
        connection.setAutoCommit(false);
        try {
            try (Statement statement = connection.createStatement()) {
                statement.execute("TRUNCATE " + STAGE);
            }
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            copy.copyIn("COPY " + STAGE + " FROM STDIN (FORMAT csv)", new StringReader(csv(chunk)));
            int inserted = insertNew(connection);
            connection.commit();
            counts[0] += inserted;
            counts[1] += chunk.size() - inserted;
        } catch (SQLException e) {
            connection.rollback();
            if ("23503".equals(e.getSQLState())) {
                throw new SQLException("the archived rows name job or task runs that " + table.sibling("job_runs") + " or "
                        + table.sibling("task_runs") + " no longer hold, and the table's foreign keys refuse them; restore"
                        + " those runs first (" + e.getMessage() + ")", e.getSQLState(), e);
            }
            // "no partition of relation ... found for row": a partitioned table without a default partition
            boolean noPartition = "23514".equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains("no partition");
            if (!noPartition || !makeDefaultPartition(connection)) {
                throw e;
            }
            load(connection, chunk, counts); // once more, now that a partition covers every row
            return;
        } finally {
            connection.setAutoCommit(true);
        }
        chunk.clear();
    }

    private int insertNew(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            return statement.executeUpdate("INSERT INTO " + table.qualified()
                    + " (id, type, job_run_id, task_run_id, timestamp, level, stream, message, metadata)"
                    + " SELECT s.id, s.type, s.job_run_id, s.task_run_id, s.timestamp, s.level, s.stream, s.message, s.metadata"
                    + " FROM " + STAGE + " s WHERE NOT EXISTS (SELECT 1 FROM " + table.qualified() + " l WHERE l.id = s.id)"
                    + " ORDER BY s.id ON CONFLICT DO NOTHING");
        }
    }

    /**
     * A partitioned table without a default partition refused a row no partition covers (23514): gives it its
     * default partition, {@code <table>_default}, which takes the restored rows of dropped ranges.
     * {@return whether one was made}
     */
    private boolean makeDefaultPartition(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + table.sibling(table.table() + "_default") + " PARTITION OF "
                    + table.qualified() + " DEFAULT");
            connection.commit();
            return true;
        } catch (SQLException e) {
            connection.rollback();
            return false;
        }
    }

    /** The chunk in COPY's CSV format: every value quoted, {@code NULL} as an empty unquoted field. */
    private static String csv(List<StoredLog> rows) {
        StringBuilder out = new StringBuilder(rows.size() * 256);
        for (StoredLog row : rows) {
            out.append(row.id()).append(',');
            quoted(out, row.type()).append(',');
            quoted(out, row.jobRunId() == null ? null : row.jobRunId().toString()).append(',');
            quoted(out, row.taskRunId() == null ? null : row.taskRunId().toString()).append(',');
            quoted(out, row.timestamp() == null ? null : row.timestamp().toString()).append(',');
            quoted(out, row.level()).append(',');
            quoted(out, row.stream()).append(',');
            quoted(out, row.message()).append(',');
            quoted(out, row.metadataJson()).append('\n');
        }
        return out.toString();
    }

    private static StringBuilder quoted(StringBuilder out, String value) {
        if (value == null) {
            return out;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                out.append('"');
            }
            out.append(c);
        }
        return out.append('"');
    }
}

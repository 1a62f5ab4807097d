package io.stratal.logs.query;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.UUID;

/**
 * One row of the {@code logs} table as read back. Text columns are kept as stored: rows written by other
 * programs may hold words outside the enums. {@code timestamp} is UTC (the column has no time zone; the
 * appender writes UTC); {@code metadataJson} is the {@code jsonb} column's text, or {@code null}.
 *
 * @param id           the row's id, in the order rows were committed within one writer
 * @param type         {@code system}, {@code job} or {@code task}
 * @param jobRunId     the job run, or {@code null}
 * @param taskRunId    the task run, or {@code null}
 * @param timestamp    when the line was logged, in UTC, or {@code null} when the row has none
 * @param level        {@code debug}, {@code info}, {@code warn} or {@code error}
 * @param stream       {@code stdout}, {@code stderr} or {@code system}
 * @param message      the message
 * @param metadataJson the metadata object as JSON text, or {@code null}
 */
public record StoredLog(long id, String type, UUID jobRunId, UUID taskRunId, LocalDateTime timestamp,
                        String level, String stream, String message, String metadataJson) {

    /** The select list that {@link #read(ResultSet)} reads a row from, for a query of one's own on the table. */
    public static final String COLUMNS =
            "id, type, job_run_id, task_run_id, timestamp, level, stream, message, metadata::text AS metadata";

    /**
     * The row {@code rs} stands on, selected with {@link #COLUMNS}.
     *
     * @param rs a result set positioned on a row
     * @return the row
     * @throws SQLException when a column is missing or the result set is closed
     */
    public static StoredLog read(ResultSet rs) throws SQLException {
        return new StoredLog(rs.getLong("id"), rs.getString("type"), rs.getObject("job_run_id", UUID.class),
                rs.getObject("task_run_id", UUID.class), rs.getObject("timestamp", LocalDateTime.class),
                rs.getString("level"), rs.getString("stream"), rs.getString("message"), rs.getString("metadata"));
    }
}

package io.stratal.logs.query;

import java.time.LocalDateTime;
import java.util.UUID;

/**
 * One row of the {@code logs} table as read back. Text columns are kept as stored: rows written by other
 * programs may hold words outside the enums. {@code timestamp} is UTC (the column has no time zone; the
 * appender writes UTC); {@code metadataJson} is the {@code jsonb} column's text, or {@code null}.
 */
public record StoredLog(long id, String type, UUID jobRunId, UUID taskRunId, LocalDateTime timestamp,
                        String level, String stream, String message, String metadataJson) {
}

package io.stratal.logs;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One row of the {@code logs} table, snapshotted on the logging thread and never changed afterwards.
 *
 * <p>{@code metadata} is a JSON-shaped tree: {@code null}, {@link String}, {@link Boolean}, {@link Number},
 * {@code List<Object>} and {@code Map<String, Object>}, already made safe for PostgreSQL (see
 * {@link SafeText}). Whoever builds a record hands over unmodifiable collections and keeps no reference to
 * mutable ones.
 *
 * @param type         system, job or task
 * @param jobRunId     the job run, or {@code null}
 * @param taskRunId    the task run, or {@code null}
 * @param timestamp    when the event happened; stored in UTC with microsecond precision
 * @param level        the stored level
 * @param stream       the stored stream
 * @param message      the formatted message, safe to store
 * @param metadata     the JSON object for the {@code metadata} column, or {@code null}
 */
public record LogRecord(
        LogType type,
        UUID jobRunId,
        UUID taskRunId,
        Instant timestamp,
        LogLevel level,
        LogStream stream,
        String message,
        Map<String, Object> metadata) {

    /** Rough heap cost of a record without its strings and metadata: the record, its boxes, a queue node. */
    private static final int RECORD_OVERHEAD_BYTES = 160;

    public LogRecord {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(message, "message");
    }

    /**
     * A conservative estimate of the heap this record holds, used to bound the queue in bytes. It counts
     * two bytes a character, so it never undercounts a string.
     */
    public long estimatedBytes() {
        return RECORD_OVERHEAD_BYTES + stringBytes(message) + treeBytes(metadata);
    }

    /** The same record with other ids and metadata: used when an id has to move into metadata. */
    public LogRecord withIds(UUID newJobRunId, UUID newTaskRunId, Map<String, Object> newMetadata) {
        return new LogRecord(type, newJobRunId, newTaskRunId, timestamp, level, stream, message, newMetadata);
    }

    /** The same record with another message and metadata: used when a stored string has to be repaired. */
    public LogRecord withContent(String newMessage, Map<String, Object> newMetadata) {
        return new LogRecord(type, jobRunId, taskRunId, timestamp, level, stream, newMessage, newMetadata);
    }

    private static long stringBytes(String s) {
        return 40L + 2L * s.length();
    }

    private static long treeBytes(Object node) {
        if (node == null) {
            return 0;
        }
        if (node instanceof String) {
            return stringBytes((String) node);
        }
        if (node instanceof Map) {
            long total = 64;
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) node).entrySet()) {
                total += 48 + treeBytes(entry.getKey()) + treeBytes(entry.getValue());
            }
            return total;
        }
        if (node instanceof List) {
            long total = 40;
            for (Object element : (List<?>) node) {
                total += 8 + treeBytes(element);
            }
            return total;
        }
        return 24; // a boxed number or boolean
    }
}

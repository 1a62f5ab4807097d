package io.stratal.logs;

import io.stratal.logs.internal.CompactMap;
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
 */
public final class LogRecord {

    /**
     * Heap of a record without its message and metadata: the record (56), its Instant (24), two UUIDs (64)
     * and the queue node that holds it (24).
     */
    private static final int RECORD_OVERHEAD_BYTES = 168;

    private final LogType type;
    private final UUID jobRunId;
    private final UUID taskRunId;
    private final Instant timestamp;
    private final LogLevel level;
    private final LogStream stream;
    private final String message;
    private final Map<String, Object> metadata;
    private long estimatedBytes = -1;

    /**
     * @param type      system, job or task
     * @param jobRunId  the job run, or {@code null}
     * @param taskRunId the task run, or {@code null}
     * @param timestamp when the event happened; stored in UTC with microsecond precision
     * @param level     the stored level
     * @param stream    the stored stream
     * @param message   the formatted message, safe to store
     * @param metadata  the JSON object for the {@code metadata} column, or {@code null}
     */
    public LogRecord(LogType type, UUID jobRunId, UUID taskRunId, Instant timestamp, LogLevel level, LogStream stream,
                     String message, Map<String, Object> metadata) {
        this.type = Objects.requireNonNull(type, "type");
        this.jobRunId = jobRunId;
        this.taskRunId = taskRunId;
        this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
        this.level = Objects.requireNonNull(level, "level");
        this.stream = Objects.requireNonNull(stream, "stream");
        this.message = Objects.requireNonNull(message, "message");
        this.metadata = metadata;
    }

    public LogType type() {
        return type;
    }

    public UUID jobRunId() {
        return jobRunId;
    }

    public UUID taskRunId() {
        return taskRunId;
    }

    public Instant timestamp() {
        return timestamp;
    }

    public LogLevel level() {
        return level;
    }

    public LogStream stream() {
        return stream;
    }

    public String message() {
        return message;
    }

    public Map<String, Object> metadata() {
        return metadata;
    }

    /**
     * An estimate of the heap this record holds, used to bound the queue in bytes. It follows the JVM's
     * layout (compact strings, {@link CompactMap}) and counts every value as the record's own, even those
     * shared with other records (logger and thread names), so it errs high. Map keys are not counted: they
     * are the application's literals and the MDC's own strings, shared by every record that carries them.
     * Computed once; a benign race may compute it twice, with the same result.
     */
    public long estimatedBytes() {
        long bytes = estimatedBytes;
        if (bytes < 0) {
            bytes = RECORD_OVERHEAD_BYTES + stringBytes(message) + treeBytes(metadata);
            estimatedBytes = bytes;
        }
        return bytes;
    }

    /** The same record with other ids and metadata: used when an id has to move into metadata. */
    public LogRecord withIds(UUID newJobRunId, UUID newTaskRunId, Map<String, Object> newMetadata) {
        return new LogRecord(type, newJobRunId, newTaskRunId, timestamp, level, stream, message, newMetadata);
    }

    /** Header and array of a compact string: one byte a character if all are Latin-1, else two. */
    private static long stringBytes(String s) {
        int length = s.length();
        long perChar = 1;
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) > 0xFF) {
                perChar = 2;
                break;
            }
        }
        return 40L + ((perChar * length + 7) & ~7L);
    }

    private static long treeBytes(Object node) {
        if (node == null) {
            return 0;
        }
        if (node instanceof String) {
            return stringBytes((String) node);
        }
        if (node instanceof CompactMap) {
            CompactMap map = (CompactMap) node;
            long total = map.shallowBytes();
            for (int i = 0; i < map.size(); i++) {
                total += treeBytes(map.valueAt(i));
            }
            return total;
        }
        if (node instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) node;
            long total = 64 + 48L * map.size();
            for (Object value : map.values()) {
                total += treeBytes(value);
            }
            return total;
        }
        if (node instanceof List) {
            List<?> list = (List<?>) node;
            long total = 56; // the unmodifiable wrapper and the ArrayList
            for (int i = 0; i < list.size(); i++) {
                total += 8 + treeBytes(list.get(i));
            }
            return total;
        }
        if (node instanceof java.math.BigDecimal || node instanceof java.math.BigInteger) {
            return 64;
        }
        return 24; // a boxed number or boolean
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LogRecord)) {
            return false;
        }
        LogRecord other = (LogRecord) o;
        return type == other.type && Objects.equals(jobRunId, other.jobRunId) && Objects.equals(taskRunId, other.taskRunId)
                && timestamp.equals(other.timestamp) && level == other.level && stream == other.stream
                && message.equals(other.message) && Objects.equals(metadata, other.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, jobRunId, taskRunId, timestamp, level, stream, message, metadata);
    }

    @Override
    public String toString() {
        return "LogRecord[type=" + type + ", jobRunId=" + jobRunId + ", taskRunId=" + taskRunId + ", timestamp=" + timestamp
                + ", level=" + level + ", stream=" + stream + ", message=" + message + ", metadata=" + metadata + "]";
    }
}

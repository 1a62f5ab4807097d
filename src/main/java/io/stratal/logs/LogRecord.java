package io.stratal.logs;

import java.util.Collections;
import java.util.RandomAccess;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One row of the {@code logs} table, snapshotted on the logging thread and never changed afterwards.
 *
 * <p>{@code metadata} is a JSON-shaped tree: {@code null}, {@link String}, {@link Boolean}, {@link Number},
 * {@code List<Object>} and {@code Map<String, Object>}, already made safe for PostgreSQL (no U+0000 and
 * no lone surrogate in any string, which {@code text} and {@code jsonb} refuse). Whoever builds a record hands over unmodifiable collections and keeps no reference to
 * mutable ones.
 *
 * <p>A record made by the appender keeps {@code log.logger} and {@code log.thread} as two fields instead of
 * a nested map, and its timestamp as two numbers instead of an {@link Instant}: a queue in a burst holds
 * about a hundred thousand records, and every young collection copies them, so each object a record does
 * not hold is work the collector does not do (docs/PERFORMANCE.md, section 1). {@link #metadata()} still
 * answers the whole object, with both under {@code log}.
 */
public final class LogRecord {

    /**
     * Heap of a record without its message and metadata: the record (72), two UUIDs (64, counted although
     * a job's records share them) and the queue's slot (8). The logger and thread names are not counted:
     * every record of a logger, or of a thread, holds the same string.
     */
    private static final int RECORD_OVERHEAD_BYTES = 144;
    /** The metadata key the logger and thread names belong under (MetadataBuilder.LOG_KEY). */
    private static final String LOG_KEY = "log";

    private final LogType type;
    private final UUID jobRunId;
    private final UUID taskRunId;
    private final long epochSecond;
    private final int nano;
    private final LogLevel level;
    private final LogStream stream;
    private final String message;
    private final String logger;
    private final String thread;
    private final Map<String, Object> metadata;
    private long estimatedBytes = -1;

    /**
     * A record with its whole metadata object in one map.
     *
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
        this(type, jobRunId, taskRunId, timestamp, level, stream, message, null, null, metadata);
    }

    /**
     * A record whose {@code log.logger} and {@code log.thread} are given apart from the rest of its metadata,
     * as the appender makes them.
     *
     * @param type      system, job or task
     * @param jobRunId  the job run, or {@code null}
     * @param taskRunId the task run, or {@code null}
     * @param timestamp when the event happened; stored in UTC with microsecond precision
     * @param level     the stored level
     * @param stream    the stored stream
     * @param message   the formatted message, safe to store
     * @param logger    the logger's name for {@code log.logger}, safe to store, or {@code null} for none
     * @param thread    the thread's name for {@code log.thread}, safe to store, or {@code null} for none
     * @param metadata  the rest of the JSON object, or {@code null}; neither name may be in its {@code log} map,
     *                  which must be a map if it is there
     */
    public LogRecord(LogType type, UUID jobRunId, UUID taskRunId, Instant timestamp, LogLevel level, LogStream stream,
                     String message, String logger, String thread, Map<String, Object> metadata) {
        this.type = Objects.requireNonNull(type, "type");
        this.jobRunId = jobRunId;
        this.taskRunId = taskRunId;
        Objects.requireNonNull(timestamp, "timestamp");
        this.epochSecond = timestamp.getEpochSecond();
        this.nano = timestamp.getNano();
        this.level = Objects.requireNonNull(level, "level");
        this.stream = Objects.requireNonNull(stream, "stream");
        this.message = Objects.requireNonNull(message, "message");
        this.logger = logger;
        this.thread = thread;
        this.metadata = metadata;
        if ((logger != null || thread != null) && metadata != null && metadata.containsKey(LOG_KEY)
                && !(metadata.get(LOG_KEY) instanceof Map)) {
            throw new IllegalArgumentException("metadata.log must be an object when the logger or thread is given apart");
        }
    }

    /** {@return system, job or task} */
    public LogType type() {
        return type;
    }

    /** {@return the job run, or {@code null}} */
    public UUID jobRunId() {
        return jobRunId;
    }

    /** {@return the task run, or {@code null}} */
    public UUID taskRunId() {
        return taskRunId;
    }

    /** {@return when the event happened} */
    public Instant timestamp() {
        return Instant.ofEpochSecond(epochSecond, nano);
    }

    /** {@return the timestamp's seconds since 1970-01-01T00:00:00Z, without making an {@link Instant}} */
    public long epochSecond() {
        return epochSecond;
    }

    /** {@return the timestamp's nanoseconds within its second} */
    public int nano() {
        return nano;
    }

    /** {@return the stored level} */
    public LogLevel level() {
        return level;
    }

    /** {@return the stored stream} */
    public LogStream stream() {
        return stream;
    }

    /** {@return the formatted message, safe to store} */
    public String message() {
        return message;
    }

    /**
     * The whole {@code metadata} object, {@code log.logger} and {@code log.thread} included. For a record
     * that keeps those two apart this builds the object on each call: the flusher reads the parts instead.
     *
     * @return the object, unmodifiable; {@code null} when there is nothing to store
     */
    public Map<String, Object> metadata() {
        if (logger == null && thread == null) {
            return metadata;
        }
        Map<String, Object> log = new LinkedHashMap<>();
        if (logger != null) {
            log.put("logger", logger);
        }
        if (thread != null) {
            log.put("thread", thread);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        if (metadata != null) {
            for (Map.Entry<String, Object> entry : metadata.entrySet()) {
                if (LOG_KEY.equals(entry.getKey())) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> notes = (Map<String, Object>) entry.getValue();
                    log.putAll(notes);
                } else {
                    out.put(entry.getKey(), entry.getValue());
                }
            }
        }
        out.put(LOG_KEY, Collections.unmodifiableMap(log));
        return Collections.unmodifiableMap(out);
    }

    /** {@return the {@code log.logger} kept apart from {@link #metadataWithoutOrigin()}, or {@code null}} */
    public String logger() {
        return logger;
    }

    /** {@return the {@code log.thread} kept apart from {@link #metadataWithoutOrigin()}, or {@code null}} */
    public String thread() {
        return thread;
    }

    /**
     * The metadata object as held: without {@link #logger()} and {@link #thread()}, which belong under its
     * {@code log} key.
     *
     * @return the object, or {@code null} when it holds nothing else
     */
    public Map<String, Object> metadataWithoutOrigin() {
        return metadata;
    }

    /**
     * An estimate of the heap this record holds, used to bound the queue in bytes. It follows the JVM's
     * layout (compact strings; the appender's maps hold their keys and values in one array, and say so by
     * {@link RandomAccess}; any other map is counted as a hash map) and counts every value as the record's own, even those
     * shared with other records (the run ids, a literal value), so it errs high. Map keys are not counted:
     * they are the application's literals and the MDC's own strings, shared by every record that carries
     * them; nor are the logger and thread names kept apart, which the mapper hands over as one string per
     * logger and per thread (an unnamed virtual thread, which logs little, may hold one of its own: the
     * two UUIDs counted for every record make up for it).
     * Computed once; a benign race may compute it twice, with the same result.
     *
     * @return the estimate in bytes
     */
    public long estimatedBytes() {
        long bytes = estimatedBytes;
        if (bytes < 0) {
            bytes = RECORD_OVERHEAD_BYTES + stringBytes(message) + treeBytes(metadata);
            estimatedBytes = bytes;
        }
        return bytes;
    }

    /**
     * The same record with other ids and metadata: used when an id has to move into metadata.
     *
     * @param newJobRunId   the job run, or {@code null}
     * @param newTaskRunId  the task run, or {@code null}
     * @param newMetadata   the whole object, as {@link #metadata()} gives it
     * @return the new record
     */
    public LogRecord withIds(UUID newJobRunId, UUID newTaskRunId, Map<String, Object> newMetadata) {
        return new LogRecord(type, newJobRunId, newTaskRunId, timestamp(), level, stream, message, newMetadata);
    }

    /**
     * The same record with a job run id: a task line whose job run was looked up from its task run.
     *
     * @param newJobRunId the job run
     * @return the new record
     */
    public LogRecord withJobRunId(UUID newJobRunId) {
        return new LogRecord(type, newJobRunId, taskRunId, timestamp(), level, stream, message, logger, thread, metadata);
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
        if (node instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) node;
            // A map that is one array of keys and values (the appender's: it says so by RandomAccess) is an
            // object and that array, its values a list read by index; any other is counted as a hash map, its
            // table and a node per entry, which errs high for the rest.
            if (node instanceof RandomAccess && map.values() instanceof List<?> values && values instanceof RandomAccess) {
                long total = 32 + 16L * values.size();
                for (int i = 0; i < values.size(); i++) {
                    total += treeBytes(values.get(i));
                }
                return total;
            }
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
                && epochSecond == other.epochSecond && nano == other.nano && level == other.level && stream == other.stream
                && message.equals(other.message) && Objects.equals(metadata(), other.metadata());
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, jobRunId, taskRunId, epochSecond, nano, level, stream, message, metadata());
    }

    @Override
    public String toString() {
        return "LogRecord[type=" + type + ", jobRunId=" + jobRunId + ", taskRunId=" + taskRunId + ", timestamp=" + timestamp()
                + ", level=" + level + ", stream=" + stream + ", message=" + message + ", metadata=" + metadata() + "]";
    }
}

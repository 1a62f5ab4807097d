package io.stratal.logs.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import io.stratal.logs.internal.MetadataBuilder;
import io.stratal.logs.internal.Redaction;
import io.stratal.logs.internal.sampling.Sampler;
import io.stratal.logs.internal.util.Uuids;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

/**
 * Turns a logback event into a {@link LogRecord} on the logging thread, following DESIGN.md's mapping:
 * the type from which MDC ids are set, level and stream by the stated rules, and a metadata object with
 * the user's key-value pairs and MDC entries at the top and the appender's facts under {@code log}.
 */
final class EventMapper {

    private final String jobRunIdKey;
    private final String taskRunIdKey;
    private final String streamKey;
    private final Redaction redaction;
    private final int maxMessageLength;
    private final boolean redactMessages;

    /** @param redactMessages also mask secret {@code key=value} pairs in messages and exception text */
    EventMapper(String jobRunIdKey, String taskRunIdKey, String streamKey, Redaction redaction, int maxMessageLength,
                boolean redactMessages) {
        this.jobRunIdKey = jobRunIdKey;
        this.taskRunIdKey = taskRunIdKey;
        this.streamKey = streamKey;
        this.redaction = redaction;
        this.maxMessageLength = maxMessageLength;
        this.redactMessages = redactMessages;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(new MetadataBuilder(redaction, maxMessageLength),
                jobRunIdKey, taskRunIdKey, streamKey));
    }

    /**
     * What one logging thread keeps between its calls, so that mapping an event allocates little: the
     * metadata builder's working arrays, and the run ids parsed last (a job logs many lines with the same
     * ids). Static, and holding nothing of the mapper but its settings, so that a mapper dropped by a
     * reconfiguration does not stay reachable from the threads that logged through it. A call that logs
     * again from inside a mapping (a value's {@code toString()}) never gets here: logback's
     * {@code doAppend} refuses an appender's re-entry on the same thread.
     */
    private static final class Scratch implements BiConsumer<String, String> {
        final MetadataBuilder metadata;
        final String jobRunIdKey;
        final String taskRunIdKey;
        final String streamKey;
        String jobRaw;
        UUID jobId;
        String taskRaw;
        UUID taskId;
        /**
         * The logger and thread names found safe last. A record holds these strings, not the event's: logback
         * makes a new name string for each event of an unnamed virtual thread, and the queue's estimate counts
         * the names as shared by the records of one thread ({@link LogRecord#estimatedBytes()}).
         */
        String safeLogger;
        String safeThread;

        Scratch(MetadataBuilder metadata, String jobRunIdKey, String taskRunIdKey, String streamKey) {
            this.metadata = metadata;
            this.jobRunIdKey = jobRunIdKey;
            this.taskRunIdKey = taskRunIdKey;
            this.streamKey = streamKey;
        }

        /**
         * {@code name} for the record's own field when it can be stored as it is, else {@code null} with the
         * name made safe (or cut) and noted under {@code log.<key>} in the metadata, the way every other
         * value is.
         */
        String origin(String name, String key, boolean isLogger) {
            if (name == null) {
                return null;
            }
            String last = isLogger ? safeLogger : safeThread;
            if (name == last || name.equals(last)) {
                return last;
            }
            if (metadata.isStorableAsIs(name)) {
                if (isLogger) {
                    safeLogger = name;
                } else {
                    safeThread = name;
                }
                return name;
            }
            metadata.putLog(key, name);
            return null;
        }

        /** The MDC's other entries go into the metadata (forEach, not an entry iterator: no allocation). */
        @Override
        public void accept(String key, String value) {
            if (!key.equals(jobRunIdKey) && !key.equals(taskRunIdKey) && !key.equals(streamKey)) {
                metadata.put(key, value);
            }
        }
    }

    private final ThreadLocal<Scratch> scratch;

    LogRecord map(ILoggingEvent event) {
        return map(event, scratch.get(), null);
    }

    /** @param sample what a line kept by a sampling rule carries as {@code log.sample}, or {@code null} */
    LogRecord map(ILoggingEvent event, Map<String, Object> sample) {
        return map(event, scratch.get(), sample);
    }

    /**
     * The row that stands for the lines a sampling rule left out of one key's window: the type, ids, stream,
     * logger and thread of the first of them, the highest level among them, a message that counts them, and
     * {@code log.sampled}. Stamped now, when the window closed.
     */
    LogRecord summary(Sampler.Summary<ILoggingEvent> summary) {
        ILoggingEvent line = summary.representative();
        Scratch local = scratch.get();
        MetadataBuilder metadata = local.metadata.reset();
        Map<String, String> mdc = mdcOf(line);
        String rawJobRunId = presentOrNull(mdc.get(jobRunIdKey));
        String rawTaskRunId = presentOrNull(mdc.get(taskRunIdKey));
        LogType type = rawTaskRunId != null ? LogType.TASK : rawJobRunId != null ? LogType.JOB : LogType.SYSTEM;
        UUID jobRunId = parseId(rawJobRunId, "job_run_id", metadata);
        UUID taskRunId = parseId(rawTaskRunId, "task_run_id", metadata);
        LogStream stream = stream(presentOrNull(mdc.get(streamKey)), type, summary.level(), metadata);
        metadata.putLog("sampled", summary.metadata());
        String logger = local.origin(line.getLoggerName(), "logger", true);
        String thread = local.origin(line.getThreadName(), "thread", false);
        String message = metadata.safeField(summary.message(), "message");
        return new LogRecord(type, jobRunId, taskRunId, Instant.now(), summary.level(), stream, message, logger, thread,
                metadata.build());
    }

    /** The task run id of {@code event}'s MDC, else its job run id, else {@code null}: a sampling key's run. */
    String runOf(Map<String, String> mdc) {
        String task = presentOrNull(mdc.get(taskRunIdKey));
        return task != null ? task : presentOrNull(mdc.get(jobRunIdKey));
    }

    /** The job run id of {@code event}'s MDC, or {@code null}. */
    String jobRunOf(Map<String, String> mdc) {
        return presentOrNull(mdc.get(jobRunIdKey));
    }

    private LogRecord map(ILoggingEvent event, Scratch local, Map<String, Object> sample) {
        Map<String, String> mdc = mdcOf(event);
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        MetadataBuilder metadata = local.metadata.reset();

        String rawJobRunId = presentOrNull(mdc.get(jobRunIdKey));
        String rawTaskRunId = presentOrNull(mdc.get(taskRunIdKey));
        String rawStream = presentOrNull(mdc.get(streamKey));

        // The type follows which ids the MDC sets; an id that is not a UUID moves into metadata and the row
        // keeps its type, so a job's lines stay job lines even when one of its ids is malformed.
        LogType type = rawTaskRunId != null ? LogType.TASK : rawJobRunId != null ? LogType.JOB : LogType.SYSTEM;
        UUID jobRunId;
        if (rawJobRunId != null && rawJobRunId.equals(local.jobRaw)) {
            jobRunId = local.jobId;
        } else {
            jobRunId = parseId(rawJobRunId, "job_run_id", metadata);
            if (jobRunId != null) {
                local.jobRaw = rawJobRunId;
                local.jobId = jobRunId;
            }
        }
        UUID taskRunId;
        if (rawTaskRunId != null && rawTaskRunId.equals(local.taskRaw)) {
            taskRunId = local.taskId;
        } else {
            taskRunId = parseId(rawTaskRunId, "task_run_id", metadata);
            if (taskRunId != null) {
                local.taskRaw = rawTaskRunId;
                local.taskId = taskRunId;
            }
        }

        LogLevel level = level(event.getLevel());
        LogStream stream = stream(rawStream, type, level, metadata);

        mdc.forEach(local);
        if (pairs != null) {
            for (int i = 0; i < pairs.size(); i++) {
                KeyValuePair pair = pairs.get(i);
                metadata.put(pair.key, pair.value); // a key-value pair wins over an MDC entry of the same key
            }
        }

        String logger = local.origin(event.getLoggerName(), "logger", true);
        String thread = local.origin(event.getThreadName(), "thread", false);
        List<String> markers = markerNames(event.getMarkerList());
        if (!markers.isEmpty()) {
            metadata.putLog("markers", markers);
        }
        if (sample != null) {
            metadata.putLog("sample", sample);
        }
        IThrowableProxy throwable = event.getThrowableProxy();
        if (throwable != null) {
            metadata.putLog("exception", exception(throwable, metadata));
        }

        String message = event.getFormattedMessage();
        message = scrub(message == null ? "" : message, "message", metadata);
        message = metadata.safeField(message, "message");
        return new LogRecord(type, jobRunId, taskRunId, event.getInstant(), level, stream, message, logger, thread,
                metadata.build());
    }

    /**
     * The event's MDC. A {@code LoggerContext} created by hand has no MDC adapter, and logback then throws
     * from {@code getMDCPropertyMap()}: such an event is still stored, without MDC.
     */
    static Map<String, String> mdcOf(ILoggingEvent event) {
        try {
            Map<String, String> mdc = event.getMDCPropertyMap();
            return mdc == null ? Map.of() : mdc;
        } catch (RuntimeException noMdcAdapter) {
            return Map.of();
        }
    }

    static LogLevel level(Level level) {
        int value = level.toInt();
        if (value >= Level.ERROR_INT) {
            return LogLevel.ERROR;
        }
        if (value >= Level.WARN_INT) {
            return LogLevel.WARN;
        }
        if (value >= Level.INFO_INT) {
            return LogLevel.INFO;
        }
        return LogLevel.DEBUG;
    }

    private static LogStream stream(String raw, LogType type, LogLevel level, MetadataBuilder metadata) {
        LogStream given = LogStream.parse(raw);
        if (given != null) {
            return given;
        }
        if (raw != null) {
            metadata.putLog("invalid_stream", raw);
        }
        if (type == LogType.TASK) {
            return level.isProblem() ? LogStream.STDERR : LogStream.STDOUT;
        }
        return LogStream.SYSTEM;
    }

    private static UUID parseId(String raw, String column, MetadataBuilder metadata) {
        if (raw == null) {
            return null;
        }
        UUID id = Uuids.parseOrNull(raw.trim());
        if (id == null) {
            metadata.noteInvalidId(column, raw);
        }
        return id;
    }

    private static String presentOrNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private Map<String, Object> exception(IThrowableProxy throwable, MetadataBuilder metadata) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("class", throwable.getClassName());
        out.put("message", scrub(throwable.getMessage(), "log.exception.message", metadata));
        out.put("stack_trace", scrub(ThrowableProxyUtil.asString(throwable), "log.exception.stack_trace", metadata));
        return out;
    }

    /** With {@code redactMessages}, {@code text} with secret pairs masked, noted under {@code path}. */
    private String scrub(String text, String path, MetadataBuilder metadata) {
        if (!redactMessages || text == null) {
            return text;
        }
        String scrubbed = redaction.scrubPairs(text);
        if (scrubbed != text) {
            metadata.noteRedacted(path);
        }
        return scrubbed;
    }

    private static List<String> markerNames(List<Marker> markers) {
        if (markers == null || markers.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>(markers.size());
        for (Marker marker : markers) {
            addMarker(marker, names, 0);
        }
        return names;
    }

    private static void addMarker(Marker marker, List<String> names, int depth) {
        if (marker == null || names.contains(marker.getName()) || depth > 8) {
            return;
        }
        names.add(marker.getName());
        for (Iterator<Marker> it = marker.iterator(); it.hasNext(); ) {
            addMarker(it.next(), names, depth + 1);
        }
    }
}

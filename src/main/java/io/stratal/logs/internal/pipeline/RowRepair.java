package io.stratal.logs.internal.pipeline;

import io.stratal.logs.pipeline.WriteException;
import io.stratal.logs.LogRecord;
import io.stratal.logs.internal.MetadataBuilder;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A version of a refused row that the database will take: the message reduced to printable ASCII with
 * {@code \\uXXXX} escapes, the metadata replaced by what the appender knows about the failure (the logger,
 * the thread, the error), and a timestamp outside PostgreSQL's range replaced by the time of the repair.
 * The original metadata is dropped because it is the likeliest culprit.
 */
final class RowRepair {

    private static final Instant EARLIEST = LocalDate.of(-4712, 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC);
    private static final Instant LATEST = LocalDate.of(294275, 12, 31).atStartOfDay().toInstant(ZoneOffset.UTC);

    private RowRepair() {
    }

    static LogRecord safeVersion(LogRecord record, WriteException failure) {
        Map<String, Object> notes = new LinkedHashMap<>();
        Map<String, Object> oldNotes = logNotes(record.metadata());
        copy(oldNotes, notes, "logger");
        copy(oldNotes, notes, "thread");
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("sqlstate", failure.sqlState());
        error.put("error", ascii(String.valueOf(failure.getMessage())));
        notes.put("rejected_original", error);
        Map<String, Object> metadata = Map.of(MetadataBuilder.LOG_KEY, notes);

        Instant timestamp = record.timestamp();
        if (timestamp.isBefore(EARLIEST) || timestamp.isAfter(LATEST)) {
            error.put("original_timestamp", timestamp.toString());
            timestamp = Instant.now();
        }
        UUID job = record.jobRunId();
        UUID task = record.taskRunId();
        return new LogRecord(record.type(), job, task, timestamp, record.level(), record.stream(),
                ascii(record.message()), metadata);
    }

    /** Printable ASCII, tab and newline kept; everything else as a {@code \\uXXXX} escape. */
    static String ascii(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> logNotes(Map<String, Object> metadata) {
        Object log = metadata == null ? null : metadata.get(MetadataBuilder.LOG_KEY);
        return log instanceof Map ? (Map<String, Object>) log : Map.of();
    }

    private static void copy(Map<String, Object> from, Map<String, Object> to, String key) {
        Object value = from.get(key);
        if (value instanceof String) {
            to.put(key, ascii((String) value));
        }
    }
}

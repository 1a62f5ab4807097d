package io.stratal.logs.internal.sink;

import io.stratal.logs.internal.CompactMap;
import io.stratal.logs.internal.MetadataBuilder;
import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Encodes a {@link LogRecord} as one line of COPY text for {@link LogsSchema#COPY_COLUMNS}. Runs on the
 * flusher thread, which is why the JSON of {@code metadata} is rendered here and not when the event is
 * logged. The JSON is written straight into the COPY buffer, escaped for JSON and COPY in one pass, with
 * no generator, string or boxed number in between: this is the flusher's hot path (see
 * docs/PERFORMANCE.md). The metadata tree holds only JSON-shaped values ({@code MetadataBuilder}, the
 * spool's codec): strings, booleans, numbers (finite), maps and lists.
 */
final class CopyRowEncoder {

    private static final String NULL = "\\N";
    private static final byte[][] TYPES = words(LogType.values());
    private static final byte[][] LEVELS = words(LogLevel.values());
    private static final byte[][] STREAMS = words(LogStream.values());

    /** The second whose {@code yyyy-MM-dd HH:mm:ss.} was written last: rows of a batch mostly share it. */
    private long cachedSecond = Long.MIN_VALUE;
    private final byte[] cachedSecondText = new byte[20];
    private final CopyBuffer secondText = new CopyBuffer(32);
    /** How many times a second was formatted: once per second the rows pass through, not once per row. */
    int formattedSeconds;

    private static byte[][] words(Enum<?>[] values) {
        byte[][] out = new byte[values.length][];
        for (Enum<?> value : values) {
            String word = value instanceof LogType t ? t.dbValue() : value instanceof LogLevel l ? l.dbValue()
                    : ((LogStream) value).dbValue();
            out[value.ordinal()] = (word + "\t").getBytes(StandardCharsets.US_ASCII);
        }
        return out;
    }

    void encode(LogRecord record, CopyBuffer out) {
        out.raw(TYPES[record.type().ordinal()]);
        uuid(record.jobRunId(), out);
        out.raw((byte) '\t');
        uuid(record.taskRunId(), out);
        out.raw((byte) '\t');
        timestamp(record.epochSecond(), record.nano(), out);
        out.raw((byte) '\t');
        out.raw(LEVELS[record.level().ordinal()]);
        out.raw(STREAMS[record.stream().ordinal()]);
        out.text(record.message());
        out.raw((byte) '\t');
        metadata(record, out);
        out.raw((byte) '\n');
    }

    /**
     * The record's whole metadata object: what it holds, with its logger and thread names put first under
     * {@code log} (the record keeps them apart), written without building the merged map.
     */
    private static void metadata(LogRecord record, CopyBuffer out) {
        Map<String, Object> held = record.metadataWithoutOrigin();
        String logger = record.logger();
        String thread = record.thread();
        if (logger == null && thread == null) {
            if (held == null) {
                out.ascii(NULL);
            } else {
                json(held, out);
            }
            return;
        }
        out.raw((byte) '{');
        Object notes = null;
        boolean first = true;
        if (held instanceof CompactMap map) { // as the appender makes it: walked by index, no iterator
            for (int i = 0; i < map.size(); i++) {
                if (MetadataBuilder.LOG_KEY.equals(map.keyAt(i))) {
                    notes = map.valueAt(i);
                    continue;
                }
                first = member(map.keyAt(i), map.valueAt(i), first, out);
            }
        } else if (held != null) {
            for (Map.Entry<String, Object> entry : held.entrySet()) {
                if (MetadataBuilder.LOG_KEY.equals(entry.getKey())) {
                    notes = entry.getValue();
                    continue;
                }
                first = member(entry.getKey(), entry.getValue(), first, out);
            }
        }
        if (!first) {
            out.raw((byte) ',');
        }
        out.ascii("\"log\":{");
        boolean firstNote = true;
        if (logger != null) {
            out.ascii("\"logger\":");
            out.jsonString(logger);
            firstNote = false;
        }
        if (thread != null) {
            if (!firstNote) {
                out.raw((byte) ',');
            }
            out.ascii("\"thread\":");
            out.jsonString(thread);
        }
        if (notes instanceof CompactMap map) {
            for (int i = 0; i < map.size(); i++) {
                member(map.keyAt(i), map.valueAt(i), false, out);
            }
        } else if (notes instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                member(String.valueOf(entry.getKey()), entry.getValue(), false, out);
            }
        }
        out.ascii("}}");
    }

    /** {@code "key":value}, after a comma unless it is the object's first member; returns {@code false}. */
    private static boolean member(String key, Object value, boolean first, CopyBuffer out) {
        if (!first) {
            out.raw((byte) ',');
        }
        out.jsonString(key);
        out.raw((byte) ':');
        json(value, out);
        return false;
    }

    private static void uuid(UUID id, CopyBuffer out) {
        if (id == null) {
            out.ascii(NULL);
        } else {
            out.uuid(id);
        }
    }

    /**
     * UTC wall-clock time with microseconds. The column is {@code timestamp without time zone}, so the
     * value is stored exactly as written here, whatever the server's or session's time zone.
     */
    void timestamp(Instant instant, CopyBuffer out) {
        timestamp(instant.getEpochSecond(), instant.getNano(), out);
    }

    void timestamp(long second, int nano, CopyBuffer out) {
        if (second != cachedSecond) {
            LocalDateTime t = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
            if (t.getYear() < 1 || t.getYear() > 9999) { // written in full, not cached
                writeTimestamp(Instant.ofEpochSecond(second, nano), out);
                return;
            }
            secondText.reset();
            writeTimestamp(Instant.ofEpochSecond(second), secondText); // "yyyy-MM-dd HH:mm:ss.000000"
            System.arraycopy(secondText.array(), 0, cachedSecondText, 0, cachedSecondText.length);
            cachedSecond = second;
            formattedSeconds++;
        }
        out.raw(cachedSecondText);
        out.digits(nano / 1000, 6);
    }

    static void writeTimestamp(Instant instant, CopyBuffer out) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
        int year = t.getYear();
        if (year < 1 || year > 9999) {
            out.ascii(t.toString().replace('T', ' '));
            return;
        }
        out.digits(year, 4);
        out.raw((byte) '-');
        out.digits(t.getMonthValue(), 2);
        out.raw((byte) '-');
        out.digits(t.getDayOfMonth(), 2);
        out.raw((byte) ' ');
        out.digits(t.getHour(), 2);
        out.raw((byte) ':');
        out.digits(t.getMinute(), 2);
        out.raw((byte) ':');
        out.digits(t.getSecond(), 2);
        out.raw((byte) '.');
        out.digits(t.getNano() / 1000, 6);
    }

    /** {@code value} as JSON, escaped for COPY. */
    static void json(Object value, CopyBuffer out) {
        if (value == null) {
            out.ascii("null");
        } else if (value instanceof String text) {
            out.jsonString(text);
        } else if (value instanceof CompactMap map) {
            out.raw((byte) '{');
            for (int i = 0; i < map.size(); i++) {
                member(map.keyAt(i), map.valueAt(i), i == 0, out);
            }
            out.raw((byte) '}');
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            out.decimal(((Number) value).longValue());
        } else if (value instanceof Boolean flag) {
            out.ascii(flag ? "true" : "false");
        } else if (value instanceof Map<?, ?> map) {
            out.raw((byte) '{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                first = member(String.valueOf(entry.getKey()), entry.getValue(), first, out);
            }
            out.raw((byte) '}');
        } else if (value instanceof List<?> list) {
            out.raw((byte) '[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.raw((byte) ',');
                }
                json(list.get(i), out);
            }
            out.raw((byte) ']');
        } else if ((value instanceof Double d && Double.isFinite(d)) || (value instanceof Float f && Float.isFinite(f))
                || value instanceof BigDecimal || value instanceof BigInteger) {
            out.ascii(value.toString());
        } else {
            out.jsonString(String.valueOf(value)); // not a JSON number (NaN, infinity) or not JSON-shaped at all
        }
    }
}

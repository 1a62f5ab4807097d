package io.stratal.logs.internal.jdbc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.stratal.logs.LogRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Encodes a {@link LogRecord} as one line of COPY text for {@link LogsSchema#COPY_COLUMNS}. Runs on the
 * flusher thread, which is why the JSON of {@code metadata} is rendered here and not when the event is
 * logged.
 */
final class CopyRowEncoder {

    private static final String NULL = "\\N";
    private final JsonFactory json = JsonFactory.builder().build();

    void encode(LogRecord record, CopyBuffer out) {
        out.ascii(record.type().dbValue());
        out.raw((byte) '\t');
        uuid(record.jobRunId(), out);
        out.raw((byte) '\t');
        uuid(record.taskRunId(), out);
        out.raw((byte) '\t');
        timestamp(record.timestamp(), out);
        out.raw((byte) '\t');
        out.ascii(record.level().dbValue());
        out.raw((byte) '\t');
        out.ascii(record.stream().dbValue());
        out.raw((byte) '\t');
        out.text(record.message());
        out.raw((byte) '\t');
        if (record.metadata() == null) {
            out.ascii(NULL);
        } else {
            metadata(record.metadata(), out);
        }
        out.raw((byte) '\n');
    }

    private static void uuid(UUID id, CopyBuffer out) {
        out.ascii(id == null ? NULL : id.toString());
    }

    /**
     * UTC wall-clock time with microseconds. The seed's column is {@code timestamp without time zone}, so the
     * value is stored exactly as written here, whatever the server's or session's time zone.
     */
    static void timestamp(Instant instant, CopyBuffer out) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
        int year = t.getYear();
        if (year < 1 || year > 9999) {
            out.ascii(t.toString().replace('T', ' '));
            return;
        }
        digits(year, 4, out);
        out.raw((byte) '-');
        digits(t.getMonthValue(), 2, out);
        out.raw((byte) '-');
        digits(t.getDayOfMonth(), 2, out);
        out.raw((byte) ' ');
        digits(t.getHour(), 2, out);
        out.raw((byte) ':');
        digits(t.getMinute(), 2, out);
        out.raw((byte) ':');
        digits(t.getSecond(), 2, out);
        out.raw((byte) '.');
        digits(t.getNano() / 1000, 6, out);
    }

    private static void digits(int value, int width, CopyBuffer out) {
        int divisor = 1;
        for (int i = 1; i < width; i++) {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10) {
            out.raw((byte) ('0' + (value / divisor) % 10));
        }
    }

    private void metadata(Map<String, Object> metadata, CopyBuffer out) {
        try (JsonGenerator generator = json.createGenerator(out.escaping())) {
            write(metadata, generator);
        } catch (IOException e) {
            throw new UncheckedIOException("writing metadata JSON into memory failed", e);
        }
    }

    private static void write(Object value, JsonGenerator generator) throws IOException {
        if (value == null) {
            generator.writeNull();
        } else if (value instanceof String) {
            generator.writeString((String) value);
        } else if (value instanceof Boolean) {
            generator.writeBoolean((Boolean) value);
        } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            generator.writeNumber(((Number) value).intValue());
        } else if (value instanceof Long) {
            generator.writeNumber((Long) value);
        } else if (value instanceof Double) {
            generator.writeNumber((Double) value);
        } else if (value instanceof Float) {
            generator.writeNumber((Float) value);
        } else if (value instanceof BigDecimal) {
            generator.writeNumber((BigDecimal) value);
        } else if (value instanceof BigInteger) {
            generator.writeNumber((BigInteger) value);
        } else if (value instanceof Map) {
            generator.writeStartObject();
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                generator.writeFieldName(String.valueOf(entry.getKey()));
                write(entry.getValue(), generator);
            }
            generator.writeEndObject();
        } else if (value instanceof List) {
            generator.writeStartArray();
            for (Object element : (List<?>) value) {
                write(element, generator);
            }
            generator.writeEndArray();
        } else {
            generator.writeString(String.valueOf(value));
        }
    }
}

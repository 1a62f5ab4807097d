package io.stratal.logs.query;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * The wire form of logs: the seed's {@code LogMessage} plus {@code id}. The timestamp is ISO-8601 UTC with
 * microseconds and a {@code Z}; {@code metadata} is the stored JSON object itself, not a string holding it;
 * absent ids and metadata are {@code null}.
 */
public final class LogJson {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private LogJson() {
    }

    /** One log as a JSON object (a WebSocket frame, an SSE {@code data:} line). */
    public static String toJson(StoredLog log) {
        return render(generator -> writeLog(generator, log));
    }

    /** A page: {@code {"logs": [...], "limit", "offset", "has_more", "next_cursor"}}. */
    public static String toJson(LogPage page) {
        return render(generator -> {
            generator.writeStartObject();
            generator.writeArrayFieldStart("logs");
            for (StoredLog log : page.logs()) {
                writeLog(generator, log);
            }
            generator.writeEndArray();
            generator.writeNumberField("limit", page.limit());
            generator.writeNumberField("offset", page.offset());
            generator.writeBooleanField("has_more", page.hasMore());
            generator.writeStringField("next_cursor", page.nextCursor() == null ? null : page.nextCursor().encode());
            generator.writeEndObject();
        });
    }

    /** The UTC timestamp as the wire shows it. */
    public static String timestamp(LocalDateTime utc) {
        return utc == null ? null : TIMESTAMP.format(utc);
    }

    static void writeLog(JsonGenerator generator, StoredLog log) throws IOException {
        generator.writeStartObject();
        generator.writeNumberField("id", log.id());
        generator.writeStringField("type", log.type());
        generator.writeStringField("job_run_id", text(log.jobRunId()));
        generator.writeStringField("task_run_id", text(log.taskRunId()));
        generator.writeStringField("timestamp", timestamp(log.timestamp()));
        generator.writeStringField("level", log.level());
        generator.writeStringField("stream", log.stream());
        generator.writeStringField("message", log.message());
        generator.writeFieldName("metadata");
        if (log.metadataJson() == null) {
            generator.writeNull();
        } else {
            generator.writeRawValue(log.metadataJson()); // PostgreSQL's jsonb text: already valid JSON
        }
        generator.writeEndObject();
    }

    private static String text(UUID id) {
        return id == null ? null : id.toString();
    }

    interface Body {
        void write(JsonGenerator generator) throws IOException;
    }

    static String render(Body body) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator generator = FACTORY.createGenerator((Writer) out)) {
            body.write(generator);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }
}

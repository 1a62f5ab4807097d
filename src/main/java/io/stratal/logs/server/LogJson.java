package io.stratal.logs.server;

import io.stratal.logs.query.JobRuns;
import io.stratal.logs.query.LogPage;
import io.stratal.logs.query.LogStats;
import io.stratal.logs.query.StoredLog;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The wire form of logs: a row's columns as a JSON object, {@code id} included. The timestamp is ISO-8601 UTC with
 * microseconds and a {@code Z}; {@code metadata} is the stored JSON object itself, not a string holding it;
 * absent ids and metadata are {@code null}.
 */
final class LogJson {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private LogJson() {
    }

    /** One log as a JSON object (a WebSocket frame, an SSE {@code data:} line). */
    public static String toJson(StoredLog log) {
        return render(generator -> writeLog(generator, log));
    }

    /** A page: {@code {"logs": [...], "limit", "offset", "has_more", "next_cursor", "prev_cursor"}}. */
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
            generator.writeStringField("prev_cursor", page.prevCursor() == null ? null : page.prevCursor().encode());
            generator.writeEndObject();
        });
    }

    /** The job runs list: {@code {"job_runs": [...], "limit", "has_more", "next_cursor"}}. */
    public static String toJson(JobRuns.RunPage page) {
        return render(generator -> {
            generator.writeStartObject();
            generator.writeArrayFieldStart("job_runs");
            for (JobRuns.Run run : page.runs()) {
                generator.writeStartObject();
                generator.writeStringField("job_run_id", text(run.jobRunId()));
                generator.writeStringField("first", timestamp(run.first()));
                generator.writeStringField("last", timestamp(run.last()));
                generator.writeNumberField("logs", run.logs());
                generator.writeNumberField("errors", run.errors());
                generator.writeNumberField("warnings", run.warnings());
                generator.writeNumberField("tasks", run.tasks());
                generator.writeEndObject();
            }
            generator.writeEndArray();
            generator.writeNumberField("limit", page.limit());
            generator.writeBooleanField("has_more", page.hasMore());
            generator.writeStringField("next_cursor", page.nextCursor());
            generator.writeEndObject();
        });
    }

    /** A job run's summary: its span and counts by level, and each task run's with counts by stream. */
    public static String toJson(JobRuns.Summary summary) {
        return render(generator -> {
            generator.writeStartObject();
            generator.writeStringField("job_run_id", text(summary.jobRunId()));
            generator.writeStringField("first", timestamp(summary.first()));
            generator.writeStringField("last", timestamp(summary.last()));
            writeCounts(generator, summary.counts());
            generator.writeArrayFieldStart("tasks");
            for (JobRuns.TaskSummary task : summary.tasks()) {
                generator.writeStartObject();
                generator.writeStringField("task_run_id", text(task.taskRunId()));
                generator.writeStringField("task_name", task.name());
                generator.writeStringField("first", timestamp(task.first()));
                generator.writeStringField("last", timestamp(task.last()));
                writeCounts(generator, task.counts());
                generator.writeObjectFieldStart("streams");
                for (String stream : new String[] {"stdout", "stderr", "system"}) {
                    generator.writeNumberField(stream, task.streams().getOrDefault(stream, 0L));
                }
                generator.writeEndObject();
                generator.writeEndObject();
            }
            generator.writeEndArray();
            generator.writeEndObject();
        });
    }

    private static void writeCounts(JsonGenerator generator, JobRuns.Counts counts) throws IOException {
        generator.writeObjectFieldStart("counts");
        generator.writeNumberField("debug", counts.debug());
        generator.writeNumberField("info", counts.info());
        generator.writeNumberField("warn", counts.warn());
        generator.writeNumberField("error", counts.error());
        generator.writeEndObject();
    }

    /**
     * The monitoring answer: the three monitoring queries over {@code window}, and the table's size and growth.
     */
    public static String toJson(String window, LocalDateTime since, Map<String, Long> byType, Map<String, Long> byLevel,
                                List<LogStats.JobRunErrorRate> rates, LogStats.TableSize size,
                                Map<java.time.LocalDate, Long> rowsPerDay) {
        return render(generator -> {
            generator.writeStartObject();
            generator.writeStringField("window", window);
            generator.writeStringField("since", timestamp(since));
            writeCountMap(generator, "by_type", byType);
            writeCountMap(generator, "by_level", byLevel);
            generator.writeArrayFieldStart("error_rates");
            for (LogStats.JobRunErrorRate rate : rates) {
                generator.writeStartObject();
                generator.writeStringField("job_run_id", text(rate.jobRunId()));
                generator.writeNumberField("errors", rate.errors());
                generator.writeNumberField("total_logs", rate.totalLogs());
                generator.writeNumberField("error_rate", Math.round(rate.errorRate() * 100) / 100.0);
                generator.writeEndObject();
            }
            generator.writeEndArray();
            generator.writeObjectFieldStart("table");
            generator.writeNumberField("total_bytes", size.totalBytes());
            generator.writeNumberField("table_bytes", size.tableBytes());
            generator.writeNumberField("index_bytes", size.indexBytes());
            generator.writeEndObject();
            generator.writeArrayFieldStart("rows_per_day");
            for (Map.Entry<java.time.LocalDate, Long> day : rowsPerDay.entrySet()) {
                generator.writeStartObject();
                generator.writeStringField("day", day.getKey().toString());
                generator.writeNumberField("rows", day.getValue());
                generator.writeEndObject();
            }
            generator.writeEndArray();
            generator.writeEndObject();
        });
    }

    private static void writeCountMap(JsonGenerator generator, String name, Map<String, Long> counts) throws IOException {
        generator.writeObjectFieldStart(name);
        for (Map.Entry<String, Long> entry : counts.entrySet()) {
            generator.writeNumberField(String.valueOf(entry.getKey()), entry.getValue());
        }
        generator.writeEndObject();
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

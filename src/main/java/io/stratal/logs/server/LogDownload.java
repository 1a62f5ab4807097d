package io.stratal.logs.server;

import io.stratal.logs.query.InvalidParameterException;
import io.stratal.logs.query.LogFilter;
import io.stratal.logs.query.LogReader;
import io.stratal.logs.query.StoredLog;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A selection of logs as a file: NDJSON (one log JSON per line, as the API and the streams send it) or plain
 * text (one line per log: UTC timestamp, level, type, stream, task run id, message, and the metadata as
 * compact JSON). Written row by row as the reader fetches them, so a run of any size downloads in bounded
 * memory.
 */
final class LogDownload {

    /** The two formats, with what a browser needs to know of each. */
    enum Format {
        NDJSON("application/x-ndjson", "ndjson"),
        TEXT("text/plain; charset=utf-8", "log");

        private final String contentType;
        private final String extension;

        Format(String contentType, String extension) {
            this.contentType = contentType;
            this.extension = extension;
        }

        public String contentType() {
            return contentType;
        }

        public String extension() {
            return extension;
        }

        /** {@code ndjson} (the default when {@code null}) or {@code text}; anything else is a 400. */
        public static Format parse(String text) {
            if (text == null || text.isBlank()) {
                return NDJSON;
            }
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "ndjson" -> NDJSON;
                case "text" -> TEXT;
                default -> throw new InvalidParameterException("format", "'" + InvalidParameterException.shorten(text)
                        + "' is not ndjson or text");
            };
        }
    }

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private LogDownload() {
    }

    /** Writes every row {@code filter} selects to {@code out} in {@code format}; returns how many. */
    public static long write(LogReader reader, LogFilter filter, boolean descending, Format format, OutputStream out)
            throws java.sql.SQLException, IOException {
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        long rows = reader.forEach(filter, descending, log -> {
            if (format == Format.NDJSON) {
                writer.write(LogJson.toJson(log));
            } else {
                line(log, writer);
            }
            writer.write('\n');
        });
        writer.flush();
        return rows;
    }

    /** One text line; the message's own line breaks written as {@code \n} so that a log stays one line. */
    static void line(StoredLog log, Writer out) throws IOException {
        out.write(log.timestamp() == null ? "-" : LogJson.timestamp(log.timestamp()));
        out.write(' ');
        out.write(String.valueOf(log.level()));
        out.write(' ');
        out.write(String.valueOf(log.type()));
        out.write(' ');
        out.write(String.valueOf(log.stream()));
        out.write(' ');
        out.write(log.taskRunId() == null ? "-" : log.taskRunId().toString());
        out.write(' ');
        String message = log.message() == null ? "" : log.message();
        out.write(message.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r"));
        if (log.metadataJson() != null) {
            out.write(' ');
            out.write(compact(log.metadataJson()));
        }
    }

    /** The stored JSON without the spaces PostgreSQL's jsonb text puts after colons and commas. */
    static String compact(String json) throws IOException {
        java.io.StringWriter out = new java.io.StringWriter(json.length());
        try (JsonParser parser = JSON.createParser(json); JsonGenerator generator = JSON.createGenerator(out)) {
            parser.nextToken();
            generator.copyCurrentStructure(parser);
        }
        return out.toString();
    }

    /** A file name for the download: {@code job-run-<id>.ndjson}, {@code task-run-<id>.log}, {@code system-logs.ndjson}. */
    public static String fileName(LogFilter filter, Format format) {
        String base = filter.jobRunId() != null ? "job-run-" + filter.jobRunId()
                : filter.taskRunId() != null ? "task-run-" + filter.taskRunId()
                : filter.type() != null ? filter.type().dbValue() + "-logs" : "logs";
        return base + "." + format.extension();
    }
}

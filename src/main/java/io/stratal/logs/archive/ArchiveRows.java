package io.stratal.logs.archive;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.stratal.logs.query.StoredLog;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

/**
 * A data file's rows, read back one at a time: what verifying, deleting by id, restoring and a merge with the
 * table's rows pull from. A file cut short or not gzip is an {@link ArchiveException} naming it.
 */
final class ArchiveRows implements Closeable {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final String name;
    private final BufferedReader lines;
    private long number;

    ArchiveRows(Path file) throws IOException {
        this.name = file.getFileName().toString();
        InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16);
        this.lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    /** {@return the next row, or {@code null} at the end of the file} */
    StoredLog next() throws IOException, ArchiveException {
        try {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                number++;
                if (!line.isEmpty()) {
                    return parse(line, name, number);
                }
            }
            return null;
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new ArchiveException(name + " is not a whole gzip file: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }

    private static StoredLog parse(String line, String name, long number) throws ArchiveException {
        long id = -1;
        String type = null;
        String job = null;
        String task = null;
        String ts = null;
        String level = null;
        String stream = null;
        String message = null;
        String metadata = null;
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ArchiveException(name + " line " + number + " is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> id = p.getLongValue();
                    case "type" -> type = p.getValueAsString();
                    case "job_run_id" -> job = p.getValueAsString();
                    case "task_run_id" -> task = p.getValueAsString();
                    case "timestamp" -> ts = p.getValueAsString();
                    case "level" -> level = p.getValueAsString();
                    case "stream" -> stream = p.getValueAsString();
                    case "message" -> message = p.getValueAsString();
                    case "metadata" -> {
                        if (value == JsonToken.START_OBJECT) {
                            int from = (int) p.currentTokenLocation().getCharOffset();
                            p.skipChildren();
                            int to = (int) p.currentLocation().getCharOffset();
                            metadata = line.substring(from, to);
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (id < 0 || type == null) {
                throw new ArchiveException(name + " line " + number + " has no id or type");
            }
            return new StoredLog(id, type, job == null ? null : UUID.fromString(job), task == null ? null : UUID.fromString(task),
                    ArchiveFile.parseTimestamp(ts), level, stream, message, metadata);
        } catch (IOException | RuntimeException e) {
            throw new ArchiveException(name + " line " + number + " is not a log row: " + e.getMessage(), e);
        }
    }
}

package io.stratal.logs.archive;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;

/**
 * What the {@code logs-YYYY-MM-DD.manifest.json} beside an archive file says of it: the day, the rows, the first
 * and last id (the file is in id order), the earliest and latest timestamp, and the SHA-256 of the file's bytes.
 * A file is only trusted, and its rows only deleted, when it matches its manifest.
 *
 * @param day            the UTC day the rows were logged on
 * @param file           the archive file's name
 * @param rows           how many rows it holds
 * @param firstId        the smallest id
 * @param lastId         the largest id
 * @param firstTimestamp the earliest timestamp, as the API writes it ({@code 2026-12-01T00:00:00.000000Z})
 * @param lastTimestamp  the latest timestamp
 * @param sha256         the SHA-256 of the file, in lower-case hex
 */
public record ArchiveManifest(LocalDate day, String file, long rows, long firstId, long lastId, String firstTimestamp,
                              String lastTimestamp, String sha256) {

    /** The format of the files this version writes; a later version that changes them says so here. */
    public static final int FORMAT = 1;

    private static final JsonFactory JSON = JsonFactory.builder().build();

    byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeNumberField("format", FORMAT);
            g.writeStringField("day", day.toString());
            g.writeStringField("file", file);
            g.writeNumberField("rows", rows);
            g.writeNumberField("first_id", firstId);
            g.writeNumberField("last_id", lastId);
            g.writeStringField("first_timestamp", firstTimestamp);
            g.writeStringField("last_timestamp", lastTimestamp);
            g.writeStringField("sha256", sha256);
            g.writeEndObject();
            g.writeRaw('\n');
        } catch (IOException e) {
            throw new IllegalStateException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    /** Reads a manifest; a missing field or another format is an {@link ArchiveException} naming the file. */
    static ArchiveManifest parse(byte[] json, String name) throws ArchiveException {
        Map<String, Object> fields = new HashMap<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ArchiveException(name + " is not a manifest (no JSON object)");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_NUMBER_INT) {
                    fields.put(field, p.getLongValue());
                } else if (value == JsonToken.VALUE_STRING) {
                    fields.put(field, p.getText());
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new ArchiveException(name + " is not a manifest: " + e.getMessage());
        }
        Object format = fields.get("format");
        if (!(format instanceof Long f) || f != FORMAT) {
            throw new ArchiveException(name + " has format " + format + "; this version reads format " + FORMAT);
        }
        try {
            return new ArchiveManifest(LocalDate.parse((String) required(fields, "day", name)), (String) required(fields, "file", name),
                    (Long) required(fields, "rows", name), (Long) required(fields, "first_id", name),
                    (Long) required(fields, "last_id", name), (String) fields.get("first_timestamp"),
                    (String) fields.get("last_timestamp"), (String) required(fields, "sha256", name));
        } catch (ClassCastException | java.time.format.DateTimeParseException e) {
            throw new ArchiveException(name + " has a field of the wrong kind: " + e.getMessage());
        }
    }

    private static Object required(Map<String, Object> fields, String field, String name) throws ArchiveException {
        Object value = fields.get(field);
        if (value == null) {
            throw new ArchiveException(name + " has no \"" + field + "\"");
        }
        return value;
    }

    @Override
    public String toString() {
        return new String(toJson(), StandardCharsets.UTF_8).trim();
    }
}

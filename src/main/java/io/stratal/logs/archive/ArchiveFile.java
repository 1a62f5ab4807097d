package io.stratal.logs.archive;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.stratal.logs.query.StoredLog;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/**
 * One day's archive on disk: {@code logs-YYYY-MM-DD.ndjson.gz}, one row a line as the read API writes it (with
 * {@code id}), in id order, and its manifest beside it. Files are written under a {@code .tmp} name, forced to
 * disk, and renamed: the manifest first, then the data. A name without {@code .tmp} is therefore always a whole
 * file, and a manifest whose data was not renamed yet is finished from its {@code .tmp} by the next run
 * ({@link #rollForward}).
 */
final class ArchiveFile {

    static final String PREFIX = "logs-";
    static final String DATA = ".ndjson.gz";
    static final String MANIFEST = ".manifest.json";
    static final String TMP = ".tmp";
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    final LocalDate day;
    final Path data;
    final Path manifest;

    ArchiveFile(Path dir, LocalDate day) {
        this.day = day;
        this.data = dir.resolve(PREFIX + day + DATA);
        this.manifest = dir.resolve(PREFIX + day + MANIFEST);
    }

    /** The day of a data file's name, or {@code null} when it is not one. */
    static LocalDate dayOf(Path file) {
        String name = file.getFileName().toString();
        if (!name.startsWith(PREFIX) || !name.endsWith(DATA)) {
            return null;
        }
        try {
            return LocalDate.parse(name.substring(PREFIX.length(), name.length() - DATA.length()));
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    Path dataTmp() {
        return data.resolveSibling(data.getFileName() + TMP);
    }

    Path manifestTmp() {
        return manifest.resolveSibling(manifest.getFileName() + TMP);
    }

    static String timestamp(LocalDateTime utc) {
        return utc == null ? null : TIMESTAMP.format(utc);
    }

    static LocalDateTime parseTimestamp(String text) {
        if (text == null) {
            return null;
        }
        String t = text.endsWith("Z") ? text.substring(0, text.length() - 1) : text;
        return LocalDateTime.parse(t);
    }

    /** Writes rows to {@link #dataTmp()}, gzipped, counting them and hashing the bytes. */
    final class Output implements Closeable {
        private final MessageDigest sha;
        private final OutputStream file;
        private final JsonGenerator json;
        long rows;
        long firstId = Long.MAX_VALUE;
        long lastId = Long.MIN_VALUE;
        LocalDateTime earliest;
        LocalDateTime latest;
        private boolean closed;

        Output() throws IOException {
            sha = sha256();
            file = Files.newOutputStream(dataTmp());
            OutputStream gzip = new GZIPOutputStream(new DigestOutputStream(new java.io.BufferedOutputStream(file, 1 << 16), sha),
                    1 << 16);
            java.io.Writer text = new OutputStreamWriter(gzip, StandardCharsets.UTF_8);
            json = JSON.createGenerator(text);
            json.setRootValueSeparator(new SerializedString(""));
        }

        void write(StoredLog log) throws IOException {
            json.writeStartObject();
            json.writeNumberField("id", log.id());
            json.writeStringField("type", log.type());
            json.writeStringField("job_run_id", log.jobRunId() == null ? null : log.jobRunId().toString());
            json.writeStringField("task_run_id", log.taskRunId() == null ? null : log.taskRunId().toString());
            json.writeStringField("timestamp", timestamp(log.timestamp()));
            json.writeStringField("level", log.level());
            json.writeStringField("stream", log.stream());
            json.writeStringField("message", log.message());
            json.writeFieldName("metadata");
            if (log.metadataJson() == null) {
                json.writeNull();
            } else {
                json.writeRawValue(log.metadataJson()); // PostgreSQL's jsonb text: already valid JSON
            }
            json.writeEndObject();
            json.writeRaw('\n');
            rows++;
            firstId = Math.min(firstId, log.id());
            lastId = Math.max(lastId, log.id());
            LocalDateTime ts = log.timestamp();
            if (ts != null) {
                earliest = earliest == null || ts.isBefore(earliest) ? ts : earliest;
                latest = latest == null || ts.isAfter(latest) ? ts : latest;
            }
        }

        /** Finishes the gzip stream, forces the file to disk, and {@return its manifest}. */
        ArchiveManifest finish() throws IOException {
            close();
            force(dataTmp());
            return new ArchiveManifest(day, data.getFileName().toString(), rows, rows == 0 ? 0 : firstId,
                    rows == 0 ? 0 : lastId, timestamp(earliest), timestamp(latest), HexFormat.of().formatHex(sha.digest()));
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                json.close(); // closes the gzip stream and the file
            }
        }
    }

    /**
     * Puts the written files in place: the manifest under its name, then the data, then the directory forced to
     * disk. A crash between the two renames leaves a manifest whose data is still {@code .tmp}; see
     * {@link #rollForward}.
     */
    void commit(ArchiveManifest written) throws IOException {
        Files.write(manifestTmp(), written.toJson());
        force(manifestTmp());
        Files.move(manifestTmp(), manifest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(data.getParent()); // the manifest's rename reaches the disk before the data's can
        Files.move(dataTmp(), data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(data.getParent());
    }

    /**
     * Finishes what a killed run left: a manifest in place whose data is still {@code .tmp} (the data renamed when
     * its hash matches the manifest), and removes {@code .tmp} files that no manifest names (a run killed while
     * writing them).
     */
    void rollForward() throws IOException {
        if (Files.exists(dataTmp()) && Files.exists(manifest)) {
            try {
                ArchiveManifest expected = readManifest();
                if (expected.sha256().equals(sha256Of(dataTmp()))) {
                    Files.move(dataTmp(), data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    forceDirectory(data.getParent());
                }
            } catch (ArchiveException unreadable) {
                // verify() reports the manifest; the .tmp goes below
            }
        }
        Files.deleteIfExists(dataTmp());
        Files.deleteIfExists(manifestTmp());
    }

    ArchiveManifest readManifest() throws IOException, ArchiveException {
        return ArchiveManifest.parse(Files.readAllBytes(manifest), manifest.getFileName().toString());
    }

    /**
     * Reads the data file back against its manifest: the hash of its bytes, then every line (a whole gzip stream,
     * JSON rows in id order), their count, first and last id and timestamps. {@return the manifest}
     *
     * @throws ArchiveException when anything differs, naming the file and the difference
     */
    ArchiveManifest verify() throws IOException, ArchiveException {
        String name = data.getFileName().toString();
        if (!Files.exists(manifest)) {
            throw new ArchiveException(name + " has no manifest (" + manifest.getFileName() + ")");
        }
        ArchiveManifest expected = readManifest();
        if (!Files.exists(data)) {
            throw new ArchiveException(manifest.getFileName() + " names " + name + ", which is not there");
        }
        String actualSha = sha256Of(data);
        if (!actualSha.equals(expected.sha256())) {
            throw new ArchiveException(name + " does not match its manifest: SHA-256 " + actualSha + ", the manifest says "
                    + expected.sha256());
        }
        long[] seen = {0, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
        LocalDateTime[] range = new LocalDateTime[2];
        read(row -> {
            if (row.id() <= seen[3]) {
                throw new ArchiveException(name + " is not in id order at id " + row.id());
            }
            seen[3] = row.id();
            seen[0]++;
            seen[1] = Math.min(seen[1], row.id());
            seen[2] = Math.max(seen[2], row.id());
            LocalDateTime ts = row.timestamp();
            if (ts != null) {
                range[0] = range[0] == null || ts.isBefore(range[0]) ? ts : range[0];
                range[1] = range[1] == null || ts.isAfter(range[1]) ? ts : range[1];
            }
        });
        long first = seen[0] == 0 ? 0 : seen[1];
        long last = seen[0] == 0 ? 0 : seen[2];
        if (seen[0] != expected.rows() || first != expected.firstId() || last != expected.lastId()
                || !java.util.Objects.equals(timestamp(range[0]), expected.firstTimestamp())
                || !java.util.Objects.equals(timestamp(range[1]), expected.lastTimestamp())) {
            throw new ArchiveException(name + " does not match its manifest: it holds " + seen[0] + " rows, ids " + first
                    + " to " + last + ", the manifest says " + expected.rows() + " rows, ids " + expected.firstId() + " to "
                    + expected.lastId());
        }
        return expected;
    }

    interface RowConsumer {
        void accept(StoredLog row) throws ArchiveException, IOException;
    }

    /** Streams the data file's rows, in file order. */
    void read(RowConsumer rows) throws IOException, ArchiveException {
        read(data, rows);
    }

    static void read(Path file, RowConsumer rows) throws IOException, ArchiveException {
        try (ArchiveRows in = new ArchiveRows(file)) {
            for (StoredLog row = in.next(); row != null; row = in.next()) {
                rows.accept(row);
            }
        }
    }

    static String sha256Of(Path file) throws IOException {
        MessageDigest sha = sha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Forces a directory's entries (the renames) to disk, where the file system allows opening a directory. */
    static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException notOnThisSystem) {
            // Windows cannot open a directory; its renames are durable by the file system's own rules
        }
    }

}

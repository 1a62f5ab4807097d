package io.stratal.logs.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratal.logs.query.StoredLog;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file format alone: each line is the read API's JSON of the row, and reads back as the same row. */
class ArchiveFileTest {

    @TempDir
    Path dir;

    private static final List<StoredLog> ROWS = List.of(
            new StoredLog(7, "task", UUID.randomUUID(), UUID.randomUUID(), LocalDateTime.of(2026, 11, 1, 8, 30, 0, 123_456_000),
                    "warn", "stderr", "a \"quoted\"\tline\nwith ünïcödé \\ and \u2028", "{\"a\": 1, \"nested\": {\"b\": [1, \"two\", null]}}"),
            new StoredLog(9, "system", null, null, LocalDateTime.of(2026, 11, 1, 23, 59, 59), "info", "system", "", null));

    private ArchiveManifest write(ArchiveFile file) throws Exception {
        ArchiveManifest manifest;
        try (ArchiveFile.Output out = file.new Output()) {
            for (StoredLog row : ROWS) {
                out.write(row);
            }
            manifest = out.finish();
        }
        file.commit(manifest);
        return manifest;
    }

    @Test
    void eachLineIsTheReadApisJsonOfTheRowAndReadsBackAsTheSameRow() throws Exception {
        ArchiveFile file = new ArchiveFile(dir, LocalDate.of(2026, 11, 1));
        ArchiveManifest manifest = write(file);
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file.data)),
                StandardCharsets.UTF_8))) {
            in.lines().forEach(lines::add);
        }
        assertThat(lines).hasSize(2);
        // the read API's form of a row (LogJson): id first, UTC microsecond timestamps, metadata as an object
        assertThat(lines.get(1)).isEqualTo("{\"id\":9,\"type\":\"system\",\"job_run_id\":null,\"task_run_id\":null,"
                + "\"timestamp\":\"2026-11-01T23:59:59.000000Z\",\"level\":\"info\",\"stream\":\"system\",\"message\":\"\","
                + "\"metadata\":null}");
        assertThat(lines.get(0)).startsWith("{\"id\":7,\"type\":\"task\",\"job_run_id\":\"" + ROWS.get(0).jobRunId())
                .contains("\"timestamp\":\"2026-11-01T08:30:00.123456Z\"")
                .endsWith("\"metadata\":{\"a\": 1, \"nested\": {\"b\": [1, \"two\", null]}}}");
        List<StoredLog> back = new ArrayList<>();
        file.read(back::add);
        assertThat(back).isEqualTo(ROWS);
        assertThat(file.verify()).isEqualTo(manifest);
        assertThat(manifest.rows()).isEqualTo(2);
        assertThat(manifest.firstId()).isEqualTo(7);
        assertThat(manifest.lastId()).isEqualTo(9);
        assertThat(manifest.firstTimestamp()).isEqualTo("2026-11-01T08:30:00.123456Z");
        assertThat(manifest.lastTimestamp()).isEqualTo("2026-11-01T23:59:59.000000Z");
        assertThat(manifest.sha256()).isEqualTo(ArchiveFile.sha256Of(file.data)).hasSize(64);
        assertThat(Files.exists(file.dataTmp())).isFalse();
    }

    @Test
    void aManifestOfAnotherFormatOrWithoutAFieldIsRefusedByName() {
        assertThatThrownBy(() -> ArchiveManifest.parse("{\"format\": 2}".getBytes(StandardCharsets.UTF_8), "logs-x.manifest.json"))
                .isInstanceOf(ArchiveException.class).hasMessage("logs-x.manifest.json has format 2; this version reads format 1");
        assertThatThrownBy(() -> ArchiveManifest.parse("{\"format\": 1, \"day\": \"2026-11-01\"}".getBytes(StandardCharsets.UTF_8),
                "m.json")).isInstanceOf(ArchiveException.class).hasMessage("m.json has no \"file\"");
    }

    @Test
    void aFileCutShortIsNotWhole() throws Exception {
        ArchiveFile file = new ArchiveFile(dir, LocalDate.of(2026, 11, 1));
        write(file);
        byte[] bytes = Files.readAllBytes(file.data);
        Files.write(file.data, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        assertThatThrownBy(() -> file.read(row -> { })).isInstanceOf(ArchiveException.class)
                .hasMessageContaining("logs-2026-11-01.ndjson.gz is not a whole gzip file");
        assertThatThrownBy(file::verify).isInstanceOf(ArchiveException.class).hasMessageContaining("SHA-256");
    }
}

package io.stratal.logs.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stratal.logs.names.TableName;
import io.stratal.logs.schema.Migrations;
import io.stratal.logs.testing.CliProcess;
import io.stratal.logs.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archive before delete against real PostgreSQL, on the plain and the partitioned table: a round trip gives back
 * every row column by column; a second run writes no duplicate; a manifest that does not match its file stops the
 * delete; what a killed run leaves is never taken for a whole file.
 */
@Timeout(300)
class ArchiveIT {

    private static final TableName LOGS = TableName.parseOrNull("logs");
    /** Every column the archive keeps, as a comparable text per row. */
    private static final String ROWS = "SELECT id, type, job_run_id, task_run_id, timestamp, level, stream, message, metadata"
            + " FROM logs ORDER BY id";
    private static final LocalDate DAY1 = LocalDate.of(2026, 11, 1);
    private static final LocalDateTime CUTOFF = LocalDate.of(2026, 11, 4).atTime(12, 0);

    private TestDatabase db;
    @TempDir
    Path dir;

    @BeforeEach
    void createDatabase() {
        db = TestDatabase.create().migrated();
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    /** Rows from Nov 1 to Nov 5 (the cut-off is Nov 4 at noon), with ids, odd text and metadata; some undated. */
    private void fill(boolean undated) {
        UUID job = UUID.randomUUID();
        UUID task = UUID.randomUUID();
        db.execute("INSERT INTO job_runs (id, job_name) VALUES ('" + job + "', 'nightly')",
                "INSERT INTO task_runs (id, job_run_id, task_name) VALUES ('" + task + "', '" + job + "', 'extract')",
                "INSERT INTO logs (type, job_run_id, task_run_id, timestamp, level, stream, message, metadata)"
                        + " SELECT CASE WHEN i % 3 = 0 THEN 'task' WHEN i % 3 = 1 THEN 'job' ELSE 'system' END,"
                        + " CASE WHEN i % 3 < 2 THEN '" + job + "'::uuid END, CASE WHEN i % 3 = 0 THEN '" + task + "'::uuid END,"
                        + " timestamp '2026-11-01 00:00:00' + (i * interval '1 minute') + (i % 1000) * interval '1 microsecond',"
                        + " (ARRAY['debug','info','warn','error'])[1 + i % 4], CASE WHEN i % 3 = 0 THEN 'stdout' ELSE 'system' END,"
                        + " 'line ' || i || E' with \"quotes\", a tab\\t, a newline\\n, ünïcödé and \\\\ a backslash',"
                        + " CASE WHEN i % 5 = 0 THEN NULL ELSE jsonb_build_object('i', i, 'nested', jsonb_build_object('ok', i % 2 = 0),"
                        + " 'text', 'a \"b\" c', 'list', jsonb_build_array(1, 'two', null)) END"
                        + " FROM generate_series(0, 5999) i");
        if (undated) {
            db.execute("INSERT INTO logs (timestamp, message) VALUES (NULL, 'no time'), (NULL, 'no time either')");
        }
    }

    private String snapshot() {
        StringBuilder out = new StringBuilder();
        for (Map<String, Object> row : db.query(ROWS)) {
            out.append(row).append('\n');
        }
        return out.toString();
    }

    private LogArchive.Purge purge() throws Exception {
        try (Connection c = db.connect()) {
            return new LogArchive(LOGS).archiveAndPurge(c, CUTOFF, dir);
        }
    }

    private LogArchive.Result archive() throws Exception {
        try (Connection c = db.connect()) {
            return new LogArchive(LOGS).archive(c, CUTOFF, dir);
        }
    }

    private LogRestore.Result restore(Path from) throws Exception {
        try (Connection c = db.connect()) {
            return new LogRestore(LOGS).restore(c, from);
        }
    }

    private long older() {
        return db.count("SELECT count(*) FROM logs WHERE timestamp < '" + CUTOFF + "'");
    }

    @Test
    void archiveRetentionAndRestoreGiveBackEveryRowColumnByColumn() throws Exception {
        boolean undated = !TestDatabase.partitioned(); // a partitioned table's timestamps are NOT NULL
        fill(undated);
        String before = snapshot();
        long old = older();
        long total = db.count("SELECT count(*) FROM logs");

        LogArchive.Purge purge = purge();

        assertThat(purge.archive().days()).extracting(LogArchive.Day::day)
                .containsExactly(DAY1, DAY1.plusDays(1), DAY1.plusDays(2), DAY1.plusDays(3));
        assertThat(purge.archive().days()).allSatisfy(d -> assertThat(d.outcome()).isEqualTo(LogArchive.Outcome.WRITTEN));
        assertThat(purge.archive().undated()).isEqualTo(undated ? 2 : 0);
        assertThat(purge.total()).isEqualTo(old);
        assertThat(older()).isZero();
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(total - old);
        assertThat(db.count("SELECT count(*) FROM logs WHERE timestamp IS NULL")).as("undated rows stay").isEqualTo(undated ? 2 : 0);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".stratal-archive.lock")).sorted()).containsExactly(
                    "logs-2026-11-01.manifest.json", "logs-2026-11-01.ndjson.gz", "logs-2026-11-02.manifest.json",
                    "logs-2026-11-02.ndjson.gz", "logs-2026-11-03.manifest.json", "logs-2026-11-03.ndjson.gz",
                    "logs-2026-11-04.manifest.json", "logs-2026-11-04.ndjson.gz");
        }
        String manifest = Files.readString(dir.resolve("logs-2026-11-04.manifest.json"));
        assertThat(manifest).contains("\"rows\" : 720").contains("\"first_timestamp\" : \"2026-11-04T00:00:00.")
                .contains("\"last_timestamp\" : \"2026-11-04T11:59:").contains("\"sha256\" : \"");

        LogRestore.Result restored = restore(dir);
        assertThat(restored.restored()).isEqualTo(old);
        assertThat(restored.skipped()).isZero();
        assertThat(snapshot()).isEqualTo(before);

        LogRestore.Result again = restore(dir.resolve("logs-2026-11-02.ndjson.gz"));
        assertThat(again.restored()).isZero();
        assertThat(again.skipped()).isEqualTo(1440);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void theSameDaysArchivedTwiceAreWrittenOnceAndALateRowCompletesItsDay() throws Exception {
        fill(false);
        archive();
        String sha = ArchiveFile.sha256Of(dir.resolve("logs-2026-11-02.ndjson.gz"));

        LogArchive.Result second = archive();
        assertThat(second.days()).allSatisfy(d -> assertThat(d.outcome()).isEqualTo(LogArchive.Outcome.UNCHANGED));
        assertThat(second.added()).isZero();
        assertThat(ArchiveFile.sha256Of(dir.resolve("logs-2026-11-02.ndjson.gz"))).isEqualTo(sha);

        db.execute("INSERT INTO logs (timestamp, message) VALUES ('2026-11-02 08:00:00', 'late')");
        LogArchive.Result third = archive();
        assertThat(third.days()).filteredOn(d -> d.day().equals(DAY1.plusDays(1)))
                .singleElement().satisfies(d -> {
                    assertThat(d.outcome()).isEqualTo(LogArchive.Outcome.COMPLETED);
                    assertThat(d.added()).isEqualTo(1);
                    assertThat(d.rows()).isEqualTo(1441);
                });
        ArchiveFile day2 = new ArchiveFile(dir, DAY1.plusDays(1));
        assertThat(day2.verify().rows()).isEqualTo(1441);
        java.util.Set<Long> ids = new java.util.HashSet<>();
        day2.read(row -> assertThat(ids.add(row.id())).as("id " + row.id() + " once").isTrue());

        long old = older();
        LogArchive.Purge purge = purge();
        assertThat(purge.total()).isEqualTo(old);
        assertThat(older()).isZero();
    }

    @Test
    void aManifestThatDoesNotMatchItsFileStopsTheDelete() throws Exception {
        fill(false);
        archive();
        long before = db.count("SELECT count(*) FROM logs");
        Path manifest = dir.resolve("logs-2026-11-03.manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"rows\" : 1440", "\"rows\" : 1439"));

        assertThatThrownBy(this::purge).isInstanceOf(ArchiveException.class)
                .hasMessageContaining("logs-2026-11-03.ndjson.gz does not match its manifest");
        assertThat(db.count("SELECT count(*) FROM logs")).as("nothing deleted").isEqualTo(before);

        // a file whose bytes changed
        Files.writeString(manifest, Files.readString(manifest).replace("\"rows\" : 1439", "\"rows\" : 1440"));
        Path data = dir.resolve("logs-2026-11-01.ndjson.gz");
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(data, bytes);
        assertThatThrownBy(this::purge).isInstanceOf(ArchiveException.class)
                .hasMessageContaining("logs-2026-11-01.ndjson.gz does not match its manifest: SHA-256");
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(before);

        try (CliProcess cli = CliProcess.start("retention", "--older-than", "1d", "--archive-to", dir.toString(),
                "--url", db.url())) {
            assertThat(cli.awaitExit(60)).isEqualTo(1);
            assertThat(cli.output()).contains("does not match its manifest").contains("nothing was deleted");
        }
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(before);
    }

    @Test
    void whatAKilledRunLeavesIsNeverTakenForAWholeFile() throws Exception {
        fill(false);
        // a run killed while writing: half a data file and a manifest under their temporary names
        ArchiveFile day1 = new ArchiveFile(dir, DAY1);
        Files.write(day1.dataTmp(), new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0});
        Files.writeString(day1.manifestTmp(), "{\"format\": 1, \"rows\"");
        // a run killed between its two renames: the manifest in place, the data still temporary
        archive();
        ArchiveFile day2 = new ArchiveFile(dir, DAY1.plusDays(1));
        Files.move(day2.data, day2.dataTmp());

        LogArchive.Result again = archive();
        assertThat(day1.verify().rows()).isEqualTo(1440);
        assertThat(day2.verify().rows()).isEqualTo(1440);
        assertThat(again.days()).allSatisfy(d -> assertThat(d.outcome()).isEqualTo(LogArchive.Outcome.UNCHANGED));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(f -> f.toString().endsWith(".tmp"))).as("no temporary file stays").isEmpty();
        }

        // and a real kill -9 of the command in the middle of a larger day
        db.execute("INSERT INTO logs (timestamp, message, metadata) SELECT timestamp '2026-10-01' + i * interval '10 millisecond',"
                + " repeat('x', 200), jsonb_build_object('i', i) FROM generate_series(1, 400000) i");
        Path other = Files.createDirectory(dir.resolve("killed"));
        CliProcess cli = CliProcess.start("archive", "--older-than", "1d", "--to", other.toString(), "--url", db.url());
        ArchiveFile october = new ArchiveFile(other, LocalDate.of(2026, 10, 1));
        // killed once the day's file is well under way (its gzip stream writes 64 KB at a time)
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> sizeOrZero(october.dataTmp()) > 256 * 1024);
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(other.toString()))
                .forEach(ProcessHandle::destroyForcibly);
        cli.awaitExit(30);
        if (Files.exists(october.data)) {
            october.verify(); // if it got that far, what is under the name is whole
        }
        try (Connection c = db.connect()) {
            new LogArchive(LOGS).archive(c, CUTOFF, other);
        }
        assertThat(october.verify().rows()).isEqualTo(400_000);
        assertThat(new ArchiveFile(other, DAY1).verify().rows()).isEqualTo(1440);
    }

    private static long sizeOrZero(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException gone) {
            return 0;
        }
    }

    @Test
    void aDestinationThatCannotBeWrittenFailsBeforeAnythingIsRead() throws Exception {
        fill(false);
        Path notADirectory = Files.writeString(dir.resolve("file"), "x", StandardCharsets.UTF_8);
        long before = db.count("SELECT count(*) FROM logs");
        assertThatThrownBy(() -> {
            try (Connection c = db.connect()) {
                new LogArchive(LOGS).archiveAndPurge(c, CUTOFF, notADirectory.resolve("archive"));
            }
        }).isInstanceOf(ArchiveException.class).hasMessageContaining("cannot write to");
        try (CliProcess cli = CliProcess.start("archive", "--older-than", "1d", "--to", notADirectory.resolve("a").toString(),
                "--url", "jdbc:postgresql://127.0.0.1:1/none")) {
            assertThat(cli.awaitExit(60)).as("fails on the directory, not the unreachable database").isEqualTo(1);
            assertThat(cli.output()).contains("cannot write to");
        }
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(before);
    }

    @Test
    void onAPartitionedTableWholePartitionsAreArchivedThenDroppedAndRestoredIntoTheDefaultOne() throws Exception {
        try (Connection c = db.connect()) {
            Migrations.applyOptional(c, Migrations.PARTITIONED, true);
        }
        for (int d = 1; d <= 5; d++) {
            db.execute(String.format("CREATE TABLE logs_nov%02d PARTITION OF logs FOR VALUES FROM ('2026-11-%02d') TO ('2026-11-%02d')",
                    d, d, d + 1));
        }
        fill(false);
        String before = snapshot();
        long old = older();

        LogArchive.Purge purge = purge();
        assertThat(purge.droppedPartitions()).hasSize(3); // Nov 1, 2 and 3; Nov 4 straddles the cut-off
        assertThat(purge.droppedRows()).isEqualTo(3 * 1440);
        assertThat(purge.deletedRows()).isEqualTo(old - 3 * 1440);
        assertThat(older()).isZero();

        LogRestore.Result restored = restore(dir);
        assertThat(restored.restored()).isEqualTo(old);
        assertThat(snapshot()).isEqualTo(before);
        assertThat(db.count("SELECT count(*) FROM logs_default")).as("the dropped days' rows").isEqualTo(3 * 1440);

        // a daily run the next day: the partition that straddled the first cut-off now goes whole, although its
        // file also holds the rows deleted the day before
        try (Connection c = db.connect()) {
            LogArchive.Purge next = new LogArchive(LOGS).archiveAndPurge(c, LocalDate.of(2026, 11, 5).atStartOfDay(), dir);
            assertThat(next.droppedPartitions()).singleElement().asString().endsWith("logs_nov04");
            assertThat(next.droppedRows()).as("the day, its restored morning too").isEqualTo(1440);
        }
        assertThat(db.count("SELECT count(*) FROM logs WHERE timestamp < '2026-11-05'")).isZero();

        // without a default partition, restoring makes one
        purge();
        db.execute("DROP TABLE logs_default");
        assertThat(restore(dir).restored()).isEqualTo(old + 720);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void aPartitionHoldingARowNoFileHoldsIsNotDropped() throws Exception {
        try (Connection c = db.connect()) {
            Migrations.applyOptional(c, Migrations.PARTITIONED, true);
        }
        db.execute("CREATE TABLE logs_nov01 PARTITION OF logs FOR VALUES FROM ('2026-11-01') TO ('2026-11-02')",
                "INSERT INTO logs (timestamp, message) SELECT timestamp '2026-11-01' + i * interval '1 minute', 'line'"
                        + " FROM generate_series(0, 99) i",
                "CREATE TABLE some_ids AS SELECT id FROM logs ORDER BY id LIMIT 99",
                "CREATE TABLE all_ids AS SELECT id FROM logs");
        io.stratal.logs.schema.Partitions partitions = new io.stratal.logs.schema.Partitions(LOGS);
        try (Connection c = db.connect()) {
            io.stratal.logs.schema.Partitions.Partition nov01 = partitions.list(c).stream()
                    .filter(p -> p.name().endsWith("logs_nov01")).findFirst().orElseThrow();
            assertThat(partitions.dropIfArchived(c, nov01, "some_ids")).as("one row is in no file").isFalse();
            assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(100);
            assertThat(partitions.dropIfArchived(c, nov01, "all_ids")).isTrue();
        }
        assertThat(db.count("SELECT count(*) FROM logs")).isZero();
    }

    @Test
    void aTableConvertedInPlaceHasItsPartitionFromMinvalueArchivedAndDropped() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(TestDatabase.partitioned(), "the table is partitioned empty in this run");
        fill(false);
        String before = snapshot();
        long rows = db.count("SELECT count(*) FROM logs");
        try (Connection c = db.connect()) {
            Migrations.applyOptional(c, Migrations.PARTITIONED, true); // the rows stay in a partition FROM (MINVALUE)
        }
        io.stratal.logs.schema.Partitions.Partition first;
        try (Connection c = db.connect()) {
            first = new io.stratal.logs.schema.Partitions(LOGS).list(c).stream().filter(p -> !p.isDefault() && p.from() == null)
                    .findFirst().orElseThrow();
            LogArchive.Purge purge = new LogArchive(LOGS).archiveAndPurge(c, first.to(), dir);
            assertThat(purge.droppedPartitions()).containsExactly(first.name());
            assertThat(purge.droppedRows()).isEqualTo(rows);
        }
        assertThat(db.count("SELECT count(*) FROM logs")).isZero();
        assertThat(restore(dir).restored()).isEqualTo(rows);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void oneRunAtATimeWritesToADirectory() throws Exception {
        fill(false);
        try (ArchiveLock held = ArchiveLock.take(dir)) {
            assertThatThrownBy(this::archive).isInstanceOf(ArchiveException.class)
                    .hasMessageContaining("another archive or retention run is writing to");
            assertThatThrownBy(this::purge).isInstanceOf(ArchiveException.class).hasMessageContaining("nothing was deleted");
        }
        assertThat(archive().days()).hasSize(4);
    }
}

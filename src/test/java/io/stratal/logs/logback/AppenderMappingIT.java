package io.stratal.logs.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TestDatabase;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;
import org.slf4j.MarkerFactory;

/** Each mapping rule of DESIGN.md, asserted on the row PostgreSQL stored. */
@Timeout(60)
class AppenderMappingIT {

    @RegisterExtension
    static final DatabaseExtension database = new DatabaseExtension();
    private static TestDatabase db;
    private LoggerContext context;
    private Logger log;

    @BeforeAll
    static void database() {
        db = database.get();
    }


    @BeforeEach
    void startAppender() {
        db.execute("DROP TABLE IF EXISTS logs");
        context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url(), "maxMessageLength", "100000"));
        log = context.getLogger("com.example.Worker");
        MDC.clear();
    }

    @AfterEach
    void stopAppender() {
        MDC.clear();
        context.stop();
    }

    /** Stops the context, which drains the queue, and returns the stored rows in order. */
    private List<Map<String, Object>> storedRows() {
        context.stop();
        return db.query("SELECT * FROM logs ORDER BY id");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> logNotes(Map<String, Object> row) {
        return (Map<String, Object>) ((Map<String, Object>) row.get("metadata")).get("log");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Map<String, Object> row) {
        return (Map<String, Object>) row.get("metadata");
    }

    @Test
    void eventWithoutIdsIsASystemLogOnTheSystemStream() {
        log.info("Server started");

        Map<String, Object> row = storedRows().get(0);
        assertThat(row).containsEntry("type", "system").containsEntry("stream", "system").containsEntry("level", "info")
                .containsEntry("message", "Server started");
        assertThat(row.get("job_run_id")).isNull();
        assertThat(row.get("task_run_id")).isNull();
        assertThat(logNotes(row)).containsEntry("logger", "com.example.Worker")
                .containsEntry("thread", Thread.currentThread().getName());
    }

    @Test
    void jobRunIdAloneMakesAJobLog() {
        UUID job = UUID.randomUUID();
        MDC.put("job_run_id", job.toString());
        log.warn("Job slow");

        Map<String, Object> row = storedRows().get(0);
        assertThat(row).containsEntry("type", "job").containsEntry("job_run_id", job).containsEntry("stream", "system")
                .containsEntry("level", "warn");
        assertThat(row.get("task_run_id")).isNull();
    }

    @Test
    void bothIdsMakeATaskLogWithStdoutOrStderrByLevel() {
        UUID job = UUID.randomUUID();
        UUID task = UUID.randomUUID();
        MDC.put("job_run_id", job.toString());
        MDC.put("task_run_id", task.toString());
        log.info("step done");
        log.debug("details");
        log.warn("retrying");
        log.error("failed");

        List<Map<String, Object>> rows = storedRows();
        assertThat(rows).extracting(r -> r.get("type")).containsOnly("task");
        assertThat(rows).extracting(r -> r.get("job_run_id")).containsOnly(job);
        assertThat(rows).extracting(r -> r.get("task_run_id")).containsOnly(task);
        assertThat(rows).extracting(r -> r.get("stream")).containsExactly("stdout", "stdout", "stderr", "stderr");
    }

    @Test
    void taskRunIdWithoutJobIsStillATaskLog() {
        UUID task = UUID.randomUUID();
        MDC.put("task_run_id", task.toString());
        log.info("orphan task line");

        Map<String, Object> row = storedRows().get(0);
        assertThat(row).containsEntry("type", "task").containsEntry("task_run_id", task).containsEntry("stream", "stdout");
        assertThat(row.get("job_run_id")).isNull();
    }

    @Test
    void levelsMapToTheFourStoredWords() {
        log.trace("t");
        log.debug("d");
        log.info("i");
        log.warn("w");
        log.error("e");

        assertThat(storedRows()).extracting(r -> r.get("level")).containsExactly("debug", "debug", "info", "warn", "error");
    }

    @Test
    void streamFromTheMdcWinsInAnyCaseAndAnUnknownOneIsNoted() {
        UUID job = UUID.randomUUID();
        UUID task = UUID.randomUUID();
        MDC.put("job_run_id", job.toString());
        MDC.put("task_run_id", task.toString());
        MDC.put("stream", "STDERR");
        log.info("an info line the task wrote to stderr");
        MDC.put("stream", "System");
        log.error("runner note");
        MDC.put("stream", "console");
        log.info("unknown stream word");

        List<Map<String, Object>> rows = storedRows();
        assertThat(rows).extracting(r -> r.get("stream")).containsExactly("stderr", "system", "stdout");
        assertThat(logNotes(rows.get(2))).containsEntry("invalid_stream", "console");
        assertThat(metadata(rows.get(0))).doesNotContainKey("stream");
    }

    @Test
    void anIdThatIsNotAUuidMovesIntoMetadataAndTheRowKeepsItsType() {
        UUID job = UUID.randomUUID();
        MDC.put("job_run_id", job.toString());
        MDC.put("task_run_id", "task-42");
        log.info("task with a malformed id");
        MDC.clear();
        MDC.put("job_run_id", "1-2-3-4-5"); // UUID.fromString would take this; PostgreSQL would not
        log.info("job with a malformed id");

        List<Map<String, Object>> rows = storedRows();
        assertThat(rows.get(0)).containsEntry("type", "task").containsEntry("job_run_id", job);
        assertThat(rows.get(0).get("task_run_id")).isNull();
        assertThat(logNotes(rows.get(0))).containsEntry("invalid_ids", Map.of("task_run_id", "task-42"));
        assertThat(rows.get(1)).containsEntry("type", "job");
        assertThat(rows.get(1).get("job_run_id")).isNull();
        assertThat(logNotes(rows.get(1))).containsEntry("invalid_ids", Map.of("job_run_id", "1-2-3-4-5"));
    }

    @Test
    void keyValuePairsKeepTheirJsonTypesAndWinOverMdc() {
        MDC.put("port", "not-this");
        MDC.put("region", "eu-west-1");
        log.atInfo().setMessage("Server started successfully")
                .addKeyValue("port", 8080)
                .addKeyValue("version", "1.0.0")
                .addKeyValue("ratio", 0.25)
                .addKeyValue("healthy", true)
                .addKeyValue("big", 12345678901234L)
                .addKeyValue("tags", List.of("a", "b"))
                .addKeyValue("nested", Map.of("retries", 3))
                .addKeyValue("nothing", (Object) null)
                .log();

        Map<String, Object> meta = metadata(storedRows().get(0));
        assertThat(meta).containsEntry("port", 8080).containsEntry("version", "1.0.0").containsEntry("ratio", 0.25)
                .containsEntry("healthy", true).containsEntry("big", 12345678901234L)
                .containsEntry("tags", List.of("a", "b")).containsEntry("nested", Map.of("retries", 3))
                .containsEntry("region", "eu-west-1").containsEntry("nothing", null);
        assertThat(db.scalar("SELECT metadata->>'port' FROM logs")).isEqualTo("8080");
        assertThat(db.scalar("SELECT jsonb_typeof(metadata->'port') FROM logs")).isEqualTo("number");
    }

    @Test
    void markersAndExceptionsGoUnderTheReservedLogKey() {
        IllegalStateException failure = new IllegalStateException("disk full", new java.io.IOException("no space"));
        log.error(MarkerFactory.getMarker("ALERT"), "Upload failed", failure);

        Map<String, Object> notes = logNotes(storedRows().get(0));
        assertThat(notes).containsEntry("markers", List.of("ALERT"));
        @SuppressWarnings("unchecked")
        Map<String, Object> exception = (Map<String, Object>) notes.get("exception");
        assertThat(exception).containsEntry("class", "java.lang.IllegalStateException").containsEntry("message", "disk full");
        assertThat((String) exception.get("stack_trace"))
                .contains("java.lang.IllegalStateException: disk full")
                .contains("Caused by: java.io.IOException: no space")
                .contains("at io.stratal.logs.logback.AppenderMappingIT");
    }

    @Test
    void aUserEntryNamedLogDoesNotClashWithTheReservedKey() {
        log.atInfo().setMessage("user data named log").addKeyValue("log", "mine").log();

        Map<String, Object> meta = metadata(storedRows().get(0));
        assertThat(meta).containsEntry("_log", "mine");
        assertThat(logNotes(storedRows().get(0))).containsEntry("logger", "com.example.Worker");
    }

    @Test
    void secretsAreRedactedByKeyAndTheRedactionIsNoted() {
        MDC.put("db_password", "hunter2");
        log.atInfo().setMessage("connecting").addKeyValue("X-Api-Key", "abc").addKeyValue("user", "ann")
                .addKeyValue("config", Map.of("clientSecret", "s3cr3t", "host", "db1")).log();

        Map<String, Object> row = storedRows().get(0);
        assertThat(metadata(row)).containsEntry("db_password", "[REDACTED]").containsEntry("X-Api-Key", "[REDACTED]")
                .containsEntry("user", "ann").containsEntry("config", Map.of("clientSecret", "[REDACTED]", "host", "db1"));
        assertThat(db.scalar("SELECT count(*) FROM logs WHERE metadata::text LIKE '%hunter2%' OR metadata::text LIKE '%s3cr3t%'"))
                .isEqualTo(0L);
        @SuppressWarnings("unchecked")
        List<String> redacted = (List<String>) logNotes(row).get("redacted");
        assertThat(redacted).containsExactlyInAnyOrder("db_password", "X-Api-Key", "config.clientSecret");
    }

    @Test
    void messagesAreStoredAsLoggedUnlessRedactMessagesIsOn() {
        log.info("login failed, password=hunter2");
        assertThat(storedRows().get(0)).containsEntry("message", "login failed, password=hunter2");

        context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url(), "redactMessages", "true"));
        log = context.getLogger("com.example.Worker");
        log.error("call with Authorization: Bearer abc.def failed; api_key=\"k-123\" user=ann",
                new IllegalStateException("refused token=t0k3n for ann"));
        Map<String, Object> row = storedRows().get(1);
        assertThat(row).containsEntry("message", "call with Authorization: [REDACTED] failed; api_key=\"[REDACTED]\" user=ann");
        @SuppressWarnings("unchecked")
        Map<String, Object> exception = (Map<String, Object>) logNotes(row).get("exception");
        assertThat(exception).containsEntry("message", "refused token=[REDACTED] for ann");
        assertThat((String) exception.get("stack_trace")).contains("token=[REDACTED]").doesNotContain("t0k3n");
        @SuppressWarnings("unchecked")
        List<String> redacted = (List<String>) logNotes(row).get("redacted");
        assertThat(redacted).containsExactly("log.exception.message", "log.exception.stack_trace", "message");
    }

    @Test
    void nulBytesAndLoneSurrogatesAreRepairedEverywhereAndNoted() {
        MDC.put("path", "a\u0000b");
        log.atInfo().setMessage("bad \u0000 text \uD800 here, good \uD83D\uDE00").addKeyValue("k\u0000", "v\uDC00").log();

        Map<String, Object> row = storedRows().get(0);
        assertThat(row.get("message")).isEqualTo("bad \uFFFD text \uFFFD here, good \uD83D\uDE00");
        assertThat(metadata(row)).containsEntry("path", "a\uFFFDb").containsEntry("k\uFFFD", "v\uFFFD");
        @SuppressWarnings("unchecked")
        List<String> repaired = (List<String>) logNotes(row).get("repaired");
        assertThat(repaired).contains("message", "path", "key", "k\uFFFD");
    }

    @Test
    void aTwoMegabyteMessageIsCutAtTheLimitAndMarked() {
        String huge = "x".repeat(2 * 1024 * 1024);
        log.info(huge);
        log.info("after the huge one");

        List<Map<String, Object>> rows = storedRows();
        assertThat((String) rows.get(0).get("message")).hasSize(100_000);
        assertThat(logNotes(rows.get(0))).containsEntry("truncated", Map.of("message", 2 * 1024 * 1024));
        assertThat(rows.get(1)).containsEntry("message", "after the huge one");
    }

    @Test
    void messagesWithCopySpecialCharactersArriveIntact() {
        String tricky = "tab\there\nnew line\r\\backslash \\N not null, quote \" and ' and unicode é 日本";
        log.atInfo().setMessage(tricky).addKeyValue("json", "back\\slash\t\"quoted\"\n").log();

        Map<String, Object> row = storedRows().get(0);
        assertThat(row.get("message")).isEqualTo(tricky);
        assertThat(metadata(row)).containsEntry("json", "back\\slash\t\"quoted\"\n");
    }

    @Test
    void timestampIsTheEventInstantInUtcWithMicroseconds() {
        Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);
        log.info("when");
        Instant after = Instant.now();

        LocalDateTime stored = ((java.sql.Timestamp) storedRows().get(0).get("timestamp")).toLocalDateTime();
        // the driver reads timestamp without time zone as a local date-time; the stored value is UTC
        Instant instant = stored.toInstant(ZoneOffset.UTC);
        assertThat(instant).isBetween(before, after);
        assertThat(db.scalar("SELECT extract(microseconds FROM timestamp)::bigint % 1000000 FROM logs"))
                .isEqualTo((long) (instant.getNano() / 1000 + instant.getEpochSecond() % 60 * 1_000_000) % 1_000_000);
    }
}

package io.stratal.logs.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import io.stratal.logs.internal.Redaction;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.slf4j.MarkerFactory;
import org.slf4j.event.KeyValuePair;

/** DESIGN.md's mapping of an event to a row, rule by rule, without a database. */
class EventMapperTest {

    private static final String JOB = "123e4567-e89b-12d3-a456-426614174000";
    private static final String TASK = "223e4567-e89b-12d3-a456-426614174000";

    private final LoggerContext context = new LoggerContext();
    private final EventMapper mapper = mapper(false);

    private static EventMapper mapper(boolean redactMessages) {
        return new EventMapper("job_run_id", "task_run_id", "stream", Redaction.of(Redaction.DEFAULT_WORDS), 1024, redactMessages);
    }

    private LoggingEvent event(Level level, String message, Map<String, String> mdc, Object... args) {
        LoggingEvent event = new LoggingEvent(getClass().getName(), context.getLogger("com.example.Worker"), level, message, null, args);
        event.setMDCPropertyMap(new HashMap<>(mdc));
        return event;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> notes(LogRecord record) {
        return (Map<String, Object>) record.metadata().get("log");
    }

    @Test
    void theTypeFollowsWhichRunIdsTheMdcSets() {
        assertThat(mapper.map(event(Level.INFO, "m", Map.of())).type()).isEqualTo(LogType.SYSTEM);
        assertThat(mapper.map(event(Level.INFO, "m", Map.of("job_run_id", JOB))).type()).isEqualTo(LogType.JOB);
        LogRecord task = mapper.map(event(Level.INFO, "m", Map.of("job_run_id", JOB, "task_run_id", TASK)));
        assertThat(task.type()).isEqualTo(LogType.TASK);
        assertThat(task.jobRunId()).isEqualTo(UUID.fromString(JOB));
        assertThat(task.taskRunId()).isEqualTo(UUID.fromString(TASK));
        LogRecord taskAlone = mapper.map(event(Level.INFO, "m", Map.of("task_run_id", TASK)));
        assertThat(taskAlone.type()).as("a task id without a job id is still a task log").isEqualTo(LogType.TASK);
        assertThat(taskAlone.jobRunId()).isNull();
    }

    @Test
    void anIdThatIsNotACanonicalUuidStaysOutOfItsColumnAndTheRowKeepsItsType() {
        LogRecord record = mapper.map(event(Level.INFO, "m", Map.of("job_run_id", "1-2-3-4-5")));
        assertThat(record.type()).isEqualTo(LogType.JOB);
        assertThat(record.jobRunId()).isNull();
        assertThat(notes(record)).containsEntry("invalid_ids", Map.of("job_run_id", "1-2-3-4-5"));
    }

    @Test
    void levelsMapToTheFourStoredWords() {
        assertThat(mapper.map(event(Level.TRACE, "m", Map.of())).level()).isEqualTo(LogLevel.DEBUG);
        assertThat(mapper.map(event(Level.DEBUG, "m", Map.of())).level()).isEqualTo(LogLevel.DEBUG);
        assertThat(mapper.map(event(Level.INFO, "m", Map.of())).level()).isEqualTo(LogLevel.INFO);
        assertThat(mapper.map(event(Level.WARN, "m", Map.of())).level()).isEqualTo(LogLevel.WARN);
        assertThat(mapper.map(event(Level.ERROR, "m", Map.of())).level()).isEqualTo(LogLevel.ERROR);
    }

    @Test
    void theStreamComesFromTheMdcInAnyCaseElseFromTheTypeAndLevel() {
        Map<String, String> task = Map.of("job_run_id", JOB, "task_run_id", TASK);
        assertThat(mapper.map(event(Level.INFO, "m", task)).stream()).isEqualTo(LogStream.STDOUT);
        assertThat(mapper.map(event(Level.WARN, "m", task)).stream()).isEqualTo(LogStream.STDERR);
        assertThat(mapper.map(event(Level.ERROR, "m", Map.of("job_run_id", JOB))).stream()).isEqualTo(LogStream.SYSTEM);
        assertThat(mapper.map(event(Level.INFO, "m", Map.of())).stream()).isEqualTo(LogStream.SYSTEM);
        Map<String, String> stderr = new HashMap<>(task);
        stderr.put("stream", "STDERR");
        assertThat(mapper.map(event(Level.INFO, "m", stderr)).stream()).isEqualTo(LogStream.STDERR);
        stderr.put("stream", "pipe");
        LogRecord unknown = mapper.map(event(Level.INFO, "m", stderr));
        assertThat(unknown.stream()).isEqualTo(LogStream.STDOUT);
        assertThat(notes(unknown)).containsEntry("invalid_stream", "pipe");
    }

    @Test
    void theTimestampIsTheEventsInstantAndTheMessageIsFormatted() {
        LoggingEvent event = event(Level.INFO, "Processed {} of {}", Map.of(), 3, 5);
        Instant at = Instant.parse("2026-11-29T08:05:03.000120Z");
        event.setInstant(at);
        LogRecord record = mapper.map(event);
        assertThat(record.timestamp()).isEqualTo(at);
        assertThat(record.message()).isEqualTo("Processed 3 of 5");
    }

    @Test
    void userDataSitsAtTheTopWithKeyValuePairsTypedAndWinningOverTheMdc() {
        LoggingEvent event = event(Level.INFO, "m", Map.of("job_run_id", JOB, "region", "eu", "port", "1"));
        event.addKeyValuePair(new KeyValuePair("port", 8080));
        event.addKeyValuePair(new KeyValuePair("log", "mine"));
        Map<String, Object> metadata = mapper.map(event).metadata();
        assertThat(metadata).containsEntry("region", "eu").containsEntry("port", 8080).containsEntry("_log", "mine")
                .doesNotContainKey("job_run_id");
        assertThat(notes(mapper.map(event))).containsEntry("logger", "com.example.Worker").containsKey("thread");
    }

    @Test
    void theLoggerAndThreadNamesAreKeptApartFromTheMetadataMapUnlessTheyNeedRepair() {
        LogRecord plain = mapper.map(event(Level.INFO, "m", Map.of()));
        assertThat(plain.logger()).isEqualTo("com.example.Worker");
        assertThat(plain.thread()).isEqualTo(Thread.currentThread().getName());
        assertThat(plain.metadataWithoutOrigin()).as("nothing else to say: no map at all").isNull();
        assertThat(plain.metadata()).isEqualTo(Map.of("log", Map.of("logger", "com.example.Worker",
                "thread", Thread.currentThread().getName())));

        LoggingEvent odd = new LoggingEvent(getClass().getName(), context.getLogger("bad\u0000name"), Level.INFO, "m", null, null);
        odd.setMDCPropertyMap(new HashMap<>());
        odd.setThreadName("t\uD800");
        LogRecord repaired = mapper.map(odd);
        assertThat(repaired.logger()).isNull();
        assertThat(repaired.thread()).isNull();
        assertThat(notes(repaired)).containsEntry("logger", "bad\uFFFDname").containsEntry("thread", "t\uFFFD");
        assertThat((List<Object>) notes(repaired).get("repaired")).containsExactlyInAnyOrder("log.logger", "log.thread");

        // the same thread and logger again: still kept apart, still the same strings
        LogRecord again = mapper.map(event(Level.INFO, "m", Map.of()));
        assertThat(again.logger()).isSameAs(plain.logger());
        assertThat(again.thread()).isSameAs(plain.thread());

        // logback names an unnamed virtual thread anew for each event: the records share one string
        LoggingEvent first = event(Level.INFO, "m", Map.of());
        first.setThreadName(new String("virtual-42"));
        LoggingEvent second = event(Level.INFO, "m", Map.of());
        second.setThreadName(new String("virtual-42"));
        assertThat(mapper.map(second).thread()).isSameAs(mapper.map(first).thread()).isEqualTo("virtual-42");
    }

    @Test
    void markersAndExceptionsGoUnderTheReservedLogKey() {
        LoggingEvent event = new LoggingEvent(getClass().getName(), context.getLogger("w"), Level.ERROR, "failed",
                new IllegalStateException("disk full"), null);
        event.addMarker(MarkerFactory.getMarker("ALERT"));
        Map<String, Object> notes = notes(mapper.map(event));
        assertThat(notes).containsEntry("markers", List.of("ALERT"));
        @SuppressWarnings("unchecked")
        Map<String, Object> exception = (Map<String, Object>) notes.get("exception");
        assertThat(exception).containsEntry("class", "java.lang.IllegalStateException").containsEntry("message", "disk full");
        assertThat((String) exception.get("stack_trace")).startsWith("java.lang.IllegalStateException: disk full");
    }

    @Test
    void secretsAreMaskedByKeyAndTheMaskingIsNoted() {
        LoggingEvent event = event(Level.INFO, "connect", Map.of("db_password", "hunter2"));
        event.addKeyValuePair(new KeyValuePair("X-Api-Key", "abc"));
        LogRecord record = mapper.map(event);
        assertThat(record.metadata()).containsEntry("db_password", "[REDACTED]").containsEntry("X-Api-Key", "[REDACTED]");
        assertThat(notes(record)).containsEntry("redacted", List.of("db_password", "X-Api-Key"));
    }

    @Test
    void stringsPostgresRefusesAreRepairedAndALongMessageIsCutBothNoted() {
        LogRecord nul = mapper.map(event(Level.INFO, "a\u0000b", Map.of()));
        assertThat(nul.message()).isEqualTo("a\uFFFDb");
        assertThat(notes(nul)).containsEntry("repaired", List.of("message"));

        LogRecord longOne = mapper.map(event(Level.INFO, "x".repeat(5000), Map.of()));
        assertThat(longOne.message()).hasSize(1024);
        assertThat(notes(longOne)).containsKey("truncated");
    }

    @Test
    void secretPairsInTheMessageAreMaskedOnlyWithRedactMessages() {
        assertThat(mapper.map(event(Level.INFO, "login password=hunter2", Map.of())).message()).isEqualTo("login password=hunter2");
        LogRecord masked = mapper(true).map(event(Level.INFO, "login password=hunter2", Map.of()));
        assertThat(masked.message()).isEqualTo("login password=[REDACTED]");
        assertThat(notes(masked)).containsEntry("redacted", List.of("message"));
    }

    @Test
    void otherMdcKeysCanCarryTheRunIds() {
        EventMapper custom = new EventMapper("run", "step", "out", Redaction.of(List.of()), 1024, false);
        LogRecord record = custom.map(event(Level.INFO, "m", Map.of("run", JOB, "step", TASK, "out", "stderr")));
        assertThat(record.type()).isEqualTo(LogType.TASK);
        assertThat(record.stream()).isEqualTo(LogStream.STDERR);
        assertThat(record.metadata()).doesNotContainKeys("run", "step", "out");
    }

    @Test
    void aThreadsReusedStateNeverLeaksFromOneEventIntoTheNext() {
        String other = "323e4567-e89b-12d3-a456-426614174000";
        assertThat(mapper.map(event(Level.INFO, "m", Map.of("job_run_id", JOB))).jobRunId()).isEqualTo(UUID.fromString(JOB));
        assertThat(mapper.map(event(Level.INFO, "m", Map.of("job_run_id", other))).jobRunId()).isEqualTo(UUID.fromString(other));
        LogRecord invalid = mapper.map(event(Level.INFO, "m", Map.of("job_run_id", "not-a-uuid")));
        assertThat(invalid.jobRunId()).isNull();
        LogRecord plain = mapper.map(event(Level.INFO, "m", Map.of("region", "eu")));
        assertThat(plain.jobRunId()).isNull();
        assertThat(plain.metadata()).containsEntry("region", "eu").doesNotContainKey("job_run_id");
        assertThat(notes(plain)).doesNotContainKey("invalid_ids");
    }
}

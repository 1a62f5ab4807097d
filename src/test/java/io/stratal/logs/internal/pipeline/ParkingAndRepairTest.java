package io.stratal.logs.internal.pipeline;

import io.stratal.logs.writer.EngineSettings;
import io.stratal.logs.writer.LogWriterConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rows whose parent run is late, and rows the database refuses as they are. */
@Timeout(30)
class ParkingAndRepairTest {

    private final FakeSink sink = new FakeSink();
    private final RecordingStatus reporter = new RecordingStatus();
    private final Set<UUID> existing = ConcurrentHashMap.newKeySet();
    private Pipeline pipeline;

    private void start(Duration grace) {
        sink.existingJobRuns = existing;
        pipeline = new Pipeline(EngineSettings.of(LogWriterConfig.builder("t").batchSize(10).flushInterval(Duration.ofMillis(20))
                .foreignKeyGracePeriod(grace).retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20)).build(), false),
                sink, null, reporter);
        pipeline.start();
    }

    @AfterEach
    void stop() {
        pipeline.stop();
    }

    private static LogRecord job(UUID jobRunId, String message) {
        return new LogRecord(LogType.JOB, jobRunId, null, Instant.now(), LogLevel.INFO, LogStream.SYSTEM, message, null);
    }

    @Test
    void rowsOfALateParentWaitAndArriveInOrderWhileOtherRunsFlow() {
        UUID late = UUID.randomUUID();
        UUID present = UUID.randomUUID();
        existing.add(present);
        start(Duration.ofSeconds(30));
        for (int i = 0; i < 15; i++) {
            pipeline.offer(job(late, "late " + i));
            pipeline.offer(job(present, "present " + i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.messages().stream().filter(m -> m.startsWith("present")).count() == 15);
        assertThat(sink.messages()).noneMatch(m -> m.startsWith("late"));
        assertThat(reporter.infos).anySatisfy(i -> assertThat(i).contains(late.toString()).contains("foreignKeyGracePeriod"));

        existing.add(late);
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.messages().size() == 30);
        List<String> lateOnes = sink.messages().stream().filter(m -> m.startsWith("late")).collect(Collectors.toList());
        assertThat(lateOnes).containsExactly("late 0", "late 1", "late 2", "late 3", "late 4", "late 5", "late 6",
                "late 7", "late 8", "late 9", "late 10", "late 11", "late 12", "late 13", "late 14");
        assertThat(pipeline.stats().droppedTotal()).isZero();
    }

    @Test
    void afterTheGracePeriodRowsAreWrittenWithTheIdMovedIntoMetadata() {
        UUID never = UUID.randomUUID();
        start(Duration.ofMillis(300));
        pipeline.offer(job(never, "orphan"));

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.messages().contains("orphan"));
        LogRecord stored = sink.batches.stream().flatMap(List::stream).filter(r -> r.message().equals("orphan")).findFirst().orElseThrow();
        assertThat(stored.jobRunId()).isNull();
        assertThat(stored.type()).isEqualTo(LogType.JOB);
        assertThat(stored.metadata()).isEqualTo(Map.of("log", Map.of("missing_parents", Map.of("job_run_id", never.toString()))));
    }

    @Test
    void stoppingDoesNotWaitOutTheGracePeriod() {
        UUID never = UUID.randomUUID();
        start(Duration.ofHours(1));
        pipeline.offer(job(never, "orphan at stop"));
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.attempts.get() >= 1);

        assertThat(pipeline.stop()).isZero();
        assertThat(sink.messages()).contains("orphan at stop");
    }

    @Test
    void aRefusedRowIsStoredInARepairedFormAndTheRestOfItsBatchAsIs() {
        sink.poison = r -> r.message().contains("\u00e9vil");
        start(Duration.ofSeconds(30));
        for (int i = 0; i < 10; i++) {
            pipeline.offer(Records.record(i == 4 ? "\u00e9vil row" : "good " + i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.messages().size() == 10);

        assertThat(sink.messages()).contains("good 0", "good 9", "\\u00e9vil row");
        LogRecord repaired = sink.batches.stream().flatMap(List::stream).filter(r -> r.message().startsWith("\\u00e9")).findFirst().orElseThrow();
        assertThat(repaired.metadata().toString()).contains("rejected_original").contains("22021");
        assertThat(pipeline.stats().repaired()).isEqualTo(1);
        assertThat(pipeline.stats().droppedTotal()).isZero();
        assertThat(reporter.warnings).anySatisfy(w -> assertThat(w).contains("repaired form"));
    }
}

package io.stratal.logs.internal.pipeline;

import io.stratal.logs.writer.EngineSettings;
import io.stratal.logs.writer.LogWriterConfig;
import io.stratal.logs.pipeline.DropReason;
import static io.stratal.logs.internal.pipeline.Records.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratal.logs.LogRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PipelineTest {

    private final FakeSink sink = new FakeSink();
    private final RecordingStatus reporter = new RecordingStatus();
    private Pipeline pipeline;

    private Pipeline start(LogWriterConfig.Builder config) {
        pipeline = new Pipeline(EngineSettings.of(config.retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20)).build(), false),
                sink, null, reporter);
        pipeline.start();
        return pipeline;
    }

    @AfterEach
    void stop() {
        if (pipeline != null) {
            sink.down = false;
            CountDownLatch gate = sink.gate;
            if (gate != null) {
                gate.countDown();
            }
            pipeline.stop();
        }
    }

    private void offer(int count, String prefix) {
        for (int i = 0; i < count; i++) {
            assertThat(pipeline.offer(record(prefix + i))).isTrue();
        }
    }

    @Test
    void aFullBatchGoesOutWithoutWaitingForTheInterval() {
        start(LogWriterConfig.builder("t").batchSize(10).flushInterval(Duration.ofHours(1)));
        offer(25, "m");

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.batches.size() == 2);
        assertThat(sink.batches).allSatisfy(b -> assertThat(b).hasSize(10));
        assertThat(pipeline.queueSize()).isEqualTo(5);
    }

    @Test
    void aPartialBatchGoesOutWhenTheIntervalPasses() {
        start(LogWriterConfig.builder("t").batchSize(1000).flushInterval(Duration.ofMillis(100)));
        offer(3, "m");

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.messages().size() == 3);
        assertThat(sink.batches).hasSize(1);
    }

    @Test
    void stopDrainsEverythingQueued() {
        start(LogWriterConfig.builder("t").batchSize(100).flushInterval(Duration.ofHours(1)));
        offer(1234, "m");

        assertThat(pipeline.stop()).isZero();
        assertThat(sink.messages()).hasSize(1234);
        assertThat(sink.closed).isTrue();
        assertThat(pipeline.stats().written()).isEqualTo(1234);
    }

    @Test
    void recordsArriveInTheOrderTheyWereOffered() {
        start(LogWriterConfig.builder("t").batchSize(7).flushInterval(Duration.ofMillis(10)));
        offer(500, "m");
        pipeline.stop();

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            expected.add("m" + i);
        }
        assertThat(sink.messages()).containsExactlyElementsOf(expected);
    }

    @Test
    void anUnavailableDatabaseKeepsTheBatchAndRetriesUntilItIsBack() {
        sink.down = true;
        start(LogWriterConfig.builder("t").batchSize(5).flushInterval(Duration.ofMillis(10)));
        offer(5, "m");

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.attempts.get() >= 3);
        assertThat(sink.batches).isEmpty();
        assertThat(reporter.warnings).anySatisfy(w -> assertThat(w).contains("cannot write to the database").contains("08006"));

        sink.down = false;
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.messages().size() == 5);
        assertThat(pipeline.stats().retries()).isGreaterThanOrEqualTo(2);
        assertThat(reporter.infos).anySatisfy(i -> assertThat(i).contains("reached the database again"));
        assertThat(pipeline.stats().droppedTotal()).isZero();
    }

    @Test
    void onePoisonRowIsIsolatedAndTheRestOfItsBatchIsWritten() {
        sink.poison = r -> r.message().equals("m13");
        start(LogWriterConfig.builder("t").batchSize(32).flushInterval(Duration.ofHours(1)));
        offer(32, "m");

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.messages().size() == 31);
        assertThat(sink.messages()).doesNotContain("m13").contains("m12", "m14");
        assertThat(pipeline.stats().dropped(DropReason.REJECTED)).isEqualTo(1);
        assertThat(reporter.errors).anySatisfy(e -> assertThat(e).contains("22021"));
    }

    @Test
    void stopWithTheDatabaseDownReturnsWithinTheGracePeriodAndCountsTheLoss() {
        sink.down = true;
        start(LogWriterConfig.builder("t").batchSize(10).flushInterval(Duration.ofMillis(10))
                .shutdownGracePeriod(Duration.ofMillis(300)));
        offer(35, "m");

        long started = System.nanoTime();
        long unwritten = pipeline.stop();
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(unwritten).isEqualTo(35);
        assertThat(tookMillis).isLessThan(2_000);
        assertThat(pipeline.stats().dropped(DropReason.SHUTDOWN)).isEqualTo(35);
        assertThat(reporter.warnings).anySatisfy(w -> assertThat(w).contains("35 log record(s) unwritten")
                .contains("shutdownGracePeriod"));
    }

    @Test
    void stopWhileTheFlusherIsStuckInAWriteStillReturnsAndCountsWhatIsInFlight() {
        sink.gate = new CountDownLatch(1);
        start(LogWriterConfig.builder("t").batchSize(10).flushInterval(Duration.ofMillis(10))
                .shutdownGracePeriod(Duration.ofMillis(200)));
        offer(10, "m");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.attempts.get() == 1);
        offer(4, "n");

        assertThat(pipeline.stop()).isEqualTo(14);
    }

    @Test
    void theBoundCoversTheBatchBeingWrittenNotOnlyTheWaitingRecords() {
        sink.gate = new CountDownLatch(1);
        long oneRecord = record("m0").estimatedBytes();
        start(LogWriterConfig.builder("t").batchSize(5).flushInterval(Duration.ofMillis(10))
                .maxQueueBytes(oneRecord * 5).maxBlockTime(Duration.ZERO));
        offer(5, "m");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.attempts.get() == 1);

        assertThat(pipeline.offer(record("over"))).isFalse();
        assertThat(pipeline.queueBytes()).isEqualTo(oneRecord * 5);
    }

    @Test
    void aFullQueueWithTheDatabaseDownWaitsMaxBlockTimeThenDropsAndNamesTheSettingToChange() {
        sink.down = true;
        long oneRecord = record("m0").estimatedBytes();
        start(LogWriterConfig.builder("t").batchSize(1000).flushInterval(Duration.ofMillis(10))
                .maxQueueBytes(oneRecord * 10).maxBlockTime(Duration.ofMillis(400)));
        offer(10, "m");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.attempts.get() >= 1);

        long started = System.nanoTime();
        assertThat(pipeline.offer(record("m10"))).isFalse();
        assertThat((System.nanoTime() - started) / 1_000_000).as("the first caller waits the outage out for a while")
                .isGreaterThanOrEqualTo(350);
        started = System.nanoTime();
        for (int i = 1; i < 5; i++) {
            pipeline.offer(record("m" + (10 + i)));
        }
        assertThat((System.nanoTime() - started) / 1_000_000).as("later callers of the same outage drop at once")
                .isLessThan(300);
        assertThat(pipeline.stats().dropped(DropReason.DATABASE_UNAVAILABLE)).isEqualTo(5);
        // the first loss is reported at once, well before the 30 s thinning interval; how many it counts
        // depends on whether the caller or the flusher (reporting on its retry rhythm) got there first
        await().atMost(Duration.ofSeconds(5)).until(() -> reporter.warnings.stream().anyMatch(
                w -> w.startsWith("lost ") && w.contains("database_unavailable") && w.contains("spoolDirectory")));
    }

    @Test
    void aDatabaseAwayForLessThanMaxBlockTimeLosesNothing() throws Exception {
        sink.down = true;
        long oneRecord = record("m0").estimatedBytes();
        start(LogWriterConfig.builder("t").batchSize(5).flushInterval(Duration.ofMillis(10))
                .maxQueueBytes(oneRecord * 5).maxBlockTime(Duration.ofSeconds(5)));
        offer(5, "m");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.attempts.get() >= 1);
        Thread back = new Thread(() -> {
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
            sink.down = false;
        });
        back.start();
        for (int i = 5; i < 20; i++) {
            assertThat(pipeline.offer(record("m" + i))).as("record %d waits for the database to come back", i).isTrue();
        }
        back.join();
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.messages().size() == 20);
        assertThat(pipeline.stats().droppedTotal()).isZero();
    }

    @Test
    void aFullQueueWithAHealthyDatabaseMakesTheCallerWaitForRoom() {
        sink.gate = new CountDownLatch(1);
        long oneRecord = record("m0").estimatedBytes();
        // room for ten: five in the batch being written, five waiting behind it
        start(LogWriterConfig.builder("t").batchSize(5).flushInterval(Duration.ofMillis(10))
                .maxQueueBytes(oneRecord * 10).maxBlockTime(Duration.ofSeconds(10)));
        offer(5, "m");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.attempts.get() == 1);
        offer(5, "n");

        Thread release = new Thread(() -> sink.gate.countDown());
        release.start();
        assertThat(pipeline.offer(record("late"))).isTrue();
        assertThat(pipeline.stats().droppedTotal()).isZero();
    }

    @Test
    void aFullQueueDropsWhenTheDatabaseCommitsNothingForMaxBlockTime() {
        sink.gate = new CountDownLatch(1); // a write that never returns: a connection that stopped answering
        long oneRecord = record("m0").estimatedBytes();
        start(LogWriterConfig.builder("t").batchSize(5).flushInterval(Duration.ofMillis(10))
                .maxQueueBytes(oneRecord * 10).maxBlockTime(Duration.ofMillis(200)));
        offer(5, "m");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.attempts.get() == 1);
        offer(5, "n");

        assertThat(pipeline.offer(record("late"))).isFalse();
        assertThat(pipeline.stats().dropped(DropReason.DATABASE_STALLED)).isEqualTo(1);
        long started = System.nanoTime();
        assertThat(pipeline.offer(record("later"))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("still no commit: the next caller does not wait")
                .isLessThan(Duration.ofMillis(150));
        assertThat(pipeline.stats().dropped(DropReason.DATABASE_STALLED)).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> reporter.warnings.stream().anyMatch(w -> w.contains("database_stalled")));
        assertThat(reporter.warnings).anySatisfy(w -> assertThat(w).contains("maxBlockTime").contains("spoolDirectory"));
    }

    @Test
    void aCallerWaitsForRoomAsLongAsTheDatabaseKeepsCommittingEvenPastMaxBlockTime() {
        sink.writeDelayMillis = 100; // each batch commits, slowly
        long oneRecord = record("m00").estimatedBytes();
        start(LogWriterConfig.builder("t").batchSize(5).flushInterval(Duration.ofMillis(10))
                .maxQueueBytes(oneRecord * 40).maxBlockTime(Duration.ofMillis(300)));
        offer(40, "m");
        // A record as large as the whole queue goes in only once the queue is empty: eight batches of 100 ms,
        // far more than maxBlockTime, with a commit every 100 ms.
        LogRecord large = record("L".repeat((int) (oneRecord * 40 / 2)));
        long started = System.nanoTime();

        assertThat(pipeline.offer(large)).isTrue();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("one call waited past maxBlockTime, the database"
                + " committing all along").isGreaterThan(Duration.ofMillis(300));
        assertThat(pipeline.stats().droppedTotal()).isZero();
        assertThat(pipeline.stats().blocked()).isEqualTo(1);
        assertThat(pipeline.stop()).isZero();
        assertThat(sink.messages()).hasSize(41);
    }

    @Test
    void aBurstAfterAQuietSpellLongerThanMaxBlockTimeWaitsForItsFirstCommit() {
        sink.writeDelayMillis = 50;
        long oneRecord = record("m00").estimatedBytes();
        start(LogWriterConfig.builder("t").batchSize(5).flushInterval(Duration.ofMillis(10))
                .maxQueueBytes(oneRecord * 10).maxBlockTime(Duration.ofMillis(200)));
        await().pollDelay(Duration.ofMillis(400)).until(() -> true); // nothing committed for twice maxBlockTime

        offer(60, "m"); // each offer accepted: the stall is counted from when the queue filled, not the last commit

        assertThat(pipeline.stats().droppedTotal()).isZero();
        assertThat(pipeline.stats().blocked()).isPositive();
    }

    @Test
    void aRecordQueuedByACallerThatWaitedThroughTheStopIsCountedNotLostSilently() throws Exception {
        sink.writeDelayMillis = 100;
        long oneRecord = record("m00").estimatedBytes();
        start(LogWriterConfig.builder("t").batchSize(5).flushInterval(Duration.ofMillis(10))
                .maxQueueBytes(oneRecord * 10).maxBlockTime(Duration.ofSeconds(5)).shutdownGracePeriod(Duration.ofMillis(300)));
        List<Thread> callers = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            callers.add(new Thread(() -> {
                for (int i = 0; i < 50; i++) {
                    if (pipeline.offer(record("t" + thread + "-" + i))) {
                        accepted.incrementAndGet();
                    }
                }
            }));
        }
        callers.forEach(Thread::start);
        await().until(() -> pipeline.stats().blocked() > 0);
        long lost = pipeline.stop();
        for (Thread caller : callers) {
            caller.join();
        }

        assertThat(sink.messages().size() + pipeline.stats().droppedTotal()).as("every offer is a written record or a"
                + " counted loss: " + pipeline.stats()).isEqualTo(200);
        assertThat(lost).isEqualTo(pipeline.stats().dropped(DropReason.SHUTDOWN));
        assertThat(accepted.get()).isEqualTo(pipeline.stats().enqueued());
    }

    @Test
    void recordsOfferedAfterStopAreRefusedAndCounted() {
        start(LogWriterConfig.builder("t"));
        pipeline.stop();
        assertThat(pipeline.offer(record("late"))).isFalse();
        assertThat(pipeline.stats().dropped(DropReason.SHUTDOWN)).isEqualTo(1);
    }
}

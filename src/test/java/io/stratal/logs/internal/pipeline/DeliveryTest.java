package io.stratal.logs.internal.pipeline;

import io.stratal.logs.writer.EngineSettings;
import static io.stratal.logs.internal.pipeline.Records.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import io.stratal.logs.pipeline.Batch;
import io.stratal.logs.writer.LogWriterConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Delivery} on its own, against the fake sink: retries, its deadline, parking, isolation and repair. */
@Timeout(30)
class DeliveryTest {

    private final FakeSink sink = new FakeSink();
    private final Counters stats = new Counters();
    private final RecordingStatus reporter = new RecordingStatus();
    private final AtomicLong parkedBytes = new AtomicLong();
    private final Deadline deadline = new Deadline();

    private Delivery delivery(boolean keepRetrying, Duration minBackoff, Duration maxBackoff) {
        LogWriterConfig config = LogWriterConfig.builder("t").retryBackoff(minBackoff, maxBackoff)
                .foreignKeyGracePeriod(Duration.ofMinutes(1)).build();
        return new Delivery(EngineSettings.of(config, false), sink, stats, reporter, new DropWarnings(stats, reporter, Long.MAX_VALUE),
                parkedBytes::addAndGet, keepRetrying);
    }

    private static List<LogRecord> records(int n) {
        return IntStream.range(0, n).mapToObj(i -> record("m" + i)).toList();
    }

    private static LogRecord jobRecord(UUID job, String message) {
        return new LogRecord(LogType.JOB, job, null, Instant.now(), LogLevel.INFO, LogStream.SYSTEM, message, null);
    }

    @Test
    void aBatchIsWrittenOnceAndCounted() {
        assertThat(delivery(true, Duration.ofMillis(5), Duration.ofMillis(20)).deliver(records(3), deadline)).isEmpty();
        assertThat(sink.messages()).containsExactly("m0", "m1", "m2");
        assertThat(stats.written()).isEqualTo(3);
        assertThat(stats.batches()).isEqualTo(1);
    }

    @Test
    void anUnavailableDatabaseIsRetriedUntilTheDeadlineAndThenTheBatchComesBackWhole() {
        Delivery delivery = delivery(true, Duration.ofMillis(5), Duration.ofMillis(20));
        sink.down = true;
        deadline.set(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
        List<LogRecord> batch = records(4);

        List<Batch> unwritten = delivery.deliver(batch, deadline);

        assertThat(unwritten).hasSize(1);
        assertThat(unwritten.get(0).records()).isEqualTo(batch);
        assertThat(sink.attempts.get()).isGreaterThan(2);
        assertThat(stats.retries()).isEqualTo(sink.attempts.get() - 1);
        assertThat(delivery.isDatabaseAvailable()).isFalse();
        assertThat(reporter.warnings).anySatisfy(w -> assertThat(w).startsWith("cannot write to the database"));
    }

    @Test
    void withASpoolToFallBackOnAnUnavailableBatchComesBackAtOnce() {
        Delivery delivery = delivery(false, Duration.ofSeconds(10), Duration.ofSeconds(10));
        sink.down = true;
        assertThat(delivery.deliver(records(2), deadline)).hasSize(1);
        assertThat(sink.attempts.get()).isEqualTo(1);
    }

    @Test
    void settingTheDeadlineCutsARetryPauseShort() throws Exception {
        Delivery delivery = delivery(true, Duration.ofSeconds(20), Duration.ofSeconds(20));
        sink.down = true;
        java.util.concurrent.atomic.AtomicReference<Thread> flusher = new java.util.concurrent.atomic.AtomicReference<>();
        CompletableFuture<List<Batch>> delivering = CompletableFuture.supplyAsync(() -> {
            flusher.set(Thread.currentThread());
            return delivery.deliver(records(1), deadline);
        });
        org.awaitility.Awaitility.await().until(() -> sink.attempts.get() >= 1);
        long stopAt = System.nanoTime();
        deadline.set(stopAt + TimeUnit.MILLISECONDS.toNanos(100));
        java.util.concurrent.locks.LockSupport.unpark(flusher.get()); // as Flusher.requestStop does
        assertThat(delivering.get(5, TimeUnit.SECONDS)).hasSize(1);
        assertThat(Duration.ofNanos(System.nanoTime() - stopAt)).isLessThan(Duration.ofSeconds(5));
        assertThat(sink.attempts.get()).as("one last attempt once stopping").isGreaterThanOrEqualTo(2);
    }

    @Test
    void rowsOfARunTheDatabaseLacksAreParkedAndTheirBytesReportedUntilTheyAreWritten() {
        Delivery delivery = delivery(true, Duration.ofMillis(5), Duration.ofMillis(20));
        UUID late = UUID.randomUUID();
        UUID known = UUID.randomUUID();
        sink.existingJobRuns = Set.of(known);
        List<LogRecord> batch = List.of(jobRecord(late, "late 1"), jobRecord(known, "known"), jobRecord(late, "late 2"));

        assertThat(delivery.deliver(batch, deadline)).isEmpty();
        assertThat(sink.messages()).containsExactly("known");
        assertThat(delivery.hasParked()).isTrue();
        assertThat(delivery.parkedCount()).isEqualTo(2);
        assertThat(parkedBytes.get()).isEqualTo(batch.get(0).estimatedBytes() + batch.get(2).estimatedBytes());
        assertThat(reporter.infos).anySatisfy(i -> assertThat(i).contains("holds back rows of job run(s) [" + late + "]"));

        sink.existingJobRuns = Set.of(known, late);
        assertThat(delivery.retryParked(deadline, false)).isEmpty();
        assertThat(sink.messages()).containsExactly("known", "late 1", "late 2");
        assertThat(delivery.hasParked()).isFalse();
        assertThat(parkedBytes.get()).isZero();
    }

    @Test
    void aRowTheDatabaseRefusesIsSetApartAndStoredRepairedWhileTheOthersGoThrough() {
        Delivery delivery = delivery(true, Duration.ofMillis(5), Duration.ofMillis(20));
        sink.poison = r -> r.message().indexOf('\u0000') >= 0; // what the database would refuse as logged
        List<LogRecord> batch = List.of(record("m0"), record("m1"), record("m2\u0000"), record("m3"), record("m4"));

        assertThat(delivery.deliver(batch, deadline)).isEmpty();

        assertThat(sink.messages()).containsExactly("m0", "m1", "m2\\u0000", "m3", "m4");
        assertThat(stats.repaired()).isEqualTo(1);
        assertThat(stats.written()).isEqualTo(5);
    }

    /** A delivery with a spool to fall back on (no retry in place), holding "late 1" and "late 2" of a run the database lacks. */
    private Delivery withTwoRowsParked(UUID late) {
        Delivery delivery = delivery(false, Duration.ofMillis(5), Duration.ofMillis(20));
        sink.existingJobRuns = Set.of();
        assertThat(delivery.deliver(List.of(jobRecord(late, "late 1"), jobRecord(late, "late 2")), deadline)).isEmpty();
        return delivery;
    }

    @Test
    void aRetryTheDatabaseCannotTakeWhileTheSpoolHoldsNewerRowsStaysAheadUnderItsBatchIds() {
        UUID late = UUID.randomUUID();
        Delivery delivery = withTwoRowsParked(late);
        long held = parkedBytes.get();

        sink.existingJobRuns = Set.of(late);
        sink.commitThenFail = true; // the retry commits, and its outcome is lost with the connection
        assertThat(delivery.retryParked(deadline, true)).as("kept, not handed back").isEmpty();
        assertThat(delivery.hasParked()).isTrue();
        assertThat(parkedBytes.get()).isEqualTo(held);
        assertThat(delivery.deliver(List.of(jobRecord(late, "late 3")), deadline)).isEmpty();
        assertThat(delivery.parkedCount()).as("a newer row of the run waits behind the kept ones").isEqualTo(3);

        assertThat(delivery.retryParked(deadline, true)).isEmpty();
        assertThat(sink.messages()).as("once each: the kept batch came back under its id").containsExactly("late 1", "late 2", "late 3");
        assertThat(delivery.hasParked()).isFalse();
        assertThat(parkedBytes.get()).isZero();
    }

    @Test
    void notAskedToKeepItARetryTheDatabaseCannotTakeIsHandedBackWhole() {
        Delivery delivery = withTwoRowsParked(UUID.randomUUID());
        sink.down = true;

        List<Batch> unwritten = delivery.retryParked(deadline, false);

        assertThat(unwritten).singleElement().satisfies(b -> assertThat(b.records()).extracting(LogRecord::message)
                .containsExactly("late 1", "late 2"));
        assertThat(delivery.hasParked()).isFalse();
        assertThat(parkedBytes.get()).isZero();
    }

    private static LogRecord taskRecord(UUID job, UUID task, String message) {
        return new LogRecord(LogType.TASK, job, task, Instant.now(), LogLevel.INFO, LogStream.SYSTEM, message, null);
    }

    @Test
    void rowsAParkedRetryParksAgainStayAheadOfTheRowsItKeepsWhenTheDatabaseGoesAwayMidPass() {
        UUID late = UUID.randomUUID();
        Delivery delivery = withTwoRowsParked(late);
        sink.down = true;
        delivery.retryParked(deadline, true); // kept, ahead
        sink.down = false;
        delivery.deliver(List.of(jobRecord(late, "late 3")), deadline); // held back behind them

        sink.downFromAttempt = sink.attempts.get() + 2; // the kept batch meets the missing parent, then the database goes
        assertThat(delivery.retryParked(deadline, true)).isEmpty();
        sink.downFromAttempt = Integer.MAX_VALUE;
        sink.existingJobRuns = Set.of(late);
        assertThat(delivery.retryParked(deadline, true)).isEmpty();

        assertThat(sink.messages()).containsExactly("late 1", "late 2", "late 3");
        assertThat(delivery.hasParked()).isFalse();
    }

    @Test
    void keptRowsHoldBackOnlyTheRunsTheyWaitedForNotARowOfTheirJobWithAnotherTask() {
        Delivery delivery = delivery(false, Duration.ofMillis(5), Duration.ofMillis(20));
        UUID job = UUID.randomUUID();
        UUID present = UUID.randomUUID();
        UUID late = UUID.randomUUID();
        sink.existingTaskRuns = Set.of(present);
        delivery.deliver(List.of(taskRecord(job, late, "late task 0")), deadline); // parked: its task run is missing
        sink.down = true;
        List<Batch> unwritten = delivery.deliver(List.of(taskRecord(job, present, "older"), taskRecord(job, late, "late task 1")), deadline);
        assertThat(unwritten).singleElement().satisfies(b -> assertThat(b.records()).extracting(LogRecord::message).containsExactly("older"));
        delivery.retryParked(deadline, true); // the late task's rows are kept

        sink.down = false;
        sink.existingTaskRuns = Set.of(present, late);
        assertThat(delivery.deliverInOrder(unwritten, deadline)).isEmpty();
        assertThat(delivery.retryParked(deadline, true)).isEmpty();

        assertThat(sink.messages()).as("a row of the job under a present task is not held behind the late task's rows")
                .containsExactly("older", "late task 0", "late task 1");
    }

    @Test
    void aRetryPassHoldsANewerBatchOfARunBackOnceItsOlderRowsWereParkedAgainThoughTheParentCommitsMeanwhile() {
        UUID late = UUID.randomUUID();
        Delivery delivery = withTwoRowsParked(late);
        sink.down = true;
        delivery.retryParked(deadline, true); // kept: "late 1" and "late 2" under their batch id
        sink.down = false;
        delivery.deliver(List.of(jobRecord(late, "late 3")), deadline); // held back behind them
        java.util.Set<UUID> existing = java.util.concurrent.ConcurrentHashMap.newKeySet();
        sink.existingJobRuns = existing;
        int kept = sink.attempts.get() + 1;
        sink.onAttempt = n -> {
            if (n == kept + 1) {
                existing.add(late); // the parent commits right after the kept batch was refused for lacking it
            }
        };

        assertThat(delivery.retryParked(deadline, true)).isEmpty();
        existing.add(late);
        assertThat(delivery.retryParked(deadline, true)).isEmpty();

        assertThat(sink.messages()).containsExactly("late 1", "late 2", "late 3");
    }

    @Test
    void anAnswerOfTheDatabaseAboutAMissingParentShowsItIsBack() {
        Delivery delivery = delivery(false, Duration.ofMillis(5), Duration.ofMillis(20));
        sink.down = true;
        delivery.deliver(records(1), deadline);
        assertThat(delivery.isDatabaseAvailable()).isFalse();

        sink.down = false;
        sink.existingJobRuns = Set.of();
        delivery.deliver(List.of(jobRecord(UUID.randomUUID(), "late")), deadline);
        assertThat(delivery.hasParked()).isTrue();
        assertThat(delivery.isDatabaseAvailable()).as("the spool's replay waits for it, not for the parent").isTrue();
    }

    /** The job and task runs the database has: the sink refuses rows of others as missing their parent. */
    private final java.util.Set<UUID> jobs = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Set<UUID> tasks = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final UUID job = UUID.randomUUID();

    /**
     * A delivery with a spool to fall back on, holding {@code rows} as one kept batch: parked while their job run was
     * missing, then kept when the database went away during a retry. The job run is there now.
     */
    private Delivery withOneKeptBatch(List<LogRecord> rows) {
        Delivery delivery = delivery(false, Duration.ofMillis(5), Duration.ofMillis(20));
        sink.existingJobRuns = jobs;
        sink.existingTaskRuns = tasks;
        delivery.deliver(rows, deadline);
        assertThat(delivery.parkedCount()).isEqualTo(rows.size());
        sink.down = true;
        delivery.retryParked(deadline, true);
        sink.down = false;
        jobs.add(job);
        return delivery;
    }

    @Test
    void aRowParkedAgainFromABatchTheDatabaseThenCouldNotTakeStaysBehindItsOlderRowsOfTheSameJob() {
        UUID present = UUID.randomUUID();
        UUID lateTask = UUID.randomUUID();
        tasks.add(present);
        Delivery delivery = withOneKeptBatch(List.of(taskRecord(job, present, "older"), taskRecord(job, lateTask, "newer")));

        sink.downFromAttempt = sink.attempts.get() + 2; // the newer row waits for its task run, the older meets the outage
        assertThat(delivery.retryParked(deadline, true)).isEmpty();
        sink.downFromAttempt = Integer.MAX_VALUE;
        tasks.add(lateTask);
        assertThat(delivery.retryParked(deadline, true)).isEmpty();

        assertThat(sink.messages()).containsExactly("older", "newer");
    }

    @Test
    void aPartOfAKeptBatchParkedAgainStaysAheadOfANewerPartOfItsRunTheDatabaseThenCouldNotTake() {
        UUID task = UUID.randomUUID();
        tasks.add(task);
        sink.poison = r -> r.message().indexOf('\u0000') >= 0;
        Delivery delivery = withOneKeptBatch(List.of(taskRecord(job, task, "a"), jobRecord(job, "x\u0000"), taskRecord(job, task, "c")));

        int base = sink.attempts.get();
        sink.onAttempt = n -> {
            if (n == base + 2) {
                tasks.remove(task); // the batch was split at the refused row; its first part now misses its task run
            }
        };
        sink.downFromAttempt = base + 5; // the refused row repaired and stored, then the database goes
        assertThat(delivery.retryParked(deadline, true)).isEmpty();
        sink.onAttempt = n -> { };
        sink.downFromAttempt = Integer.MAX_VALUE;
        tasks.add(task);
        assertThat(delivery.retryParked(deadline, true)).isEmpty();

        assertThat(sink.messages()).containsExactly("x\\u0000", "a", "c");
    }

    @Test
    void aRowParkedAgainFromTheFirstBatchNotWrittenStaysAheadOfTheNewerRowsOfItsRunInTheBatchesAfter() {
        UUID present = UUID.randomUUID();
        UUID lateTask = UUID.randomUUID();
        tasks.add(present);
        tasks.add(lateTask);
        Delivery delivery = withOneKeptBatch(List.of(taskRecord(job, present, "older"), taskRecord(job, lateTask, "task 1")));
        delivery.deliver(List.of(taskRecord(job, lateTask, "task 2")), deadline); // held back behind it

        tasks.remove(lateTask); // the first batch's task row now waits for its task run
        sink.downFromAttempt = sink.attempts.get() + 2; // and its other row meets the database going away
        assertThat(delivery.retryParked(deadline, true)).isEmpty();
        sink.downFromAttempt = Integer.MAX_VALUE;
        tasks.add(lateTask);
        assertThat(delivery.retryParked(deadline, true)).isEmpty();

        assertThat(sink.messages()).containsExactly("older", "task 1", "task 2");
        assertThat(delivery.hasParked()).isFalse();
    }
}

package io.stratal.logs.internal.pipeline;

import io.stratal.logs.writer.EngineSettings;
import io.stratal.logs.writer.LogWriterConfig;
import io.stratal.logs.pipeline.OverflowPolicy;
import static io.stratal.logs.internal.pipeline.Records.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratal.logs.internal.spool.Spool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline with a spool: outages and backlogs go to disk and come back in order, exactly once. */
@Timeout(60)
class SpoolPipelineTest {

    @TempDir
    Path dir;
    private final FakeSink sink = new FakeSink();
    private final RecordingStatus reporter = new RecordingStatus();
    /** A job run the database lacks until a test adds it to {@link #existing}. */
    private final java.util.UUID late = java.util.UUID.randomUUID();
    private final java.util.Set<java.util.UUID> existing = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Pipeline pipeline;

    private Pipeline start(LogWriterConfig.Builder config) throws IOException {
        Spool spool = Spool.open(dir, Long.MAX_VALUE, reporter.warnings::add);
        pipeline = new Pipeline(EngineSettings.of(config.overflowPolicy(OverflowPolicy.SPOOL)
                .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(30)).build(), spool != null), sink, spool, reporter);
        pipeline.start();
        return pipeline;
    }

    @AfterEach
    void stop() {
        sink.down = false;
        if (sink.gate != null) {
            sink.gate.countDown();
        }
        if (pipeline != null) {
            pipeline.stop();
        }
    }

    private void offer(int from, int to) {
        for (int i = from; i < to; i++) {
            assertThat(pipeline.offer(record("m" + i))).isTrue();
        }
    }

    private static List<String> expected(int count) {
        return IntStream.range(0, count).mapToObj(i -> "m" + i).collect(Collectors.toList());
    }

    /** A frame of {@code count} records (m0, m1...) left in the spool by an earlier run, as one frame. */
    private List<io.stratal.logs.LogRecord> leftInTheSpool(int count) throws IOException {
        List<io.stratal.logs.LogRecord> left = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            left.add(record("m" + i));
        }
        try (Spool previous = Spool.open(dir, Long.MAX_VALUE, w -> { })) {
            previous.append(java.util.UUID.randomUUID(), left);
        }
        return left;
    }

    private long spoolFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".spool")).count();
        }
    }

    @Test
    void anOutageGoesToDiskAndComesBackInOrderOnce() throws IOException {
        long oneRecord = record("m0").estimatedBytes();
        start(LogWriterConfig.builder("t").batchSize(50).flushInterval(Duration.ofMillis(10)).maxQueueBytes(oneRecord * 200));
        offer(0, 100);
        await().until(() -> sink.messages().size() == 100);

        sink.down = true;
        offer(100, 2_000); // ten times what the queue holds
        await().until(() -> pipeline.stats().spooled() >= 1_900);
        assertThat(pipeline.stats().droppedTotal()).isZero();

        sink.down = false;
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.messages().size() == 2_000);
        assertThat(sink.messages()).containsExactlyElementsOf(expected(2_000));
        await().until(() -> !pipeline.isSpilling());
        assertThat(spoolFiles()).isZero();
        assertThat(sink.forgotten).isNotEmpty();
        assertThat(pipeline.stats().replayed()).isEqualTo(pipeline.stats().spooled());
    }

    @Test
    void stoppingWhileTheDatabaseIsDownKeepsEverythingForTheNextStart() throws IOException {
        sink.down = true;
        start(LogWriterConfig.builder("t").batchSize(50).flushInterval(Duration.ofMillis(10))
                .shutdownGracePeriod(Duration.ofMillis(300)));
        offer(0, 500);
        long started = System.nanoTime();
        assertThat(pipeline.stop()).isZero();
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(3_000);
        assertThat(reporter.warnings).anySatisfy(w -> assertThat(w).contains("in its spool"));
        assertThat(spoolFiles()).isPositive();

        sink.down = false;
        start(LogWriterConfig.builder("t").batchSize(50).flushInterval(Duration.ofMillis(10)));
        offer(500, 600);
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.messages().size() == 600);
        assertThat(sink.messages()).containsExactlyElementsOf(expected(600));
        assertThat(reporter.infos).anySatisfy(i -> assertThat(i).contains("replays"));
    }

    @Test
    void aSpoolFrameBeingReplayedCountsAgainstTheQueuesBoundUntilItIsWritten() throws IOException {
        List<io.stratal.logs.LogRecord> left = leftInTheSpool(100);
        sink.gate = new CountDownLatch(1);
        start(LogWriterConfig.builder("t").batchSize(50).flushInterval(Duration.ofMillis(10)));
        await().until(() -> sink.attempts.get() == 1); // the replay of the frame is being written

        long frameBytes = left.stream().mapToLong(io.stratal.logs.LogRecord::estimatedBytes).sum();
        assertThat(pipeline.queueBytes()).as("the frame read back is in flight").isGreaterThanOrEqualTo(frameBytes);
        sink.gate.countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.messages().size() == 100);
        await().atMost(Duration.ofSeconds(5)).until(() -> pipeline.queueBytes() == 0);
        assertThat(sink.messages()).containsExactlyElementsOf(expected(100));
    }

    @Test
    void aFrameWaitingForTheDatabaseToComeBackLeavesTheQueuesRoomToTheCallers() throws IOException {
        leftInTheSpool(100);
        long oneRecord = record("m0").estimatedBytes();
        sink.down = true;
        start(LogWriterConfig.builder("t").batchSize(50).flushInterval(Duration.ofMillis(10)).maxQueueBytes(oneRecord * 60)
                .maxBlockTime(Duration.ofSeconds(5)));
        await().until(() -> sink.attempts.get() >= 3); // the frame's replay fails and backs off, again and again

        offer(100, 130); // a frame larger than the whole bound is on disk, waiting: the callers still get room
        assertThat(pipeline.stats().blocked()).as("callers that waited for room").isZero();
        assertThat(pipeline.stats().droppedTotal()).isZero();
        sink.down = false;
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.messages().size() == 130);
        assertThat(sink.messages()).containsExactlyElementsOf(expected(130));
    }

    @Test
    void aBacklogTheDatabaseCannotKeepUpWithSpillsToDiskInsteadOfBlocking() throws IOException {
        long oneRecord = record("m0").estimatedBytes();
        start(LogWriterConfig.builder("t").batchSize(20).flushInterval(Duration.ofMillis(10)).maxQueueBytes(oneRecord * 100)
                .maxBlockTime(Duration.ofSeconds(5)));
        // The spill starts when a batch comes back and more than half the bound waits; its replay may find the spool
        // still empty (the spooler not yet run) and stop at once, so the episode is repeated until records went to disk.
        int logged = 0;
        for (int round = 0; round < 10 && pipeline.stats().spooled() == 0; round++) {
            sink.gate = new CountDownLatch(1);
            int attempts = sink.attempts.get();
            offer(logged, logged + 20);
            await().until(() -> sink.attempts.get() > attempts); // the database is stuck on a batch
            offer(logged + 20, logged + 80);
            sink.gate.countDown();
            offer(logged + 80, logged + 3_000);
            logged += 3_000;
            int all = logged;
            await().atMost(Duration.ofSeconds(20)).until(() -> sink.messages().size() == all);
        }
        assertThat(sink.messages()).containsExactlyElementsOf(expected(logged));
        assertThat(pipeline.stats().spooled()).isPositive();
        assertThat(pipeline.stats().droppedTotal()).isZero();
    }

    @Test
    void aDamagedFileLeftByACrashIsReportedAndTheAppenderKeepsWorking() throws IOException {
        java.util.UUID whole = java.util.UUID.randomUUID();
        try (Spool previous = Spool.open(dir, Long.MAX_VALUE, w -> { })) {
            previous.append(whole, List.of(record("m0"), record("m1")));
            previous.append(java.util.UUID.randomUUID(), List.of(record("lost in the crash")));
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".spool")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(segment);
        Files.write(segment, java.util.Arrays.copyOf(bytes, bytes.length - 5));

        start(LogWriterConfig.builder("t").batchSize(50).flushInterval(Duration.ofMillis(10)));
        offer(2, 10);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.messages().size() == 10);
        assertThat(sink.messages()).containsExactlyElementsOf(expected(10));
        assertThat(reporter.warnings).anySatisfy(w -> assertThat(w).contains("damaged").contains("cut short"));
        await().atMost(Duration.ofSeconds(10)).until(() -> spoolFiles() == 0);
        assertThat(sink.forgotten).as("the ledger forgets the batches of the file read up to its damage").contains(whole);
    }

    @Test
    void aBatchWhoseCommitOutcomeWasLostIsSpooledUnderItsIdAndLandsOnce() throws IOException {
        start(LogWriterConfig.builder("t").batchSize(10).flushInterval(Duration.ofMillis(10)));
        sink.commitThenFail = true; // the next write commits, then reports the connection as gone
        offer(0, 10);
        await().until(() -> pipeline.stats().spooled() == 10);
        await().atMost(Duration.ofSeconds(10)).until(() -> !pipeline.isSpilling());

        assertThat(sink.messages()).containsExactlyElementsOf(expected(10));
        assertThat(pipeline.stats().replayed()).isEqualTo(10);
    }

    private static io.stratal.logs.LogRecord job(java.util.UUID jobRunId, String message) {
        return new io.stratal.logs.LogRecord(io.stratal.logs.LogType.JOB, jobRunId, null, java.time.Instant.now(),
                io.stratal.logs.LogLevel.INFO, io.stratal.logs.LogStream.SYSTEM, message, null);
    }

    private static List<String> lines(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).collect(Collectors.toList());
    }

    /** The messages of each batch the sink was asked to write since it had been asked {@code count} times. */
    private List<List<String>> attemptedSince(int count) {
        List<List<String>> all = List.copyOf(sink.attempted);
        return all.subList(count, all.size());
    }

    private void offerLate(int from, int to) {
        for (int i = from; i < to; i++) {
            assertThat(pipeline.offer(job(late, "late " + i))).isTrue();
        }
    }

    /** The ten rows of {@link #late} and the one other row are stored, the late ones in order, nothing lost. */
    private void everyLateRowLandsInOrder() {
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.messages().size() == 11);
        assertThat(sink.messages()).filteredOn(m -> m.startsWith("late")).containsExactlyElementsOf(lines("late ", 10));
        assertThat(pipeline.stats().droppedTotal()).isZero();
    }

    /**
     * A pipeline whose parked rows are retried only every 2 s (the flush interval), each record a batch of its own.
     */
    private static LogWriterConfig.Builder slowParkedRetries() {
        return LogWriterConfig.builder("t").batchSize(1).flushInterval(Duration.ofSeconds(2))
                .foreignKeyGracePeriod(Duration.ofMinutes(1));
    }

    /**
     * Rows of {@code late} 0 to 4 wait for their parent in memory; the database goes away, the pipeline spills,
     * rows 5 to 9 go to disk, and then (the retries being 2 s apart) a retry of the waiting rows meets the outage.
     */
    private void parkedRowsMeetAnOutageWhileNewerRowsOfTheirRunGoToDisk() {
        offerLate(0, 5);
        Duration quick = Duration.ofMillis(5);
        await().pollInterval(quick).until(pipeline::holdsBacklog); // parked: the database lacks the run
        sink.down = true;
        assertThat(pipeline.offer(record("other"))).isTrue();
        await().pollInterval(quick).until(pipeline::isSpilling);
        offerLate(5, 10);
        await().pollInterval(quick).until(() -> pipeline.stats().spooled() >= 6);
        // a retry of the parked rows after rows 5 to 9 went to disk (the first one, 2 s after the start, usually is)
        int before = sink.attempted.size();
        await().until(() -> attemptedSince(before).stream().anyMatch(b -> b.contains("late 0")));
    }

    @Test
    void rowsWaitingForTheirParentStayAheadOfTheirRunsNewerRowsWhenARetryMeetsAnOutage() throws IOException {
        sink.existingJobRuns = existing;
        start(slowParkedRetries());
        parkedRowsMeetAnOutageWhileNewerRowsOfTheirRunGoToDisk();

        existing.add(late);
        sink.down = false;
        everyLateRowLandsInOrder();
    }

    @Test
    void stoppingWhileRowsWaitForTheirParentPutsThemAheadOfTheirRunsNewerRowsOnDisk() throws IOException {
        sink.existingJobRuns = existing;
        LogWriterConfig.Builder config = slowParkedRetries().shutdownGracePeriod(Duration.ofMillis(300));
        start(config);
        parkedRowsMeetAnOutageWhileNewerRowsOfTheirRunGoToDisk();
        assertThat(pipeline.stop()).isZero();
        assertThat(sink.messages()).isEmpty();

        existing.add(late);
        sink.down = false;
        start(config);
        everyLateRowLandsInOrder();
    }

    @Test
    void aSpoolFileWhoseRowWaitsForItsParentStaysOnDiskUntilTheRowIsWrittenSoACrashLosesNone() throws IOException {
        java.util.UUID frameId = java.util.UUID.randomUUID();
        try (Spool previous = Spool.open(dir, Long.MAX_VALUE, w -> { })) {
            previous.append(frameId, List.of(job(late, "late 0"), record("m1")));
        }
        sink.existingJobRuns = existing;
        LogWriterConfig.Builder config = LogWriterConfig.builder("t").flushInterval(Duration.ofMillis(10))
                .foreignKeyGracePeriod(Duration.ofMinutes(1));
        start(config);
        // the frame is done and the spool read to its end (spilling stopped), "late 0" waits in memory for its run
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.messages().contains("m1") && !pipeline.isSpilling());
        assertThat(pipeline.holdsBacklog()).isTrue();
        assertThat(spoolFiles()).as("the file of a row that waits in memory").isEqualTo(1);
        assertThat(sink.forgotten).doesNotContain(frameId);
        Path crashed = Files.createDirectories(dir.resolve("crashed"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.toString().endsWith(".spool")) {
                    Files.copy(file, crashed.resolve(file.getFileName())); // what a kill -9 now leaves
                }
            }
        }

        existing.add(late);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.messages().contains("late 0"));
        await().atMost(Duration.ofSeconds(10)).until(() -> spoolFiles() == 0);
        assertThat(sink.forgotten).as("the ledger forgets the frame once its file is gone").contains(frameId);
        assertThat(sink.messages()).containsExactly("m1", "late 0");
        pipeline.stop();

        FakeSink afterCrash = new FakeSink();
        Pipeline restarted = new Pipeline(EngineSettings.of(config.overflowPolicy(OverflowPolicy.SPOOL).build(), true), afterCrash,
                Spool.open(crashed, Long.MAX_VALUE, reporter.warnings::add), reporter);
        restarted.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> afterCrash.messages().contains("late 0"));
        } finally {
            restarted.stop();
        }
    }

    @Test
    void stoppingWhileARowReadBackWaitsForADatabaseThatIsAwayPutsItOnDiskAndLetsItsKeptFileGo() throws IOException {
        try (Spool previous = Spool.open(dir, Long.MAX_VALUE, w -> { })) {
            previous.append(java.util.UUID.randomUUID(), List.of(job(late, "late 0"), record("m1")));
        }
        sink.existingJobRuns = existing;
        LogWriterConfig.Builder config = LogWriterConfig.builder("t").flushInterval(Duration.ofMillis(10))
                .foreignKeyGracePeriod(Duration.ofMinutes(1)).shutdownGracePeriod(Duration.ofMillis(300));
        start(config);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.messages().contains("m1") && !pipeline.isSpilling());
        assertThat(spoolFiles()).isEqualTo(1);
        sink.down = true; // else the stop writes the row without its run
        assertThat(pipeline.stop()).isZero();
        assertThat(spoolFiles()).as("the waiting row in a file of its own; the file read back is gone").isEqualTo(1);
        sink.down = false;

        existing.add(late);
        start(config);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.messages().contains("late 0") && spoolFiles() == 0);
        assertThat(sink.messages()).as("each once: the kept file was not read again").containsExactly("m1", "late 0");
    }

    @Test
    void aRetryOfParkedRowsWhoseCommitOutcomeWasLostLandsOnce() throws IOException {
        sink.existingJobRuns = existing;
        start(LogWriterConfig.builder("t").batchSize(10).flushInterval(Duration.ofMillis(10))
                .foreignKeyGracePeriod(Duration.ofMinutes(1)));
        offerLate(0, 5);
        await().until(pipeline::holdsBacklog);

        sink.commitThenFail = true; // the next write commits, and its confirmation is lost with the connection
        existing.add(late);
        await().atMost(Duration.ofSeconds(20)).until(() -> !sink.commitThenFail && !pipeline.holdsBacklog());
        assertThat(sink.messages()).containsExactlyElementsOf(lines("late ", 5));
    }

    @Test
    void stoppingWithParkedRowsTheDatabaseCannotTakeTriesThemOnTheirRhythmAndKeepsThemForTheNextStart() throws IOException {
        sink.existingJobRuns = existing;
        LogWriterConfig.Builder config = LogWriterConfig.builder("t").batchSize(10).flushInterval(Duration.ofMillis(10))
                .foreignKeyGracePeriod(Duration.ofMinutes(1)).shutdownGracePeriod(Duration.ofMillis(500));
        start(config);
        offerLate(0, 5);
        await().until(pipeline::holdsBacklog);
        sink.down = true;
        int before = sink.attempted.size();
        await().until(() -> attemptedSince(before).stream().anyMatch(b -> b.contains("late 0"))); // kept in memory
        assertThat(pipeline.isSpilling()).isFalse();

        int attempts = sink.attempts.get();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long wall = System.nanoTime();
        assertThat(pipeline.stop()).isZero();
        assertThat(sink.attempts.get() - attempts).as("tried again on the retry's rhythm, not in a loop").isLessThan(100);
        assertThat(os.getProcessCpuTime() - cpu).as("the flusher sleeps between tries (a spin takes a core)")
                .isLessThan((System.nanoTime() - wall) * 6 / 10);

        existing.add(late);
        sink.down = false;
        start(config);
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.messages().size() == 5);
        assertThat(sink.messages()).containsExactlyElementsOf(lines("late ", 5));
    }

    @Test
    void aStopDuringTheReplayLeavesWhatIsWrittenWrittenAndTheNextStartGoesOnWhereItStood() throws IOException {
        try (Spool previous = Spool.open(dir, Long.MAX_VALUE, w -> { })) {
            previous.append(java.util.UUID.randomUUID(), List.of(job(late, "late 1"), record("other 1"))); // split on replay
            previous.append(java.util.UUID.randomUUID(), List.of(record("other 2")));
            previous.append(java.util.UUID.randomUUID(), List.of(record("other 3")));
        }
        sink.existingJobRuns = existing;
        sink.downFromAttempt = 3; // the first frame is refused for its missing parent, its other row written, then the database goes
        LogWriterConfig.Builder config = LogWriterConfig.builder("t").batchSize(10).flushInterval(Duration.ofMillis(10))
                .foreignKeyGracePeriod(Duration.ofMinutes(1)).shutdownGracePeriod(Duration.ofMillis(300));
        start(config);
        await().until(() -> sink.attempts.get() >= 3);
        assertThat(pipeline.stop()).isZero();
        assertThat(sink.messages()).containsExactly("other 1");

        sink.downFromAttempt = Integer.MAX_VALUE;
        existing.add(late);
        start(config);
        await().atMost(Duration.ofSeconds(20)).until(() -> !pipeline.isSpilling() && !pipeline.holdsBacklog());
        assertThat(sink.messages()).as("each once: the first frame, split, is not read again whole")
                .containsExactly("other 1", "late 1", "other 2", "other 3");
        assertThat(spoolFiles()).isZero();
    }
}

package io.stratal.logs.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import io.stratal.logs.pipeline.Batch;
import io.stratal.logs.pipeline.BatchSink;
import io.stratal.logs.pipeline.StatusListener;
import io.stratal.logs.pipeline.WriteException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Several writers: records routed by run and by thread, each keeping its order; counters summed. */
@Timeout(30)
class WritersTest {

    /** Each writer's sink keeps what it was given, in order, under the writer's name. */
    private final Map<String, List<LogRecord>> written = Collections.synchronizedMap(new HashMap<>());
    private final StatusListener quiet = new StatusListener() {
        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message) {
        }

        @Override
        public void error(String message, Throwable cause) {
        }
    };

    private BatchSink recording(String writer) {
        List<LogRecord> mine = Collections.synchronizedList(new ArrayList<>());
        written.put(writer, mine);
        return new BatchSink() {
            @Override
            public void write(Batch batch) {
                mine.addAll(batch.records());
            }

            @Override
            public void close() {
            }
        };
    }

    private static LogRecord line(UUID job, UUID task, String thread, String message) {
        LogType type = task != null ? LogType.TASK : job != null ? LogType.JOB : LogType.SYSTEM;
        return new LogRecord(type, job, task, Instant.now(), LogLevel.INFO, LogStream.STDOUT, message, "bench.Logger", thread, null);
    }

    @Test
    void eachRunAndEachThreadGoesThroughOneWriterInTheOrderItWasLogged() {
        LogWriter writer = LogWriter.start(LogWriterConfig.builder("W").sinkFactory((name, status) -> recording(name))
                .writers(3).flushInterval(Duration.ofMillis(10)).build(), quiet);
        List<UUID> jobs = new ArrayList<>();
        for (int j = 0; j < 24; j++) {
            jobs.add(UUID.randomUUID());
        }
        int lines = 0;
        for (int i = 0; i < 200; i++) {
            for (UUID job : jobs) {
                writer.offer(line(job, i % 2 == 0 ? null : new UUID(job.getLeastSignificantBits(), i), "t", job + " " + i));
                lines++;
            }
            for (int t = 0; t < 8; t++) {
                writer.offer(line(null, null, "thread-" + t, "thread-" + t + " " + i));
                lines++;
            }
        }
        int all = lines;
        await().atMost(Duration.ofSeconds(10)).until(() -> writer.stats().written() == all);
        writer.stop();

        assertThat(written).containsOnlyKeys("W-1", "W-2", "W-3");
        Map<String, String> writerOf = new HashMap<>();
        written.forEach((name, records) -> {
            assertThat(records).as("%s was given work", name).isNotEmpty();
            Map<String, Integer> last = new HashMap<>();
            for (LogRecord record : records) {
                String key = record.message().substring(0, record.message().indexOf(' '));
                int i = Integer.parseInt(record.message().substring(record.message().indexOf(' ') + 1));
                assertThat(writerOf.putIfAbsent(key, name)).as("%s in one writer", key).isIn(null, name);
                assertThat(i).as("%s in logging order", key).isGreaterThan(last.getOrDefault(key, -1));
                last.put(key, i);
            }
        });
        assertThat(writerOf).hasSize(24 + 8);
        assertThat(writer.mxBean().getRecordsWritten()).isEqualTo(all);
        assertThat(writer.mxBean().getBatches()).isEqualTo(writer.stats().batches()).isPositive();
        assertThat(writer.description()).endsWith("3 writers");
        assertThat(writer.stats().toString()).as("a report shows each writer's counts")
                .startsWith("writer 0: enqueued=").contains("; writer 1: ", "; writer 2: ")
                .contains("written=" + written.get("W-1").size(), "written=" + written.get("W-3").size());
    }

    /**
     * One hot run keeps its writer's queue full; runs placed beside it move to the idle writer once they pause
     * (nothing of theirs left in the queue), and every run keeps its order in the order the sinks committed.
     */
    @Test
    void runsBesideAHotOneLeaveItsWriterWhenTheyPauseAndEveryRunKeepsItsOrder() throws Exception {
        List<String> committed = Collections.synchronizedList(new ArrayList<>());
        LogWriter writer = LogWriter.start(LogWriterConfig.builder("R").sinkFactory((name, status) -> {
            BatchSink recorded = recording(name);
            return new BatchSink() {
                @Override
                public void write(Batch batch) throws WriteException {
                    LockSupport.parkNanos(batch.size() * 20_000L); // 20 µs a row: the hot run fills its writer's queue
                    recorded.write(batch);
                    batch.records().forEach(record -> committed.add(record.message()));
                }

                @Override
                public void close() {
                }
            };
        }).writers(2).batchSize(200).maxQueueBytes(2L * 1024 * 1024).flushInterval(Duration.ofMillis(10)).build(), quiet);
        UUID hot = UUID.randomUUID();
        List<UUID> quietRuns = new ArrayList<>();
        for (int q = 0; q < 16; q++) {
            quietRuns.add(UUID.randomUUID());
        }
        for (UUID run : quietRuns) { // placed first, on both writers, so that some are beside the hot run
            writer.offer(line(run, null, "q", run + " 0"));
        }
        writer.offer(line(hot, null, "hot", "hot 0"));
        AtomicBoolean hotLogging = new AtomicBoolean(true);
        int[] hotLines = {1};
        Thread hotThread = new Thread(() -> {
            while (hotLogging.get()) {
                writer.offer(line(hot, null, "hot", "hot " + hotLines[0]++));
            }
        }, "hot");
        hotThread.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> writer.queueBytes() > 1024 * 1024 / 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> quietRuns.stream().allMatch(run -> committed.contains(run + " 0")));
            for (UUID run : quietRuns) {
                writer.offer(line(run, null, "q", run + " 1"));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> quietRuns.stream().allMatch(run -> committed.contains(run + " 1")));
        } finally {
            hotLogging.set(false);
            hotThread.join();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> writer.stats().written() == hotLines[0] + 2L * quietRuns.size());
        writer.stop();

        String hotWriter = written.get("R-1").stream().anyMatch(record -> record.message().startsWith("hot")) ? "R-1" : "R-2";
        String otherWriter = hotWriter.equals("R-1") ? "R-2" : "R-1";
        assertThat(written.get(otherWriter)).as("the hot run stays on one writer")
                .noneMatch(record -> record.message().startsWith("hot"));
        long besideHot = quietRuns.stream().filter(run -> written.get(hotWriter).stream()
                .anyMatch(record -> record.message().equals(run + " 0"))).count();
        assertThat(besideHot).as("quiet runs were placed beside the hot one").isPositive();
        for (UUID run : quietRuns) {
            assertThat(written.get(otherWriter)).as("%s, after its pause, on the idle writer", run)
                    .anyMatch(record -> record.message().equals(run + " 1"));
        }
        assertThat(writer.routeMoves()).isEqualTo(besideHot);
        Map<String, Integer> last = new HashMap<>();
        for (String message : committed) {
            String key = message.substring(0, message.indexOf(' '));
            int i = Integer.parseInt(message.substring(message.indexOf(' ') + 1));
            assertThat(i).as("%s in logging order", key).isEqualTo(last.getOrDefault(key, -1) + 1);
            last.put(key, i);
        }
        assertThat(committed).hasSize(hotLines[0] + 2 * quietRuns.size());
    }

    @Test
    void oneWriterIsTodaysSinglePipeline() {
        LogWriter writer = LogWriter.start(LogWriterConfig.builder("One").sinkFactory((name, status) -> recording(name))
                .flushInterval(Duration.ofMillis(10)).build(), quiet);
        writer.offer(line(null, null, "main", "main 1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> writer.stats().written() == 1);
        writer.stop();
        assertThat(written).containsOnlyKeys("One");
    }

    @Test
    void aPoolSmallerThanTheWritersIsRefusedSayingWhatToSet() {
        assertThatThrownBy(() -> LogWriterConfig.builder("W").url("jdbc:postgresql://127.0.0.1:1/x", null, null)
                .writers(4).poolSize(2).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("poolSize 2 is below writers 4")
                .hasMessageContaining("set poolSize to at least 4");
    }

    /**
     * Runs with the writer counts {@code counts} follow each other over one spool directory; all but the last find
     * their database down, so they spool everything (from the second on, behind what they found on disk) and stop.
     * The last finds it up. Each run logs 60 more lines of the same job runs and threads. Every line is written once,
     * and in the order the sinks were given them, each run and each thread keeps its logging order across the
     * changes of writer count, even those that came while an earlier handover was not through.
     */
    @ParameterizedTest(name = "writers {0}")
    @ValueSource(strings = {"2 3", "2 1", "1 2", "2 2", "3 2", "1 2 2", "1 2 1", "2 1 3", "3 1 2"})
    void whatTheSpoolsHeldIsWrittenFirstWhateverTheWriterCountsWereBefore(String counts, @TempDir Path spool) throws Exception {
        int[] writers = Arrays.stream(counts.split(" ")).mapToInt(Integer::parseInt).toArray();
        List<UUID> jobs = new ArrayList<>();
        for (int j = 0; j < 12; j++) {
            jobs.add(UUID.randomUUID());
        }
        int logged = 0;
        for (int run = 0; run < writers.length - 1; run++) {
            LogWriter down = LogWriter.start(LogWriterConfig.builder("W").sinkFactory((name, status) -> unavailable())
                    .writers(writers[run]).spoolDirectory(spool).batchSize(50).flushInterval(Duration.ofMillis(10))
                    .shutdownGracePeriod(Duration.ofMillis(500)).build(), quiet);
            int lines = offerLines(down, jobs, 60 * run, 60 * (run + 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> down.stats().spooled() == lines);
            down.stop();
            logged += lines;
        }

        List<LogRecord> inOrder = Collections.synchronizedList(new ArrayList<>());
        LogWriter up = LogWriter.start(LogWriterConfig.builder("W").sinkFactory((name, status) -> appendingTo(inOrder))
                .writers(writers[writers.length - 1]).spoolDirectory(spool).batchSize(50).flushInterval(Duration.ofMillis(10))
                .build(), quiet);
        int spooled = logged;
        int all = logged + offerLines(up, jobs, 60 * (writers.length - 1), 60 * writers.length);
        await().atMost(Duration.ofSeconds(20)).until(() -> inOrder.size() >= all);
        up.stop();

        assertThat(inOrder).hasSize(all);
        Map<String, Integer> last = new HashMap<>();
        for (LogRecord record : inOrder) {
            String key = record.message().substring(0, record.message().indexOf(' '));
            int i = Integer.parseInt(record.message().substring(record.message().indexOf(' ') + 1));
            assertThat(i).as("%s in logging order", key).isGreaterThan(last.getOrDefault(key, -1));
            last.put(key, i);
        }
        assertThat(last).hasSize(jobs.size() + 4).allSatisfy((key, i) -> assertThat(i).isEqualTo(60 * writers.length - 1));
        assertThat(up.stats().replayed()).isGreaterThanOrEqualTo(spooled);
        try (var files = Files.walk(spool)) {
            assertThat(files.map(Path::toString)).as("nothing left on disk").noneMatch(name -> name.endsWith(".spool"));
        }
    }

    /** Lines {@code from} to {@code to} of each job run and of four threads' system records, interleaved. */
    private static int offerLines(LogWriter writer, List<UUID> jobs, int from, int to) {
        int lines = 0;
        for (int i = from; i < to; i++) {
            for (UUID job : jobs) {
                writer.offer(line(job, null, "t", job + " " + i));
                lines++;
            }
            for (int t = 0; t < 4; t++) {
                writer.offer(line(null, null, "thread-" + t, "thread-" + t + " " + i));
                lines++;
            }
        }
        return lines;
    }

    private static BatchSink unavailable() {
        return new BatchSink() {
            @Override
            public void write(Batch batch) throws WriteException {
                throw new WriteException(WriteException.Kind.UNAVAILABLE, "08006", "connection refused", null);
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * Every writer's sink appends to {@code all}: the order in which the writers "committed". Each write takes a
     * moment, so replaying what was on disk takes long enough that a writer not held back would overtake it.
     */
    private static BatchSink appendingTo(List<LogRecord> all) {
        return new BatchSink() {
            @Override
            public void write(Batch batch) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                all.addAll(batch.records());
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void twoWritersByDefaultWithAPoolOfItsOwnAndOneOnTheApplicationsConnections() {
        String url = "jdbc:postgresql://127.0.0.1:1/x";
        assertThat(LogWriterConfig.builder("W").url(url, null, null).build().writers()).isEqualTo(LogWriterConfig.DEFAULT_WRITERS)
                .isEqualTo(2);
        assertThat(LogWriterConfig.builder("W").url(url, null, null).poolSize(1).build().writers())
                .as("no more writers than the pool has connections").isEqualTo(1);
        assertThat(LogWriterConfig.builder("W").url(url, null, null).poolSize(8).build().writers()).isEqualTo(2);
        assertThat(LogWriterConfig.builder("W").dataSource(new org.postgresql.ds.PGSimpleDataSource()).build().writers())
                .as("the application's connections are lent, not taken two at a time").isEqualTo(1);
        assertThat(LogWriterConfig.builder("W").sinkFactory((name, status) -> recording(name)).build().writers()).isEqualTo(1);
        assertThat(LogWriterConfig.builder("W").url(url, null, null).poolSize(4).writers(3).build().writers()).isEqualTo(3);
    }

    @Test
    void writersAreBounded() {
        assertThatThrownBy(() -> LogWriterConfig.builder("W").writers(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogWriterConfig.builder("W").writers(17)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16");
    }
}

package io.stratal.logs.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.pipeline.PipelineMXBean;
import io.stratal.logs.testing.Burst;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TcpProxy;
import io.stratal.logs.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/**
 * Two writers through real PostgreSQL: under a burst from four threads over sixteen job runs, every record is
 * stored once and each run, and each thread's system lines, keep their logging order; a commit whose
 * confirmation is lost on one writer's connection is stored once (each writer's batches go through the ledger).
 */
@Timeout(120)
class WritersIT {

    private static final int THREADS = Burst.THREADS;
    private static final int RUNS_PER_THREAD = 4;
    private static final int LINES = 1_500;

    private TestDatabase db;
    private TcpProxy proxy;
    private final List<UUID> runs = new ArrayList<>();

    @BeforeEach
    void setUp() {
        db = TestDatabase.create().migrated();
        proxy = TcpProxy.inFrontOf(db.url());
        for (int i = 0; i < THREADS * RUNS_PER_THREAD; i++) {
            runs.add((UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('run " + i + "') RETURNING id"));
        }
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        db.close();
    }

    private LoggerContext appender(Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(Map.of("url", proxy.url(db.url()), "writers", "2", "batchSize", "200",
                "flushInterval", "20 milliseconds"));
        properties.putAll(extra);
        return LogbackContexts.fromResource("config/unified.xml", properties);
    }

    /** Each thread logs its runs' lines interleaved, and system lines of its own, numbered in logging order. */
    private void burst(LoggerContext context) throws InterruptedException {
        Burst.logLines(context, runs.stream().map(UUID::toString).toList(), 0, LINES);
    }

    private void assertEachKeyInOrderOnce() {
        assertEachKeyInOrderOnce(db, THREADS * LINES * 2, THREADS * RUNS_PER_THREAD + THREADS);
    }

    /**
     * The table holds {@code lines} rows whose messages are "key number", over {@code keys} keys (a run, a thread's
     * system lines): in id order each key's numbers rise, so each run and each thread kept its logging order.
     */
    static void assertEachKeyInOrderOnce(TestDatabase db, long lines, int keys) {
        List<Map<String, Object>> rows = db.query("SELECT message FROM logs ORDER BY id");
        assertThat(rows).hasSize(Math.toIntExact(lines));
        Map<String, Integer> last = new HashMap<>();
        for (Map<String, Object> row : rows) {
            String message = (String) row.get("message");
            String key = message.substring(0, message.indexOf(' '));
            int i = Integer.parseInt(message.substring(message.indexOf(' ') + 1));
            assertThat(i).as("%s in logging order", key).isGreaterThan(last.getOrDefault(key, -1));
            last.put(key, i);
        }
        assertThat(last).hasSize(keys);
    }

    @Test
    void everyRunAndThreadKeepsItsOrderAcrossTwoWriters() throws Exception {
        LoggerContext context = appender(Map.of());
        burst(context);
        context.stop();
        assertEachKeyInOrderOnce();
    }

    /**
     * While the burst goes on, one writer's connections are cut (mid-COPY, most likely) and refused for a while: the
     * other writer keeps committing its runs meanwhile, and once the cut one is back every line is stored once, each
     * key in order.
     */
    @Test
    void aWriterWhoseConnectionIsCutStallsNotTheOtherAndLosesNothing() throws Exception {
        LoggerContext context = appender(Map.of("maxBlockTime", "60 seconds"));
        UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        AtomicBoolean logging = new AtomicBoolean(true);
        int[] logged = new int[THREADS];
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                Logger log = context.getLogger("com.example.Steady");
                for (int i = 0; logging.get(); i++) {
                    UUID run = runs.get(thread * RUNS_PER_THREAD + i % RUNS_PER_THREAD);
                    MDC.put("job_run_id", run.toString());
                    log.info("{} {}", run, i);
                    MDC.remove("job_run_id");
                    log.info("system-{} {}", thread, i);
                    logged[thread] = i + 1;
                    LockSupport.parkNanos(200_000); // a steady stream, so both writers have work all along
                }
            }, "steady-" + t));
        }
        threads.forEach(Thread::start);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> db.count("SELECT count(*) FROM logs") >= 1_000);

            proxy.cutApplication("UNIFIED-1");
            PipelineMXBean first = appender.getWriterPipelines().get(0);
            PipelineMXBean second = appender.getWriterPipelines().get(1);
            long retriesBefore = first.getRetries();
            await().atMost(Duration.ofSeconds(30)).until(() -> first.getRetries() > retriesBefore);
            long firstWritten = first.getRecordsWritten();
            long secondWritten = second.getRecordsWritten();
            await("the other writer commits while the first is cut off").atMost(Duration.ofSeconds(30))
                    .until(() -> second.getRecordsWritten() >= secondWritten + 1_000);
            assertThat(first.getRecordsWritten()).as("the cut writer committed nothing").isEqualTo(firstWritten);
            assertThat(first.isDatabaseAvailable()).isFalse();
            assertThat(second.isDatabaseAvailable()).isTrue();
            assertThat(appender.getPipeline().isDatabaseAvailable()).as("the appender's database is away for one writer").isFalse();
        } finally {
            proxy.restore();
            logging.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
            try {
                // the cut writer's backlog is written at its pace, not within one shutdownGracePeriod of a loaded machine
                await().atMost(Duration.ofSeconds(90)).until(() -> appender.getStats().written() >= appender.getStats().enqueued());
            } finally {
                context.stop();
            }
        }
        int lines = 0;
        for (int n : logged) {
            lines += 2 * n;
        }
        assertEachKeyInOrderOnce(db, lines, THREADS * RUNS_PER_THREAD + THREADS);
        assertThat(appender.getStats().droppedTotal()).isZero();
    }

    @Test
    void aCommitWhoseConfirmationOneWriterLostIsStoredOnce() throws Exception {
        LoggerContext context = appender(Map.of());
        Logger log = context.getLogger("com.example.Warm");
        log.info("warm-up 0"); // the first batch creates the ledger through the proxy
        await().atMost(Duration.ofSeconds(20)).until(() -> (Boolean) db.scalar("SELECT to_regclass('stratal_batches') IS NOT NULL")
                && db.count("SELECT count(*) FROM logs") == 1);
        db.execute("DELETE FROM logs");

        CountDownLatch cut = proxy.cutAtNextCommit();
        burst(context);
        assertThat(cut.await(20, TimeUnit.SECONDS)).as("the proxy swallowed a COMMIT confirmation").isTrue();
        context.stop();
        assertEachKeyInOrderOnce();
    }
}

package io.stratal.logs.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
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

    private static final int THREADS = 4;
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
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                Logger log = context.getLogger("com.example.Burst");
                for (int i = 0; i < LINES; i++) {
                    UUID run = runs.get(thread * RUNS_PER_THREAD + i % RUNS_PER_THREAD);
                    MDC.put("job_run_id", run.toString());
                    log.info("{} {}", run, i);
                    MDC.remove("job_run_id");
                    log.info("system-{} {}", thread, i);
                }
            }, "burst-" + t));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
    }

    /** Every key (a run, a thread's system lines) in id order has its numbers rising, and all of them. */
    private void assertEachKeyInOrderOnce() {
        List<Map<String, Object>> rows = db.query("SELECT message FROM logs ORDER BY id");
        assertThat(rows).hasSize(THREADS * LINES * 2);
        Map<String, Integer> last = new HashMap<>();
        for (Map<String, Object> row : rows) {
            String message = (String) row.get("message");
            String key = message.substring(0, message.indexOf(' '));
            int i = Integer.parseInt(message.substring(message.indexOf(' ') + 1));
            assertThat(i).as("%s in logging order", key).isGreaterThan(last.getOrDefault(key, -1));
            last.put(key, i);
        }
        assertThat(last).hasSize(THREADS * RUNS_PER_THREAD + THREADS);
    }

    @Test
    void everyRunAndThreadKeepsItsOrderAcrossTwoWriters() throws Exception {
        LoggerContext context = appender(Map.of());
        burst(context);
        context.stop();
        assertEachKeyInOrderOnce();
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

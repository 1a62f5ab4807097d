package io.stratal.logs.faults;

import io.stratal.logs.pipeline.DropReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TcpProxy;
import io.stratal.logs.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

/** The link to the database is cut while the application keeps logging, then restored. */
@Timeout(120)
class OutageIT {

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    private TestDatabase db;
    private TcpProxy proxy;
    private LoggerContext context;

    @BeforeEach
    void setUp() {
        db = database.get();
        proxy = TcpProxy.inFrontOf(db.url());
    }

    @AfterEach
    void tearDown() {
        if (context != null) {
            context.stop();
        }
        proxy.close();
    }

    static void assertEveryLineOnceInOrder(TestDatabase db, int threads, int perThread) {
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo((long) threads * perThread);
        assertThat(db.count("SELECT count(DISTINCT message) FROM logs")).isEqualTo((long) threads * perThread);
        assertThat(db.count("SELECT count(*) FROM (SELECT split_part(message, ' n', 2)::int AS n, "
                + "lag(split_part(message, ' n', 2)::int) OVER (PARTITION BY job_run_id ORDER BY id) AS previous FROM logs) x "
                + "WHERE previous IS NOT NULL AND n <> previous + 1")).as("rows of each job run in logging order").isZero();
    }

    /** Each job run logs lines {@code from} to {@code to} on a thread of its own; returns when all are done. */
    static void logWave(Logger log, List<String> jobRunIds, int from, int to) throws InterruptedException {
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < jobRunIds.size(); t++) {
            String job = jobRunIds.get(t);
            int thread = t;
            workers.add(new Thread(() -> {
                MDC.put("job_run_id", job);
                for (int i = from; i < to; i++) {
                    log.info("t{} n{}", thread, i);
                }
                MDC.clear();
            }));
        }
        workers.forEach(Thread::start);
        for (Thread worker : workers) {
            worker.join();
        }
    }

    static List<String> jobRunIds(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(UUID.randomUUID().toString());
        }
        return ids;
    }

    @Test
    void tooManyConnectionsIsWaitedOut() throws Exception {
        String role = "stratal_limited_" + ProcessHandle.current().pid();
        db.execute("DROP ROLE IF EXISTS " + role, "CREATE ROLE " + role + " LOGIN CONNECTION LIMIT 0",
                "GRANT ALL ON SCHEMA public TO " + role);
        try {
            String url = db.url().replaceAll("user=[^&]*", "user=" + role);
            context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", url, "flushInterval", "50 milliseconds"));
            Logger log = context.getLogger("com.example.Limited");
            UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
            logWave(log, jobRunIds(1), 0, 100);
            await().atMost(Duration.ofSeconds(20)).until(() -> appender.getStats().retries() >= 2);
            assertThat(appender.getStats().lastError()).contains("53300");

            db.execute("ALTER ROLE " + role + " CONNECTION LIMIT -1");
            await().atMost(Duration.ofSeconds(30)).until(() -> appender.getStats().written() == 100);
            context.stop();
            assertEveryLineOnceInOrder(db, 1, 100);
        } finally {
            if (context != null) {
                context.stop();
            }
            db.execute("DROP OWNED BY " + role, "DROP ROLE IF EXISTS " + role);
        }
    }

    @Test
    void aQueueFilledFasterThanTheDatabaseDrainsItCountsEveryLineItDrops() throws Exception {
        context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url(), "batchSize", "200",
                "maxQueueBytes", "1 MB", "maxBlockTime", "0 milliseconds"));
        Logger log = context.getLogger("com.example.Flood");
        UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        logWave(log, jobRunIds(4), 0, 25_000);
        context.stop();

        long rows = db.count("SELECT count(*) FROM logs");
        long dropped = appender.getStats().dropped(io.stratal.logs.pipeline.DropReason.QUEUE_FULL);
        assertThat(dropped).as("a 1 MB queue cannot hold this flood").isPositive();
        assertThat(rows + dropped).as("every line is a row or a counted drop").isEqualTo(100_000);
        assertThat(appender.getStats().droppedTotal()).isEqualTo(dropped);
        assertThat(LogbackContexts.statusMessages(context, ch.qos.logback.core.status.Status.WARN))
                .anySatisfy(w -> assertThat(w).contains("queue_full").contains("maxQueueBytes"));
    }

    @Test
    void theDropPolicyShedsDebugBeforeWarnings() throws Exception {
        context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url(), "batchSize", "200",
                "maxQueueBytes", "1 MB", "overflowPolicy", "DROP"));
        Logger log = context.getLogger("com.example.Flood");
        UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        for (int i = 0; i < 50_000; i++) {
            log.debug("noise {}", i);
            if (i % 10 == 0) {
                log.warn("signal {}", i);
            }
        }
        context.stop();

        long debugRows = db.count("SELECT count(*) FROM logs WHERE level = 'debug'");
        long warnRows = db.count("SELECT count(*) FROM logs WHERE level = 'warn'");
        assertThat(appender.getStats().dropped(io.stratal.logs.pipeline.DropReason.LEVEL_SHED)).isPositive();
        assertThat(warnRows + appender.getStats().dropped(io.stratal.logs.pipeline.DropReason.QUEUE_FULL))
                .isEqualTo(5_000);
        assertThat((double) warnRows / 5_000).as("warnings survive").isGreaterThan((double) debugRows / 50_000);
    }

    @Test
    void linesLoggedWhileTheDatabaseIsUnreachableAreWrittenOnceItIsBack() throws Exception {
        context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", proxy.url(db.url()), "batchSize", "200",
                "flushInterval", "50 milliseconds"));
        Logger log = context.getLogger("com.example.Outage");
        UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        log.info("t9 n0");
        await().atMost(Duration.ofSeconds(20)).until(() -> appender.getStats().written() == 1);
        db.execute("DELETE FROM logs");

        List<String> jobs = jobRunIds(2);
        logWave(log, jobs, 0, 1_000);
        proxy.cut();
        logWave(log, jobs, 1_000, 2_000);
        await().atMost(Duration.ofSeconds(20)).until(() -> appender.getStats().retries() >= 3);
        logWave(log, jobs, 2_000, 2_500);
        proxy.restore();
        logWave(log, jobs, 2_500, 3_000);
        context.stop();

        assertEveryLineOnceInOrder(db, 2, 3_000);
        assertThat(appender.getStats().droppedTotal()).isZero();
    }
}

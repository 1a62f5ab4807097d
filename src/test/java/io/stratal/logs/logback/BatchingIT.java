package io.stratal.logs.logback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
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

/** When batches go out, how many transactions they take, and that stopping writes everything. */
@Timeout(120)
class BatchingIT {

    @RegisterExtension
    static final DatabaseExtension database = new DatabaseExtension();
    private static TestDatabase db;
    private LoggerContext context;

    @BeforeAll
    static void database() {
        db = database.get();
    }


    @BeforeEach
    void cleanTable() {
        db.execute("DROP TABLE IF EXISTS logs");
    }

    @AfterEach
    void stopContext() {
        if (context != null) {
            context.stop();
        }
    }

    private Logger start(int batchSize, String flushInterval) {
        context = LogbackContexts.fromResource("config/unified.xml",
                Map.of("url", db.url(), "batchSize", String.valueOf(batchSize), "flushInterval", flushInterval));
        return context.getLogger("com.example.Batch");
    }

    /** Rows committed by one transaction share its xmin: this counts transactions. */
    private static long transactions() {
        return db.count("SELECT count(DISTINCT xmin::text) FROM logs");
    }

    private static long rows() {
        return db.count("SELECT count(*) FROM logs");
    }

    @Test
    void aFullBatchIsWrittenAtOnceInOneTransaction() {
        Logger log = start(10, "1 hour");
        for (int i = 0; i < 25; i++) {
            log.info("line {}", i);
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> tableExists() && rows() == 20);
        assertThat(transactions()).isEqualTo(2);

        context.stop();
        assertThat(rows()).isEqualTo(25);
        assertThat(transactions()).isEqualTo(3);
    }

    @Test
    void aQuietRecordIsWrittenWhenTheFlushIntervalPasses() {
        Logger log = start(1000, "200 milliseconds");
        log.info("one");
        log.info("two");
        log.info("three");

        await().atMost(Duration.ofSeconds(20)).until(() -> tableExists() && rows() == 3);
        assertThat(transactions()).isEqualTo(1);
    }

    @Test
    void stoppingWritesEverythingQueuedByManyThreadsInLoggingOrderPerThread() throws Exception {
        Logger log = start(1000, "1 hour");
        int threads = 4;
        int perThread = 5_000;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String job = UUID.randomUUID().toString();
            int thread = t;
            workers.add(new Thread(() -> {
                MDC.put("job_run_id", job);
                for (int i = 0; i < perThread; i++) {
                    log.info("t{} n{}", thread, i);
                }
                MDC.clear();
            }));
        }
        workers.forEach(Thread::start);
        for (Thread worker : workers) {
            worker.join();
        }
        context.stop();

        assertThat(rows()).isEqualTo((long) threads * perThread);
        assertThat(db.count("SELECT count(DISTINCT message) FROM logs")).isEqualTo((long) threads * perThread);
        // per job run, ids follow logging order
        assertThat(db.count("SELECT count(*) FROM (SELECT split_part(message, ' n', 2)::int AS n, "
                + "lag(split_part(message, ' n', 2)::int) OVER (PARTITION BY job_run_id ORDER BY id) AS previous FROM logs) x "
                + "WHERE previous IS NOT NULL AND n <> previous + 1")).isZero();
        assertThat(db.count("SELECT count(DISTINCT job_run_id) FROM logs WHERE type = 'job'")).isEqualTo(threads);
    }

    private static boolean tableExists() {
        return (Boolean) db.scalar("SELECT to_regclass('logs') IS NOT NULL");
    }
}

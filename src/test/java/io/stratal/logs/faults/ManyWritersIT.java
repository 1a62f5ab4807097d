package io.stratal.logs.faults;

import static io.stratal.logs.faults.OutageIT.assertEveryLineOnceInOrder;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

/**
 * Eight application instances (each its own logback context, appender and pool) write into one table at
 * once, at their defaults: nothing is lost or stored twice, and each job run keeps its logging order.
 */
@Timeout(180)
class ManyWritersIT {

    private static final int INSTANCES = 8;
    private static final int LINES = 5_000;

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    private final List<LoggerContext> contexts = new ArrayList<>();

    @AfterEach
    void tearDown() {
        contexts.forEach(LoggerContext::stop);
    }

    @Test
    void eightInstancesIntoOneTableLoseNothingAndKeepEachRunsOrder() throws Exception {
        TestDatabase db = database.get();
        List<Logger> loggers = new ArrayList<>();
        List<UnifiedLogAppender> appenders = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            // the defaults of the library, bar the test's short maxBlockTime in unified.xml
            LoggerContext context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url(),
                    "maxBlockTime", "5 seconds"));
            contexts.add(context);
            loggers.add(context.getLogger("com.example.Instance" + i));
            appenders.add((UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED"));
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> instances = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            Logger log = loggers.get(i);
            int instance = i;
            String jobRun = UUID.randomUUID().toString();
            instances.add(new Thread(() -> {
                MDC.put("job_run_id", jobRun);
                try {
                    go.await();
                    for (int n = 0; n < LINES; n++) {
                        log.info("t{} n{}", instance, n);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    MDC.clear();
                }
            }));
        }
        instances.forEach(Thread::start);
        go.countDown();
        for (Thread instance : instances) {
            instance.join();
        }
        contexts.forEach(LoggerContext::stop);

        assertThat(appenders).allSatisfy(appender -> assertThat(appender.getStats().droppedTotal()).isZero());
        assertEveryLineOnceInOrder(db, INSTANCES, LINES);
        assertThat(db.count("SELECT count(DISTINCT job_run_id) FROM logs")).isEqualTo(INSTANCES);
    }
}

package io.stratal.logs.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.stratal.logs.testing.GlobalLogging;
import io.stratal.logs.testing.TestDatabase;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The appender in the JVM's own SLF4J context with everything at its most verbose: pgjdbc through the JUL
 * bridge at FINEST and HikariCP at DEBUG. Their events reach logback (a counting appender proves it) but
 * never the queue, so nothing loops and nothing deadlocks.
 */
@Timeout(120)
class RecursionIT {

    private static TestDatabase db;
    private static final AtomicInteger driverAndPoolEvents = new AtomicInteger();

    @BeforeAll
    static void createDatabase() {
        db = TestDatabase.create();
    }

    @AfterAll
    static void restoreLogging() throws Exception {
        SLF4JBridgeHandler.uninstall();
        java.util.logging.Logger.getLogger("org.postgresql").setLevel(null);
        GlobalLogging.restore();
        db.close();
    }

    @Test
    void driverAndPoolLoggingIntoTheSameAppenderNeitherLoopsNorDeadlocks() throws Exception {
        LoggerContext context = GlobalLogging.configure("config/unified.xml",
                Map.of("url", db.url(), "batchSize", "50", "flushInterval", "20 milliseconds"));
        CountingAppender counter = new CountingAppender();
        counter.setContext(context);
        counter.start();
        context.getLogger("org.postgresql").addAppender(counter);
        context.getLogger("com.zaxxer.hikari").addAppender(counter);

        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        java.util.logging.Logger.getLogger("org.postgresql").setLevel(Level.FINEST);

        Logger app = LoggerFactory.getLogger("com.example.App");
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 1_000; i++) {
                    app.debug("app line {} {}", thread, i);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        context.stop();

        assertThat(driverAndPoolEvents.get()).as("the driver and the pool did log into logback").isPositive();
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(2_000);
        assertThat(db.count("SELECT count(*) FROM logs WHERE metadata->'log'->>'logger' LIKE 'org.postgresql%' "
                + "OR metadata->'log'->>'logger' LIKE 'com.zaxxer%' OR metadata->'log'->>'thread' LIKE 'stratal-%'")).isZero();
    }

    private static final class CountingAppender extends AppenderBase<ILoggingEvent> {
        @Override
        protected void append(ILoggingEvent event) {
            driverAndPoolEvents.incrementAndGet();
        }
    }
}

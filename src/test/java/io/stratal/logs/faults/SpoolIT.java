package io.stratal.logs.faults;

import static io.stratal.logs.faults.OutageIT.assertEveryLineOnceInOrder;
import static io.stratal.logs.faults.OutageIT.jobRunIds;
import static io.stratal.logs.faults.OutageIT.logWave;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TcpProxy;
import io.stratal.logs.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Outages longer and larger than the queue, with a spool: nothing lost, nothing twice, order kept. */
@Timeout(120)
class SpoolIT {

    @TempDir
    Path spoolDirectory;
    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    private TestDatabase db;
    private TcpProxy proxy;
    private LoggerContext context;
    private UnifiedLogAppender appender;

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

    private Logger start(Map<String, String> extra) {
        Map<String, String> properties = new java.util.HashMap<>(Map.of("url", proxy.url(db.url()),
                "spoolDirectory", spoolDirectory.toString()));
        properties.putAll(extra);
        context = LogbackContexts.fromResource("config/spooled.xml", properties);
        appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        return context.getLogger("com.example.Spooled");
    }

    private void createTableThroughTheAppender(Logger log) {
        log.info("t9 n0");
        await().atMost(Duration.ofSeconds(20)).until(() -> appender.getStats().written() == 1);
        db.execute("DELETE FROM logs");
    }

    @Test
    void anOutageTwentyTimesLargerThanTheQueueLosesNothing() throws Exception {
        // A queue of 1 MB, so the outage must go to disk; callers wait for the spooler. The spooler holds its
        // lock while it forces the spool to disk, and on a busy CI disk one fsync has taken seconds: a short
        // maxBlockTime would then drop records as database_stalled, which is its job (BurstIT tests that), not
        // this test's subject.
        Logger log = start(Map.of("maxQueueBytes", "1 MB", "maxBlockTime", "30 seconds"));
        createTableThroughTheAppender(log);
        List<String> jobs = jobRunIds(2);
        logWave(log, jobs, 0, 500);

        proxy.cut();
        logWave(log, jobs, 500, 20_000); // about 20 MB of records in flight against a 1 MB queue
        assertThat(appender.getStats().spooled()).isGreaterThan(30_000);
        proxy.restore();
        logWave(log, jobs, 20_000, 20_500);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(appender.getStats().written())
                .as("written rows; stats %s", appender.getStats()).isEqualTo(1 + 2 * 20_500));
        assertThat(appender.getStats().replayed()).isEqualTo(appender.getStats().spooled());
        context.stop();

        assertEveryLineOnceInOrder(db, 2, 20_500);
        assertThat(appender.getStats().droppedTotal()).isZero();
    }

    @Test
    void whatAStopWithTheDatabaseDownLeavesOnDiskIsWrittenAtTheNextStart() throws Exception {
        Logger log = start(Map.of());
        createTableThroughTheAppender(log);
        List<String> jobs = jobRunIds(1);
        logWave(log, jobs, 0, 100);
        await().until(() -> appender.getStats().written() >= 101);

        proxy.cut();
        logWave(log, jobs, 100, 3_000);
        long started = System.nanoTime();
        context.stop();
        assertThat((System.nanoTime() - started) / 1_000_000).as("stop keeps to shutdownGracePeriod").isLessThan(6_000);
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(100);

        long spooled = appender.getStats().spooled();
        assertThat(spooled).as("all that was not written went to disk").isEqualTo(2_900);

        proxy.restore();
        log = start(Map.of());
        logWave(log, jobs, 3_000, 3_100);
        // The stop's grace period is short (2 s, less a margin); on a loaded machine the replay may need more,
        // and what it cannot write stays on disk for the next start. So wait for the rows, then stop.
        UnifiedLogAppender restarted = appender;
        await().atMost(Duration.ofSeconds(30)).until(() -> restarted.getStats().written() == spooled + 100);
        assertThat(restarted.getStats().replayed()).as("the spool before new records").isGreaterThanOrEqualTo(spooled);
        context.stop();

        assertEveryLineOnceInOrder(db, 1, 3_100);
    }
}

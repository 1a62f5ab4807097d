package io.stratal.logs.logback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stratal.logs.pipeline.PipelineMXBean;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TestDatabase;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The appender's counters, read as an operator would: through JMX and through Micrometer. */
@Timeout(60)
class ObservabilityIT {

    private TestDatabase db;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void setUp() {
        db = TestDatabase.create();
        Metrics.addRegistry(registry);
    }

    @AfterEach
    void tearDown() {
        Metrics.removeRegistry(registry);
        db.close();
    }

    @Test
    void countersAreVisibleThroughJmxAndMicrometerAndGoAwayOnStop() throws Exception {
        LoggerContext context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url(), "batchSize", "10"));
        UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        for (int i = 0; i < 100; i++) {
            context.getLogger("com.example.Metered").info("line {}", i);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> appender.getStats().written() == 100);

        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = Observability.objectName(context.getName(), "UNIFIED");
        assertThat(server.getAttribute(name, "RecordsWritten")).isEqualTo(100L);
        assertThat(server.getAttribute(name, "RecordsEnqueued")).isEqualTo(100L);
        assertThat(server.getAttribute(name, "DatabaseAvailable")).isEqualTo(true);
        assertThat((Long) server.getAttribute(name, "Batches")).isGreaterThanOrEqualTo(10L);
        assertThat(server.getAttribute(name, "LastWriteTime")).isNotNull();
        TabularData dropped = (TabularData) server.getAttribute(name, "RecordsDroppedByReason");
        assertThat(dropped.size()).isGreaterThanOrEqualTo(5);

        assertThat(registry.get("stratal.logs.records").tag("appender", "UNIFIED").tag("state", "written")
                .functionCounter().count()).isEqualTo(100.0);
        assertThat(registry.get("stratal.logs.records.dropped").tag("reason", "queue_full").functionCounter().count()).isZero();
        assertThat(registry.get("stratal.logs.database.available").gauge().value()).isEqualTo(1.0);

        context.stop();
        assertThat(server.isRegistered(name)).isFalse();
        assertThat(registry.find("stratal.logs.records").meters()).isEmpty();
    }

    @Test
    void appendersOfOneNameInTwoContextsEachHaveTheirMeters() {
        LoggerContext first = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url(), "batchSize", "10"));
        LoggerContext second = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url(), "batchSize", "10"));
        try {
            for (int i = 0; i < 30; i++) {
                first.getLogger("com.example.First").info("line {}", i);
            }
            for (int i = 0; i < 20; i++) {
                second.getLogger("com.example.Second").info("line {}", i);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> written(first) == 30 && written(second) == 20);
            assertThat(registry.get("stratal.logs.records").tag("context", first.getName()).tag("state", "written")
                    .functionCounter().count()).isEqualTo(30.0);
            assertThat(registry.get("stratal.logs.records").tag("context", second.getName()).tag("state", "written")
                    .functionCounter().count()).isEqualTo(20.0);
        } finally {
            first.stop();
            second.stop();
        }
    }

    @Test
    void eachOfSeveralWritersHasItsJmxBeanAndMetersThatAddUpToTheAppenders() throws Exception {
        LoggerContext context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url(), "batchSize", "10",
                "writers", "2"));
        UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 25; i++) {
                    context.getLogger("com.example.Metered").info("line {}", i);
                }
            }, "metered-" + t); // system lines are routed by thread: eight threads reach both writers
            thread.start();
            thread.join();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> appender.getStats().written() == 200);

        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        long[] jmx = new long[2];
        double[] meters = new double[2];
        for (int k = 1; k <= 2; k++) {
            ObjectName name = Observability.writerName(context.getName(), "UNIFIED", k);
            assertThat(server.getAttribute(name, "DatabaseAvailable")).isEqualTo(true);
            jmx[k - 1] = (Long) server.getAttribute(name, "RecordsWritten");
            meters[k - 1] = registry.get("stratal.logs.writer.records.written").tag("context", context.getName())
                    .tag("writer", Integer.toString(k)).functionCounter().count();
            assertThat(registry.get("stratal.logs.writer.database.available").tag("context", context.getName())
                    .tag("writer", Integer.toString(k)).gauge().value()).isEqualTo(1.0);
        }
        assertThat(jmx[0]).as("both writers got lines").isPositive();
        assertThat(jmx[1]).isPositive();
        assertThat(jmx[0] + jmx[1]).isEqualTo(200L);
        assertThat(meters[0] + meters[1]).isEqualTo(200.0);
        assertThat(appender.getWriterPipelines()).extracting(PipelineMXBean::getRecordsWritten).containsExactly(jmx[0], jmx[1]);
        assertThat(server.getAttribute(Observability.objectName(context.getName(), "UNIFIED"), "RecordsWritten")).isEqualTo(200L);

        context.stop();
        assertThat(server.isRegistered(Observability.writerName(context.getName(), "UNIFIED", 1))).isFalse();
        assertThat(registry.find("stratal.logs.writer.records.written").tag("context", context.getName()).meters()).isEmpty();
    }

    @Test
    void oneWriterHasNoPerWriterBeanOrMeter() {
        LoggerContext context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url()));
        try {
            assertThat(ManagementFactory.getPlatformMBeanServer()
                    .isRegistered(Observability.writerName(context.getName(), "UNIFIED", 1))).isFalse();
            assertThat(registry.find("stratal.logs.records").tag("context", context.getName()).meters()).isNotEmpty();
            assertThat(registry.find("stratal.logs.writer.records.written").tag("context", context.getName()).meters()).isEmpty();
        } finally {
            context.stop();
        }
    }

    private static long written(LoggerContext context) {
        return ((UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED")).getPipeline().getRecordsWritten();
    }
}

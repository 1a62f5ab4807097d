package io.stratal.logs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.stratal.logs.spring.boot.sample.SampleApplication;
import io.stratal.logs.testing.TcpProxy;
import io.stratal.logs.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The {@code stratalLogs} health contributor and the meters, read as an operator reads them: over the
 * actuator's HTTP endpoint and from the application's {@code MeterRegistry}, while the logs database is cut
 * off behind a proxy (the application's own database is not) and after it is back.
 */
class HealthAndMetricsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger log = LoggerFactory.getLogger("com.example.Outage");

    private TestDatabase db;
    private TcpProxy proxy;
    private ConfigurableApplicationContext app;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() {
        db = TestDatabase.create();
        proxy = TcpProxy.inFrontOf(db.url());
    }

    @AfterEach
    void tearDown() {
        if (app != null) {
            app.close();
        }
        // Spring Boot stops logging only when the JVM exits: stop the appender now, so that its spool lets go of the
        // test's temporary directory before JUnit deletes it, and the next test starts its own
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
            io.stratal.logs.logback.UnifiedLogAppender appender = StratalLogsLoggingListener.attached(context);
            if (appender != null) {
                context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(appender);
                appender.stop();
            }
        }
        proxy.close();
        db.close();
    }

    private void start(String... more) {
        String[] properties = {
                "spring.datasource.url=" + db.url(),
                "stratal.logs.url=" + proxy.url(db.url()),
                "stratal.logs.flush-interval=100ms",
                "server.port=0",
                "management.endpoints.web.exposure.include=health",
                "management.endpoint.health.show-details=always"};
        app = new SpringApplicationBuilder(SampleApplication.class).properties(properties).properties(more).run();
    }

    private JsonNode health() throws Exception {
        String port = app.getEnvironment().getProperty("local.server.port");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/health/stratalLogs")).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private String status() throws Exception {
        return health().path("status").asText();
    }

    @Test
    void healthIsUpWhileBatchesCommitDownWhileTheDatabaseIsUnreachableAndUpAgainWithNothingLost() throws Exception {
        start();
        log.info("before the outage");
        await().atMost(Duration.ofSeconds(30)).until(() -> db.count("SELECT count(*) FROM logs WHERE message = 'before the outage'") == 1);
        JsonNode up = health();
        assertThat(up.path("status").asText()).isEqualTo("UP");
        assertThat(up.path("details").path("database").asText()).isEqualTo("available");
        assertThat(up.path("details").has("lastCommitAge")).isTrue();
        assertThat(up.path("details").path("dropped").size()).isZero();

        MeterRegistry registry = app.getBean(MeterRegistry.class);
        assertThat(registry.get("stratal.logs.records").tag("appender", "STRATAL").tag("state", "written")
                .functionCounter().count()).isGreaterThan(0);
        assertThat(registry.get("stratal.logs.database.available").gauge().value()).isEqualTo(1.0);

        proxy.cut();
        for (int i = 0; i < 50; i++) {
            log.info("during the outage {}", i);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> "DOWN".equals(status()));
        JsonNode down = health();
        assertThat(down.path("details").path("database").asText()).isEqualTo("unreachable");
        assertThat(down.path("details").path("queuedBytes").asLong()).isGreaterThan(0);
        assertThat(registry.get("stratal.logs.database.available").gauge().value()).isZero();

        proxy.restore();
        await().atMost(Duration.ofSeconds(60)).until(() -> "UP".equals(status()));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> db.count("SELECT count(*) FROM logs WHERE message LIKE 'during the outage %'") == 50);
        assertThat(health().path("details").path("dropped").size()).isZero();
    }

    @Test
    void aSpoolAbsorbingTheOutageIsReportedAsSpoolingAndLosesNothing(@TempDir Path spool) throws Exception {
        start("stratal.logs.spool-directory=" + spool);
        log.info("before the outage");
        await().atMost(Duration.ofSeconds(30)).until(() -> db.count("SELECT count(*) FROM logs WHERE message = 'before the outage'") == 1);
        assertThat(status()).isEqualTo("UP");

        proxy.cut();
        for (int i = 0; i < 50; i++) {
            log.info("spooled during the outage {}", i);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> HealthReport.SPOOLING.equals(status()));
        assertThat(health().path("details").path("database").asText()).isEqualTo("unreachable");

        proxy.restore();
        await().atMost(Duration.ofSeconds(60)).until(() -> "UP".equals(status()));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> db.count("SELECT count(*) FROM logs WHERE message LIKE 'spooled during the outage %'") == 50);
    }

    @Test
    void withTwoWritersEachWritersMetersAddUpToTheAppenders() throws Exception {
        start("stratal.logs.writers=2");
        for (int i = 0; i < 40; i++) {
            Thread thread = new Thread(() -> log.info("from a thread of its own"), "worker-" + i); // a thread each: both writers
            thread.start();
            thread.join();
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> db.count("SELECT count(*) FROM logs WHERE message = 'from a thread of its own'") == 40);
        MeterRegistry registry = app.getBean(MeterRegistry.class);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            double first = registry.get("stratal.logs.writer.records.written").tag("writer", "1").functionCounter().count();
            double second = registry.get("stratal.logs.writer.records.written").tag("writer", "2").functionCounter().count();
            double all = registry.get("stratal.logs.records").tag("appender", "STRATAL").tag("state", "written")
                    .functionCounter().count();
            assertThat(first).isPositive();
            assertThat(second).isPositive();
            assertThat(first + second).isEqualTo(all);
        });
        assertThat(registry.get("stratal.logs.writer.database.available").tag("writer", "2").gauge().value()).isEqualTo(1.0);
    }
}

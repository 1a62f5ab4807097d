package io.stratal.logs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.PrometheusText;
import io.stratal.logs.testing.RawHttp;
import io.stratal.logs.testing.TcpProxy;
import io.stratal.logs.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /metrics} on a real server over a real PostgreSQL: the counts against the rows inserted, and its guard. */
@Timeout(90)
class MetricsIT {

    /** Dated rows: on the partitioned table (the {@code partitioned} run of this test) a row needs its timestamp. */
    private static final String NOW = "(now() AT TIME ZONE 'UTC')";

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private TestDatabase db;
    private LogServer server;
    private UUID jobA;
    private UUID jobB;

    @BeforeEach
    void setUp() {
        db = database.get().migrated();
        jobA = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('a') RETURNING id");
        jobB = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('b') RETURNING id");
        db.execute("INSERT INTO logs (type, timestamp, message) VALUES ('system', " + NOW + ", 'before the server started')");
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    private LogServer start(LogServer.Builder builder) {
        server = builder.port(0).pollInterval(Duration.ofMillis(100)).start();
        return server;
    }

    private LogServer.Builder metered() {
        return LogServer.builder(db.dataSource()).metrics(true);
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private PrometheusText scrape(String... headers) throws Exception {
        HttpResponse<String> response = get("/metrics", headers);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return PrometheusText.parse(response.body());
    }

    private void insert(String type, UUID job, String level, int rows) {
        db.execute("INSERT INTO logs (type, job_run_id, level, timestamp, message) SELECT '" + type + "', "
                + (job == null ? "NULL" : "'" + job + "'") + ", '" + level + "', " + NOW + ", 'line ' || g FROM generate_series(1, " + rows + ") g");
    }

    @Test
    void rowsAreCountedByTypeAndLevelFromTheServersStart() throws Exception {
        start(metered());
        insert("system", null, "info", 7);
        insert("job", jobA, "error", 3);
        insert("job", jobB, "warn", 2);
        insert("system", null, "debug", 1);

        await().atMost(Duration.ofSeconds(20)).until(() -> scrape().value("stratal_logs_rows_total") == 13);
        PrometheusText metrics = scrape();
        assertThat(metrics.value("stratal_logs_rows_total", "type", "system", "level", "info")).isEqualTo(7);
        assertThat(metrics.value("stratal_logs_rows_total", "type", "job", "level", "error")).isEqualTo(3);
        assertThat(metrics.value("stratal_logs_rows_total", "type", "job", "level", "warn")).isEqualTo(2);
        assertThat(metrics.value("stratal_logs_rows_total", "type", "system", "level", "debug")).isEqualTo(1);
        assertThat(metrics.samples("stratal_logs_rows_total")).as("every type and level, zeros too").hasSize(12);
    }

    @Test
    void jobRunsAreTwoNumbersNeverASeriesPerRun() throws Exception {
        start(metered());
        insert("job", jobA, "info", 5);
        insert("job", jobA, "error", 1);
        insert("job", jobB, "info", 5);

        await().atMost(Duration.ofSeconds(20)).until(() -> scrape().value("stratal_logs_job_runs_active") == 2);
        PrometheusText metrics = scrape();
        assertThat(metrics.value("stratal_logs_job_runs_with_errors")).isEqualTo(1);
        assertThat(metrics.samples("stratal_logs_job_runs_active")).hasSize(1);
        assertThat(metrics.samples("stratal_logs_job_runs_with_errors")).hasSize(1);
        assertThat(scrapeText()).doesNotContain(jobA.toString()).doesNotContain(jobB.toString());
    }

    private String scrapeText() throws Exception {
        return get("/metrics").body();
    }

    @Test
    void theTablesSizeAndTheFeedsHealthAreServed() throws Exception {
        start(metered());
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> scrape().value("stratal_logs_table_bytes") > 0);
        } catch (RuntimeException e) {
            throw new AssertionError(scrapeText(), e);
        }
        PrometheusText metrics = scrape();
        // every partition's heap at least, on the partitioned table too (whose parent holds nothing)
        long heap = ((Number) db.scalar("SELECT sum(pg_relation_size(r)) FROM (SELECT 'logs'::regclass AS r UNION ALL"
                + " SELECT relid FROM pg_partition_tree('logs') WHERE relid <> 'logs'::regclass) t")).longValue();
        assertThat(heap).isPositive();
        assertThat(metrics.value("stratal_logs_table_bytes")).isGreaterThanOrEqualTo(heap);
        assertThat(metrics.value("stratal_logs_feed_up")).isEqualTo(1);
        assertThat(metrics.value("stratal_logs_feed_lag_seconds")).isBetween(0.0, 10.0);
        assertThat(metrics.value("stratal_logs_stream_clients")).isZero();
        assertThat(metrics.names()).contains("process_cpu_usage", "jvm_memory_used_bytes");
    }

    @Test
    void rowsThatArriveDuringAFeedReconnectAreCountedOnceAndNoneIsMissed() throws Exception {
        try (TcpProxy proxy = TcpProxy.inFrontOf(db.url())) {
            String viaProxy = proxy.url(db.url());
            start(metered().listenConnections(() -> DriverManager.getConnection(viaProxy)));
            insert("system", null, "info", 10);
            await().atMost(Duration.ofSeconds(20)).until(() -> scrape().value("stratal_logs_rows_total") == 10);

            try (Connection late = DriverManager.getConnection(db.url())) {
                late.setAutoCommit(false);
                try (Statement statement = late.createStatement()) { // lower ids, committed after the newer rows
                    statement.execute("INSERT INTO logs (type, level, timestamp, message) SELECT 'system', 'error', " + NOW
                            + ", 'late ' || g FROM generate_series(1, 4) g");
                }
                insert("job", jobA, "info", 5);
                await().atMost(Duration.ofSeconds(20)).until(() -> scrape().value("stratal_logs_rows_total") == 15);

                proxy.cut();
                await().atMost(Duration.ofSeconds(20)).until(() -> scrape().value("stratal_logs_feed_up") == 0);
                insert("system", null, "warn", 6);
                late.commit();
            }
            proxy.restore();

            await().atMost(Duration.ofSeconds(30)).until(() -> scrape().value("stratal_logs_rows_total") == 25);
            long polls = server.feedPolls();
            await().atMost(Duration.ofSeconds(20)).until(() -> server.feedPolls() > polls + 5);
            PrometheusText metrics = scrape();
            assertThat(metrics.value("stratal_logs_rows_total")).as("none counted twice").isEqualTo(25);
            assertThat(metrics.value("stratal_logs_rows_total", "type", "system", "level", "error")).isEqualTo(4);
            assertThat(metrics.value("stratal_logs_rows_total", "type", "system", "level", "warn")).isEqualTo(6);
            assertThat(metrics.value("stratal_logs_rows_total", "type", "job", "level", "info")).isEqualTo(5);
            assertThat(metrics.value("stratal_logs_feed_up")).isEqualTo(1);
        }
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(26); // with the row from before the start
    }

    @Test
    void metricsAnswerOnlyWhatTheApiAnswers() throws Exception {
        start(metered().token("s3cret"));

        HttpResponse<String> noToken = get("/metrics");
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(noToken.body()).doesNotContain("stratal_logs");
        assertThat(get("/metrics", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);

        // Prometheus's "authorization: credentials: <token>" sends exactly this
        HttpResponse<String> scrape = get("/metrics", "Authorization", "Bearer s3cret");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(scrape.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(scrape.body()).contains("stratal_logs_rows_total");

        RawHttp.Answer foreignHost = RawHttp.get(server.port(), "/metrics",
                Map.of("Host", "attacker.example", "Authorization", "Bearer s3cret"));
        assertThat(foreignHost.status()).as("DNS rebinding").isEqualTo(403);
        assertThat(foreignHost.body()).doesNotContain("stratal_logs");

        for (String path : new String[] {"/metrics/", "//metrics", "/metrics//", "/%6detrics"}) {
            HttpResponse<String> other = get(path);
            assertThat(other.statusCode()).as(path).isIn(401, 404);
            assertThat(other.body()).as(path).doesNotContain("stratal_logs");
            RawHttp.Answer rebound = RawHttp.get(server.port(), path, Map.of("Host", "attacker.example"));
            assertThat(rebound.body()).as(path).doesNotContain("stratal_logs");
        }
        assertThat(RawHttp.head(server.port(), "/metrics", Map.of("Host", "127.0.0.1", "Authorization", "Bearer s3cret"))
                .status()).isEqualTo(405);
        assertThat(get("/metrics?x=1&x=2", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(400);

        HttpResponse<String> foreignPage = get("/metrics", "Authorization", "Bearer s3cret", "Origin", "https://attacker.example");
        assertThat(foreignPage.statusCode()).isEqualTo(403);
        assertThat(foreignPage.body()).doesNotContain("stratal_logs");
        assertThat(get("/metrics", "Authorization", "Bearer s3cret", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "no-cors")
                .statusCode()).isEqualTo(403);
    }

    @Test
    void aServerServesNoMetricsUnlessAskedTo() throws Exception {
        start(LogServer.builder(db.dataSource()));
        assertThat(server.servesMetrics()).isFalse();
        assertThat(get("/metrics").statusCode()).isEqualTo(404);
    }

    @Test
    void anAppenderInTheSameJvmIsServedWithItsPrometheusNames() throws Exception {
        start(metered());
        LoggerContext context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url(), "batchSize", "10"));
        try {
            for (int i = 0; i < 20; i++) {
                context.getLogger("com.example.Metered").info("line {}", i);
            }
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    scrape().value("stratal_logs_records_total", "appender", "UNIFIED", "state", "written") == 20);
            PrometheusText metrics = scrape();
            for (String name : new String[] {"stratal_logs_records_dropped_total", "stratal_logs_calls_blocked_total",
                    "stratal_logs_queue_size", "stratal_logs_queue_bytes", "stratal_logs_spool_bytes",
                    "stratal_logs_database_available", "stratal_logs_last_commit_age_seconds"}) {
                assertThat(metrics.samples(name, "appender", "UNIFIED")).as(name).isNotEmpty();
            }
            assertThat(metrics.value("stratal_logs_database_available", "appender", "UNIFIED")).isEqualTo(1);
            Matcher named = Pattern.compile("\\bstratal_logs_[a-z_]+").matcher(
                    Files.readString(Path.of("ops/prometheus/stratal-logs.rules.yml")));
            while (named.find()) {
                assertThat(metrics.names()).as("the rules use %s", named.group()).contains(named.group());
            }
            assertThat(metrics.value("stratal_logs_last_commit_age_seconds", "appender", "UNIFIED")).isBetween(0.0, 20.0);
        } finally {
            context.stop();
        }
        assertThat(scrapeText()).as("a stopped appender leaves no meters behind").doesNotContain("appender=\"UNIFIED\"");
    }
}

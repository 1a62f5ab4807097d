package io.stratal.logs.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stratal.logs.testing.CliProcess;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TcpProxy;
import io.stratal.logs.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped rules in a real Prometheus (Debian's binary, a free port, a temporary data directory) that scrapes
 * a real {@code serve} (with its token, through Prometheus's {@code authorization} setting) and an application's
 * appender (its meters in a Micrometer Prometheus registry, as Spring Boot's would be). Error lines make
 * {@code StratalLogsErrorRateHigh} fire; a database cut away under the appender makes
 * {@code StratalLogsAppenderStalled} fire. Only their {@code for:} (and the stall's 5 minutes) are shortened.
 */
@Timeout(300)
class PrometheusAlertsIT {

    private static final String TOKEN = "prom-s3cret";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final List<AutoCloseable> started = new ArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    @Test
    void errorLinesAndAStalledAppenderFireTheirAlertsInARealPrometheus() throws Exception {
        Path prometheus = OpsTools.require("prometheus", "prometheus");
        TestDatabase db = TestDatabase.create().migrated();
        started.add(db);
        TcpProxy proxy = TcpProxy.inFrontOf(db.url());
        started.add(proxy);

        CliProcess serve = CliProcess.start("serve", "--url", db.url(), "--port", "0", "--token", TOKEN, "--poll-interval", "200ms");
        started.add(serve);
        String serving = serve.awaitLine("Serving ");
        assertThat(serving).as(serve.output()).isNotNull();
        int servePort = CliProcess.port(serving);

        int appPort = application();
        LoggerContext context = LogbackContexts.fromResource("config/unified.xml",
                Map.of("url", proxy.url(db.url()), "flushInterval", "100 milliseconds", "maxBlockTime", "0 milliseconds"));
        started.add(context::stop);
        started.add(proxy::restore); // before the context stops: let it deliver what waits

        int prometheusPort = freePort();
        writeConfig(servePort, appPort);
        startPrometheus(prometheus, prometheusPort);

        Logger job = context.getLogger("com.example.NightlyJob");
        AtomicInteger row = new AtomicInteger();
        ScheduledExecutorService lines = Executors.newSingleThreadScheduledExecutor();
        lines.scheduleAtFixedRate(() -> { // an error line and an info line every 50 ms, until the test ends
            int i = row.incrementAndGet();
            job.error("row {} failed validation", i);
            job.info("row {} read", i);
        }, 0, 50, TimeUnit.MILLISECONDS);
        started.add(() -> {
            lines.shutdownNow();
            lines.awaitTermination(10, TimeUnit.SECONDS);
        });

        JsonNode errorRate = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> firing(prometheusPort, "StratalLogsErrorRateHigh"), alert -> alert != null);
        assertThat(errorRate.at("/labels/job").asText()).isEqualTo("stratal-logs-server");
        assertThat(errorRate.at("/labels/severity").asText()).isEqualTo("warning");
        assertThat(errorRate.at("/annotations/summary").asText()).isEqualTo("50% of the log lines are errors");
        assertThat(errorRate.at("/annotations/viewer").asText()).isEqualTo("http://127.0.0.1:" + servePort + "/?errors=only");
        assertThat(firing(prometheusPort, "StratalLogsAppenderStalled")).as("the appender commits").isNull();

        proxy.cut();
        JsonNode stalled = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> firing(prometheusPort, "StratalLogsAppenderStalled"), alert -> alert != null);
        assertThat(stalled.at("/labels/job").asText()).isEqualTo("application");
        assertThat(stalled.at("/labels/appender").asText()).isEqualTo("UNIFIED");
        assertThat(stalled.at("/labels/severity").asText()).isEqualTo("critical");
        assertThat(query(prometheusPort, "stratal_logs_database_available{job=\"application\"}")).isEqualTo(0.0);
    }

    /** The application's side: its meters (the appender binds them to Micrometer's global registry) at /metrics. */
    private int application() throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Metrics.addRegistry(registry);
        started.add(() -> Metrics.removeRegistry(registry));
        Javalin server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
        }).start();
        started.add(server::stop);
        return server.port();
    }

    private void writeConfig(int servePort, int appPort) throws IOException {
        String rules = Files.readString(OpsTools.RULES);
        rules = OpsTools.changeAlert(rules, "StratalLogsErrorRateHigh", "for: 10m", "for: 5s");
        rules = OpsTools.changeAlert(rules, "StratalLogsAppenderStalled",
                "stratal_logs_last_commit_age_seconds > 300", "stratal_logs_last_commit_age_seconds > 5", "for: 1m", "for: 2s");
        Files.writeString(dir.resolve("rules.yml"), rules);
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - rules.yml
                scrape_configs:
                  - job_name: stratal-logs-server
                    authorization:
                      credentials: %s
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                  - job_name: application
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(TOKEN, servePort, appPort));
    }

    private void startPrometheus(Path binary, int port) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + data, "--web.listen-address=127.0.0.1:" + port)
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        started.add(() -> {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        });
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            assertThat(process.isAlive()).as(Files.readString(dir.resolve("prometheus.log"))).isTrue();
            return get(port, "/-/ready").statusCode() == 200;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode targets = json.readTree(get(port, "/api/v1/targets").body()).at("/data/activeTargets");
            int up = 0;
            for (JsonNode target : targets) {
                up += "up".equals(target.get("health").asText()) ? 1 : 0;
            }
            return up == 2;
        });
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The firing alert of that name, as Prometheus's /api/v1/alerts lists it; {@code null} when none fires. */
    private JsonNode firing(int port, String name) throws Exception {
        for (JsonNode alert : json.readTree(get(port, "/api/v1/alerts").body()).at("/data/alerts")) {
            if (name.equals(alert.at("/labels/alertname").asText()) && "firing".equals(alert.get("state").asText())) {
                return alert;
            }
        }
        return null;
    }

    private double query(int port, String promql) throws Exception {
        String encoded = java.net.URLEncoder.encode(promql, StandardCharsets.UTF_8);
        JsonNode result = json.readTree(get(port, "/api/v1/query?query=" + encoded).body()).at("/data/result");
        assertThat(result).as(promql).hasSize(1);
        return Double.parseDouble(result.get(0).get("value").get(1).asText());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

package io.stratal.logs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratal.logs.schema.Migrations;
import io.stratal.logs.testing.CliProcess;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.StreamingReplica;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/**
 * {@code serve} on a hot standby: a primary and a streaming replica made for the test ({@code initdb},
 * {@code pg_basebackup -R}); the appender writes to the primary, {@code serve} reads the standby. Every read
 * endpoint answers there, and the streams, which notifications do not reach on a standby, deliver by
 * polling. The test prints the latency from a log call to the SSE client.
 */
@Timeout(180)
class ReplicaIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static StreamingReplica replica;
    private static CliProcess serve;
    private static String api;

    @BeforeAll
    static void primaryStandbyAndServe() throws Exception {
        String why = StreamingReplica.unavailable();
        assumeThat(why).as("a streaming replica cannot be made here: %s", why).isNull();
        replica = StreamingReplica.start();
        try (Connection c = DriverManager.getConnection(replica.primaryUrl("postgres")); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE app");
        }
        try (Connection c = DriverManager.getConnection(replica.primaryUrl("app"))) {
            Migrations.up(c);
        }
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Connection c = DriverManager.getConnection(replica.standbyUrl("app")); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT to_regclass('logs') IS NOT NULL")) {
                return rs.next() && rs.getBoolean(1);
            }
        });
        serve = CliProcess.start("serve", "--url", replica.standbyUrl("app"), "--port", "0", "--poll-interval", "200ms");
        String line = serve.awaitLine("Serving ");
        assertThat(line).as(serve.output()).isNotNull();
        api = line.split(" ")[1];
    }

    @AfterAll
    static void stop() {
        if (serve != null) {
            serve.stop(20);
        }
        if (replica != null) {
            replica.close();
        }
    }

    /** A job run of its own for each test, stored on the primary. */
    private static UUID newJobRun() throws Exception {
        try (Connection c = DriverManager.getConnection(replica.primaryUrl("app")); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("INSERT INTO job_runs (job_name) VALUES ('replicated') RETURNING id")) {
            rs.next();
            return (UUID) rs.getObject(1);
        }
    }

    private static JsonNode get(String pathAndQuery) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(api + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(pathAndQuery + ": " + answer.body()).isEqualTo(200);
        return answer.headers().firstValue("Content-Type").orElse("").startsWith("application/json")
                ? JSON.readTree(answer.body()) : JSON.getNodeFactory().textNode(answer.body());
    }

    private static String message(String json) {
        try {
            return JSON.readTree(json).get("message").asText();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static LoggerContext appenderOnThePrimary() {
        return LogbackContexts.fromResource("config/unified.xml", Map.of("url", replica.primaryUrl("app"),
                "flushInterval", "50 milliseconds"));
    }

    @Test
    void everyReadEndpointAnswersOnTheStandby() throws Exception {
        UUID job = newJobRun();
        LoggerContext context = appenderOnThePrimary();
        try {
            Logger log = context.getLogger("com.example.Replicated");
            log.info("system line on the primary");
            MDC.put("job_run_id", job.toString());
            log.warn("job line on the primary");
            MDC.clear();
        } finally {
            context.stop();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/job-runs/" + job).get("logs").size() == 1);

        assertThat(get("/job-runs/" + job + "?level=warn").get("logs").get(0).get("message").asText())
                .isEqualTo("job line on the primary");
        assertThat(get("/system").get("logs")).anySatisfy(row -> assertThat(row.get("message").asText())
                .isEqualTo("system line on the primary"));
        assertThat(get("/job-runs?limit=100").get("job_runs")).anySatisfy(run -> assertThat(run.get("job_run_id").asText())
                .isEqualTo(job.toString()));
        assertThat(get("/job-runs/" + job + "/summary").toString()).contains("\"warn\":1");
        assertThat(get("/job-runs/" + job + "/download").asText()).contains("job line on the primary");
        assertThat(get("/type/job?limit=1000").get("logs")).anySatisfy(row -> assertThat(row.get("message").asText())
                .isEqualTo("job line on the primary"));
        assertThat(get("/stats").get("by_type").get("job").asLong()).isPositive();

        JsonNode status = get("/stream/status");
        assertThat(status.get("standby").asBoolean()).isTrue();
        assertThat(status.get("mode").asText()).isEqualTo("poll");
        assertThat(status.get("poll_interval_ms").asLong()).isEqualTo(200);
        assertThat(status.get("listening").asBoolean()).as("following the table, by polling").isTrue();
    }

    @Test
    void anSseClientOfTheStandbyGetsEachNewLogByPollingAndTheLatencyIsMeasured() throws Exception {
        UUID job = newJobRun();
        Map<String, Long> received = new ConcurrentHashMap<>();
        HttpResponse<Stream<String>> response = HTTP.send(HttpRequest.newBuilder(URI.create(api
                        + "/stream/sse?job_run_id=" + job + "&q=latency")).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        Thread reader = new Thread(() -> {
            try {
                response.body().filter(l -> l.startsWith("data: ") && l.contains("latency "))
                        .forEach(l -> received.put(message(l.substring(6)), System.nanoTime()));
            } catch (java.io.UncheckedIOException closed) {
                // the test closed the stream
            }
        });
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/stream/status").get("clients").get("sse").asInt() == 1);

        int lines = 30;
        Map<String, Long> logged = new ConcurrentHashMap<>();
        LoggerContext context = appenderOnThePrimary();
        try {
            Logger log = context.getLogger("com.example.Replicated");
            MDC.put("job_run_id", job.toString());
            for (int i = 0; i < lines; i++) {
                String message = "latency " + i;
                logged.put(message, System.nanoTime());
                log.info(message);
                Thread.sleep(150);
            }
            MDC.clear();
            await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == lines);
        } finally {
            MDC.clear();
            context.stop();
            response.body().close();
        }

        List<Long> millis = new ArrayList<>();
        logged.forEach((message, at) -> millis.add((received.get(message) - at) / 1_000_000));
        Collections.sort(millis);
        System.out.printf("replica stream latency, log call to SSE client (flushInterval 50 ms, poll 200 ms, %d lines):"
                + " p50 %d ms, p95 %d ms, max %d ms%n", lines, millis.get(lines / 2), millis.get(lines * 95 / 100),
                millis.get(lines - 1));
        assertThat(millis).allSatisfy(ms -> assertThat(ms).isNotNegative());
    }
}

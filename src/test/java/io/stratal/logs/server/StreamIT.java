package io.stratal.logs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.SseClient;
import io.stratal.logs.testing.TcpProxy;
import io.stratal.logs.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

/** SSE and WebSocket streams fed by LISTEN/NOTIFY from the appender, on a real PostgreSQL. */
@Timeout(90)
class StreamIT {

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> open = new ArrayList<>();
    private TestDatabase db;
    private LogServer server;
    private UUID jobA;
    private UUID jobB;

    @BeforeEach
    void setUp() {
        db = database.get().migrated();
        jobA = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('a') RETURNING id");
        jobB = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('b') RETURNING id");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private LogServer start(LogServer.Builder builder) {
        server = builder.port(0).start();
        return server;
    }

    /** An appender on the test database, as an application would configure it. */
    private Logger appender() {
        LoggerContext context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url()));
        open.add(context::stop);
        return context.getLogger("com.example.Streamed");
    }

    private void logAs(Logger log, UUID job, String... messages) {
        MDC.put("job_run_id", job.toString());
        try {
            for (String message : messages) {
                log.info(message);
            }
        } finally {
            MDC.remove("job_run_id");
        }
    }

    /** An SSE client of the stream with {@code query}, closed after the test. */
    private SseClient sse(String query, String lastEventId) throws Exception {
        SseClient client = new SseClient(http, uri("/api/v1/logs/stream/sse" + query), lastEventId);
        open.add(client);
        return client;
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
    }

    @Test
    void anSseClientGetsEachNewLogOfItsJobRunAsItIsWritten() throws Exception {
        start(LogServer.builder(db.dataSource()).pollInterval(Duration.ofMinutes(1)).holeHold(Duration.ofMinutes(5))); // only a notification can wake it
        Logger log = appender();
        SseClient sse = sse("?job_run_id=" + jobA, null);
        assertThat(sse.response.statusCode()).isEqualTo(200);
        assertThat(sse.response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        await().until(() -> server != null && statusOf("clients").get("sse").asInt() == 1);

        logAs(log, jobA, "a1", "a2");
        logAs(log, jobB, "b1");
        logAs(log, jobA, "a3");

        await().atMost(Duration.ofSeconds(10)).until(() -> sse.logs.size() == 3);
        assertThat(sse.messages()).containsExactly("a1", "a2", "a3");
        assertThat(sse.lines).contains("event: log");
        assertThat(sse.others).first().asString().startsWith("ready {\"position\":");
        JsonNode first = sse.logs.get(0);
        assertThat(first.get("type").asText()).isEqualTo("job");
        assertThat(first.get("job_run_id").asText()).isEqualTo(jobA.toString());
        assertThat(first.get("timestamp").asText()).endsWith("Z");
        assertThat(first.get("metadata").isObject()).isTrue();
        assertThat(sse.ids).containsExactly(first.get("id").asLong(), sse.logs.get(1).get("id").asLong(), sse.logs.get(2).get("id").asLong());
        assertThat(statusOf("notifications").asLong()).isPositive();
    }

    @Test
    void filteredStreamsGetOnlyTheMatchingRowsLiveAndInTheCatchUp() throws Exception {
        start(LogServer.builder(db.dataSource()).pollInterval(Duration.ofMillis(200)));
        Logger log = appender();
        MDC.put("job_run_id", jobA.toString());
        log.warn("caught up: disk 91% full");
        log.info("caught up: disk fine");
        MDC.remove("job_run_id");
        await().until(() -> db.count("SELECT count(*) FROM logs") == 2);
        long before = db.count("SELECT min(id) FROM logs") - 1;

        SseClient sse = sse("?job_run_id=" + jobA + "&level=warn,error&q=DISK&after_id=" + before, null);
        List<JsonNode> frames = new CopyOnWriteArrayList<>();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(
                URI.create("ws://127.0.0.1:" + server.port() + "/api/v1/logs/stream/ws?type=job&level=error&meta.region=eu"),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        try {
                            frames.add(json.readTree(data.toString()));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        webSocket.request(1);
                        return CompletableFuture.completedFuture(null);
                    }
                }).join();
        open.add(() -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
        await().until(() -> statusOf("clients").get("ws").asInt() == 1 && statusOf("clients").get("sse").asInt() == 1);

        MDC.put("job_run_id", jobA.toString());
        log.error("live: disk full");
        log.atError().setMessage("live: eu failed").addKeyValue("region", "eu").log();
        log.atError().setMessage("live: us failed").addKeyValue("region", "us").log();
        log.info("live: disk checked");
        MDC.remove("job_run_id");

        await().atMost(Duration.ofSeconds(10)).until(() -> sse.logs.size() == 2 && frames.size() == 1);
        assertThat(sse.messages()).containsExactly("caught up: disk 91% full", "live: disk full");
        assertThat(frames).extracting(f -> f.get("message").asText()).containsExactly("live: eu failed");
        assertBadStream("?level=fatal", "level");
    }

    private void assertBadStream(String query, String parameter) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/api/v1/logs/stream/sse" + query))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json.readTree(response.body()).get("parameter").asText()).isEqualTo(parameter);
    }

    @Test
    void aClientThatReconnectsWithTheLastIdItSawMissesNothingAndGetsNothingTwice() throws Exception {
        start(LogServer.builder(db.dataSource()).pollInterval(Duration.ofMillis(200)));
        Logger log = appender();
        SseClient first = sse("", null);
        await().until(() -> statusOf("clients").get("sse").asInt() == 1);
        logAs(log, jobA, "n0", "n1", "n2");
        await().atMost(Duration.ofSeconds(10)).until(() -> first.logs.size() == 3);
        first.close();
        long lastSeen = first.ids.get(2);

        logAs(log, jobA, "n3", "n4");
        logAs(log, jobB, "n5");
        await().until(() -> db.count("SELECT count(*) FROM logs") == 6);

        SseClient again = sse("", Long.toString(lastSeen));
        logAs(log, jobA, "n6");
        await().atMost(Duration.ofSeconds(10)).until(() -> again.logs.size() >= 4);
        // and no duplicate follows
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> again.logs.size() == 4);
        assertThat(again.messages()).containsExactly("n3", "n4", "n5", "n6");

    }

    @Test
    void afterACatchUpTheReadyEventCarriesAnIdPastTheReplayedRows() throws Exception {
        // a feed that has not seen the new rows yet: no LISTEN, and its next poll a minute away
        start(LogServer.builder(db.dataSource()).notifyChannel(null).pollInterval(Duration.ofMinutes(1)).holeHold(Duration.ofMinutes(5)));
        db.execute("INSERT INTO logs (type, message) VALUES ('system', 'r1'), ('system', 'r2')");
        SseClient sse = sse("?after_id=0", null);
        await().atMost(Duration.ofSeconds(10)).until(() -> sse.logs.size() == 2 && !sse.others.isEmpty());
        String ready = sse.others.get(0);
        assertThat(ready).startsWith("ready ");
        // EventSource resumes from the ready event's id when no log follows it: the replayed rows must not come again
        assertThat(Long.parseLong(ready.substring(ready.lastIndexOf(" id ") + 4))).isEqualTo(sse.ids.get(1));
    }

    @Test
    void aWebSocketClientGetsOneLogPerFrameAndCanCatchUpByAfterId() throws Exception {
        start(LogServer.builder(db.dataSource()).pollInterval(Duration.ofMillis(200)));
        Logger log = appender();
        logAs(log, jobA, "before 1", "before 2");
        await().until(() -> db.count("SELECT count(*) FROM logs") == 2);
        long firstId = db.count("SELECT min(id) FROM logs");

        List<JsonNode> frames = new CopyOnWriteArrayList<>();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(
                URI.create("ws://127.0.0.1:" + server.port() + "/api/v1/logs/stream/ws?job_run_id=" + jobA + "&after_id=" + firstId),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        try {
                            frames.add(json.readTree(data.toString()));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        webSocket.request(1);
                        return CompletableFuture.completedFuture(null);
                    }
                }).join();
        open.add(() -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "done"));

        logAs(log, jobB, "other job");
        logAs(log, jobA, "live 1");
        await().atMost(Duration.ofSeconds(10)).until(() -> frames.size() == 2);
        assertThat(frames).extracting(f -> f.get("message").asText()).containsExactly("before 2", "live 1");
        assertThat(statusOf("clients").get("ws").asInt()).isEqualTo(1);
    }

    @Test
    void aStreamCanFollowOneTaskRunOrOneTypeInstead() throws Exception {
        start(LogServer.builder(db.dataSource()).pollInterval(Duration.ofMillis(200)));
        UUID task = (UUID) db.scalar("INSERT INTO task_runs (job_run_id, task_name) VALUES ('" + jobA + "', 't') RETURNING id");
        SseClient oneTask = sse("?task_run_id=" + task, null);
        SseClient systemOnly = sse("?type=system", null);
        await().until(() -> statusOf("clients").get("sse").asInt() == 2);
        db.execute("INSERT INTO logs (type, message) VALUES ('system', 'system line')",
                "INSERT INTO logs (type, job_run_id, message) VALUES ('job', '" + jobA + "', 'job line')",
                "INSERT INTO logs (type, job_run_id, task_run_id, message) VALUES ('task', '" + jobA + "', '" + task + "', 'task line')");
        await().atMost(Duration.ofSeconds(10)).until(() -> oneTask.logs.size() == 1 && systemOnly.logs.size() == 1);
        await().during(Duration.ofMillis(300)).until(() -> oneTask.logs.size() == 1 && systemOnly.logs.size() == 1);
        assertThat(oneTask.messages()).containsExactly("task line");
        assertThat(systemOnly.messages()).containsExactly("system line");
    }

    @Test
    void rowsFromAWriterThatDoesNotNotifyArriveByPolling() throws Exception {
        start(LogServer.builder(db.dataSource()).pollInterval(Duration.ofMillis(200)));
        SseClient sse = sse("", null);
        await().until(() -> statusOf("clients").get("sse").asInt() == 1);
        db.execute("INSERT INTO logs (type, message) VALUES ('system', 'plain insert')");
        await().atMost(Duration.ofSeconds(10)).until(() -> sse.messages().contains("plain insert"));
    }

    @Test
    void aRowWhoseTransactionCommitsAfterANewerOneStillReachesTheStream() throws Exception {
        start(LogServer.builder(db.dataSource()).pollInterval(Duration.ofMillis(100)));
        SseClient sse = sse("", null);
        await().until(() -> statusOf("clients").get("sse").asInt() == 1);
        try (Connection slow = DriverManager.getConnection(db.url())) {
            slow.setAutoCommit(false);
            try (Statement statement = slow.createStatement()) {
                statement.execute("INSERT INTO logs (type, message) VALUES ('system', 'lower id, committed late')");
            }
            db.execute("INSERT INTO logs (type, message) VALUES ('system', 'higher id, committed first')");
            await().atMost(Duration.ofSeconds(10)).until(() -> sse.logs.size() == 1);
            await().until(() -> statusOf("polls").asLong() > 3); // the gap was asked for again, and stayed empty
            slow.commit();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sse.logs.size() == 2);
        assertThat(sse.messages()).containsExactly("higher id, committed first", "lower id, committed late");
        assertThat(sse.ids.get(1)).isLessThan(sse.ids.get(0));
    }

    @Test
    void theFeedWaitsOutADatabaseOutageAndSendsWhatWasWrittenMeanwhile() throws Exception {
        try (TcpProxy proxy = TcpProxy.inFrontOf(db.url())) {
            String viaProxy = proxy.url(db.url());
            start(LogServer.builder(db.dataSource()).pollInterval(Duration.ofMillis(200))
                    .listenConnections(() -> DriverManager.getConnection(viaProxy)));
            SseClient sse = sse("", null);
            await().until(() -> statusOf("listening").asBoolean());
            proxy.cut();
            db.execute("INSERT INTO logs (type, message) VALUES ('system', 'during the outage')");
            await().atMost(Duration.ofSeconds(10)).until(() -> !statusOf("listening").asBoolean());
            proxy.restore();
            await().atMost(Duration.ofSeconds(20)).until(() -> sse.messages().contains("during the outage"));
            assertThat(statusOf("listening").asBoolean()).isTrue();
        }
    }

    @Test
    void badStreamParametersGetA400BeforeAnyStreamStarts() throws Exception {
        start(LogServer.builder(db.dataSource()));
        for (String query : List.of("?job_run_id=nope", "?after_id=-1", "?after_id=abc", "?type=jobs", "?task_run_id=1-2-3-4-5",
                "?job_run_id=" + jobA + "&type=job")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/api/v1/logs/stream/sse" + query))
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(json.readTree(response.body()).get("error").asText()).isNotBlank();
        }
        HttpResponse<String> badLastEventId = http.send(HttpRequest.newBuilder(uri("/api/v1/logs/stream/sse"))
                .header("Last-Event-ID", "x").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(json.readTree(badLastEventId.body()).get("parameter").asText()).isEqualTo("Last-Event-ID");
        HttpResponse<String> notAnEventStream = http.send(HttpRequest.newBuilder(uri("/api/v1/logs/stream/sse")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(notAnEventStream.statusCode()).isEqualTo(406);
        assertThat(notAnEventStream.body()).contains("Accept: text/event-stream");

        CompletableFuture<WebSocket> refused = http.newWebSocketBuilder().buildAsync(
                URI.create("ws://127.0.0.1:" + server.port() + "/api/v1/logs/stream/ws?job_run_id=nope"), new WebSocket.Listener() { });
        assertThat(refused).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                .havingRootCause().withMessageContaining("status code 400");
    }

    @Test
    void streamsNeedTheTokenToo() throws Exception {
        start(LogServer.builder(db.dataSource()).token("t"));
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(uri("/api/v1/logs/stream/sse"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        CompletableFuture<WebSocket> ws = http.newWebSocketBuilder().buildAsync(
                URI.create("ws://127.0.0.1:" + server.port() + "/api/v1/logs/stream/ws"), new WebSocket.Listener() { });
        assertThat(ws).failsWithin(Duration.ofSeconds(10));
        WebSocket allowed = http.newWebSocketBuilder().buildAsync(
                URI.create("ws://127.0.0.1:" + server.port() + "/api/v1/logs/stream/ws?access_token=t"), new WebSocket.Listener() { }).join();
        allowed.sendClose(WebSocket.NORMAL_CLOSURE, "ok");
    }

    private JsonNode statusOf(String field) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/api/v1/logs/stream/status")).build(),
                HttpResponse.BodyHandlers.ofString());
        return json.readTree(response.body()).get(field);
    }
}

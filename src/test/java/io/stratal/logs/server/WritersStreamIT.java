package io.stratal.logs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratal.logs.testing.Burst;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.SseClient;
import io.stratal.logs.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One appender with two writers commits ids out of order (each writer takes ids as its COPY runs and commits
 * when it is done); an SSE client and a WebSocket client that follow every log during the burst still get each
 * row once, and all of them.
 */
@Timeout(120)
class WritersStreamIT {

    private static final int LINES = 1_000;

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void sseAndWebSocketClientsGetEveryRowOnceWhileTwoWritersCommitOutOfOrder() throws Exception {
        TestDatabase db = database.get().migrated();
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 4 * Burst.THREADS; i++) {
            runs.add(db.scalar("INSERT INTO job_runs (job_name) VALUES ('run " + i + "') RETURNING id").toString());
        }
        try (LogServer server = LogServer.builder(db.dataSource()).pollInterval(Duration.ofMillis(200)).port(0).start()) {
            SseClient sse = new SseClient(http, URI.create("http://127.0.0.1:" + server.port() + "/api/v1/logs/stream/sse"), null);
            List<Long> frames = new CopyOnWriteArrayList<>();
            WebSocket socket = http.newWebSocketBuilder().buildAsync(
                    URI.create("ws://127.0.0.1:" + server.port() + "/api/v1/logs/stream/ws"), new WebSocket.Listener() {
                        private final StringBuilder message = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            message.append(data); // a message may come in parts
                            if (last) {
                                try {
                                    JsonNode frame = json.readTree(message.toString());
                                    if (frame.has("id")) {
                                        frames.add(frame.get("id").asLong());
                                    }
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                                message.setLength(0);
                            }
                            webSocket.request(1);
                            return CompletableFuture.completedFuture(null);
                        }
                    }).join();
            try {
                LoggerContext context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url(),
                        "writers", "2", "batchSize", "200", "flushInterval", "20 milliseconds"));
                context.getLogger("com.example.Warm").info("warm-up 0");
                await().atMost(Duration.ofSeconds(20)).until(() -> sse.ids.size() == 1 && frames.size() == 1);

                long lines = 1 + Burst.logLines(context, runs, 0, LINES);
                context.stop();
                assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(lines);

                await().atMost(Duration.ofSeconds(60)).until(() -> sse.ids.size() >= lines && frames.size() >= lines);
                List<Long> stored = db.query("SELECT id FROM logs ORDER BY id").stream()
                        .map(row -> ((Number) row.get("id")).longValue()).toList();
                assertThat(sse.ids).as("SSE: every row once").hasSize(stored.size()).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(stored);
                assertThat(frames).as("WebSocket: every row once").hasSize(stored.size()).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(stored);
                assertThat(new HashSet<>(sse.messages())).hasSize(Math.toIntExact(lines));
            } finally {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
                sse.close();
            }
        }
    }
}

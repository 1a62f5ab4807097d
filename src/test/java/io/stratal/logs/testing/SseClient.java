package io.stratal.logs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * A client of the server's SSE stream: reads the response line by line on a thread of its own and keeps the
 * {@code log} events (with their ids) apart from the others.
 */
public final class SseClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The {@code log} events' data, in the order they came. */
    public final List<JsonNode> logs = new CopyOnWriteArrayList<>();
    /** The {@code log} events' ids, in the order they came. */
    public final List<Long> ids = new CopyOnWriteArrayList<>();
    /** Every line of the stream. */
    public final List<String> lines = new CopyOnWriteArrayList<>();
    /** The other events, as "event data" (with " id n" when they carry an id). */
    public final List<String> others = new CopyOnWriteArrayList<>();
    public final HttpResponse<Stream<String>> response;
    private String event = "message";
    private String id;

    /**
     * Opens the stream at {@code uri}, sending {@code lastEventId} as SSE's {@code Last-Event-ID} unless it is
     * {@code null}.
     */
    public SseClient(HttpClient http, URI uri, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        Thread thread = new Thread(() -> {
            try {
                response.body().forEach(this::line);
            } catch (UncheckedIOException closedByTheTest) {
                // the test closed the stream
            }
        }, "sse-client");
        thread.setDaemon(true);
        thread.start();
    }

    /** One line of the event stream: fields until a blank line, which ends the event. */
    private void line(String line) {
        lines.add(line);
        try {
            if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ")) {
                if (event.equals("log")) {
                    logs.add(JSON.readTree(line.substring(6)));
                    ids.add(Long.parseLong(id));
                } else {
                    others.add(event + " " + line.substring(6) + (id == null ? "" : " id " + id));
                }
            } else if (line.isEmpty()) {
                event = "message";
                id = null;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@return the messages of the logs received, in order} */
    public List<String> messages() {
        return logs.stream().map(log -> log.get("message").asText()).toList();
    }

    @Override
    public void close() {
        response.body().close();
    }
}

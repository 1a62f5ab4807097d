package io.stratal.logs.bench;

import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.server.LogServer;
import io.stratal.logs.testing.LogbackContexts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.MDC;

/**
 * From a log call to an SSE client: the appender logs at a steady rate into a job run, {@code clients} SSE
 * clients of a {@link LogServer} on the same database receive the rows, and each row's latency is the time
 * from the log call (its message carries {@code System.nanoTime()}) to its arrival at a client, all in one
 * JVM. With {@code notify} off the server only finds rows by polling (every 2 s).
 */
final class StreamBench {

    record Result(String name, int clients, int rows, double p50Millis, double p99Millis, double maxMillis, long missing) {
    }

    private final BenchSchema schema;

    StreamBench(BenchSchema schema) {
        this.schema = schema;
    }

    Result run(String name, boolean notify, int clients, int rowsPerSecond, int seconds) throws Exception {
        schema.reset();
        int rows = rowsPerSecond * seconds;
        List<long[]> received = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        List<HttpResponse<Stream<String>>> responses = new ArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        String job = schema.jobRuns.get(0).toString();
        try (LogServer server = LogServer.builder(schema.db.dataSource()).port(0).clientCapacity(rows * 2).start()) {
            for (int c = 0; c < clients; c++) {
                long[] latencies = new long[rows + 1]; // [0] counts, the rest are latencies in nanos
                received.add(latencies);
                HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.port() + "/api/v1/logs/stream/sse?job_run_id=" + job))
                        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
                responses.add(response);
                Thread reader = new Thread(() -> read(response.body(), latencies), "bench-sse-" + c);
                reader.setDaemon(true);
                reader.start();
                readers.add(reader);
            }
            awaitClients(http, server.port(), clients);
            LoggerContext context = LogbackContexts.fromResource("bench/appender.xml", Map.of("url", schema.db.url(),
                    "notify", Boolean.toString(notify)));
            Logger log = context.getLogger("bench.Stream");
            MDC.put("job_run_id", job);
            long interval = TimeUnit.SECONDS.toNanos(1) / rowsPerSecond;
            long next = System.nanoTime();
            for (int i = 0; i < rows; i++) {
                LockSupport.parkNanos(next - System.nanoTime());
                log.info("tick {}", System.nanoTime());
                next += interval;
            }
            MDC.remove("job_run_id");
            try {
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                        .until(() -> received.stream().allMatch(l -> count(l) >= rows));
            } catch (ConditionTimeoutException stillMissing) {
                // counted below as missing
            }
            context.stop();
        } finally {
            responses.forEach(r -> r.body().close());
        }
        List<Long> all = new ArrayList<>();
        long missing = 0;
        for (long[] latencies : received) {
            synchronized (latencies) {
                int n = (int) latencies[0];
                missing += rows - n;
                for (int i = 1; i <= n; i++) {
                    all.add(latencies[i]);
                }
            }
        }
        all.sort(null);
        return new Result(name, clients, rows, percentile(all, 0.50), percentile(all, 0.99), percentile(all, 1.0), missing);
    }

    private static long count(long[] latencies) {
        synchronized (latencies) {
            return latencies[0];
        }
    }

    private static void read(Stream<String> lines, long[] latencies) {
        try {
            lines.forEach(line -> {
                int at = line.indexOf("\"message\":\"tick ");
                if (!line.startsWith("data: ") || at < 0) {
                    return;
                }
                long now = System.nanoTime();
                int from = at + "\"message\":\"tick ".length();
                long sent = Long.parseLong(line.substring(from, line.indexOf('"', from)));
                synchronized (latencies) {
                    int n = (int) ++latencies[0];
                    if (n < latencies.length) {
                        latencies[n] = now - sent;
                    }
                }
            });
        } catch (RuntimeException closed) {
            // the run is over and its stream closed
        }
    }

    private static void awaitClients(HttpClient http, int port, int clients) {
        URI status = URI.create("http://127.0.0.1:" + port + "/api/v1/logs/stream/status");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> http.send(
                HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString()).body().contains("\"sse\":" + clients + ","));
    }

    private static double percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1);
        return sorted.get(Math.max(0, index)) / 1e6;
    }
}

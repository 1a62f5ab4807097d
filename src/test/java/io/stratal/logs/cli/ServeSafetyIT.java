package io.stratal.logs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratal.logs.testing.CliProcess;
import io.stratal.logs.testing.RawHttp;
import io.stratal.logs.testing.RawHttp.Answer;
import io.stratal.logs.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code serve} as a developer starts it on a laptop, in a child JVM with no token on loopback, probed over
 * raw sockets so that {@code Host} and {@code Origin} can be anything a hostile page could make a browser send.
 */
@Timeout(120)
class ServeSafetyIT {

    private static TestDatabase db;
    private static CliProcess serve;
    private static int port;

    @BeforeAll
    static void startServe() {
        db = TestDatabase.create().migrated();
        db.execute("INSERT INTO logs (type, message) VALUES ('system', 'private')");
        serve = CliProcess.start("serve", "--url", db.url(), "--port", "0");
        String serving = serve.awaitLine("Serving ");
        assertThat(serving).as(serve.output()).isNotNull();
        port = CliProcess.port(serving);
    }

    @AfterAll
    static void stopServe() {
        if (serve != null) {
            serve.close();
        }
        if (db != null) {
            db.close();
        }
    }

    private static Map<String, String> host(String host) {
        return Map.of("Host", host);
    }

    private static String own() {
        return "127.0.0.1:" + port;
    }

    @Test
    void aWebSocketFromAForeignPageIsRefusedWithTheReason() {
        Answer answer = RawHttp.upgrade(port, "/api/v1/logs/stream/ws?after_id=0", own(), "http://evil.example");
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.header("Content-Type")).startsWith("application/json");
        assertThat(answer.body()).contains("http://evil.example").contains("--allowed-origins").doesNotContain("private");
        assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(answer.header("Set-Cookie")).as("no session is made for a refused page").isNull();

        assertThat(RawHttp.upgrade(port, "/api/v1/logs/stream/ws", own(), "null").status()).as("a sandboxed page").isEqualTo(403);
        assertThat(RawHttp.upgrade(port, "/api/v1/logs/stream/ws", "localhost:" + port, "http://localhost:1234").status())
                .as("another port is another origin").isEqualTo(403);
    }

    @Test
    void aWebSocketFromTheServersOwnPagesOrFromAClientWithoutOriginIsAccepted() {
        assertThat(RawHttp.upgrade(port, "/api/v1/logs/stream/ws", own(), "http://" + own()).status()).isEqualTo(101);
        assertThat(RawHttp.upgrade(port, "/api/v1/logs/stream/ws", "localhost:" + port, "http://localhost:" + port).status())
                .isEqualTo(101);
        assertThat(RawHttp.upgrade(port, "/api/v1/logs/stream/ws", own(), null).status()).as("curl, a backend").isEqualTo(101);
    }

    @Test
    void aForeignHostIsRefusedOnTheApiTheStreamsAndTheViewer() {
        String rebound = "rebind.evil.example:" + port;
        Answer list = RawHttp.get(port, "/api/v1/logs/system", host(rebound));
        assertThat(list.status()).isEqualTo(403);
        assertThat(list.body()).contains("--allowed-hosts").doesNotContain("private");
        assertThat(RawHttp.get(port, "/api/v1/logs/stream/sse", Map.of("Host", rebound, "Accept", "text/event-stream")).status())
                .isEqualTo(403);
        assertThat(RawHttp.upgrade(port, "/api/v1/logs/stream/ws", rebound, null).status()).isEqualTo(403);
        assertThat(RawHttp.get(port, "/", host(rebound)).status()).isEqualTo(403);

        assertThat(RawHttp.get(port, "/api/v1/logs/system", host("localhost:" + port)).status()).isEqualTo(200);
        assertThat(RawHttp.get(port, "/api/v1/logs/system", host("[::1]:" + port)).status()).isEqualTo(200);
        assertThat(RawHttp.get(port, "/api/v1/logs/system", host("127.0.0.1")).status()).isEqualTo(200);
    }

    @Test
    void theApiRefusesRequestsFromOtherSitesPagesButNotALinkFollowedToIt() {
        Answer noCors = RawHttp.get(port, "/api/v1/logs/stream/sse?after_id=0", Map.of("Host", own(),
                "Accept", "text/event-stream", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "no-cors"));
        assertThat(noCors.status()).as("a page that would make the server replay the table unseen").isEqualTo(403);
        assertThat(RawHttp.get(port, "/api/v1/logs/system", Map.of("Host", own(), "Origin", "http://evil.example")).status())
                .isEqualTo(403);
        assertThat(RawHttp.get(port, "/api/v1/logs/system", Map.of("Host", own(), "Sec-Fetch-Site", "same-site",
                "Sec-Fetch-Mode", "cors", "Origin", "http://localhost:5173")).status()).isEqualTo(403);
        assertThat(RawHttp.get(port, "/api/v1/logs/system", Map.of("Host", own(), "Sec-Fetch-Site", "cross-site",
                "Sec-Fetch-Mode", "navigate")).status()).isEqualTo(200);
        assertThat(RawHttp.get(port, "/api/v1/logs/system", Map.of("Host", own(), "Sec-Fetch-Site", "same-origin",
                "Origin", "http://" + own())).status()).isEqualTo(200);
        assertThat(RawHttp.get(port, "/", Map.of("Host", own(), "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate"))
                .status()).as("a link to the viewer").isEqualTo(200);
    }

    @Test
    void aListedOriginGetsCorsHeadersAndItsWebSocket() {
        try (CliProcess listed = CliProcess.start("serve", "--url", db.url(), "--port", "0",
                "--allowed-origins", "https://dash.example.com")) {
            int listedPort = CliProcess.port(listed.awaitLine("Serving "));
            String hostHeader = "127.0.0.1:" + listedPort;
            Answer list = RawHttp.get(listedPort, "/api/v1/logs/system", Map.of("Host", hostHeader, "Origin", "https://dash.example.com",
                    "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "cors"));
            assertThat(list.status()).isEqualTo(200);
            assertThat(list.header("Access-Control-Allow-Origin")).isEqualTo("https://dash.example.com");
            assertThat(RawHttp.upgrade(listedPort, "/api/v1/logs/stream/ws", hostHeader, "https://dash.example.com").status())
                    .isEqualTo(101);
            assertThat(RawHttp.get(listedPort, "/api/v1/logs/system", Map.of("Host", hostHeader, "Origin", "https://other.example.com"))
                    .status()).isEqualTo(403);
        }
    }

    @Test
    void apiAnswersAreNeitherCachedNorSniffedAndTheViewerCannotBeFramed() {
        Answer api = RawHttp.get(port, "/api/v1/logs/system", host(own()));
        assertThat(api.status()).isEqualTo(200);
        assertThat(api.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(api.header("Cache-Control")).isEqualTo("no-store");

        Answer viewer = RawHttp.get(port, "/", host(own()));
        assertThat(viewer.status()).isEqualTo(200);
        assertThat(viewer.header("Content-Security-Policy")).contains("default-src 'self'").contains("frame-ancestors 'none'");
        assertThat(viewer.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(viewer.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }

    @Test
    void aBrokenOrHugeParameterGetsA400ThatNamesItAndEchoesLittle() {
        Answer undecodable = RawHttp.get(port, "/api/v1/logs/system?limit=%zz", host(own()));
        assertThat(undecodable.status()).isEqualTo(400);
        assertThat(undecodable.body()).contains("\"parameter\":\"limit\"");

        String digits = "9".repeat(7000);
        Answer huge = RawHttp.get(port, "/api/v1/logs/stream/sse?after_id=" + digits,
                Map.of("Host", own(), "Accept", "text/event-stream"));
        assertThat(huge.status()).isEqualTo(400);
        assertThat(huge.body()).contains("after_id").hasSizeLessThan(300);

        Answer upgrade = RawHttp.upgrade(port, "/api/v1/logs/stream/ws?after_id=x", own(), null);
        assertThat(upgrade.status()).isEqualTo(400);
        assertThat(upgrade.body()).as("a refused upgrade says why").contains("after_id");

        Answer twice = RawHttp.get(port, "/api/v1/logs/system?limit=5&limit=abc", host(own()));
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.body()).contains("given more than once");
        assertThat(RawHttp.get(port, "/api/v1/logs/system?limit=%D9%A1%D9%A2", host(own())).status())
                .as("digits of another script").isEqualTo(400);
        assertThat(RawHttp.get(port, "/api/v1/logs/system?limit=1%00", host(own())).status()).isEqualTo(400);
        Answer longPath = RawHttp.get(port, "/api/v1/logs/" + "x".repeat(5000), host(own()));
        assertThat(longPath.status()).isEqualTo(404);
        assertThat(longPath.body()).hasSizeLessThan(300);
    }

    @Test
    void whatJettyRefusesItselfIsJsonWithTheSameHeadersAndHeadIsNotAFreePass() {
        Answer badHost = RawHttp.get(port, "/api/v1/logs/system", host("localhost:abc"));
        assertThat(badHost.status()).isEqualTo(400);
        assertThat(badHost.header("Content-Type")).startsWith("application/json");
        assertThat(badHost.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(badHost.body()).doesNotContain("localhost:abc");

        Answer head = RawHttp.head(port, "/api/v1/logs/system?limit=abc", host(own()));
        assertThat(head.status()).isEqualTo(405);
        assertThat(head.header("Allow")).isEqualTo("GET");
    }

    @Test
    void aFastReaderGetsEveryRowOfAFifteenThousandRowCommitWithoutBeingClosed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<InputStream> sse = http.send(HttpRequest.newBuilder(URI.create("http://" + own() + "/api/v1/logs/stream/sse?type=job"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(sse.statusCode()).isEqualTo(200);
        AtomicInteger sseRows = new AtomicInteger();
        List<String> sseOther = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.equals("event: log")) {
                        sseRows.incrementAndGet();
                    } else if (line.startsWith("event: ") && !line.equals("event: ready")) {
                        sseOther.add(line);
                    }
                }
            } catch (java.io.IOException e) {
                sseOther.add(e.toString());
            }
        });
        reader.setDaemon(true);
        reader.start();

        AtomicInteger wsRows = new AtomicInteger();
        AtomicReference<String> wsClosed = new AtomicReference<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://" + own() + "/api/v1/logs/stream/ws?type=job"),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        if (last) {
                            wsRows.incrementAndGet();
                        }
                        socket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
                        wsClosed.set(status + " " + reason);
                        return null;
                    }
                }).get();
        await().atMost(Duration.ofSeconds(10)).until(() -> statusClients().contains("\"sse\":1,\"ws\":1"));

        db.execute("INSERT INTO logs (type, message) SELECT 'job', 'row ' || g FROM generate_series(1, 15000) g");
        await().atMost(Duration.ofSeconds(90)).until(() -> (sseRows.get() >= 15_000 && wsRows.get() >= 15_000)
                || !sseOther.isEmpty() || wsClosed.get() != null);
        assertThat(sseRows.get()).isEqualTo(15_000);
        assertThat(wsRows.get()).isEqualTo(15_000);
        assertThat(sseOther).as("no close event").isEmpty();
        assertThat(wsClosed.get()).isNull();
        ws.abort();
    }

    private static String statusClients() {
        return RawHttp.get(port, "/api/v1/logs/stream/status", host(own())).body();
    }

    @Test
    void pastItsClientLimitTheServerAnswers503WithRetryAfter() throws Exception {
        try (CliProcess small = CliProcess.start("serve", "--url", db.url(), "--port", "0", "--max-stream-clients", "1")) {
            int smallPort = CliProcess.port(small.awaitLine("Serving "));
            String base = "http://127.0.0.1:" + smallPort + "/api/v1/logs/stream/";
            HttpResponse<InputStream> first = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "sse"))
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(first.statusCode()).isEqualTo(200);
            try (InputStream held = first.body()) {
                String hostHeader = "127.0.0.1:" + smallPort;
                await().atMost(Duration.ofSeconds(10)).until(() -> RawHttp.get(smallPort, "/api/v1/logs/stream/status",
                        host(hostHeader)).body().contains("\"sse\":1"));
                Answer refused = RawHttp.get(smallPort, "/api/v1/logs/stream/sse", Map.of("Host", hostHeader, "Accept", "text/event-stream"));
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.header("Retry-After")).isNotBlank();
                assertThat(refused.body()).contains("at most 1 clients");
                Answer refusedWs = RawHttp.upgrade(smallPort, "/api/v1/logs/stream/ws", hostHeader, null);
                assertThat(refusedWs.status()).isEqualTo(503);
                assertThat(refusedWs.header("Retry-After")).isNotBlank();
                assertThat(RawHttp.get(smallPort, "/api/v1/logs/system", host(hostHeader)).status())
                        .as("the list endpoints are not streams").isEqualTo(200);
            }
        }
    }

    @Test
    void aHundredThousandRowRunDownloadsFromAServerWithASmallHeap() throws Exception {
        String job = db.scalar("INSERT INTO job_runs (job_name) VALUES ('big') RETURNING id").toString();
        // 100,000 rows of about 1 KB: the download is far larger than the server's 48 MB heap
        db.execute("INSERT INTO logs (type, job_run_id, timestamp, message) SELECT 'job', '" + job + "',"
                + " timestamp '2026-11-29 08:00' + g * interval '1 ms', 'row ' || g || ' ' || repeat('x', 1000)"
                + " FROM generate_series(1, 100000) g");
        try (CliProcess small = CliProcess.start(List.of("-Xmx48m"), Map.of(), "serve", "--url", db.url(), "--port", "0")) {
            int smallPort = CliProcess.port(small.awaitLine("Serving "));
            HttpResponse<InputStream> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + smallPort + "/api/v1/logs/job-runs/" + job + "/download")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(download.statusCode()).isEqualTo(200);
            long lines = 0;
            String last = null;
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(download.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines++;
                    last = line;
                }
            }
            assertThat(lines).isEqualTo(100_000);
            assertThat(last).contains("\"message\":\"row 100000 x");
            assertThat(small.output()).doesNotContain("OutOfMemoryError");
        }
    }
}

package io.stratal.logs.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TestDatabase;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/** The read endpoints over real HTTP on a real PostgreSQL. */
@Timeout(60)
class LogServerIT {

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private TestDatabase db;
    private LogServer server;
    private UUID job;
    private UUID task;

    @BeforeEach
    void setUp() {
        db = database.get().migrated();
        job = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('j') RETURNING id");
        task = (UUID) db.scalar("INSERT INTO task_runs (job_run_id, task_name) VALUES ('" + job + "', 't') RETURNING id");
        db.execute("INSERT INTO logs (type, timestamp, message, metadata) VALUES ('system', '2026-11-29 08:00:00', 'Server started', '{\"port\": 8080}')",
                "INSERT INTO logs (type, job_run_id, timestamp, message) VALUES ('job', '" + job + "', '2026-11-29 08:00:01.000250', 'Job started')",
                "INSERT INTO logs (type, job_run_id, task_run_id, timestamp, level, stream, message) SELECT 'task', '" + job + "', '"
                        + task + "', timestamp '2026-11-29 08:00:02' + g * interval '1 ms', 'error', 'stderr', 'line ' || g"
                        + " FROM generate_series(1, 250) g");
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    private LogServer start(LogServer.Builder builder) {
        server = builder.port(0).start();
        return server;
    }

    private LogServer start() {
        return start(LogServer.builder(db.dataSource()));
    }

    private HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(String pathAndQuery) throws Exception {
        HttpResponse<String> response = get(pathAndQuery);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        return json.readTree(response.body());
    }

    @Test
    void aJobRunsLogsComePagedWithEveryColumn() throws Exception {
        start();
        JsonNode page = ok("/api/v1/logs/job-runs/" + job + "?limit=2");

        assertThat(page.get("logs")).hasSize(2);
        assertThat(page.get("limit").asInt()).isEqualTo(2);
        assertThat(page.get("offset").asInt()).isZero();
        assertThat(page.get("has_more").asBoolean()).isTrue();
        JsonNode first = page.get("logs").get(0);
        assertThat(first.get("type").asText()).isEqualTo("job");
        assertThat(first.get("job_run_id").asText()).isEqualTo(job.toString());
        assertThat(first.get("task_run_id").isNull()).isTrue();
        assertThat(first.get("timestamp").asText()).isEqualTo("2026-11-29T08:00:01.000250Z");
        JsonNode second = page.get("logs").get(1);
        assertThat(second.get("task_run_id").asText()).isEqualTo(task.toString());
        assertThat(second.get("level").asText()).isEqualTo("error");
        assertThat(second.get("stream").asText()).isEqualTo("stderr");
        assertThat(second.get("message").asText()).isEqualTo("line 1");
    }

    @Test
    void theDefaultPageIsAHundredAndALargerLimitIsCappedAtAThousand() throws Exception {
        start();
        assertThat(ok("/api/v1/logs/task-runs/" + task).get("logs")).hasSize(100);
        db.execute("INSERT INTO logs (type, message) SELECT 'system', 'm' FROM generate_series(1, 1200)");
        JsonNode capped = ok("/api/v1/logs/system?limit=5000");
        assertThat(capped.get("limit").asInt()).isEqualTo(1000);
        assertThat(capped.get("logs")).hasSize(1000);
        assertThat(capped.get("has_more").asBoolean()).isTrue();
    }

    @Test
    void offsetAndCursorPagesWalkATaskRunOnce() throws Exception {
        start();
        List<String> byOffset = new ArrayList<>();
        for (int offset = 0; ; offset += 60) {
            JsonNode page = ok("/api/v1/logs/task-runs/" + task + "?limit=60&offset=" + offset);
            page.get("logs").forEach(log -> byOffset.add(log.get("message").asText()));
            if (!page.get("has_more").asBoolean()) {
                break;
            }
        }
        List<String> byCursor = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = ok("/api/v1/logs/task-runs/" + task + "?limit=60"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            page.get("logs").forEach(log -> byCursor.add(log.get("message").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);

        assertThat(byOffset).hasSize(250).doesNotHaveDuplicates().isEqualTo(byCursor);
        assertThat(byOffset.get(249)).isEqualTo("line 250");
    }

    @Test
    void aPageCanStartAtALinkedLineAndGoBackFromIt() throws Exception {
        start();
        JsonNode all = ok("/api/v1/logs/task-runs/" + task + "?limit=1000");
        long line100 = all.get("logs").get(99).get("id").asLong();
        JsonNode at = ok("/api/v1/logs/task-runs/" + task + "?limit=10&from_id=" + line100);
        assertThat(at.get("logs").get(0).get("message").asText()).isEqualTo("line 100");
        String back = at.get("prev_cursor").asText();
        JsonNode before = ok("/api/v1/logs/task-runs/" + task + "?limit=3&order=desc&cursor="
                + URLEncoder.encode(back, StandardCharsets.UTF_8));
        assertThat(before.get("logs")).extracting(log -> log.get("message").asText())
                .containsExactly("line 99", "line 98", "line 97");
        JsonNode newestFirst = ok("/api/v1/logs/task-runs/" + task + "?limit=2&order=desc&from_id=" + line100);
        assertThat(newestFirst.get("logs")).extracting(log -> log.get("message").asText()).containsExactly("line 100", "line 99");
        assertThat(all.get("prev_cursor").isNull()).as("the first page has nothing before it").isTrue();

        assertBadRequest("/api/v1/logs/task-runs/" + task + "?from_id=" + Long.MAX_VALUE, "from_id");
        assertBadRequest("/api/v1/logs/task-runs/" + task + "?from_id=ten", "from_id");
        assertBadRequest("/api/v1/logs/task-runs/" + task + "?offset=5&from_id=" + line100, "from_id");
    }

    @Test
    void systemAndTypeEndpointsSelectTheirRows() throws Exception {
        start();
        JsonNode system = ok("/api/v1/logs/system");
        assertThat(system.get("logs")).hasSize(1);
        assertThat(system.get("logs").get(0).get("metadata").get("port").asInt()).isEqualTo(8080);
        assertThat(ok("/api/v1/logs/type/job").get("logs")).hasSize(1);
        assertThat(ok("/api/v1/logs/type/task?limit=1000").get("logs")).hasSize(250);
    }

    @Test
    void anUnknownIdGivesAnEmptyList() throws Exception {
        start();
        JsonNode page = ok("/api/v1/logs/job-runs/" + UUID.randomUUID());
        assertThat(page.get("logs")).isEmpty();
        assertThat(page.get("has_more").asBoolean()).isFalse();
    }

    @Test
    void eachBadParameterGetsA400NamingIt() throws Exception {
        start();
        assertBadRequest("/api/v1/logs/job-runs/not-a-uuid", "job_run_id");
        assertBadRequest("/api/v1/logs/task-runs/1-2-3-4-5", "task_run_id");
        assertBadRequest("/api/v1/logs/type/everything", "type");
        assertBadRequest("/api/v1/logs/system?limit=ten", "limit");
        assertBadRequest("/api/v1/logs/system?limit=0", "limit");
        assertBadRequest("/api/v1/logs/system?offset=-5", "offset");
        assertBadRequest("/api/v1/logs/system?cursor=garbage!", "cursor");
        assertBadRequest("/api/v1/logs/system?offset=3&cursor=" + ok("/api/v1/logs/type/task?limit=1").get("next_cursor").asText(), "cursor");
    }

    @Test
    void filtersAndTheOrderReachTheQueryOverHttp() throws Exception {
        start();
        JsonNode newest = ok("/api/v1/logs/job-runs/" + job + "?order=desc&limit=2&level=error&q=LINE%202&task_run_id=" + task);
        assertThat(newest.get("logs")).extracting(log -> log.get("message").asText()).containsExactly("line 250", "line 249");
        String cursor = newest.get("next_cursor").asText();
        JsonNode next = ok("/api/v1/logs/job-runs/" + job + "?order=desc&limit=2&level=error&q=LINE%202&task_run_id=" + task
                + "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        assertThat(next.get("logs")).extracting(log -> log.get("message").asText()).containsExactly("line 248", "line 247");
        assertThat(ok("/api/v1/logs/system?meta.port=8080").get("logs")).hasSize(1);
        assertThat(ok("/api/v1/logs/system?meta.port=80").get("logs")).isEmpty();
        assertThat(ok("/api/v1/logs/type/task?limit=1000&since=2026-11-29T08:00:02.100Z&until=2026-11-29T08:00:02.200Z")
                .get("logs")).hasSize(100);
        assertThat(ok("/api/v1/logs/job-runs/" + job + "?stream=system").get("logs")).extracting(log -> log.get("message").asText())
                .containsExactly("Job started");
    }

    @Test
    void theJobRunsListAndARunsSummaryAnswerOverHttp() throws Exception {
        start();
        JsonNode runs = ok("/api/v1/logs/job-runs?limit=10&since=2026-11-29T08:00:00Z");
        assertThat(runs.get("job_runs")).hasSize(1);
        JsonNode run = runs.get("job_runs").get(0);
        assertThat(run.get("job_run_id").asText()).isEqualTo(job.toString());
        assertThat(run.get("logs").asInt()).isEqualTo(251);
        assertThat(run.get("errors").asInt()).isEqualTo(250);
        assertThat(run.get("tasks").asInt()).isEqualTo(1);
        assertThat(run.get("first").asText()).isEqualTo("2026-11-29T08:00:01.000250Z");
        assertThat(runs.get("has_more").asBoolean()).isFalse();

        JsonNode summary = ok("/api/v1/logs/job-runs/" + job + "/summary");
        assertThat(summary.get("counts").get("error").asInt()).isEqualTo(250);
        assertThat(summary.get("counts").get("info").asInt()).isEqualTo(1);
        assertThat(summary.get("tasks")).hasSize(1);
        assertThat(summary.get("tasks").get(0).get("streams").get("stderr").asInt()).isEqualTo(250);
        assertThat(summary.get("tasks").get(0).get("streams").get("stdout").asInt()).isZero();
        assertBadRequest("/api/v1/logs/job-runs?since=now", "since");
        assertBadRequest("/api/v1/logs/job-runs?limit=0", "limit");
        assertBadRequest("/api/v1/logs/job-runs/x/summary", "job_run_id");
    }

    @Test
    void aRunDownloadsWholeInBothFormatsWithItsFilters() throws Exception {
        start();
        HttpResponse<String> ndjson = get("/api/v1/logs/job-runs/" + job + "/download");
        assertThat(ndjson.statusCode()).isEqualTo(200);
        assertThat(ndjson.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
        assertThat(ndjson.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"job-run-" + job + ".ndjson\"");
        List<String> lines = ndjson.body().lines().toList();
        assertThat(lines).hasSize(251);
        List<Long> ids = new ArrayList<>();
        for (String line : lines) {
            ids.add(json.readTree(line).get("id").asLong());
        }
        assertThat(ids).isEqualTo(db.query("SELECT id FROM logs WHERE job_run_id = '" + job + "' ORDER BY timestamp, id")
                .stream().map(row -> ((Number) row.get("id")).longValue()).toList());
        assertThat(json.readTree(lines.get(1)).get("message").asText()).isEqualTo("line 1");

        HttpResponse<String> text = get("/api/v1/logs/task-runs/" + task + "/download?format=text&level=error&order=desc&q=line%2025");
        assertThat(text.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"task-run-" + task + ".log\"");
        assertThat(text.body().lines()).containsExactly(
                "2026-11-29T08:00:02.250000Z error task stderr " + task + " line 250",
                "2026-11-29T08:00:02.025000Z error task stderr " + task + " line 25");
        HttpResponse<String> system = get("/api/v1/logs/system/download?format=text&since=2026-11-29T08:00:00Z");
        assertThat(system.body().lines()).containsExactly("2026-11-29T08:00:00.000000Z info system system - Server started {\"port\":8080}");
        assertBadRequest("/api/v1/logs/system/download?format=csv", "format");
    }

    @Test
    void statsAnswerTheMonitoringQueriesAndTheTablesSizeAndGrowth() throws Exception {
        start();
        db.execute("INSERT INTO logs (type, job_run_id, level, timestamp, message) VALUES ('job', '" + job + "', 'error',"
                + " now() AT TIME ZONE 'UTC', 'recent failure')");
        JsonNode stats = ok("/api/v1/logs/stats?window=5m"); // the fixture's other rows are older, whatever the day
        assertThat(stats.get("window").asText()).isEqualTo("5m");
        assertThat(stats.get("by_type").get("task").asInt()).isEqualTo(250);
        assertThat(stats.get("by_type").get("job").asInt()).isEqualTo(2);
        assertThat(stats.get("by_level").get("error").asInt()).isEqualTo(1);
        assertThat(stats.get("error_rates").get(0).get("job_run_id").asText()).isEqualTo(job.toString());
        assertThat(stats.get("error_rates").get(0).get("error_rate").asDouble()).isEqualTo(100.0);
        assertThat(stats.get("table").get("total_bytes").asLong()).isGreaterThan(stats.get("table").get("index_bytes").asLong())
                .isPositive();
        assertThat(stats.get("rows_per_day")).hasSize(7);
        assertThat(stats.get("rows_per_day").get(6).get("day").asText()).isEqualTo(java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString());
        assertThat(stats.get("rows_per_day").get(6).get("rows").asLong()).isEqualTo(
                db.count("SELECT count(*) FROM logs WHERE timestamp::date = (now() AT TIME ZONE 'UTC')::date"));
        assertThat(ok("/api/v1/logs/stats").get("window").asText()).isEqualTo("1h");
        assertBadRequest("/api/v1/logs/stats?window=soon", "window");
    }

    @Test
    void eachBadFilterGetsA400NamingIt() throws Exception {
        start();
        assertBadRequest("/api/v1/logs/system?level=fatal", "level");
        assertBadRequest("/api/v1/logs/system?stream=pipe", "stream");
        assertBadRequest("/api/v1/logs/system?since=yesterday", "since");
        assertBadRequest("/api/v1/logs/system?until=2026-11-29T08:00:00", "until");
        assertBadRequest("/api/v1/logs/system?q=" + "x".repeat(1001), "q");
        assertBadRequest("/api/v1/logs/system?meta.=1", "meta.");
        assertBadRequest("/api/v1/logs/system?order=sideways", "order");
        assertBadRequest("/api/v1/logs/system?task_run_id=" + task, "task_run_id");
        assertBadRequest("/api/v1/logs/job-runs/" + job + "?task_run_id=nope", "task_run_id");
        String desc = ok("/api/v1/logs/type/task?limit=1&order=desc").get("next_cursor").asText();
        assertBadRequest("/api/v1/logs/type/task?cursor=" + URLEncoder.encode(desc, StandardCharsets.UTF_8), "cursor");
    }

    @Test
    void aFailureOfTheServerItselfIsAJson500() throws Exception {
        javax.sql.DataSource broken = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> {
                    throw new IllegalStateException("a bug");
                });
        start(LogServer.builder(broken).listenConnections(() -> java.sql.DriverManager.getConnection(db.url())));
        HttpResponse<String> response = get("/api/v1/logs/system");
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(json.readTree(response.body()).get("error").asText()).isEqualTo("the server failed on this request");
    }

    private void assertBadRequest(String pathAndQuery, String parameter) throws Exception {
        HttpResponse<String> response = get(pathAndQuery);
        assertThat(response.statusCode()).as(pathAndQuery).isEqualTo(400);
        JsonNode error = json.readTree(response.body());
        assertThat(error.get("parameter").asText()).isEqualTo(parameter);
        assertThat(error.get("error").asText()).startsWith(parameter + ": ");
    }

    @Test
    void anUnknownApiPathIsAJson404() throws Exception {
        start();
        HttpResponse<String> response = get("/api/v1/logs/jobs");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json.readTree(response.body()).get("error").asText()).contains("/api/v1/logs/jobs");
    }

    @Test
    void withATokenOnlyRequestsShowingItAreAnswered() throws Exception {
        start(LogServer.builder(db.dataSource()).token("s3cret"));
        HttpResponse<String> refused = get("/api/v1/logs/system");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(get("/api/v1/logs/system", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/logs/system", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/logs/system?access_token=s3cret").statusCode()).isEqualTo(200);
    }

    @Test
    void aDatabaseThatCannotBeReachedGivesA503() throws Exception {
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2");
        start(LogServer.builder(nowhere));
        HttpResponse<String> response = get("/api/v1/logs/system");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json.readTree(response.body()).get("error").asText()).contains("database");
    }

    @Test
    void itListensOnLoopbackOnlyUnlessToldOtherwise() throws Exception {
        start();
        List<InetAddress> outside = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                nic.inetAddresses().filter(a -> a instanceof Inet4Address).forEach(outside::add);
            }
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(outside.isEmpty(), "this machine has no address besides loopback");
        URI uri = URI.create("http://" + outside.get(0).getHostAddress() + ":" + server.port() + "/api/v1/logs/system");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
        assertThat(get("/api/v1/logs/system").statusCode()).isEqualTo(200);
    }
}

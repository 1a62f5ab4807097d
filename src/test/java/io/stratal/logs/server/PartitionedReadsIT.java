package io.stratal.logs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stratal.logs.schema.Migrations;
import io.stratal.logs.testing.TestDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every read endpoint answers the same on a partitioned logs table as on a plain one holding the same rows
 * (same ids): rows spread over a week of daily partitions, the default partition (far past and far future)
 * and today, read with every filter, page after page by cursor in both orders, by offset, downloaded, as
 * the job runs list, a run's summary and the stats, and streamed from the table by SSE.
 */
@Timeout(120)
class PartitionedReadsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final UUID JOB_A = UUID.fromString("0a000000-0000-4000-8000-000000000001");
    private static final UUID JOB_B = UUID.fromString("0b000000-0000-4000-8000-000000000002");
    private static final UUID TASK_A1 = UUID.fromString("0a100000-0000-4000-8000-000000000011");
    private static final UUID TASK_A2 = UUID.fromString("0a200000-0000-4000-8000-000000000012");
    private static final int ROWS = 1500;

    private static TestDatabase plainDb;
    private static TestDatabase partitionedDb;
    private static LogServer plain;
    private static LogServer partitioned;

    @BeforeAll
    static void twoTablesWithTheSameRows() throws Exception {
        plainDb = TestDatabase.create().migrated();
        partitionedDb = TestDatabase.create().migrated();
        try (Connection c = partitionedDb.connect()) {
            if (!TestDatabase.partitioned()) {
                Migrations.applyOptional(c, Migrations.PARTITIONED, true);
            }
        }
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        for (int day = 1; day <= 6; day++) {
            LocalDate d = today.minusDays(day);
            partitionedDb.execute("CREATE TABLE logs_p" + d.toString().replace('-', '_') + " PARTITION OF logs"
                    + " FOR VALUES FROM ('" + d + "') TO ('" + d.plusDays(1) + "')");
        }
        // one time for both, so a minute that turns between the two fills changes nothing
        LocalDateTime base = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
        for (TestDatabase db : List.of(plainDb, partitionedDb)) {
            fill(db, base);
        }
        assertThat(partitionedDb.count("SELECT count(DISTINCT tableoid) FROM logs")).as("rows in 7 days' partitions and the default")
                .isEqualTo(8);
        plain = LogServer.builder(plainDb.dataSource()).port(0).pollInterval(Duration.ofMillis(200)).start();
        partitioned = LogServer.builder(partitionedDb.dataSource()).port(0).pollInterval(Duration.ofMillis(200)).start();
    }

    /** The same rows in both: ids, timestamps and created_at given, so the answers can be compared whole. */
    private static void fill(TestDatabase db, LocalDateTime base) {
        db.execute("INSERT INTO job_runs (id, job_name, status) VALUES ('" + JOB_A + "', 'nightly', 'running'),"
                        + " ('" + JOB_B + "', 'hourly', 'succeeded')",
                "INSERT INTO task_runs (id, job_run_id, task_name) VALUES ('" + TASK_A1 + "', '" + JOB_A + "', 'extract'),"
                        + " ('" + TASK_A2 + "', '" + JOB_A + "', 'load')",
                // about 7 days back to now, with ties (the same minute for several rows) and ids unlike the time order
                "INSERT INTO logs (id, type, job_run_id, task_run_id, timestamp, level, stream, message, metadata, created_at)"
                        + " SELECT g,"
                        + " CASE WHEN g % 5 = 0 THEN 'system' WHEN g % 3 = 0 THEN 'job' ELSE 'task' END,"
                        + " CASE WHEN g % 5 = 0 THEN NULL WHEN g % 7 = 0 THEN '" + JOB_B + "'::uuid ELSE '" + JOB_A + "'::uuid END,"
                        + " CASE WHEN g % 5 = 0 OR g % 3 = 0 OR g % 7 = 0 THEN NULL WHEN g % 2 = 0 THEN '" + TASK_A1
                        + "'::uuid ELSE '" + TASK_A2 + "'::uuid END,"
                        + " timestamp '" + base + "' - ((" + ROWS + " - g) * 397 % 10000) * interval '1 minute',"
                        + " (ARRAY['info', 'info', 'info', 'warn', 'error', 'debug'])[1 + g % 6],"
                        + " CASE WHEN g % 5 = 0 THEN 'system' WHEN g % 4 = 0 THEN 'stderr' ELSE 'stdout' END,"
                        + " 'row ' || g || CASE WHEN g % 11 = 0 THEN ' disk full' ELSE '' END,"
                        + " jsonb_build_object('n', g, 'region', CASE WHEN g % 13 = 0 THEN 'eu' ELSE 'us' END),"
                        + " timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second'"
                        + " FROM generate_series(1, " + ROWS + ") g",
                "INSERT INTO logs (id, type, job_run_id, timestamp, level, message, created_at) VALUES"
                        + " (" + (ROWS + 1) + ", 'job', '" + JOB_A + "', '1999-12-31 23:59:59', 'error', 'long ago disk full',"
                        + " '2026-01-01 00:00:00+00'),"
                        + " (" + (ROWS + 2) + ", 'job', '" + JOB_A + "', '2045-01-01 00:00:00', 'warn', 'far ahead', '2026-01-01 00:00:00+00'),"
                        + " (" + (ROWS + 3) + ", 'system', NULL, '2045-01-02 00:00:00', 'info', 'system far ahead', '2026-01-01 00:00:00+00')",
                "SELECT setval('logs_id_seq', " + (ROWS + 3) + ")");
    }

    @AfterAll
    static void stop() {
        Stream.of(plain, partitioned).filter(s -> s != null).forEach(LogServer::close);
        Stream.of(plainDb, partitionedDb).filter(d -> d != null).forEach(TestDatabase::close);
    }

    private static HttpResponse<String> get(LogServer server, String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Asks both servers; the answers must be equal, and a 200. Returns the partitioned table's answer. */
    private static String same(String pathAndQuery) throws Exception {
        HttpResponse<String> a = get(plain, pathAndQuery);
        HttpResponse<String> b = get(partitioned, pathAndQuery);
        assertThat(a.statusCode()).as(pathAndQuery + ": " + a.body()).isEqualTo(200);
        assertThat(b.statusCode()).as(pathAndQuery).isEqualTo(200);
        if (a.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            assertThat(JSON.readTree(b.body())).as(pathAndQuery).isEqualTo(JSON.readTree(a.body()));
        } else {
            assertThat(b.body()).as(pathAndQuery).isEqualTo(a.body());
        }
        return b.body();
    }

    /** Walks both tables page by page by cursor, every page equal; returns how many rows were walked. */
    private static int walk(String path, String query) throws Exception {
        int rows = 0;
        String cursor = null;
        for (int pages = 0; pages < 200; pages++) {
            String url = path + "?" + query + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            JsonNode page = JSON.readTree(same(url));
            rows += page.get("logs").size();
            if (!page.get("has_more").asBoolean()) {
                return rows;
            }
            cursor = page.get("next_cursor").asText();
        }
        throw new AssertionError("more than 200 pages at " + path + "?" + query);
    }

    private static String since(int daysAgo) {
        return LocalDate.now(ZoneOffset.UTC).minusDays(daysAgo) + "T06:30:00Z";
    }

    @Test
    void eachRunsPagesWithEveryFilterInBothOrdersAreTheSame() throws Exception {
        String jobA = "/api/v1/logs/job-runs/" + JOB_A;
        List<String> filters = List.of("", "level=warn,error", "stream=stderr", "q=disk", "meta.region=eu",
                "since=" + since(3), "since=" + since(5) + "&until=" + since(2), "level=error&q=disk&since=" + since(6));
        int all = 0;
        for (String filter : filters) {
            for (String order : List.of("asc", "desc")) {
                int rows = walk(jobA, "limit=37&order=" + order + (filter.isEmpty() ? "" : "&" + filter));
                if (filter.isEmpty()) {
                    all = rows;
                }
            }
        }
        assertThat(all).as("job A's rows, the far past and far future ones among them")
                .isEqualTo(plainDb.count("SELECT count(*) FROM logs WHERE job_run_id = '" + JOB_A + "'"));
        assertThat(walk("/api/v1/logs/task-runs/" + TASK_A1, "limit=50")).isPositive();
        assertThat(walk("/api/v1/logs/task-runs/" + TASK_A2, "limit=50&order=desc&level=info")).isPositive();
        assertThat(walk("/api/v1/logs/system", "limit=40")).isEqualTo(plainDb.count("SELECT count(*) FROM logs WHERE type = 'system'"));
        walk("/api/v1/logs/type/job", "limit=64&order=desc");
        walk("/api/v1/logs/type/task", "limit=64&q=row%201");
        same(jobA + "?limit=25&offset=50");
        same(jobA + "?limit=25&offset=50&order=desc&level=info");
    }

    @Test
    void theJobRunsListASummaryDownloadsAndTheStatsAreTheSame() throws Exception {
        same("/api/v1/logs/job-runs?limit=10");
        same("/api/v1/logs/job-runs?limit=1");
        same("/api/v1/logs/job-runs?limit=10&since=" + since(2));
        same("/api/v1/logs/job-runs/" + JOB_A + "/summary");
        same("/api/v1/logs/job-runs/" + JOB_B + "/summary");
        assertThat(same("/api/v1/logs/job-runs/" + JOB_A + "/download")).contains("long ago disk full");
        same("/api/v1/logs/job-runs/" + JOB_A + "/download?format=ndjson&level=error");
        same("/api/v1/logs/task-runs/" + TASK_A1 + "/download");
        same("/api/v1/logs/system/download?q=far");

        // each answer has its own now, so a row can leave the window between the two: asked again then
        for (int attempt = 1; ; attempt++) {
            ObjectNode a = (ObjectNode) JSON.readTree(get(plain, "/api/v1/logs/stats?window=72h").body());
            ObjectNode b = (ObjectNode) JSON.readTree(get(partitioned, "/api/v1/logs/stats?window=72h").body());
            assertThat(b.get("table").get("total_bytes").asLong()).as("the partitions' sizes").isPositive();
            a.remove(List.of("table", "since")); // the sizes differ
            b.remove(List.of("table", "since"));
            if (attempt == 3 || b.equals(a)) {
                assertThat(b).isEqualTo(a);
                break;
            }
        }
    }

    @Test
    void anSseClientCatchingUpFromTheTableGetsTheSameRowsInTheSameOrder() throws Exception {
        assertThat(sse(plain)).isEqualTo(sse(partitioned)).hasSize((int) plainDb.count(
                "SELECT count(*) FROM logs WHERE job_run_id = '" + JOB_A + "' AND level IN ('warn', 'error')"));
    }

    /** The ids an SSE client of job A's warnings and errors gets, from the start of the table. */
    private static List<Long> sse(LogServer server) throws Exception {
        long expected = plainDb.count("SELECT count(*) FROM logs WHERE job_run_id = '" + JOB_A + "' AND level IN ('warn', 'error')");
        List<Long> ids = new CopyOnWriteArrayList<>();
        HttpResponse<Stream<String>> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.port() + "/api/v1/logs/stream/sse?job_run_id=" + JOB_A + "&level=warn,error&after_id=0"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        Thread reader = new Thread(() -> {
            try {
                String[] event = {null, null}; // id, type of the event being read
                response.body().forEach(line -> {
                    if (line.startsWith("id: ")) {
                        event[0] = line.substring(4);
                    } else if (line.startsWith("event: ")) {
                        event[1] = line.substring(7);
                    } else if (line.isEmpty()) {
                        if ("log".equals(event[1])) {
                            ids.add(Long.parseLong(event[0]));
                        }
                        event[0] = null;
                        event[1] = null;
                    }
                });
            } catch (java.io.UncheckedIOException closed) {
                // closed below
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> ids.size() >= expected);
        } finally {
            response.body().close();
        }
        return new ArrayList<>(ids);
    }

    @Test
    void theRowsReallyAreSpreadOverThePartitions() {
        List<Map<String, Object>> perPartition = partitionedDb.query(
                "SELECT tableoid::regclass::text AS partition, count(*) AS n FROM logs GROUP BY 1 ORDER BY 1");
        assertThat(perPartition).extracting(row -> row.get("partition")).contains("logs_default");
        assertThat(perPartition).allSatisfy(row -> assertThat(((Number) row.get("n")).longValue()).isPositive());
    }
}

package io.stratal.logs.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.stratal.logs.schema.Migrations;
import io.stratal.logs.writer.LogWriterConfig;
import io.stratal.logs.server.LogServer;
import io.stratal.logs.testing.CliProcess;
import io.stratal.logs.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The read API on a large table: {@code rows} rows over 30 days with the seed's indexes, among them one job
 * run of {@code runRows} rows interleaved with the others' rows in its last days. Every request goes over
 * HTTP to a {@link LogServer} in this JVM on a HikariCP pool, as {@code serve} runs it; the plan of the SQL it ran is read afterwards with EXPLAIN, to say
 * which index it used. Downloads are also timed from a {@code serve} process with a 48 MB heap, whose GC
 * log shows the heap after each collection.
 */
final class ReadBench implements AutoCloseable {

    /** Latencies of one kind of request, in milliseconds. */
    record Latency(String name, int requests, double p50, double p99, double max, String plan) {
    }

    /** One download: rows, rows per second, and for the small-heap server the largest heap after a GC. */
    record Download(String name, long rows, double rowsPerSecond, String heap) {
    }

    private static final int TASKS_IN_RUN = 20;
    private static final int ROWS_PER_BACKGROUND_CHUNK = 4000;

    private final TestDatabase db;
    private final long rows;
    private final int runRows;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<List<Object>> queries = new ArrayList<>();
    private int jobs;
    private UUID run;
    private UUID task;
    private String runMiddle;
    private double loadSeconds;

    ReadBench(long rows, int runRows) {
        this.rows = rows;
        this.runRows = runRows;
        this.db = TestDatabase.create().migrated();
    }

    /**
     * Loads the table without indexes or foreign keys, then builds them as the seed defines them, and
     * vacuums (the visibility map lets counts read the index alone).
     */
    void load() throws Exception {
        long start = System.nanoTime();
        jobs = (int) Math.max(1, rows / ROWS_PER_BACKGROUND_CHUNK);
        db.execute("CREATE TABLE bench_jobs AS SELECT n, gen_random_uuid() AS id FROM generate_series(0, " + jobs + ") n",
                "CREATE TABLE bench_tasks AS SELECT j.n AS jn, t AS tn, gen_random_uuid() AS id FROM bench_jobs j,"
                        + " generate_series(0, " + TASKS_IN_RUN + ") t",
                "INSERT INTO job_runs (id, job_name, status) SELECT id, 'job-' || n, 'succeeded' FROM bench_jobs",
                "INSERT INTO task_runs (id, job_run_id, task_name) SELECT t.id, j.id, 'task-' || t.tn FROM bench_tasks t"
                        + " JOIN bench_jobs j ON j.n = t.jn",
                "CREATE UNIQUE INDEX ON bench_jobs (n)", "CREATE UNIQUE INDEX ON bench_tasks (jn, tn)", "ANALYZE bench_jobs, bench_tasks");
        List<String> rebuild = new ArrayList<>();
        for (Map<String, Object> index : db.query("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'logs'"
                + " AND indexname LIKE 'idx_logs%'")) {
            rebuild.add(index.get("indexdef").toString());
            db.execute("DROP INDEX " + index.get("indexname"));
        }
        for (Map<String, Object> key : db.query("SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint"
                + " WHERE conrelid = 'logs'::regclass AND contype = 'f'")) {
            rebuild.add("ALTER TABLE logs ADD CONSTRAINT " + key.get("conname") + " " + key.get("def"));
            db.execute("ALTER TABLE logs DROP CONSTRAINT " + key.get("conname"));
        }
        for (long from = 1; from <= rows; from += 1_000_000) {
            insert(from, Math.min(rows, from + 1_000_000 - 1));
        }
        for (String statement : rebuild) {
            db.execute(statement);
        }
        db.execute("VACUUM ANALYZE logs", "CHECKPOINT");
        run = (UUID) db.scalar("SELECT id FROM bench_jobs WHERE n = " + jobs);
        task = (UUID) db.scalar("SELECT id FROM bench_tasks WHERE jn = " + jobs + " AND tn = 3");
        runMiddle = db.scalar("SELECT to_char(timestamp, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM logs WHERE job_run_id = '" + run
                + "' ORDER BY timestamp OFFSET " + runRows / 2 + " LIMIT 1").toString();
        loadSeconds = (System.nanoTime() - start) / 1e9;
    }

    /**
     * Inserts the rows numbered {@code from} to {@code to}: row g is at {@code g} thirtieths of a month,
     * the run's when it is every third row of a stretch near the end, else a system log (one in five) or
     * a background run's (4,000 consecutive rows per run; one in ten of them the run's own, the rest its
     * tasks'). Rows past {@code rows} come after the month, in background runs.
     */
    private void insert(long from, long to) {
        long runEnd = rows - rows / 100;
        long runStart = runEnd - 3L * runRows;
        String inRun = "(g > " + runStart + " AND g <= " + runEnd + " AND g % 3 = 0)";
        db.execute("INSERT INTO logs (type, job_run_id, task_run_id, timestamp, level, stream, message, metadata)"
                + " SELECT CASE WHEN s.jn IS NULL THEN 'system' WHEN s.tn IS NULL THEN 'job' ELSE 'task' END, j.id, t.id,"
                + " timestamp '2026-11-01 00:00' + s.g * (interval '30 days' / " + rows + "),"
                + " s.level, CASE WHEN s.tn IS NULL THEN 'system' WHEN s.level IN ('error', 'warn') THEN 'stderr'"
                + "   WHEN s.g % 10 = 5 THEN 'system' ELSE 'stdout' END,"
                + " CASE WHEN s.g % 997 = 0 THEN 'Connection timeout after 30 s talking to db-' || (s.g % 7)"
                + "   ELSE 'Processed batch ' || s.g || ' of ' || (s.g % 500) || ' items in ' || (s.g % 97) || ' ms' END,"
                + " CASE WHEN s.g % 11 < 4 THEN jsonb_build_object('status_code', CASE WHEN s.g % 50 < 4 THEN 500 ELSE 200 END,"
                + "   'attempt', s.g % 4) END"
                + " FROM (SELECT g,"
                + "   CASE WHEN " + inRun + " THEN " + jobs + " WHEN g % 5 = 0 THEN NULL ELSE (g / " + ROWS_PER_BACKGROUND_CHUNK
                + "     % " + jobs + ")::int END AS jn,"
                + "   CASE WHEN " + inRun + " THEN NULLIF((g / 3 % " + (TASKS_IN_RUN + 1) + ")::int, " + TASKS_IN_RUN + ")"
                + "     WHEN g % 5 = 0 OR g % 10 = 1 THEN NULL ELSE (g % 10)::int END AS tn,"
                + "   CASE WHEN g % 100 = 7 THEN 'error' WHEN g % 25 = 3 THEN 'warn' WHEN g % 7 = 0 THEN 'debug'"
                + "     ELSE 'info' END AS level"
                + "   FROM generate_series(" + from + ", " + to + ") g) s"
                + " LEFT JOIN bench_jobs j ON j.n = s.jn LEFT JOIN bench_tasks t ON t.jn = s.jn AND t.tn = s.tn");
    }

    /**
     * Rows per second of inserting {@code count} more rows into the full table, in statements (and
     * transactions) of the appender's default batch size, as its batches arrive; they are deleted afterwards.
     */
    private double timedInsert(long count) {
        long lastId = db.count("SELECT max(id) FROM logs");
        long start = System.nanoTime();
        for (long from = rows + 1; from <= rows + count; from += LogWriterConfig.DEFAULT_BATCH_SIZE) {
            insert(from, Math.min(rows + count, from + LogWriterConfig.DEFAULT_BATCH_SIZE - 1));
        }
        double rate = count / ((System.nanoTime() - start) / 1e9);
        db.execute("DELETE FROM logs WHERE id > " + lastId, "VACUUM ANALYZE logs", "CHECKPOINT");
        return rate;
    }

    /** An opt-in index of db/optional: how long it took to build, and writes per second with it. */
    record Addition(String name, double buildSeconds, double writeRowsPerSecond, double writeRatio) {
    }

    /**
     * Applies the opt-in problem index and job-run index, then (where pg_trgm is available) a trigram index of
     * the messages, which the project measured and does not ship (docs/PERFORMANCE.md says why), timing each
     * build and an insert of 1 row in 50 after each against one before; {@link #searches} then re-times the
     * reads they are for. The inserts are {@code INSERT ... SELECT}s of a batch each, not COPY.
     */
    List<Addition> additions() throws Exception {
        long writeRows = Math.max(10_000, rows / 50);
        double before = timedInsert(writeRows);
        List<Addition> results = new ArrayList<>();
        results.add(new Addition("seed indexes (before)", 0, before, 1));
        Map<String, String> additions = new LinkedHashMap<>();
        additions.put("+ " + Migrations.PROBLEM_INDEX, Migrations.PROBLEM_INDEX);
        additions.put("+ " + Migrations.JOB_RUN_INDEX, Migrations.JOB_RUN_INDEX);
        if (db.count("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'") > 0) {
            additions.put("+ trigram GIN on message (not shipped)", "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
                    + " CREATE INDEX idx_logs_message_trgm ON logs USING gin (message gin_trgm_ops)");
        } else {
            System.out.println("   (this PostgreSQL has no pg_trgm: the trigram index is left out)");
        }
        for (Map.Entry<String, String> addition : additions.entrySet()) {
            long start = System.nanoTime();
            if (addition.getValue().startsWith("0")) {
                try (Connection connection = db.connect()) {
                    Migrations.applyOptional(connection, addition.getValue(), true);
                }
            } else {
                db.execute(addition.getValue());
            }
            double build = (System.nanoTime() - start) / 1e9;
            db.execute("VACUUM ANALYZE logs");
            double with = timedInsert(writeRows);
            results.add(new Addition(addition.getKey(), build, with, with / before));
        }
        return results;
    }

    /** The reads the opt-in indexes are for, timed as {@link #pages} times them. */
    List<Latency> searches(int repeats) throws Exception {
        return timed((base, results) -> {
            String runUrl = base + "/job-runs/" + run;
            results.add(walk("run, level=error: 10 pages by cursor", runUrl + "?level=error", 10, repeats));
            results.add(walk("run, level=warn,error: 10 pages", runUrl + "?level=warn,error", 10, repeats));
            results.add(walk("job-runs list: 5 pages of 50", base + "/job-runs?limit=50", 5, repeats));
            results.add(walk("job-runs list, since=<1 day ago>", base + "/job-runs?limit=50&since=" + encode(lastDay()), 1, repeats));
            results.add(walk("run, q=timeout (rare): every page", runUrl + "?q=timeout", 20, repeats));
            results.add(walk("run, q=items in 1 (common): 10 pages", runUrl + "?q=" + encode("items in 1"), 10, repeats));
            results.add(walk("system, q=timeout: 10 pages", base + "/system?q=timeout", 10, repeats));
            results.add(walk("type/task, q=timeout: 5 pages", base + "/type/task?q=timeout", 5, repeats));
        });
    }

    double loadSeconds() {
        return loadSeconds;
    }

    long runRowCount() {
        return db.count("SELECT count(*) FROM logs WHERE job_run_id = '" + run + "'");
    }

    String tableSize() {
        return db.scalar("SELECT pg_size_pretty(pg_table_size('logs')) || ' table, ' || pg_size_pretty(pg_indexes_size('logs'))"
                + " || ' indexes'").toString();
    }

    /** The read requests, timed against a server in this JVM whose connections record the SQL they prepare. */
    List<Latency> pages(int repeats) throws Exception {
        return timed((base, results) -> {
            String runUrl = base + "/job-runs/" + run;
            results.add(walk("run, no filter: first page", runUrl + "?limit=100", 1, repeats));
            results.add(walk("run, level=error: 10 pages by cursor", runUrl + "?level=error", 10, repeats));
            results.add(walk("run, level=error&order=desc: 10 pages", runUrl + "?level=error&order=desc", 10, repeats));
            results.add(walk("run, q=timeout (rare): every page", runUrl + "?q=timeout", 20, repeats));
            results.add(walk("run, q=items in 1 (common): 10 pages", runUrl + "?q=" + encode("items in 1"), 10, repeats));
            results.add(walk("run, since=<its middle>: 10 pages", runUrl + "?since=" + encode(runMiddle), 10, repeats));
            results.add(walk("run, level=error&q=timeout&since=", runUrl + "?level=error&q=timeout&since=" + encode(runMiddle), 5, repeats));
            results.add(walk("run, meta.status_code=500: 10 pages", runUrl + "?meta.status_code=500", 10, repeats));
            results.add(walk("run, task_run_id=&stream=stderr", runUrl + "?task_run_id=" + task + "&stream=stderr", 10, repeats));
            results.add(walk("task run, level=warn,error", base + "/task-runs/" + task + "?level=warn,error", 10, repeats));
            results.add(walk("job-runs list: 5 pages of 50", base + "/job-runs?limit=50", 5, repeats));
            results.add(walk("job-runs list, since=<1 day ago>", base + "/job-runs?limit=50&since=" + encode(lastDay()), 1, repeats));
            results.add(walk("summary of the run", runUrl + "/summary", 1, repeats));
            results.add(walk("system, q=timeout: 10 pages", base + "/system?q=timeout", 10, Math.min(repeats, 3)));
            results.add(walk("system, q=timeout&since=<1 day ago>: 10 pages", base + "/system?q=timeout&since=" + encode(lastDay()), 10, repeats));
            results.add(walk("type/task, level=error (whole table)", base + "/type/task?level=error", 10, repeats));
            results.add(walk("type/task, q=timeout: 5 pages", base + "/type/task?q=timeout", 5, Math.min(repeats, 3)));
        });
    }

    private interface Requests {
        void run(String base, List<Latency> results) throws Exception;
    }

    /** Runs {@code requests} against a server in this JVM whose connections record the SQL they prepare. */
    private List<Latency> timed(Requests requests) throws Exception {
        // the stream feed gets a connection of its own, so what is recorded is the requests' SQL
        try (HikariDataSource pool = pool();
             LogServer server = LogServer.builder(recording(pool)).listenConnections(db::connect).port(0).start()) {
            List<Latency> results = new ArrayList<>();
            requests.run("http://127.0.0.1:" + server.port() + "/api/v1/logs", results);
            return results;
        }
    }

    /** Downloads of the run from a server in this JVM, in both formats. */
    List<Download> downloads(int repeats) throws Exception {
        List<Download> results = new ArrayList<>();
        try (HikariDataSource pool = pool();
             LogServer server = LogServer.builder(pool).port(0).start()) {
            String runUrl = "http://127.0.0.1:" + server.port() + "/api/v1/logs/job-runs/" + run + "/download";
            for (String format : List.of("ndjson", "text")) {
                double[] rates = new double[repeats];
                long lines = 0;
                for (int i = 0; i < repeats; i++) {
                    long start = System.nanoTime();
                    lines = download(runUrl + "?format=" + format);
                    rates[i] = lines / ((System.nanoTime() - start) / 1e9);
                }
                results.add(new Download("run as " + format + " (server in this JVM)", lines, median(rates), ""));
            }
        }
        return results;
    }

    /**
     * The run and the whole system view downloaded from a {@code serve} process with a 48 MB heap; its GC
     * log gives the largest heap left after a collection.
     */
    List<Download> smallHeapDownloads() throws Exception {
        List<Download> results = new ArrayList<>();
        Path gcLog = Files.createTempFile("stratal-read-gc", ".log");
        try (CliProcess serve = CliProcess.start(List.of("-Xmx48m", "-Xlog:gc:file=" + gcLog), Map.of(), "serve", "--url", db.url(),
                "--port", "0")) {
            String serving = serve.awaitLine("Serving ");
            if (serving == null) {
                throw new IllegalStateException("serve did not start: " + serve.output());
            }
            String base = "http://127.0.0.1:" + CliProcess.port(serving) + "/api/v1/logs";
            download(base + "/job-runs/" + run + "/download"); // warm-up
            for (String[] target : new String[][] {{"run as ndjson", base + "/job-runs/" + run + "/download"},
                    {"all system logs as ndjson", base + "/system/download"}}) {
                int before = gcLines(gcLog).size();
                long start = System.nanoTime();
                long lines = download(target[1]);
                double seconds = (System.nanoTime() - start) / 1e9;
                List<long[]> collections = gcLines(gcLog);
                long maxAfter = collections.subList(before, collections.size()).stream().mapToLong(c -> c[1]).max().orElse(-1);
                results.add(new Download(target[0] + " (serve -Xmx48m)", lines, lines / seconds,
                        String.format("%d GCs, heap after each at most %d MB", collections.size() - before, maxAfter)));
            }
        } finally {
            Files.deleteIfExists(gcLog);
        }
        return results;
    }

    private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private static List<long[]> gcLines(Path log) throws IOException {
        List<long[]> collections = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            Matcher matcher = GC_LINE.matcher(line);
            if (matcher.find()) {
                collections.add(new long[] {Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2))});
            }
        }
        return collections;
    }

    private long download(String url) throws Exception {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode());
        }
        long lines = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = response.body()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        return lines;
    }

    /**
     * Requests {@code url} and up to {@code pages - 1} following pages by {@code next_cursor}, {@code repeats}
     * times after one untimed walk; each request is one sample.
     */
    private Latency walk(String name, String url, int pages, int repeats) throws Exception {
        queries.clear();
        walkOnce(url, pages);
        List<Object> firstQuery;
        synchronized (queries) {
            // the read itself, not JobRuns' look for its index
            firstQuery = queries.stream().filter(q -> !q.get(0).toString().contains("to_regclass")).findFirst().orElse(null);
        }
        List<Double> millis = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            millis.addAll(walkOnce(url, pages));
        }
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Latency(name, sorted.length, percentile(sorted, 0.50), percentile(sorted, 0.99), sorted[sorted.length - 1],
                firstQuery == null ? "?" : plan(firstQuery));
    }

    private List<Double> walkOnce(String url, int pages) throws Exception {
        List<Double> millis = new ArrayList<>();
        String next = url;
        for (int page = 0; page < pages && next != null; page++) {
            long start = System.nanoTime();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(next)).build(), HttpResponse.BodyHandlers.ofString());
            millis.add((System.nanoTime() - start) / 1e6);
            if (response.statusCode() != 200) {
                throw new IllegalStateException(next + " answered " + response.statusCode() + ": " + response.body());
            }
            Matcher cursor = Pattern.compile("\"next_cursor\":\"([^\"]+)\"").matcher(response.body());
            next = cursor.find() ? url + (url.contains("?") ? "&" : "?") + "cursor=" + encode(cursor.group(1)) : null;
        }
        return millis;
    }

    /** The scan nodes of the query's plan: which index it read, or that it read the whole table. */
    private String plan(List<Object> query) throws Exception {
        try (Connection connection = db.connect();
             PreparedStatement explain = connection.prepareStatement("EXPLAIN " + query.get(0))) {
            for (int i = 1; i < query.size(); i++) {
                explain.setObject(i, query.get(i));
            }
            List<String> scans = new ArrayList<>();
            try (ResultSet rs = explain.executeQuery()) {
                while (rs.next()) {
                    Matcher scan = Pattern.compile("(Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan|Parallel Seq Scan)"
                            + "(?: Backward)?(?: using (\\S+))? on").matcher(rs.getString(1));
                    if (scan.find()) {
                        String node = scan.group(2) != null ? scan.group(2) : scan.group(1);
                        if (!scans.contains(node)) {
                            scans.add(node);
                        }
                    }
                }
            }
            return String.join(", ", scans);
        }
    }

    /** A pool as the {@code serve} command makes one. */
    private HikariDataSource pool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.url());
        config.setMaximumPoolSize(8);
        return new HikariDataSource(config);
    }

    /** A DataSource whose statements remember their SQL and parameters (for {@link #plan}). */
    private DataSource recording(DataSource target) {
        InvocationHandler sources = (proxy, method, args) -> {
            Object result = invoke(method, target, args);
            if (result instanceof Connection connection) {
                return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
                    Object made = invoke(m, connection, a);
                    if (m.getName().equals("prepareStatement") && made instanceof PreparedStatement statement) {
                        List<Object> query = new ArrayList<>();
                        query.add(a[0]);
                        synchronized (queries) {
                            queries.add(query);
                        }
                        return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PreparedStatement.class}, (sp, sm, sa) -> {
                            if ((sm.getName().equals("setObject") || sm.getName().equals("setString")) && sa.length == 2) {
                                int index = (Integer) sa[0];
                                while (query.size() <= index) {
                                    query.add(null);
                                }
                                query.set(index, sa[1]);
                            }
                            return invoke(sm, statement, sa);
                        });
                    }
                    return made;
                });
            }
            return result;
        };
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class}, sources);
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private String lastDay() {
        return db.scalar("SELECT to_char(max(timestamp) - interval '1 day', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM logs").toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Drops the database, unless {@code -Dstratal.bench.keep=true} asks to keep it for a look with psql. */
    @Override
    public void close() {
        if (Boolean.getBoolean("stratal.bench.keep")) {
            System.out.println("   kept the database " + db.name() + " (-Dstratal.bench.keep)");
        } else {
            db.close();
        }
    }
}

package io.stratal.logs.bench;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.schema.Migrations;
import io.stratal.logs.schema.Retention;
import io.stratal.logs.names.TableName;
import io.stratal.logs.query.LogConditions;
import io.stratal.logs.query.LogFilter;
import io.stratal.logs.query.LogReader;
import io.stratal.logs.query.LogStats;
import io.stratal.logs.query.PageRequest;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.MDC;

/**
 * Issue 13's measurements: sustained ingest into a large table, plain against partitioned by day, with the
 * seed's and the lean index set (rows/s for each successive million, so the curve shows whether a plain
 * table slows as its indexes outgrow memory); a job-run page and a filtered page on the full table; the
 * conversion of the full plain table in place; retention of 10 days out of 30, batched DELETE against
 * dropping partitions; and 8 application instances writing into one table against one.
 */
final class ScaleBench {

    /** One table shape. */
    record Variant(String name, boolean partitioned, boolean lean) {
    }

    static final List<Variant> VARIANTS = List.of(new Variant("plain, seed indexes", false, false),
            new Variant("plain, lean indexes", false, true), new Variant("partitioned, seed indexes", true, false),
            new Variant("partitioned, lean indexes", true, true));

    /** What ingest into one variant measured. */
    record Ingest(Variant variant, double[] rowsPerSecond, double overall, String size, double[] jobPage,
                  double[] filteredPage, double convertSeconds) {
    }

    private static final int ROWS_PER_RUN = 10_000;
    private static final int CONCURRENT_RUNS = 10;
    private static final int TASKS_PER_RUN = 10;

    private final long rows;
    private final long chunk;
    private final int days;

    ScaleBench(long rows, long chunk, int days) {
        this.rows = rows;
        this.chunk = chunk;
        this.days = days;
    }

    private void partitionByDay(TestDatabase db, int daysBack, boolean lean) throws Exception {
        try (Connection c = db.connect()) {
            Migrations.applyOptional(c, Migrations.PARTITIONED, true);
            if (lean) {
                Migrations.applyOptional(c, Migrations.LEAN_INDEXES, true);
            }
        }
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        for (int d = 1; d <= daysBack; d++) {
            LocalDate day = today.minusDays(d);
            db.execute("CREATE TABLE logs_p" + day.toString().replace('-', '_') + " PARTITION OF logs FOR VALUES FROM ('"
                    + day + "') TO ('" + day.plusDays(1) + "')");
        }
    }

    /** The job runs (and their tasks) the rows belong to: {@code runs} of them. */
    private static List<UUID[]> runs(TestDatabase db, long runs) {
        db.execute("INSERT INTO job_runs (job_name, status) SELECT 'job-' || g, 'succeeded' FROM generate_series(1, " + runs + ") g",
                "INSERT INTO task_runs (job_run_id, task_name) SELECT j.id, 'task-' || g FROM job_runs j, generate_series(1, "
                        + TASKS_PER_RUN + ") g");
        List<UUID[]> tasks = new ArrayList<>();
        for (Map<String, Object> row : db.query("SELECT j.id AS job, t.id AS task FROM job_runs j JOIN task_runs t"
                + " ON t.job_run_id = j.id ORDER BY j.job_name, t.task_name")) {
            tasks.add(new UUID[] {(UUID) row.get("job"), (UUID) row.get("task")});
        }
        return tasks;
    }

    Ingest ingest(Variant variant) throws Exception {
        try (TestDatabase db = TestDatabase.create().migrated()) {
            if (variant.partitioned()) {
                partitionByDay(db, days, variant.lean());
            } else if (variant.lean()) {
                try (Connection c = db.connect()) {
                    Migrations.applyOptional(c, Migrations.LEAN_INDEXES, true);
                }
            }
            long runCount = Math.max(CONCURRENT_RUNS, rows / ROWS_PER_RUN);
            List<UUID[]> tasks = runs(db, runCount);
            LocalDateTime start = LocalDate.now(ZoneOffset.UTC).minusDays(days).atStartOfDay();
            double[] curve = copy(db, tasks, rows, start, Duration.ofDays(days));
            double overall = rows / Arrays.stream(curve).map(r -> chunk / r).sum();
            db.execute("VACUUM ANALYZE logs");
            String size = size(db);
            double[] jobPage = new double[0];
            double[] filtered = new double[0];
            double convert = Double.NaN;
            if (!variant.lean()) {
                jobPage = pages(db, tasks, null);
                filtered = pages(db, tasks, LogConditions.parse(Map.of("level", List.of("warn,error"))));
                if (!variant.partitioned()) {
                    long t0 = System.nanoTime();
                    try (Connection c = db.connect()) {
                        Migrations.applyOptional(c, Migrations.PARTITIONED, true);
                    }
                    convert = (System.nanoTime() - t0) / 1e9;
                }
            }
            return new Ingest(variant, curve, overall, size, jobPage, filtered, convert);
        }
    }

    private static String size(TestDatabase db) throws Exception {
        LogStats.TableSize size = new LogStats(db.dataSource(), TableName.parseOrNull("logs")).size();
        return String.format("%,.0f MB rows, %,.0f MB indexes", size.tableBytes() / 1e6, size.indexBytes() / 1e6);
    }

    /**
     * p50 and p99 (ms) of the first page of 200 random job runs, through {@link LogReader} on a connection pool
     * as {@code serve} has (a new connection per page would time loading the catalog of every partition).
     */
    private static double[] pages(TestDatabase db, List<UUID[]> tasks, LogConditions conditions) throws Exception {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl(db.url());
        config.setMaximumPoolSize(2);
        try (com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config)) {
            LogReader reader = new LogReader(pool, TableName.parseOrNull("logs"));
            Random random = new Random(11);
            double[] millis = new double[200];
            for (int i = -20; i < millis.length; i++) { // 20 not counted: the connections and plan caches warm up
                UUID job = tasks.get(random.nextInt(tasks.size()))[0];
                LogFilter filter = conditions == null ? LogFilter.jobRun(job) : LogFilter.jobRun(job).where(conditions);
                long t0 = System.nanoTime();
                reader.page(filter, new PageRequest(100, 0, null));
                if (i >= 0) {
                    millis[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            Arrays.sort(millis);
            return new double[] {millis[millis.length / 2], millis[millis.length * 99 / 100]};
        }
    }

    /**
     * COPY of {@code total} rows in 5,000-row transactions, timestamps rising evenly over {@code span} from
     * {@code start}, {@value #CONCURRENT_RUNS} job runs at a time; a second thread encodes ahead so the clock
     * times the server. Returns rows/s for each {@code chunk} rows.
     */
    private double[] copy(TestDatabase db, List<UUID[]> tasks, long total, LocalDateTime start, Duration span) throws Exception {
        BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(8);
        long stepNanos = span.toNanos() / total;
        Thread encoder = new Thread(() -> {
            Random random = new Random(7);
            ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
            long runs = tasks.size() / TASKS_PER_RUN;
            try {
                for (long i = 0; i < total; i++) {
                    long run = Math.min(runs - 1, (i / ((long) ROWS_PER_RUN * CONCURRENT_RUNS)) * CONCURRENT_RUNS
                            + random.nextInt(CONCURRENT_RUNS));
                    UUID[] task = tasks.get((int) (run * TASKS_PER_RUN + random.nextInt(TASKS_PER_RUN)));
                    String line = IndexSetBench.copyLine(random, task, start.plusNanos(i * stepNanos), i);
                    out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
                    if ((i + 1) % 5000 == 0 || i == total - 1) {
                        chunks.put(out.toByteArray());
                        out.reset();
                    }
                }
                chunks.put(new byte[0]);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-encoder");
        encoder.start();
        double[] curve = new double[(int) ((total + chunk - 1) / chunk)];
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            long written = 0;
            long chunkStart = System.nanoTime();
            byte[] bytes;
            while ((bytes = chunks.take()).length > 0) {
                CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI()
                        .copyIn("COPY logs (type, job_run_id, task_run_id, timestamp, level, stream, message, metadata) FROM STDIN");
                copy.writeToCopy(bytes, 0, bytes.length);
                written += copy.endCopy();
                c.commit();
                if (written % chunk == 0 || written == total) {
                    long now = System.nanoTime();
                    long inChunk = written % chunk == 0 ? chunk : written % chunk;
                    curve[(int) ((written - 1) / chunk)] = inChunk / ((now - chunkStart) / 1e9);
                    chunkStart = now;
                }
            }
        } finally {
            encoder.join();
        }
        return curve;
    }

    /** What retention measured on one table shape. */
    record Purge(String name, long rowsBefore, long rowsDeleted, double seconds, int steps, double longestStepMillis,
                 String sizeBefore, String sizeAfter, String sizeAfterVacuum) {
    }

    /** Retention of the oldest 10 days of 30 ({@code perDay} rows a day). */
    Purge retention(boolean partitioned, long perDay) throws Exception {
        try (TestDatabase db = TestDatabase.create().migrated()) {
            if (partitioned) {
                partitionByDay(db, 30, false);
            }
            List<UUID[]> tasks = runs(db, Math.max(CONCURRENT_RUNS, perDay * 30 / ROWS_PER_RUN));
            LocalDateTime start = LocalDate.now(ZoneOffset.UTC).minusDays(30).atStartOfDay();
            copy(db, tasks, perDay * 30, start, Duration.ofDays(30));
            db.execute("VACUUM ANALYZE logs");
            long before = db.count("SELECT count(*) FROM logs");
            String sizeBefore = size(db);
            LocalDateTime cutoff = start.plusDays(10);
            long[] steps = {0};
            double[] longest = {0};
            long t0 = System.nanoTime();
            Retention.Result result;
            try (Connection c = db.connect()) {
                result = new Retention(TableName.parseOrNull("logs"), 10_000).purge(c, cutoff, (step, rows, nanos) -> {
                    steps[0]++;
                    longest[0] = Math.max(longest[0], nanos / 1e6);
                });
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            String sizeAfter = size(db);
            db.execute("VACUUM logs");
            return new Purge(partitioned ? "partitioned: drop partitions" : "plain: batched DELETE", before, result.total(), seconds,
                    (int) steps[0], longest[0], sizeBefore, sizeAfter, size(db));
        }
    }

    /** What one writers' setup measured. */
    record Writers(String name, long rows, double seconds, long stored) {
        double rowsPerSecond() {
            return rows / seconds;
        }
    }

    /**
     * {@code instances} application instances (each its own logback context, appender and pool, at the
     * library's defaults) with {@code threadsEach} logging threads, {@code linesPerThread} lines each into its
     * own job run; timed from the first call until every instance has stopped, which drains its queue.
     */
    Writers writers(String name, int instances, int threadsEach, int linesPerThread) throws Exception {
        try (TestDatabase db = TestDatabase.create().migrated()) {
            List<LoggerContext> contexts = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < instances; i++) {
                LoggerContext context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url(),
                        "maxBlockTime", "30 seconds", "flushInterval", "1 second", "rootLevel", "INFO"));
                contexts.add(context);
                Logger log = context.getLogger("com.example.Instance" + i);
                for (int t = 0; t < threadsEach; t++) {
                    UUID run = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('writer') RETURNING id");
                    threads.add(new Thread(() -> {
                        MDC.put("job_run_id", run.toString());
                        try {
                            go.await();
                            for (int n = 0; n < linesPerThread; n++) {
                                log.info("Processed batch {} of the nightly import: {} records", n, 250);
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            MDC.clear();
                        }
                    }));
                }
            }
            threads.forEach(Thread::start);
            long t0 = System.nanoTime();
            go.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            contexts.parallelStream().forEach(LoggerContext::stop);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long total = (long) instances * threadsEach * linesPerThread;
            return new Writers(name, total, seconds, db.count("SELECT count(*) FROM logs"));
        }
    }

}

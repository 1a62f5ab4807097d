package io.stratal.logs.bench;

import static org.awaitility.Awaitility.await;

import io.stratal.logs.server.LogServer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code GET /metrics} costs the server and the database.
 *
 * <ul>
 *   <li>The feed's CPU per row, with the row tally and without ({@code metrics(false)}): the server starts, the
 *       rows are inserted at once (64 job runs, 1 in 20 lines an error), and the feed thread's CPU time is read
 *       when it has read them all. Rounds alternate between the two; the median of each is compared.</li>
 *   <li>The database's transactions per second while nothing scrapes, and while {@code /metrics} is scraped ten
 *       times a second (600 times a Prometheus at 15 s would), over a table of {@code rows} rows; and the
 *       scrape's latency.</li>
 * </ul>
 */
final class MetricsBench {

    /** The feed thread's CPU per row, and the whole process's, with the tally and without. */
    record FeedCost(double nanosPerRowWith, double nanosPerRowWithout, double processNanosPerRowWith,
                    double processNanosPerRowWithout, int rounds) {
        double added() {
            return nanosPerRowWith / nanosPerRowWithout - 1;
        }

        double processAdded() {
            return processNanosPerRowWith / processNanosPerRowWithout - 1;
        }
    }

    record ScrapeCost(double transactionsPerSecondIdle, double transactionsPerSecondScraped, double scrapesPerSecond,
                      double p50Millis, double p99Millis, long tableRows) {
    }

    private final BenchSchema schema;
    private final HttpClient http = HttpClient.newHttpClient();

    MetricsBench(BenchSchema schema) {
        this.schema = schema;
    }

    FeedCost feedCost(int rows, int rounds) throws Exception {
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        List<Double> processWith = new ArrayList<>();
        List<Double> processWithout = new ArrayList<>();
        feedNanosPerRow(true, rows / 10); // warm-up, both paths
        feedNanosPerRow(false, rows / 10);
        for (int round = 0; round < rounds; round++) {
            double[] on = feedNanosPerRow(true, rows);
            double[] off = feedNanosPerRow(false, rows);
            with.add(on[0]);
            processWith.add(on[1]);
            without.add(off[0]);
            processWithout.add(off[1]);
        }
        return new FeedCost(median(with), median(without), median(processWith), median(processWithout), rounds);
    }

    /** {@return the feed thread's CPU nanoseconds per row, and the process's, from the insert to the last row read} */
    private double[] feedNanosPerRow(boolean metrics, int rows) throws Exception {
        schema.reset();
        try (LogServer server = LogServer.builder(schema.db.dataSource()).port(0).metrics(metrics).start()) {
            long feed = feedThreadId();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long before = threads.getThreadCpuTime(feed);
            long processBefore = os.getProcessCpuTime();
            StringBuilder runs = new StringBuilder("ARRAY[");
            for (int i = 0; i < schema.jobRuns.size(); i++) {
                runs.append(i == 0 ? "" : ",").append("'").append(schema.jobRuns.get(i)).append("'::uuid");
            }
            runs.append("]");
            schema.db.execute("INSERT INTO logs (type, job_run_id, level, timestamp, message) SELECT 'job', (" + runs
                    + ")[1 + g % " + schema.jobRuns.size() + "], CASE WHEN g % 20 = 0 THEN 'error' ELSE 'info' END,"
                    + " now() AT TIME ZONE 'UTC', 'line ' || g FROM generate_series(1, " + rows + ") g");
            long last = (Long) schema.db.scalar("SELECT max(id) FROM logs");
            URI status = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/logs/stream/status");
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20)).until(() -> lastId(status) >= last);
            return new double[] {(threads.getThreadCpuTime(feed) - before) / (double) rows,
                    (os.getProcessCpuTime() - processBefore) / (double) rows};
        }
    }

    private long lastId(URI status) throws Exception {
        String body = http.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString()).body();
        int at = body.indexOf("\"last_id\":") + "\"last_id\":".length();
        int end = at;
        while (end < body.length() && (Character.isDigit(body.charAt(end)) || body.charAt(end) == '-')) {
            end++;
        }
        return Long.parseLong(body.substring(at, end));
    }

    private static long feedThreadId() {
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            if (info.getThreadName().equals("stratal-log-feed")) {
                return info.getThreadId();
            }
        }
        throw new IllegalStateException("no feed thread");
    }

    ScrapeCost scrapeCost(long tableRows, int seconds) throws Exception {
        schema.reset();
        schema.db.execute("INSERT INTO logs (type, job_run_id, level, timestamp, message) SELECT 'job', '" + schema.jobRuns.get(0)
                + "', 'info', now() AT TIME ZONE 'UTC', 'line ' || g FROM generate_series(1, " + tableRows + ") g", "VACUUM ANALYZE logs");
        try (LogServer server = LogServer.builder(schema.db.dataSource()).port(0).metrics(true).start()) {
            URI metrics = URI.create("http://127.0.0.1:" + server.port() + "/metrics");
            http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()); // the size read is done
            Thread.sleep(1_000);
            long idleFrom = transactions();
            long idleStart = System.nanoTime();
            Thread.sleep(seconds * 1_000L);
            double idle = (transactions() - idleFrom) / ((System.nanoTime() - idleStart) / 1e9);

            List<Long> latencies = new ArrayList<>();
            long from = transactions();
            long start = System.nanoTime();
            long next = start;
            while (System.nanoTime() - start < seconds * 1_000_000_000L) {
                long t0 = System.nanoTime();
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString());
                latencies.add(System.nanoTime() - t0);
                if (answer.statusCode() != 200) {
                    throw new IllegalStateException("scrape answered " + answer.statusCode());
                }
                next += 100_000_000L;
                Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            double scraped = (transactions() - from) / elapsed;
            latencies.sort(null);
            return new ScrapeCost(idle, scraped, latencies.size() / elapsed, latencies.get(latencies.size() / 2) / 1e6,
                    latencies.get((int) Math.min(latencies.size() - 1, Math.ceil(latencies.size() * 0.99) - 1)) / 1e6, tableRows);
        }
    }

    /** The database's committed transactions so far, from another database's connection so as not to add to them. */
    private long transactions() {
        try (var connection = java.sql.DriverManager.getConnection(schema.db.url().replaceFirst("/" + schema.db.name() + "(\\?|$)", "/postgres$1"));
             var statement = connection.prepareStatement("SELECT pg_stat_force_next_flush(); SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = ?")) {
            statement.setString(1, schema.db.name());
            statement.execute();
            statement.getMoreResults();
            try (var rs = statement.getResultSet()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@return the tally's nanoseconds per row on one page as the feed reads it (JMH, {@code RowTallyBenchmark})} */
    static double tallyNanosPerRow(boolean smoke) throws Exception {
        org.openjdk.jmh.runner.options.Options options = new org.openjdk.jmh.runner.options.OptionsBuilder()
                .include(io.stratal.logs.server.RowTallyBenchmark.class.getName())
                .forks(1)
                .warmupIterations(smoke ? 1 : 3).warmupTime(org.openjdk.jmh.runner.options.TimeValue.seconds(1))
                .measurementIterations(smoke ? 1 : 5).measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds(1))
                .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT)
                .build();
        double nanosPerPage = new org.openjdk.jmh.runner.Runner(options).run().iterator().next().getPrimaryResult().getScore();
        return nanosPerPage / io.stratal.logs.server.RowTallyBenchmark.ROWS;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}

package io.stratal.logs.bench;

import io.stratal.logs.testing.TestDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The benchmark, in one run on one machine: end-to-end throughput against raw COPY, the cost of a log call
 * against logback's AsyncAppender, the heap held during a burst against a slow database, and what the
 * seed's index set costs against leaner ones. Run it with:
 *
 * <pre>STRATAL_TEST_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres mvn -Pbench -DskipTests verify</pre>
 *
 * Arguments (through {@code -Dbench.args="..."}): {@code --smoke} for a short run with small sizes, and
 * {@code --only e2e,copy-writers,profile,call,burst,index,stream,metrics,read,scale,archive} for some parts; {@code --read-rows N} sets the read part's
 * table size (10 million by default), {@code --scale-rows N} the scale part's (20 million), and
 * {@code --scale-seed-only} runs only its seed-index variants (ingest, pages, conversion).
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> words = new ArrayList<>();
        for (String arg : args) {
            if (!arg.isBlank()) {
                words.addAll(Arrays.asList(arg.trim().split("\\s+")));
            }
        }
        boolean smoke = words.contains("--smoke");
        Set<String> parts = Set.of("e2e", "copy-writers", "profile", "call", "burst", "index", "stream", "metrics", "read", "scale", "archive");
        int only = words.indexOf("--only");
        if (only >= 0 && only + 1 < words.size()) {
            parts = Set.of(words.get(only + 1).split(","));
        }
        Locale.setDefault(Locale.ROOT);
        System.out.println("Stratal benchmark" + (smoke ? " (smoke: small sizes, numbers mean little)" : ""));
        System.out.println("  machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB");
        System.out.println("  database: " + TestDatabase.serverDescription());
        if (parts.contains("e2e")) {
            endToEnd(smoke ? 20_000 : 300_000, smoke ? 20_000 : 200_000, smoke ? 1 : 5);
        }
        if (parts.contains("copy-writers")) {
            copyWriters(smoke ? 20_000 : 300_000, smoke ? 20_000 : 200_000, smoke ? 1 : 5);
        }
        if (parts.contains("profile")) {
            WritersProfile.run(smoke ? 20_000 : 300_000, smoke ? 20_000 : 200_000);
        }
        if (parts.contains("call")) {
            perCall(smoke);
        }
        if (parts.contains("archive")) {
            ArchiveBench.run(smoke ? 20_000 : 10_000_000);
        }
        if (parts.contains("burst")) {
            burst(smoke ? 50_000 : 1_000_000);
        }
        if (parts.contains("index")) {
            indexSets(smoke ? 20_000 : 3_000_000, smoke ? 3 : 7);
        }
        if (parts.contains("stream")) {
            streams(smoke ? 2 : 20);
        }
        if (parts.contains("metrics")) {
            metrics(smoke ? 20_000 : 300_000, smoke ? 1 : 5, smoke ? 2 : 20, smoke ? 100_000 : 1_000_000);
        }
        if (parts.contains("read")) {
            int sized = words.indexOf("--read-rows");
            long readRows = sized >= 0 && sized + 1 < words.size() ? Long.parseLong(words.get(sized + 1).replace("_", ""))
                    : smoke ? 300_000 : 10_000_000;
            reads(readRows, smoke ? 10_000 : 100_000, smoke ? 2 : 10);
        }
        if (parts.contains("scale")) {
            int sized = words.indexOf("--scale-rows");
            long scaleRows = sized >= 0 && sized + 1 < words.size() ? Long.parseLong(words.get(sized + 1).replace("_", ""))
                    : smoke ? 100_000 : 20_000_000;
            scale(scaleRows, smoke, words.contains("--scale-seed-only"));
        }
    }

    private static void scale(long rows, boolean smoke, boolean seedOnly) throws Exception {
        long chunk = smoke ? 10_000 : 1_000_000;
        int days = (int) Math.max(2, rows / 1_000_000);
        System.out.printf("%n7. Scale: %,d rows by COPY (5,000 a transaction), timestamps rising over %d days, %d job runs at a%n",
                rows, days, 10);
        System.out.println("   time, 10,000 rows each; plain against partitioned by day (db/optional/000006), seed against lean");
        System.out.printf("   indexes. Rows/s for each successive %,d rows, the overall rate, the size at the end, and the first%n", chunk);
        System.out.println("   page (100 rows) of 200 random job runs, all levels and level=warn,error, through LogReader.");
        ScaleBench bench = new ScaleBench(rows, chunk, days);
        List<ScaleBench.Ingest> ingests = new ArrayList<>();
        for (ScaleBench.Variant variant : ScaleBench.VARIANTS) {
            if (seedOnly && variant.lean()) {
                continue;
            }
            ScaleBench.Ingest in = bench.ingest(variant);
            ingests.add(in);
            StringBuilder curve = new StringBuilder();
            for (double r : in.rowsPerSecond()) {
                curve.append(String.format(" %,.0f", r));
            }
            System.out.printf("   %-27s overall %,9.0f rows/s; %s%n", variant.name(), in.overall(), in.size());
            System.out.printf("   %-27s rows/s per chunk:%s%n", "", curve);
            if (in.jobPage().length > 0) {
                System.out.printf("   %-27s job-run page p50 %.1f ms, p99 %.1f ms; level=warn,error page p50 %.1f ms, p99 %.1f ms%n",
                        "", in.jobPage()[0], in.jobPage()[1], in.filteredPage()[0], in.filteredPage()[1]);
            }
            if (!Double.isNaN(in.convertSeconds())) {
                System.out.printf("   %-27s converted in place to partitioned (migrate up --partitioned): %.1f s, %.1f s per million rows%n",
                        "", in.convertSeconds(), in.convertSeconds() / (rows / 1e6));
            }
        }
        if (seedOnly) {
            System.out.printf("   partitioned against plain, overall, seed: %.2f (--scale-seed-only: no lean variants, retention or"
                    + " writers)%n", ingests.get(1).overall() / ingests.get(0).overall());
            return;
        }
        System.out.printf("   partitioned against plain, overall: seed %.2f, lean %.2f; the last chunk against the first: plain seed %.2f,"
                + " partitioned seed %.2f%n", ingests.get(2).overall() / ingests.get(0).overall(),
                ingests.get(3).overall() / ingests.get(1).overall(), last(ingests.get(0)), last(ingests.get(2)));

        long perDay = smoke ? 1_000 : 100_000;
        System.out.printf("%n   Retention of the oldest 10 days of 30 (%,d rows a day, seed indexes), with the retention command's%n", perDay);
        System.out.println("   code: time, steps (each its own transaction), the longest step (how long its locks were held), sizes:");
        for (boolean partitioned : List.of(false, true)) {
            ScaleBench.Purge p = bench.retention(partitioned, perDay);
            System.out.printf("   %-30s %,d of %,d rows in %.2f s, %d steps, longest %.1f ms%n", p.name(), p.rowsDeleted(),
                    p.rowsBefore(), p.seconds(), p.steps(), p.longestStepMillis());
            System.out.printf("   %-30s before: %s; after: %s; after VACUUM: %s%n", "", p.sizeBefore(), p.sizeAfter(), p.sizeAfterVacuum());
        }

        int lines = smoke ? 2_000 : 50_000;
        System.out.printf("%n   Many writers: 8 x %,d lines into one table (each thread its own job run, the appender's defaults%n", lines);
        System.out.println("   but flushInterval 1 s), timed from the first call until every instance stopped and drained:");
        ScaleBench.Writers one = bench.writers("1 instance, 1 thread", 1, 1, lines * 8);
        List<ScaleBench.Writers> all = List.of(one, bench.writers("1 instance, 8 threads", 1, 8, lines),
                bench.writers("8 instances, 1 thread each", 8, 1, lines));
        for (ScaleBench.Writers w : all) {
            System.out.printf("   %-30s %,9.0f rows/s combined (%.2f of one instance); %,d of %,d stored%n", w.name(),
                    w.rowsPerSecond(), w.rowsPerSecond() / one.rowsPerSecond(), w.stored(), w.rows());
        }
    }

    private static double last(ScaleBench.Ingest in) {
        double[] r = in.rowsPerSecond();
        return r[r.length - 1] / r[0];
    }

    private static void reads(long rows, int runRows, int repeats) throws Exception {
        System.out.printf("%n6. Reading a large table: %,d rows over 30 days with the seed's indexes (80%% in job runs of about%n", rows);
        System.out.printf("   3,200 rows, 20%% system), and one job run of %,d rows in 20 tasks, every third row of its stretch%n", runRows);
        System.out.println("   (1% errors, 4% warnings, a 'timeout' message in 1 of 997 rows). Each request goes over HTTP to a");
        System.out.println("   server in this JVM; a walk follows next_cursor page by page and each page is one sample. 'plan' is");
        System.out.println("   what EXPLAIN shows the first request's SQL reading.");
        try (ReadBench bench = new ReadBench(rows, runRows)) {
            bench.load();
            System.out.printf("   loaded in %.0f s: %s; the run has %,d rows%n", bench.loadSeconds(), bench.tableSize(), bench.runRowCount());
            System.out.printf("   %-40s %8s %8s %8s %8s  %s%n", "request", "samples", "p50 ms", "p99 ms", "max ms", "plan");
            for (ReadBench.Latency l : bench.pages(repeats)) {
                System.out.printf("   %-40s %8d %8.1f %8.1f %8.1f  %s%n", l.name(), l.requests(), l.p50(), l.p99(), l.max(), l.plan());
            }
            System.out.println("   targets: a filtered page of the run p99 <= 50 ms, the job-runs list <= 100 ms, a summary <= 150 ms");
            List<ReadBench.Download> downloads = new ArrayList<>(bench.downloads(3));
            downloads.addAll(bench.smallHeapDownloads());
            for (ReadBench.Download d : downloads) {
                System.out.printf("   download %-44s %,10d rows %,10.0f rows/s  %s%n", d.name(), d.rows(), d.rowsPerSecond(), d.heap());
            }
            System.out.println("   target: a download >= 50,000 rows/s with the server's heap flat");
            System.out.println("   With the opt-in problem and job-run indexes (migrate up --problem-index --job-run-index) and a");
            System.out.println("   trigram index (not shipped): each one's build, and inserting 1 row in 50 more (in statements of");
            System.out.println("   5,000 rows) into the full table after it, against before:");
            for (ReadBench.Addition a : bench.additions()) {
                System.out.printf("   %-40s build %6.1f s; insert %,9.0f rows/s (%.2f of before)%n", a.name(), a.buildSeconds(),
                        a.writeRowsPerSecond(), a.writeRatio());
            }
            for (ReadBench.Latency l : bench.searches(repeats)) {
                System.out.printf("   %-40s %8d %8.1f %8.1f %8.1f  %s%n", l.name(), l.requests(), l.p50(), l.p99(), l.max(), l.plan());
            }
        }
    }

    private static void metrics(int rows, int rounds, int seconds, long tableRows) throws Exception {
        System.out.printf("%n5b. The server's /metrics: the stream feed's CPU per row with the row tally (metrics on) and without%n");
        System.out.printf("   (metrics(false)), %,d rows inserted at once over 64 job runs, median of %d alternating rounds; then%n", rows, rounds);
        System.out.printf("   the database's transactions per second over %d s idle and over %d s of scrapes ten times a second,%n", seconds, seconds);
        System.out.printf("   on a table of %,d rows.%n", tableRows);
        try (BenchSchema schema = new BenchSchema(64, 0)) {
            MetricsBench bench = new MetricsBench(schema);
            MetricsBench.FeedCost feed = bench.feedCost(rows, rounds);
            System.out.printf("   feed thread CPU per row: %.0f ns with the tally, %.0f ns without: %+.1f%%%n", feed.nanosPerRowWith(),
                    feed.nanosPerRowWithout(), feed.added() * 100);
            System.out.printf("   server process CPU per row: %.0f ns with the tally, %.0f ns without: %+.1f%%%n",
                    feed.processNanosPerRowWith(), feed.processNanosPerRowWithout(), feed.processAdded() * 100);
            double tally = MetricsBench.tallyNanosPerRow(rounds == 1);
            System.out.printf("   the tally alone (JMH, a page of 2,000 rows over 64 runs): %.1f ns per row, %.1f%% of the feed"
                    + " thread's CPU per row without it%n", tally, tally / feed.nanosPerRowWithout() * 100);
            MetricsBench.ScrapeCost scrape = bench.scrapeCost(tableRows, seconds);
            System.out.printf("   database transactions/s: %.2f idle (the feed's polls), %.2f while scraped %.1f times a second;"
                    + " scrape p50 %.2f ms, p99 %.2f ms%n", scrape.transactionsPerSecondIdle(), scrape.transactionsPerSecondScraped(),
                    scrape.scrapesPerSecond(), scrape.p50Millis(), scrape.p99Millis());
        }
    }

    private static void streams(int seconds) throws Exception {
        System.out.printf("%n5. Streaming: the appender logs 200 rows a second into one job run for %d s (defaults:%n", seconds);
        System.out.println("   flushInterval 250 ms); SSE clients of a log server on the same database time each row from the");
        System.out.println("   log call to its arrival. Without NOTIFY the server finds rows by polling every 2 s.");
        try (BenchSchema schema = new BenchSchema(1, 1)) {
            StreamBench bench = new StreamBench(schema);
            List<StreamBench.Result> results = List.of(
                    bench.run("notify on", true, 1, 200, seconds),
                    bench.run("notify on", true, 50, 200, seconds),
                    bench.run("notify off (polling)", false, 1, 200, seconds));
            for (StreamBench.Result r : results) {
                System.out.printf("   %-22s %3d client(s): %,6d rows each; latency p50 %7.1f ms, p99 %7.1f ms, max %7.1f ms;"
                        + " missing %d%n", r.name(), r.clients(), r.rows(), r.p50Millis(), r.p99Millis(), r.maxMillis(), r.missing());
            }
        }
    }

    /** Raw COPY through 1, 2 and 4 connections at once: the ceiling that parallel writers would have here. */
    private static void copyWriters(int rows, int burstRows, int rounds) throws Exception {
        System.out.printf("%n1b. Raw COPY of the same rows through 1, 2 and 4 connections at once (each takes the next 5,000-row%n");
        System.out.printf("   transaction), seed schema, median of %d interleaved rounds: the ceiling of several writers on this%n", rounds);
        System.out.println("   machine, where the database shares the cores with the JVM. Then the appender (defaults otherwise)");
        System.out.println("   with writers 1 and 2, the same rows, in the same rounds, and the JVM CPU it adds per row over the same");
        System.out.println("   calls into logback's AsyncAppender in front of an appender that does nothing. Shapes A and B are part 1's;");
        System.out.printf("   C: %,d plain job lines from 8 threads, each over 8 runs of its own (64 runs); D: the same, but half%n", burstRows);
        System.out.println("   of every thread's lines go to one hot run and the rest spread over 63 quiet ones.");
        try (BenchSchema schema = new BenchSchema(20, 10)) {
            writersShape("A) lines with arguments and pairs", schema, new EndToEndBench(schema, rows, 2, false), rounds);
            writersShape("B) plain task lines (the burst)", schema, new EndToEndBench(schema, burstRows, 2, true), rounds);
        }
        try (BenchSchema schema = new BenchSchema(64, 0)) {
            writersShape("C) 8 threads over 64 job runs", schema,
                    new EndToEndBench(schema, burstRows, 8, (thread, line) -> thread * 8 + line % 8), rounds);
            writersShape("D) one hot run beside 63 quiet ones", schema,
                    new EndToEndBench(schema, burstRows, 8, (thread, line) -> line % 2 == 0 ? 0 : 1 + (thread * 8 + line / 2) % 63),
                    rounds);
        }
    }

    private static void writersShape(String name, BenchSchema schema, EndToEndBench bench, int rounds) throws Exception {
        int[] connections = {1, 2, 4};
        double[][] rates = new double[connections.length][rounds];
        double[][] appender = new double[2][rounds];
        double[][] addedCpu = new double[2][rounds];
        long[] secondWriterRows = new long[2];
        if (rounds > 1) {
            schema.reset();
            bench.copyCeilingRowsPerSecond(2); // warm-up, not counted
            schema.reset();
            bench.appenderRowsPerSecond(Map.of("writers", "2"));
        }
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < connections.length; k++) {
                schema.reset();
                rates[k][round] = bench.copyCeilingRowsPerSecond(connections[k]);
            }
            double asyncCpu = bench.asyncAppenderCpuSeconds();
            for (int w = 0; w < 2; w++) {
                schema.reset();
                appender[w][round] = bench.appenderRowsPerSecond(Map.of("writers", Integer.toString(w + 1)));
                addedCpu[w][round] = (bench.lastJvmCpuSeconds - asyncCpu) / bench.rows() * 1e6;
            }
            secondWriterRows = bench.lastWriterRows;
        }
        double one = median(rates[0]);
        StringBuilder line = new StringBuilder();
        for (int k = 0; k < connections.length; k++) {
            line.append(String.format("  %d: %,.0f rows/s (%.2fx)", connections[k], median(rates[k]), median(rates[k]) / one));
        }
        System.out.printf("   %-44s%s%n", name, line);
        double two = median(rates[1]);
        System.out.printf("   %-44s  writers 1: %,.0f rows/s (%.2f of COPY x1)  writers 2: %,.0f rows/s (%.2f of COPY x1,"
                + " %.2f of COPY x2)%n", "   the appender", median(appender[0]), median(appender[0]) / one,
                median(appender[1]), median(appender[1]) / one, median(appender[1]) / two);
        System.out.printf("   %-44s  writers 1: %.2f us per row  writers 2: %.2f us per row over AsyncAppender;"
                + " rows per writer (2 writers): %s%n", "   JVM CPU", median(addedCpu[0]), median(addedCpu[1]),
                Arrays.toString(secondWriterRows));
    }

    private static void endToEnd(int rows, int burstRows, int rounds) throws Exception {
        System.out.printf("%n1. End to end, seed schema (7 indexes, 2 foreign keys), the appender at the library's defaults,%n");
        System.out.println("   timed from the first log call until the last row is committed; the ceiling is raw COPY of the same");
        System.out.println("   rows, encoded beforehand, 5000 rows a transaction. Two shapes, interleaved in each round:");
        System.out.printf("   A) %,d task calls from 2 threads with two arguments and two key-value pairs (the project's%n", rows);
        System.out.println("      benchmark; its third run has notify off, to show what announcing each batch costs);");
        System.out.printf("   B) a burst of %,d plain task lines from 2 threads, as fast as they go.%n", burstRows);
        System.out.println("   The ratio is taken per round: the server's own rate drifts between rounds about as much as the gap.");
        System.out.println("   JVM CPU per stored row is the whole JVM's (callers, flusher, GC) against the same calls into logback's");
        System.out.println("   AsyncAppender in front of an appender that does nothing.");
        double[] copy = new double[rounds];
        double[] appender = new double[rounds];
        double[] quiet = new double[rounds];
        double[] binaryCopy = new double[rounds];
        double[] burstCopy = new double[rounds];
        double[] burst = new double[rounds];
        double[] cpuAdded = new double[rounds];
        double[] cpuAppender = new double[rounds];
        double[] cpuAsync = new double[rounds];
        double[] callersAdded = new double[rounds];
        try (BenchSchema schema = new BenchSchema(20, 10)) {
            EndToEndBench bench = new EndToEndBench(schema, rows, 2, false);
            EndToEndBench burstBench = new EndToEndBench(schema, burstRows, 2, true);
            if (rounds > 1) {
                // one round not counted: the JIT compiles the hot paths of every run here, not in round 1
                schema.reset();
                bench.copyCeilingRowsPerSecond();
                schema.reset();
                bench.appenderRowsPerSecond(Map.of());
                bench.asyncAppenderCpuSeconds();
                schema.reset();
                burstBench.appenderRowsPerSecond(Map.of());
                System.out.println("   (a warm-up round ran first and is not counted)");
            }
            for (int r = 0; r < rounds; r++) {
                schema.reset();
                copy[r] = bench.copyCeilingRowsPerSecond();
                double copyCpu = bench.lastJvmCpuSeconds;
                // The two appender runs swap places every round, so neither always runs on a warmer JVM.
                double appenderCpu = 0;
                double appenderCallers = 0;
                long appenderGc = 0;
                for (int run = 0; run < 2; run++) {
                    boolean notifying = (run + r) % 2 == 0;
                    schema.reset();
                    if (notifying) {
                        appender[r] = bench.appenderRowsPerSecond(Map.of());
                        appenderCpu = bench.lastJvmCpuSeconds;
                        appenderGc = bench.lastGcMillis;
                        appenderCallers = bench.lastCallerCpuSeconds;
                    } else {
                        quiet[r] = bench.appenderRowsPerSecond(Map.of("notify", "false"));
                    }
                }
                double asyncCpu = bench.asyncAppenderCpuSeconds();
                long asyncGc = bench.lastGcMillis;
                cpuAppender[r] = appenderCpu / rows * 1e6;
                cpuAsync[r] = asyncCpu / rows * 1e6;
                cpuAdded[r] = cpuAppender[r] - cpuAsync[r];
                callersAdded[r] = (appenderCallers - bench.lastCallerCpuSeconds) / rows * 1e6;
                schema.reset();
                binaryCopy[r] = bench.copyBinaryCeilingRowsPerSecond();
                schema.reset();
                burstCopy[r] = burstBench.copyCeilingRowsPerSecond();
                schema.reset();
                burst[r] = burstBench.appenderRowsPerSecond(Map.of());
                System.out.printf("   round %d: A) COPY %,.0f rows/s, appender %,.0f rows/s, ratio %.2f (notify off: %,.0f rows/s,"
                                + " ratio %.2f); JVM CPU per row: appender %.2f µs, AsyncAppender %.2f µs, added %.2f µs"
                                + " (on the logging threads %.2f µs, elsewhere %.2f µs; GC pauses: appender %d ms, AsyncAppender %d ms)%n"
                                + "            A) COPY in binary format %,.0f rows/s (%.2f of text)%n"
                                + "            B) COPY %,.0f rows/s, appender %,.0f rows/s, ratio %.2f; JVM CPU: COPY %.1f s%n",
                        r + 1, copy[r], appender[r], appender[r] / copy[r], quiet[r], quiet[r] / copy[r], cpuAppender[r],
                        cpuAsync[r], cpuAdded[r], callersAdded[r], cpuAdded[r] - callersAdded[r], appenderGc, asyncGc, binaryCopy[r], binaryCopy[r] / copy[r], burstCopy[r], burst[r],
                        burst[r] / burstCopy[r], copyCpu);
            }
        }
        double[] ratios = new double[rounds];
        double[] quietRatios = new double[rounds];
        double[] burstRatios = new double[rounds];
        double[] binaryRatios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            binaryRatios[r] = binaryCopy[r] / copy[r];
            ratios[r] = appender[r] / copy[r];
            quietRatios[r] = quiet[r] / copy[r];
            burstRatios[r] = burst[r] / burstCopy[r];
        }
        System.out.printf("   median: A) COPY %,.0f rows/s, appender %,.0f rows/s; median of the rounds' ratios %.2f (%.2f to %.2f;"
                        + " target >= 0.95); notify off %.2f%n", median(copy), median(appender), median(ratios), min(ratios),
                max(ratios), median(quietRatios));
        System.out.printf("           A) COPY in binary format against text: median %.2f (%.2f to %.2f)%n", median(binaryRatios),
                min(binaryRatios), max(binaryRatios));
        System.out.printf("           B) COPY %,.0f rows/s, appender %,.0f rows/s; median of the rounds' ratios %.2f (%.2f to %.2f)%n",
                median(burstCopy), median(burst), median(burstRatios), min(burstRatios), max(burstRatios));
        System.out.printf("   JVM CPU per stored row, median: appender %.2f µs, AsyncAppender + no-op %.2f µs, added by the"
                + " appender %.2f µs (target <= 1.5; %.2f to %.2f), of which on the logging threads %.2f µs%n", median(cpuAppender),
                median(cpuAsync), median(cpuAdded), min(cpuAdded), max(cpuAdded), median(callersAdded));
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    private static void perCall(boolean smoke) throws Exception {
        System.out.println();
        System.out.println("2. Cost of a log call on the application thread (JMH, one thread, average; allocation is per call,");
        System.out.println("   all threads): a task line with MDC run ids, two arguments, two key-value pairs.");
        Options options = new OptionsBuilder()
                .include(AppendCostBenchmark.class.getName())
                .forks(smoke ? 1 : 2)
                .warmupIterations(smoke ? 1 : 4).warmupTime(TimeValue.seconds(smoke ? 1 : 2))
                .measurementIterations(smoke ? 1 : 6).measurementTime(TimeValue.seconds(smoke ? 1 : 2))
                .addProfiler(GCProfiler.class)
                .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, double[]> byAppender = new HashMap<>();
        for (RunResult result : results) {
            String appender = result.getParams().getParam("appender");
            double nanos = result.getPrimaryResult().getScore();
            double error = result.getPrimaryResult().getScoreError();
            double bytes = result.getSecondaryResults().get("gc.alloc.rate.norm").getScore();
            byAppender.put(appender, new double[] {nanos, error, bytes});
            System.out.printf("   %-14s %,8.0f ± %,5.0f ns/op  %,6.0f B/op%n", appender, nanos, error, bytes);
        }
        double[] stratal = byAppender.get("stratal");
        double[] async = byAppender.get("async");
        System.out.printf("   ratio stratal / AsyncAppender: %.2f in time (target <= 1.5), %.2f in allocation%n",
                stratal[0] / async[0], stratal[2] / async[2]);
        double[] redact = byAppender.get("stratal-redact");
        System.out.printf("   redactMessages on: %+,.0f ns and %+,.0f B per call against off%n", redact[0] - stratal[0], redact[2] - stratal[2]);
        double[] kept = byAppender.get("stratal-sampled-kept");
        double[] out = byAppender.get("stratal-sampled-out");
        System.out.printf("   sampling: a line a rule keeps %+,.0f ns and %+,.0f B against no rules; a line it leaves out %.2f of"
                + " a stored one in time (target < 1), %.2f in allocation%n", kept[0] - stratal[0], kept[2] - stratal[2],
                out[0] / stratal[0], out[2] / stratal[2]);
    }

    private static void burst(int events) throws Exception {
        System.out.printf("%n3. Heap held during a burst of %,d events from 2 threads against a slow database (the link%n", events);
        System.out.println("   throttled to 1 MB/s), read after full GCs during and at the end of the burst, above a baseline.");
        System.out.println("   The appender is stopped right after the burst with a 1 s grace period: without a spool, what the");
        System.out.println("   slow database has not taken by then is left unwritten (and counted); with one, it stays on disk.");
        try (BenchSchema schema = new BenchSchema(20, 10)) {
            BurstHeapBench bench = new BurstHeapBench(schema, 1_000_000);
            long bound = io.stratal.logs.writer.LogWriterConfig.DEFAULT_MAX_QUEUE_BYTES; // the appender runs at its default
            List<BurstHeapBench.Result> results = new ArrayList<>();
            results.add(bench.run("overflowPolicy DROP", events, bound, Map.of("overflowPolicy", "DROP", "shutdownGracePeriod", "1 second")));
            schema.reset();
            Path spool = BurstHeapBench.tempSpool();
            results.add(bench.run("spoolDirectory (SPOOL)", events, bound, Map.of("spoolDirectory", spool.toString(),
                    "shutdownGracePeriod", "1 second")));
            for (BurstHeapBench.Result r : results) {
                System.out.printf("   %-24s heap %5.1f MB of a %d MB bound (the queue's estimate: %5.1f MB); burst %.1f s;%n"
                                + "   %-24s dropped during the burst %,d; written %,d; spooled %,d; left unwritten at stop %,d%n",
                        r.configuration(), r.maxRetainedBytes() / 1048576.0, r.queueBound() >> 20,
                        r.maxEstimatedQueueBytes() / 1048576.0, r.seconds(), "", r.droppedDuringBurst(), r.written(), r.spooled(),
                        r.unwrittenAtStop());
            }
        }
    }

    private static void indexSets(int rows, int runs) throws Exception {
        System.out.printf("%n4. Index sets: %,d rows over a week (80%% task, 10%% job, 10%% system; 2000 job runs x 10 tasks),%n", rows);
        System.out.println("   loaded with COPY, then each query's median of " + runs + " runs (ms) and whether its plan uses an index.");
        IndexSetBench bench = new IndexSetBench(rows, 2000, 10, runs);
        List<IndexSetBench.Result> results = new ArrayList<>();
        for (IndexSetBench.IndexSet set : List.of(IndexSetBench.SEED, IndexSetBench.COMPOSITES_AND_BRIN, IndexSetBench.LEAN)) {
            results.add(bench.run(set));
        }
        StringBuilder header = new StringBuilder(String.format("   %-34s", ""));
        for (IndexSetBench.Result r : results) {
            header.append(String.format("%22s", r.set()));
        }
        System.out.println(header);
        StringBuilder load = new StringBuilder(String.format("   %-34s", "load, rows/s"));
        StringBuilder size = new StringBuilder(String.format("   %-34s", "index size, MB"));
        for (IndexSetBench.Result r : results) {
            load.append(String.format("%22s", String.format("%,.0f", r.loadRowsPerSecond())));
            size.append(String.format("%22.1f", r.indexBytes() / 1048576.0));
        }
        System.out.println(load);
        System.out.println(size);
        for (String query : IndexSetBench.queries().keySet()) {
            StringBuilder line = new StringBuilder(String.format("   %-34s", query));
            for (IndexSetBench.Result r : results) {
                line.append(String.format("%22s", String.format("%.2f%s", r.queryMillis().get(query), r.usesIndex().get(query) ? "" : " (no index)")));
            }
            System.out.println(line);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}

package io.stratal.logs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the appender's time goes with two writers: a JFR recording ({@code profile} settings) of a few appender runs
 * of a shape, after a run that is not recorded, read back here. For each group of threads (the callers, the two
 * flushers) it prints the share of the execution samples spent in each part of the appender (inclusive: a sample
 * counts for a part when any frame of its stack is in it) and the methods most often on top of the stack. The
 * flushers' native samples (threads in native code, mostly waiting on the socket for the server) are counted apart:
 * they are the time a writer waits for PostgreSQL.
 */
final class WritersProfile {

    /** The parts of the appender, each recognised by a frame of the stack; the first that matches counts. */
    private static final Map<String, Predicate<String>> PARTS = parts();
    private static final int RECORDED_RUNS = 3;

    private WritersProfile() {
    }

    private static Map<String, Predicate<String>> parts() {
        Map<String, Predicate<String>> parts = new LinkedHashMap<>();
        parts.put("routing (Routing: a run's writer, its count)", m -> m.startsWith("io.stratal.logs.writer.Routing"));
        parts.put("release (RecordQueue.release, counting runs down)", m -> m.startsWith("io.stratal.logs.internal.pipeline.RecordQueue.release"));
        parts.put("queue (RecordQueue offer and drain)", m -> m.startsWith("io.stratal.logs.internal.pipeline.RecordQueue."));
        parts.put("mapping (EventMapper, metadata, safe text)", m -> m.startsWith("io.stratal.logs.logback.EventMapper")
                || m.startsWith("io.stratal.logs.internal.MetadataBuilder") || m.startsWith("io.stratal.logs.internal.SafeText"));
        parts.put("encoding (CopyRowEncoder, CopyBuffer)", m -> m.startsWith("io.stratal.logs.internal.sink.Copy")
                && !m.startsWith("io.stratal.logs.internal.sink.CopyBatchWriter"));
        parts.put("sending and committing (pgjdbc)", m -> m.startsWith("org.postgresql."));
        parts.put("logback (the logging call itself)", m -> m.startsWith("ch.qos.logback.") || m.startsWith("org.slf4j."));
        return parts;
    }

    static void run(int rows, int rowsD) throws Exception {
        System.out.println();
        System.out.printf("1c. Where the time goes with two writers: JFR ('profile' settings) over %d appender runs of shape A%n", RECORDED_RUNS);
        System.out.printf("   (%,d lines with arguments and pairs from 2 threads) and %d of shape D (%,d job lines from 8 threads,%n",
                rows, RECORDED_RUNS, rowsD);
        System.out.println("   one hot run beside 63 quiet ones), writers 2, after one run of each that is not recorded. Shares of each");
        System.out.println("   thread group's execution samples, inclusive (a sample counts for the first part its stack is in);");
        System.out.println("   then the methods most often on top of the stack. A recording inflates the CPU it looks at.");
        try (BenchSchema schema = new BenchSchema(20, 10)) {
            profile("A) lines with arguments and pairs", schema, new EndToEndBench(schema, rows, 2, false));
        }
        try (BenchSchema schema = new BenchSchema(64, 0)) {
            profile("D) one hot run beside 63 quiet ones", schema,
                    new EndToEndBench(schema, rowsD, 8, (thread, line) -> line % 2 == 0 ? 0 : 1 + (thread * 8 + line / 2) % 63));
        }
    }

    private static void profile(String name, BenchSchema schema, EndToEndBench bench) throws Exception {
        schema.reset();
        bench.appenderRowsPerSecond(Map.of("writers", "2"));
        Path file = Files.createTempFile("stratal-writers-", ".jfr");
        double[] rates = new double[RECORDED_RUNS];
        try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
            recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(2));
            recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(5));
            recording.enable("jdk.ThreadPark").withThreshold(Duration.ofMillis(1));
            recording.start();
            for (int run = 0; run < RECORDED_RUNS; run++) {
                schema.reset();
                rates[run] = bench.appenderRowsPerSecond(Map.of("writers", "2"));
            }
            recording.stop();
            recording.dump(file);
        }
        java.util.Arrays.sort(rates);
        System.out.printf("%n   %s: %,.0f rows/s (median of %d recorded runs); rows per writer in the last %s%n", name,
                rates[RECORDED_RUNS / 2], RECORDED_RUNS, java.util.Arrays.toString(bench.lastWriterRows));
        try {
            report(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void report(Path file) throws IOException, ParseException {
        Map<String, Samples> groups = new TreeMap<>();
        Map<String, Integer> nativeSamples = new TreeMap<>();
        Map<String, Double> parkedSeconds = new TreeMap<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            String type = event.getEventType().getName();
            boolean park = type.equals("jdk.ThreadPark");
            if (!park && !type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            String group = group(park ? event.getThread() : event.getThread("sampledThread"));
            if (group == null) {
                continue;
            }
            if (park) {
                parkedSeconds.merge(group, event.getDuration().toNanos() / 1e9, Double::sum);
            } else if (type.equals("jdk.ExecutionSample") && event.getStackTrace() != null) {
                groups.computeIfAbsent(group, g -> new Samples()).add(event.getStackTrace());
            } else if (type.equals("jdk.NativeMethodSample")) {
                nativeSamples.merge(group, 1, Integer::sum);
            }
        }
        for (Map.Entry<String, Samples> group : groups.entrySet()) {
            Samples samples = group.getValue();
            System.out.printf("   %-32s %,d execution samples (every 2 ms), %,d native (every 5 ms: waiting in a socket), parked %.1f s%n",
                    group.getKey(), samples.total, nativeSamples.getOrDefault(group.getKey(), 0),
                    parkedSeconds.getOrDefault(group.getKey(), 0.0));
            for (Map.Entry<String, Integer> part : samples.parts.entrySet()) {
                System.out.printf("      %-58s %5.1f%%%n", part.getKey(), 100.0 * part.getValue() / samples.total);
            }
            System.out.print("      on top:");
            samples.top.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())).limit(6)
                    .forEach(e -> System.out.printf(" %s %.1f%%;", shortName(e.getKey()), 100.0 * e.getValue() / samples.total));
            System.out.println();
        }
    }

    /** The thread's group: a flusher on its own, the callers together; {@code null} for the JVM's and the pool's threads. */
    private static String group(jdk.jfr.consumer.RecordedThread thread) {
        String name = thread == null ? null : thread.getJavaName();
        if (name == null) {
            return null;
        }
        return name.startsWith("stratal-flusher-") ? name : name.startsWith("bench-") ? "callers (bench-*)" : null;
    }

    private static String shortName(String method) {
        int dot = method.lastIndexOf('.', method.lastIndexOf('.') - 1);
        return dot < 0 ? method : method.substring(dot + 1);
    }

    /** One thread group's execution samples: by part of the appender, and by the method on top. */
    private static final class Samples {
        int total;
        final Map<String, Integer> parts = new LinkedHashMap<>();
        final Map<String, Integer> top = new TreeMap<>();

        void add(RecordedStackTrace stack) {
            total++;
            List<RecordedFrame> frames = stack.getFrames();
            if (!frames.isEmpty()) {
                top.merge(method(frames.get(0)), 1, Integer::sum);
            }
            for (Map.Entry<String, Predicate<String>> part : PARTS.entrySet()) {
                if (frames.stream().map(WritersProfile::method).anyMatch(part.getValue())) {
                    parts.merge(part.getKey(), 1, Integer::sum);
                    return;
                }
            }
            parts.merge("other", 1, Integer::sum);
        }
    }

    private static String method(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }
}

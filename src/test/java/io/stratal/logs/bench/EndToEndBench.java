package io.stratal.logs.bench;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.testing.LogbackContexts;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.MDC;

/**
 * End-to-end rows/s of the appender (log calls from several threads until the last row is committed)
 * next to the ceiling: raw {@code COPY} of equivalent rows, encoded beforehand, into the same schema.
 */
final class EndToEndBench {

    private static final int COPY_ROWS_PER_TRANSACTION = 5_000;

    private final BenchSchema schema;
    private final int rows;
    private final int threads;
    private final boolean plain;
    /** For the shapes of many job runs: which run each line goes to; {@code null} for the task lines of parts 1 and 1b. */
    private final RunSpread spread;

    /** Which job run a thread's line logs to: an index into the schema's job runs. */
    @FunctionalInterface
    interface RunSpread {
        int jobRun(int thread, int line);
    }

    /**
     * @param plain the burst shape: plain task lines ({@code log.info("task {} line {}", t, i)}, no
     *              key-value pairs) instead of lines with two arguments and two key-value pairs
     */
    EndToEndBench(BenchSchema schema, int rows, int threads, boolean plain) {
        this(schema, rows, threads, plain, null);
    }

    /** Plain job lines (no task) from {@code threads} threads, each line to the job run {@code spread} names. */
    EndToEndBench(BenchSchema schema, int rows, int threads, RunSpread spread) {
        this(schema, rows, threads, true, spread);
    }

    private EndToEndBench(BenchSchema schema, int rows, int threads, boolean plain, RunSpread spread) {
        this.schema = schema;
        this.rows = rows;
        this.threads = threads;
        this.plain = plain;
        this.spread = spread;
    }

    /** {@return the rows each run stores} */
    int rows() {
        return rows;
    }

    /** The message each row carries, the same in both runs. */
    private String message(int i, int thread) {
        if (spread != null) {
            return "job line " + i + " of thread " + thread;
        }
        return plain ? "task " + thread + " line " + i : "Processed batch " + i + " of the nightly import: 250 records, 3 skipped";
    }

    /** Raw COPY: the rows are encoded before the clock starts; only the server's work is timed. */
    double copyCeilingRowsPerSecond() throws Exception {
        return timeCopy(textChunks(), "COPY logs " + COLUMNS + " FROM STDIN", new byte[0], new byte[0]);
    }

    /**
     * Raw COPY of the same rows through {@code connections} connections at once, each a thread that takes the
     * next chunk (5,000 rows, one transaction) until none is left: the ceiling of several writers.
     */
    double copyCeilingRowsPerSecond(int connections) throws Exception {
        List<byte[]> chunks = textChunks();
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        List<Connection> opened = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                Connection c = schema.db.connect();
                c.setAutoCommit(false);
                opened.add(c);
            }
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(connections);
            try {
                long t0 = System.nanoTime();
                List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                for (Connection c : opened) {
                    done.add(pool.submit(() -> {
                        for (int i = next.getAndIncrement(); i < chunks.size(); i = next.getAndIncrement()) {
                            CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY logs " + COLUMNS + " FROM STDIN");
                            copy.writeToCopy(chunks.get(i), 0, chunks.get(i).length);
                            copy.endCopy();
                            c.commit();
                        }
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> f : done) {
                    f.get();
                }
                return rows / ((System.nanoTime() - t0) / 1e9);
            } finally {
                pool.shutdown();
            }
        } finally {
            for (Connection c : opened) {
                c.close();
            }
        }
    }

    /** The rows in COPY's text format, {@link #COPY_ROWS_PER_TRANSACTION} a chunk. */
    private List<byte[]> textChunks() {
        List<byte[]> chunks = new ArrayList<>();
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        LocalDateTime start = LocalDateTime.now(ZoneOffset.UTC);
        int perThread = rows / threads;
        for (int i = 0; i < rows; i++) {
            String ids;
            int thread;
            if (spread != null) { // the rows the threads log: thread t the lines t * perThread onwards
                thread = Math.min(i / perThread, threads - 1);
                ids = "job\t" + schema.jobRuns.get(spread.jobRun(thread, i)) + "\t\\N";
            } else {
                int task = i % schema.taskRuns.size();
                ids = "task\t" + schema.jobOfTask(task) + "\t" + schema.taskRuns.get(task);
                thread = i % threads;
            }
            String line = ids + "\t" + start.plusNanos(i * 1000L).toString().replace('T', ' ') + "\tinfo\tstdout\t" + message(i, thread)
                    + "\t{" + (plain ? "" : "\"rows\": " + i + ", \"source\": \"s3://bucket/key\", ")
                    + "\"log\": {\"logger\": \"com.example.bench.Importer\", \"thread\": \"bench-" + thread + "\"}}\n";
            chunk.writeBytes(line.getBytes(StandardCharsets.UTF_8));
            if ((i + 1) % COPY_ROWS_PER_TRANSACTION == 0) {
                chunks.add(chunk.toByteArray());
                chunk.reset();
            }
        }
        if (chunk.size() > 0) {
            chunks.add(chunk.toByteArray());
        }
        return chunks;
    }

    private static final String COLUMNS = "(type, job_run_id, task_run_id, timestamp, level, stream, message, metadata)";
    private static final long MICROS_1970_TO_2000 = 946_684_800_000_000L;

    /**
     * The same rows in COPY's binary format (uuid as 16 bytes, timestamp as microseconds since 2000, jsonb as
     * version 1 and its text), encoded beforehand: whether the format itself makes the server faster.
     */
    double copyBinaryCeilingRowsPerSecond() throws Exception {
        List<byte[]> chunks = new ArrayList<>();
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(chunk);
        long startMicros = java.time.Instant.now().toEpochMilli() * 1000 - MICROS_1970_TO_2000;
        for (int i = 0; i < rows; i++) {
            int task = i % schema.taskRuns.size();
            out.writeShort(8);
            text(out, "task");
            uuid(out, schema.jobOfTask(task));
            uuid(out, schema.taskRuns.get(task));
            out.writeInt(8);
            out.writeLong(startMicros + i);
            text(out, "info");
            text(out, "stdout");
            text(out, message(i, i % threads));
            byte[] json = ("{" + (plain ? "" : "\"rows\": " + i + ", \"source\": \"s3://bucket/key\", ")
                    + "\"log\": {\"logger\": \"com.example.bench.Importer\", \"thread\": \"bench-" + (i % threads) + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            out.writeInt(json.length + 1);
            out.writeByte(1); // jsonb's binary format: a version byte, then the text
            out.write(json);
            if ((i + 1) % COPY_ROWS_PER_TRANSACTION == 0) {
                out.flush();
                chunks.add(chunk.toByteArray());
                chunk.reset();
            }
        }
        out.flush();
        if (chunk.size() > 0) {
            chunks.add(chunk.toByteArray());
        }
        byte[] header = new byte[19];
        System.arraycopy("PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1), 0, header, 0, 11); // flags and extension 0
        return timeCopy(chunks, "COPY logs " + COLUMNS + " FROM STDIN (FORMAT binary)", header, new byte[] {-1, -1});
    }

    private static void text(java.io.DataOutputStream out, String value) throws java.io.IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static void uuid(java.io.DataOutputStream out, java.util.UUID id) throws java.io.IOException {
        out.writeInt(16);
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
    }

    /** One COPY and one commit per chunk; only the server's work and the sending are timed. */
    private double timeCopy(List<byte[]> chunks, String sql, byte[] header, byte[] trailer) throws Exception {
        try (Connection c = schema.db.connect()) {
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            long cpu0 = processCpuNanos();
            for (byte[] bytes : chunks) {
                CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
                if (header.length > 0) {
                    copy.writeToCopy(header, 0, header.length);
                }
                copy.writeToCopy(bytes, 0, bytes.length);
                if (trailer.length > 0) {
                    copy.writeToCopy(trailer, 0, trailer.length);
                }
                copy.endCopy();
                c.commit();
            }
            lastJvmCpuSeconds = (processCpuNanos() - cpu0) / 1e9;
            return rows / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** CPU seconds this JVM used during the last measured run, all threads (mapping, encoding, GC...). */
    double lastJvmCpuSeconds;
    /** Milliseconds the garbage collectors reported during the last appender or AsyncAppender run. */
    long lastGcMillis;

    private static long gcMillis() {
        long total = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The appender, as configured by {@code settings}: from the first log call until the last commit. */
    double appenderRowsPerSecond(Map<String, String> settings) throws Exception {
        Map<String, String> properties = new java.util.HashMap<>(settings);
        properties.put("url", schema.db.url());
        LoggerContext context = LogbackContexts.fromResource("bench/appender.xml", properties);
        UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        Logger log = context.getLogger("com.example.bench.Importer");
        // warm-up rows, outside the clock, until every writer has committed one: each opens its connection and
        // checks the schema before the timed part
        int warmUp = 0;
        for (List<io.stratal.logs.pipeline.PipelineMXBean> writers = appender.getWriterPipelines();
             warmUp < 1_000 && writers.stream().anyMatch(w -> w.getRecordsWritten() == 0); warmUp++) {
            MDC.put("job_run_id", schema.jobRuns.get(warmUp % schema.jobRuns.size()).toString());
            log.info("warm-up");
            MDC.clear();
            long logged = warmUp + 1;
            while (appender.getStats().written() < logged) {
                Thread.onSpinWait();
            }
        }
        java.time.Instant started = java.time.Instant.now();
        long cpu0 = processCpuNanos();
        long gc0 = gcMillis();
        logRows(log);
        context.stop(); // returns when the last batch is committed and the pool is closed
        // timed until the last row is stored (its batch committed), not until the pool has shut down
        double seconds = java.time.Duration.between(started, appender.getStats().lastWriteTime()).toNanos() / 1e9;
        lastJvmCpuSeconds = (processCpuNanos() - cpu0) / 1e9;
        lastGcMillis = gcMillis() - gc0;
        long written = appender.getStats().written() - warmUp;
        lastWriterRows = appender.getWriterPipelines().stream().mapToLong(w -> w.getRecordsWritten()).toArray();
        long expected = (long) (rows / threads) * threads;
        if (written != expected || appender.getStats().droppedTotal() != 0) {
            throw new IllegalStateException("the appender wrote " + written + " of " + expected
                    + " rows, dropped " + appender.getStats().droppedTotal());
        }
        return written / seconds;
    }

    /** Rows each writer committed in the last appender run, warm-up included. */
    long[] lastWriterRows;

    /** CPU seconds the logging threads themselves spent in the last appender or AsyncAppender run. */
    double lastCallerCpuSeconds;

    /** The measured calls: {@code rows} task lines from {@code threads} threads, as fast as they go. */
    private void logRows(Logger log) throws InterruptedException {
        List<Thread> workers = new ArrayList<>();
        java.util.concurrent.atomic.AtomicLong callerCpuNanos = new java.util.concurrent.atomic.AtomicLong();
        int perThread = rows / threads;
        for (int t = 0; t < threads; t++) {
            int thread = t;
            workers.add(new Thread(() -> {
                for (int i = thread * perThread; i < (thread + 1) * perThread; i++) {
                    if (spread != null) {
                        MDC.put("job_run_id", schema.jobRuns.get(spread.jobRun(thread, i)).toString());
                        log.info("job line {} of thread {}", i, thread);
                        continue;
                    }
                    int task = i % schema.taskRuns.size();
                    MDC.put("job_run_id", schema.jobOfTask(task).toString());
                    MDC.put("task_run_id", schema.taskRuns.get(task).toString());
                    if (plain) {
                        log.info("task {} line {}", thread, i);
                    } else {
                        log.atInfo().setMessage("Processed batch {} of the nightly import: {} records, {} skipped")
                                .addArgument(i).addArgument(250).addArgument(3)
                                .addKeyValue("rows", i).addKeyValue("source", "s3://bucket/key").log();
                    }
                }
                MDC.clear();
                callerCpuNanos.addAndGet(java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
            }, "bench-" + t));
        }
        workers.forEach(Thread::start);
        for (Thread worker : workers) {
            worker.join();
        }
        lastCallerCpuSeconds = callerCpuNanos.get() / 1e9;
    }

    /**
     * The same calls into logback's {@code AsyncAppender} (a queue that never discards) in front of an
     * appender that does nothing: the JVM CPU seconds from the first call until its queue is drained. What
     * the unified appender spends beyond this is its own mapping, encoding and writing.
     */
    double asyncAppenderCpuSeconds() throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter());
        ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> nothing = new ch.qos.logback.core.AppenderBase<>() {
            @Override
            protected void append(ch.qos.logback.classic.spi.ILoggingEvent event) {
                // a sink that costs nothing
            }
        };
        nothing.setContext(context);
        nothing.setName("NOTHING");
        nothing.start();
        ch.qos.logback.classic.AsyncAppender async = new ch.qos.logback.classic.AsyncAppender();
        async.setContext(context);
        async.setName("ASYNC");
        async.setQueueSize(1 << 16);
        async.setDiscardingThreshold(0);
        async.setMaxFlushTime(60_000);
        async.addAppender(nothing);
        async.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(ch.qos.logback.classic.Level.INFO);
        root.addAppender(async);
        long cpu0 = processCpuNanos();
        long gc0 = gcMillis();
        logRows(context.getLogger("com.example.bench.Importer"));
        context.stop(); // drains the async queue
        lastGcMillis = gcMillis() - gc0;
        return (processCpuNanos() - cpu0) / 1e9;
    }
}

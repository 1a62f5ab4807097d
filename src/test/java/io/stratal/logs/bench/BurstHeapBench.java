package io.stratal.logs.bench;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TcpProxy;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.MDC;

/**
 * The heap the appender holds while a burst of events meets a slow database (the link throttled through a
 * proxy), next to the configured {@code maxQueueBytes}. Retained heap is read after a full GC, sampled
 * during the burst and once at its end, above a baseline taken before it.
 */
final class BurstHeapBench {

    /** What one run found. */
    record Result(String configuration, long events, long queueBound, long maxRetainedBytes, long maxEstimatedQueueBytes,
                  long written, long spooled, long droppedDuringBurst, long unwrittenAtStop, double seconds) {
    }

    private final BenchSchema schema;
    private final long bytesPerSecond;

    BurstHeapBench(BenchSchema schema, long bytesPerSecond) {
        this.schema = schema;
        this.bytesPerSecond = bytesPerSecond;
    }

    /** A burst of {@code events} against the throttled database, with {@code settings} on the bench appender. */
    Result run(String label, int events, long queueBound, Map<String, String> settings) throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (TcpProxy proxy = TcpProxy.inFrontOf(schema.db.url())) {
            Map<String, String> properties = new HashMap<>(settings);
            properties.put("url", proxy.url(schema.db.url()));
            LoggerContext context = LogbackContexts.fromResource("bench/appender.xml", properties);
            UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
            Logger log = context.getLogger("com.example.bench.Burst");
            log.info("warm-up");
            while (appender.getStats().written() < 1) {
                Thread.onSpinWait();
            }
            proxy.throttle(bytesPerSecond);
            long baseline = retained(memory);
            AtomicLong maxRetained = new AtomicLong();
            AtomicLong maxEstimate = new AtomicLong();
            AtomicBoolean bursting = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (bursting.get()) {
                    maxRetained.accumulateAndGet(retained(memory) - baseline, Math::max);
                    maxEstimate.accumulateAndGet(appender.getQueueBytes(), Math::max);
                    java.util.concurrent.locks.LockSupport.parkNanos(300_000_000L);
                }
            }, "heap-sampler");
            sampler.start();
            long t0 = System.nanoTime();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int thread = t;
                workers.add(new Thread(() -> {
                    for (int i = thread; i < events; i += 2) {
                        int task = i % schema.taskRuns.size();
                        MDC.put("job_run_id", schema.jobOfTask(task).toString());
                        MDC.put("task_run_id", schema.taskRuns.get(task).toString());
                        log.atInfo().setMessage("Processed batch {} of the nightly import: {} records, 3 skipped")
                                .addArgument(i).addArgument(250).addKeyValue("rows", i).addKeyValue("source", "s3://bucket/key").log();
                    }
                    MDC.clear();
                }));
            }
            workers.forEach(Thread::start);
            for (Thread worker : workers) {
                worker.join();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            maxRetained.accumulateAndGet(retained(memory) - baseline, Math::max);
            maxEstimate.accumulateAndGet(appender.getQueueBytes(), Math::max);
            bursting.set(false);
            sampler.join();
            proxy.throttle(0);
            context.stop();
            var stats = appender.getStats();
            long atStop = stats.dropped(io.stratal.logs.pipeline.DropReason.SHUTDOWN);
            return new Result(label, events, queueBound, maxRetained.get(), maxEstimate.get(), stats.written() - 1,
                    stats.spooled(), stats.droppedTotal() - atStop, atStop, seconds);
        }
    }

    private static long retained(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    static Path tempSpool() throws java.io.IOException {
        return Files.createTempDirectory("stratal-bench-spool");
    }
}

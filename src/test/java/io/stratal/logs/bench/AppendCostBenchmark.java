package io.stratal.logs.bench;

import ch.qos.logback.classic.AsyncAppender;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.pipeline.Batch;
import io.stratal.logs.pipeline.BatchSink;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.MDC;

/**
 * The cost of one log call on the application thread: a task line with MDC run ids, two arguments and two
 * key-value pairs. {@code stratal} is the unified appender writing to a sink that discards; {@code async}
 * is logback's {@code AsyncAppender} (no discarding, a queue large enough never to block) in front of an
 * appender that does nothing. Both include logback's own work of creating the event. {@code stratal-redact}
 * is the unified appender with {@code redactMessages} on: the same message (which has a {@code :} to look
 * at) and an exception-free call, so the difference is the scan of the message. {@code stratal-sampled-kept} has a
 * sampling rule that takes the line and keeps it (the key counted, {@code log.sample} added);
 * {@code stratal-sampled-out} one that leaves it out (counted, neither mapped nor queued).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class AppendCostBenchmark {

    @Param({"stratal", "stratal-redact", "stratal-sampled-kept", "stratal-sampled-out", "async"})
    public String appender;

    private LoggerContext context;
    private Logger logger;

    /** Per benchmark thread: its MDC, as a job runner would set it, and a counter for the arguments. */
    @State(Scope.Thread)
    public static class Caller {
        int i;

        @Setup(Level.Trial)
        public void setMdc() {
            MDC.put("job_run_id", UUID.randomUUID().toString());
            MDC.put("task_run_id", UUID.randomUUID().toString());
        }
    }

    @Setup(Level.Trial)
    public void start() {
        context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter());
        Appender<ILoggingEvent> target = appender.startsWith("stratal")
                ? discardingUnified(context, appender) : async(context);
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(ch.qos.logback.classic.Level.INFO);
        root.addAppender(target);
        logger = context.getLogger("com.example.bench.Importer");
    }

    @TearDown(Level.Trial)
    public void stop() {
        context.stop();
    }

    @Benchmark
    public void logTaskLine(Caller caller) {
        int i = caller.i++;
        logger.atInfo().setMessage("Processed batch {} of the nightly import: {} records, 3 skipped")
                .addArgument(i).addArgument(250).addKeyValue("rows", i).addKeyValue("source", "s3://bucket/key").log();
    }

    private static Appender<ILoggingEvent> discardingUnified(LoggerContext context, String variant) {
        UnifiedLogAppender unified = new UnifiedLogAppender();
        // discarded: this measures the logging thread, not the database
        unified.setSinkFactory((name, status) -> new BatchSink() {
            @Override
            public void write(Batch batch) {
            }

            @Override
            public void close() {
            }
        });
        unified.setContext(context);
        unified.setName("UNIFIED");
        unified.setRegisterShutdownHook(false);
        unified.setJmx(false);
        unified.setMicrometer(false);
        unified.setRedactMessages(variant.equals("stratal-redact"));
        if (variant.startsWith("stratal-sampled")) {
            io.stratal.logs.logback.Sampling sampling = new io.stratal.logs.logback.Sampling();
            io.stratal.logs.logback.Sampling.Rule rule = new io.stratal.logs.logback.Sampling.Rule();
            boolean keep = variant.equals("stratal-sampled-kept");
            rule.setFirst(keep ? Long.MAX_VALUE : 0);
            rule.setThenEvery(0);
            sampling.addRule(rule);
            unified.setSampling(sampling);
        }
        unified.start();
        return unified;
    }

    private static Appender<ILoggingEvent> async(LoggerContext context) {
        AppenderBase<ILoggingEvent> nothing = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                // does nothing, like the discarding sink
            }
        };
        nothing.setContext(context);
        nothing.setName("NOTHING");
        nothing.start();
        AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setName("ASYNC");
        async.setQueueSize(1 << 16);
        async.setDiscardingThreshold(0);
        async.addAppender(nothing);
        async.start();
        return async;
    }
}

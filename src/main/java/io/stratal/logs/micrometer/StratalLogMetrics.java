package io.stratal.logs.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.stratal.logs.pipeline.PipelineMXBean;
import io.stratal.logs.pipeline.SamplingMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * The appender's counters as Micrometer meters, tagged {@code appender=<name>} and, where it is known,
 * {@code context=<logback context>} (so that appenders of one name in two contexts of one JVM do not collide):
 * {@code stratal.logs.records{state=enqueued|written|spooled|replayed|repaired}},
 * {@code stratal.logs.records.dropped{reason=...}}, {@code stratal.logs.calls.blocked}, {@code stratal.logs.retries}, {@code stratal.logs.batches},
 * and the gauges {@code stratal.logs.queue.size}, {@code stratal.logs.queue.bytes},
 * {@code stratal.logs.spool.bytes}, {@code stratal.logs.database.available} (1 or 0),
 * {@code stratal.logs.last.commit.age} (seconds since a batch was last committed, or since the start); with sampling rules,
 * {@code stratal.logs.sampling.left.out{rule}}, {@code stratal.logs.sampling.summaries{rule}} and
 * {@code stratal.logs.sampling.keys}. With several writers, each writer's own under {@code writer=<k>} (from 1):
 * {@code stratal.logs.writer.records.written}, {@code stratal.logs.writer.batches}, {@code stratal.logs.writer.retries}
 * and the gauges {@code stratal.logs.writer.queue.bytes}, {@code stratal.logs.writer.spool.bytes},
 * {@code stratal.logs.writer.database.available} and {@code stratal.logs.writer.last.commit.age}.
 *
 * <p>The appender binds this to {@code Metrics.globalRegistry} by itself when Micrometer is on the
 * classpath (Spring Boot adds its registry there); bind it to another registry with {@link #bindTo}.
 */
// "exports": Micrometer's types in its signatures come from a module it leaves to the application to require
// (requires static): only an application with Micrometer has a use for this class
@SuppressWarnings("exports")
public final class StratalLogMetrics implements MeterBinder, AutoCloseable {

    private final PipelineMXBean pipeline;
    private final List<PipelineMXBean> writers;
    private final SamplingMXBean sampling;
    private final Tags tags;
    private final List<Meter> meters = new ArrayList<>();
    private final List<MeterRegistry> registries = new ArrayList<>();

    /**
     * Meters over {@code pipeline}'s counters, tagged {@code appender=<appenderName>}; bind them to a registry.
     *
     * @param pipeline     the counters, as {@code LogWriter.mxBean()} gives them
     * @param appenderName the {@code appender} tag
     */
    public StratalLogMetrics(PipelineMXBean pipeline, String appenderName) {
        this(pipeline, null, Tags.of("appender", appenderName));
    }

    /**
     * Meters over {@code pipeline}'s counters, tagged {@code appender=<appenderName>} and
     * {@code context=<contextName>}; bind them to a registry.
     *
     * @param pipeline     the counters, as {@code LogWriter.mxBean()} gives them
     * @param appenderName the {@code appender} tag
     * @param contextName  the {@code context} tag: the logback context's name, or the application's
     */
    public StratalLogMetrics(PipelineMXBean pipeline, String appenderName, String contextName) {
        this(pipeline, null, Tags.of("appender", appenderName, "context", contextName));
    }

    /**
     * Meters over {@code pipeline}'s counters and, when {@code sampling} is given, the sampling rules' counters:
     * {@code stratal.logs.sampling.left.out{rule}}, {@code stratal.logs.sampling.summaries{rule}} and the gauge
     * {@code stratal.logs.sampling.keys}; tagged {@code appender} and {@code context}.
     *
     * @param pipeline     the counters, as {@code LogWriter.mxBean()} gives them
     * @param sampling     the sampling counters, as {@code UnifiedLogAppender.getSampling()} gives them, or {@code null}
     * @param appenderName the {@code appender} tag
     * @param contextName  the {@code context} tag: the logback context's name, or the application's
     */
    public StratalLogMetrics(PipelineMXBean pipeline, SamplingMXBean sampling, String appenderName, String contextName) {
        this(pipeline, List.of(), sampling, appenderName, contextName);
    }

    /**
     * Meters over {@code pipeline}'s counters, the sampling rules' when {@code sampling} is given, and, when there are
     * several {@code writers}, each writer's under {@code stratal.logs.writer.*{writer=<k>}}; tagged {@code appender}
     * and {@code context}.
     *
     * @param pipeline     the counters, as {@code LogWriter.mxBean()} gives them
     * @param writers      each writer's counters, as {@code LogWriter.writerMXBeans()} gives them; per-writer meters
     *                     only when there are two or more ({@code null} counts as none)
     * @param sampling     the sampling counters, as {@code UnifiedLogAppender.getSampling()} gives them, or {@code null}
     * @param appenderName the {@code appender} tag
     * @param contextName  the {@code context} tag: the logback context's name, or the application's
     */
    public StratalLogMetrics(PipelineMXBean pipeline, List<PipelineMXBean> writers, SamplingMXBean sampling,
                             String appenderName, String contextName) {
        this(pipeline, writers, sampling, Tags.of("appender", appenderName, "context", contextName));
    }

    private StratalLogMetrics(PipelineMXBean pipeline, SamplingMXBean sampling, Tags tags) {
        this(pipeline, List.of(), sampling, tags);
    }

    private StratalLogMetrics(PipelineMXBean pipeline, List<PipelineMXBean> writers, SamplingMXBean sampling, Tags tags) {
        this.pipeline = pipeline;
        this.writers = writers != null && writers.size() > 1 ? List.copyOf(writers) : List.of();
        this.sampling = sampling;
        this.tags = tags;
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        registries.add(registry);
        counter(registry, "stratal.logs.records", "enqueued", PipelineMXBean::getRecordsEnqueued);
        counter(registry, "stratal.logs.records", "written", PipelineMXBean::getRecordsWritten);
        counter(registry, "stratal.logs.records", "spooled", PipelineMXBean::getRecordsSpooled);
        counter(registry, "stratal.logs.records", "replayed", PipelineMXBean::getRecordsReplayed);
        counter(registry, "stratal.logs.records", "repaired", PipelineMXBean::getRecordsRepaired);
        for (String reason : pipeline.getRecordsDroppedByReason().keySet()) {
            meters.add(FunctionCounter.builder("stratal.logs.records.dropped", pipeline,
                            p -> p.getRecordsDroppedByReason().getOrDefault(reason, 0L))
                    .tags(tags).tag("reason", reason).description("log records lost, by reason").register(registry));
        }
        meters.add(FunctionCounter.builder("stratal.logs.calls.blocked", pipeline, PipelineMXBean::getBlockedCalls)
                .tags(tags).description("log calls that waited for room in a full queue").register(registry));
        meters.add(FunctionCounter.builder("stratal.logs.retries", pipeline, PipelineMXBean::getRetries)
                .tags(tags).description("write attempts retried").register(registry));
        meters.add(FunctionCounter.builder("stratal.logs.batches", pipeline, PipelineMXBean::getBatches)
                .tags(tags).description("transactions committed").register(registry));
        meters.add(Gauge.builder("stratal.logs.queue.size", pipeline, PipelineMXBean::getQueueSize)
                .tags(tags).description("records waiting in memory").register(registry));
        meters.add(Gauge.builder("stratal.logs.queue.bytes", pipeline, PipelineMXBean::getQueueBytes)
                .tags(tags).baseUnit("bytes").description("estimated heap held by waiting records").register(registry));
        meters.add(Gauge.builder("stratal.logs.spool.bytes", pipeline, PipelineMXBean::getSpoolBytes)
                .tags(tags).baseUnit("bytes").description("records waiting on disk").register(registry));
        meters.add(Gauge.builder("stratal.logs.database.available", pipeline, p -> p.isDatabaseAvailable() ? 1 : 0)
                .tags(tags).description("1 while the last write succeeded").register(registry));
        meters.add(Gauge.builder("stratal.logs.last.commit.age", pipeline, PipelineMXBean::getSecondsSinceLastCommit)
                .tags(tags).baseUnit("seconds").description("time since a batch was last committed, or since the start")
                .register(registry));
        if (sampling != null) {
            bindSampling(registry);
        }
        for (int k = 0; k < writers.size(); k++) {
            bindWriter(registry, writers.get(k), tags.and("writer", Integer.toString(k + 1)));
        }
    }

    private void bindWriter(MeterRegistry registry, PipelineMXBean writer, Tags writerTags) {
        meters.add(FunctionCounter.builder("stratal.logs.writer.records.written", writer, PipelineMXBean::getRecordsWritten)
                .tags(writerTags).description("log records this writer committed").register(registry));
        meters.add(FunctionCounter.builder("stratal.logs.writer.batches", writer, PipelineMXBean::getBatches)
                .tags(writerTags).description("transactions this writer committed").register(registry));
        meters.add(FunctionCounter.builder("stratal.logs.writer.retries", writer, PipelineMXBean::getRetries)
                .tags(writerTags).description("write attempts this writer retried").register(registry));
        meters.add(Gauge.builder("stratal.logs.writer.queue.bytes", writer, PipelineMXBean::getQueueBytes)
                .tags(writerTags).baseUnit("bytes").description("estimated heap held by this writer's waiting records")
                .register(registry));
        meters.add(Gauge.builder("stratal.logs.writer.spool.bytes", writer, PipelineMXBean::getSpoolBytes)
                .tags(writerTags).baseUnit("bytes").description("this writer's records waiting on disk").register(registry));
        meters.add(Gauge.builder("stratal.logs.writer.database.available", writer, p -> p.isDatabaseAvailable() ? 1 : 0)
                .tags(writerTags).description("1 while this writer's last write succeeded").register(registry));
        meters.add(Gauge.builder("stratal.logs.writer.last.commit.age", writer, PipelineMXBean::getSecondsSinceLastCommit)
                .tags(writerTags).baseUnit("seconds").description("time since this writer last committed, or since the start")
                .register(registry));
    }

    private void bindSampling(MeterRegistry registry) {
        for (String rule : sampling.getLinesLeftOutByRule().keySet()) {
            meters.add(FunctionCounter.builder("stratal.logs.sampling.left.out", sampling,
                            s -> s.getLinesLeftOutByRule().getOrDefault(rule, 0L))
                    .tags(tags).tag("rule", rule).description("log lines a sampling rule left out").register(registry));
            meters.add(FunctionCounter.builder("stratal.logs.sampling.summaries", sampling,
                            s -> s.getSummariesByRule().getOrDefault(rule, 0L))
                    .tags(tags).tag("rule", rule).description("summary rows stored for lines left out").register(registry));
        }
        meters.add(Gauge.builder("stratal.logs.sampling.keys", sampling, SamplingMXBean::getOpenKeys)
                .tags(tags).description("sampling keys (logger, template, run) counted now").register(registry));
    }

    private void counter(MeterRegistry registry, String name, String state,
                         java.util.function.ToDoubleFunction<PipelineMXBean> value) {
        meters.add(FunctionCounter.builder(name, pipeline, value).tags(tags).tag("state", state)
                .description("log records by what happened to them").register(registry));
    }

    /** Removes the meters from every registry this was bound to, so a stopped appender leaves none behind. */
    @Override
    public synchronized void close() {
        for (MeterRegistry registry : registries) {
            for (Meter meter : meters) {
                registry.remove(meter);
            }
        }
        meters.clear();
        registries.clear();
    }

    /**
     * Binds the meters to {@code Metrics.globalRegistry}; the appender calls it reflectively when Micrometer
     * is present.
     *
     * @param pipeline     the counters to publish
     * @param appenderName the {@code appender} tag
     * @param contextName  the {@code context} tag
     * @return what removes the meters again when closed
     */
    public static AutoCloseable bindGlobal(PipelineMXBean pipeline, String appenderName, String contextName) {
        return bindGlobal(pipeline, null, appenderName, contextName);
    }

    /**
     * Binds the meters, the sampling ones too when {@code sampling} is given, to {@code Metrics.globalRegistry}; the
     * appender calls it reflectively when Micrometer is present.
     *
     * @param pipeline     the counters to publish
     * @param sampling     the sampling counters, or {@code null}
     * @param appenderName the {@code appender} tag
     * @param contextName  the {@code context} tag
     * @return what removes the meters again when closed
     */
    public static AutoCloseable bindGlobal(PipelineMXBean pipeline, SamplingMXBean sampling, String appenderName,
                                           String contextName) {
        return bindGlobal(pipeline, List.of(), sampling, appenderName, contextName);
    }

    /**
     * Binds the meters, each writer's when there are several, and the sampling ones when {@code sampling} is given,
     * to {@code Metrics.globalRegistry}; the appender calls it reflectively when Micrometer is present.
     *
     * @param pipeline     the counters to publish
     * @param writers      each writer's counters, in writer order
     * @param sampling     the sampling counters, or {@code null}
     * @param appenderName the {@code appender} tag
     * @param contextName  the {@code context} tag
     * @return what removes the meters again when closed
     */
    public static AutoCloseable bindGlobal(PipelineMXBean pipeline, List<PipelineMXBean> writers, SamplingMXBean sampling,
                                           String appenderName, String contextName) {
        StratalLogMetrics metrics = new StratalLogMetrics(pipeline, writers, sampling, appenderName, contextName);
        metrics.bindTo(io.micrometer.core.instrument.Metrics.globalRegistry);
        return metrics;
    }
}

package io.stratal.logs.server;

import io.javalin.config.JavalinConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stratal.logs.LogLevel;
import io.stratal.logs.LogType;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /metrics}: the server's meters in Prometheus's text format, through Micrometer's Prometheus
 * registry. Every value is read from memory (the {@link RowTally} the feed counts into, the feed's state, the
 * table's size as the feed last read it), so a scrape sends no query to the database.
 *
 * <ul>
 *   <li>{@code stratal_logs_rows_total{type,level}}: rows the feed read since the server started</li>
 *   <li>{@code stratal_logs_job_runs_active}, {@code stratal_logs_job_runs_with_errors}: job runs that logged, and
 *       that logged an error, within the window</li>
 *   <li>{@code stratal_logs_table_bytes}: the table with its indexes and partitions, read at most once a minute</li>
 *   <li>{@code stratal_logs_feed_up} (1 while the feed follows the table), {@code stratal_logs_feed_lag_seconds}
 *       (since it last read everything committed), {@code stratal_logs_stream_clients}</li>
 *   <li>the process's CPU, memory and uptime</li>
 * </ul>
 *
 * <p>While the server runs its registry is also part of Micrometer's global registry, so the meters others
 * register there (an appender in the same JVM binds {@code stratal_logs_records_total} and the rest to it) are
 * served here too.
 */
final class ServerMetrics implements AutoCloseable {

    static final String PATH = "/metrics";
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    ServerMetrics(RowTally tally, LogFeed feed, StreamHub hub) {
        for (LogType type : LogType.values()) {
            for (LogLevel level : LogLevel.values()) {
                FunctionCounter.builder("stratal.logs.rows", tally, t -> t.rows(type, level))
                        .tag("type", type.dbValue()).tag("level", level.dbValue())
                        .description("rows committed to the logs table since the server started, as its stream feed read them")
                        .register(registry);
            }
        }
        Gauge.builder("stratal.logs.job.runs.active", tally, t -> t.activeRuns(System.nanoTime()))
                .description("job runs that logged within the last " + minutes(tally) + " minutes").register(registry);
        Gauge.builder("stratal.logs.job.runs.with.errors", tally, t -> t.runsWithErrors(System.nanoTime()))
                .description("job runs that logged an error within the last " + minutes(tally) + " minutes").register(registry);
        Gauge.builder("stratal.logs.table.bytes", feed, f -> f.tableBytes() < 0 ? Double.NaN : f.tableBytes())
                .baseUnit("bytes").description("the logs table with its indexes and partitions, read at most once a minute")
                .register(registry);
        Gauge.builder("stratal.logs.feed.up", feed, f -> f.listening() ? 1 : 0)
                .description("1 while the stream feed follows the table, 0 while it cannot reach it").register(registry);
        Gauge.builder("stratal.logs.feed.lag", feed, f -> f.nanosSinceCaughtUp() / 1e9)
                .baseUnit("seconds").description("time since the stream feed last read every committed row").register(registry);
        Gauge.builder("stratal.logs.stream.clients", hub, h -> h.count("sse") + h.count("ws"))
                .description("SSE and WebSocket clients streaming now").register(registry);
        new ProcessorMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Metrics.addRegistry(registry);
    }

    private static long minutes(RowTally tally) {
        return TimeUnit.NANOSECONDS.toMinutes(tally.windowNanos());
    }

    void register(JavalinConfig config) {
        config.routes.get(PATH, ctx -> ctx.contentType(CONTENT_TYPE).result(registry.scrape()));
    }

    @Override
    public void close() {
        Metrics.removeRegistry(registry);
        registry.close();
    }
}

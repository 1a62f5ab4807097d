package io.stratal.logs.writer;

import io.stratal.logs.pipeline.BatchSink;
import io.stratal.logs.pipeline.OverflowPolicy;
import io.stratal.logs.pipeline.PipelineMXBean;
import io.stratal.logs.pipeline.PipelineStats;
import io.stratal.logs.pipeline.StatusListener;
import io.stratal.logs.LogRecord;
import io.stratal.logs.internal.sink.ConnectionFactory;
import io.stratal.logs.internal.sink.CopyBatchWriter;
import io.stratal.logs.internal.pipeline.Pipeline;
import io.stratal.logs.internal.pipeline.PipelineSettings;
import io.stratal.logs.internal.spool.Spool;
import java.io.IOException;

/**
 * The engine that writes log records into the {@code logs} table: a bounded queue, a flusher thread that
 * writes batches with one COPY per transaction, and, with a spool directory, the spool on disk for what
 * the database cannot take yet. {@link #start} builds all of it from one {@link LogWriterConfig}; an
 * adapter only turns its events into {@link LogRecord}s and {@link #offer}s them.
 *
 * <p>{@link #offer} never performs I/O. Reports (outages, drops, repairs) go to the {@link StatusListener} given
 * at start, never to a logger, so they cannot come back into the queue.
 */
public final class LogWriter {

    private final Pipeline pipeline;
    private final String description;

    private LogWriter(Pipeline pipeline, String description) {
        this.pipeline = pipeline;
        this.description = description;
    }

    /**
     * Builds the writer, its sink and its spool from {@code config}, and starts the flusher. Nothing here
     * waits for the database: the connection source is opened on the flusher thread, on first use. A spool
     * directory that cannot be used is reported as an error and the writer runs without one.
     *
     * @param config   the whole configuration
     * @param reporter where the writer tells what happened (outages, drops, repairs); never a logger, so
     *                 its reports cannot come back into its own queue
     * @return the running writer
     * @throws IllegalStateException when {@code config} has no connection source and no sink factory
     */
    public static LogWriter start(LogWriterConfig config, StatusListener reporter) {
        BatchSink sink;
        String description;
        if (config.sinkFactory() != null) {
            sink = config.sinkFactory().create(config.name(), reporter);
            description = sink.getClass().getName();
        } else {
            ConnectionFactory connections = connections(config);
            sink = new CopyBatchWriter(connections, config.table(), config.createSchema(), reporter, config.notifyChannel());
            description = "table " + config.table() + " of " + connections.description();
        }
        Spool spool = openSpool(config, reporter);
        OverflowPolicy policy = config.overflowPolicy(spool != null);
        if (config.overflowPolicy() != null && config.overflowPolicy() != policy) {
            reporter.warn("overflowPolicy " + config.overflowPolicy() + " needs a usable spoolDirectory, using " + policy);
        }
        Pipeline pipeline = new Pipeline(settings(config, policy), sink, spool, reporter);
        pipeline.start();
        return new LogWriter(pipeline, description);
    }

    /** What the engine needs of {@code config}, with the overflow policy in force. */
    static PipelineSettings settings(LogWriterConfig config, OverflowPolicy policy) {
        return new PipelineSettings(config.name(), config.batchSize(), config.flushInterval(), config.maxQueueBytes(),
                config.maxBlockTime(), config.shutdownGracePeriod(), config.minRetryBackoff(), config.maxRetryBackoff(),
                config.foreignKeyGracePeriod(), config.spoolSyncInterval(), policy);
    }

    private static ConnectionFactory connections(LogWriterConfig config) {
        if (config.dataSource() != null) {
            return ConnectionFactory.forDataSource(config.dataSource());
        }
        if (config.jndiName() != null) {
            return ConnectionFactory.forJndi(config.jndiName());
        }
        if (config.url() != null) {
            return ConnectionFactory.forUrl(config.url(), config.username(), config.password(), config.poolSize(), config.name());
        }
        throw new IllegalStateException("no database: set a url, a jndiName or a dataSource");
    }

    private static Spool openSpool(LogWriterConfig config, StatusListener reporter) {
        if (config.spoolDirectory() == null) {
            return null;
        }
        try {
            return Spool.open(config.spoolDirectory(), config.maxSpoolBytes(), reporter::warn);
        } catch (IOException | RuntimeException e) {
            reporter.error("spoolDirectory " + config.spoolDirectory() + " cannot be used (" + e.getMessage()
                    + "); running without a spool, so records are lost while the database is unreachable. Give each "
                    + "appender a writable directory of its own", e);
            return null;
        }
    }

    /**
     * Queues {@code record} for writing; never performs I/O. A drop (stopped, or the queue stayed full) is
     * counted in {@link #stats()} and reported.
     *
     * @param record the record
     * @return false when it was dropped
     */
    public boolean offer(LogRecord record) {
        return pipeline.offer(record);
    }

    /** {@return true on the writer's own threads: what they log must not be offered back (it would log without end)} */
    public boolean isWriterThread() {
        return pipeline.isFlusherThread();
    }

    /**
     * Stops taking records and writes what is queued within {@code shutdownGracePeriod}; with a spool, what
     * is still unwritten then goes to disk. What was lost is also reported. A second call waits for the first.
     *
     * @return how many records were lost (or, when the flusher is still inside a database call, not yet safe)
     */
    public long stop() {
        return pipeline.stop();
    }

    /** {@return the writer's counters: records written, dropped by reason, retried, spooled} */
    public PipelineStats stats() {
        return pipeline.stats();
    }

    /** {@return the counters as a JMX MXBean, for an adapter to register} */
    public PipelineMXBean mxBean() {
        return pipeline.mxBean();
    }

    /** {@return records queued and not yet written} */
    public int queueSize() {
        return pipeline.queueSize();
    }

    /** {@return estimated heap held by queued, in-flight and parked records} */
    public long queueBytes() {
        return pipeline.queueBytes();
    }

    /** {@return where the records go, for a start-up message: the table and the database URL (password masked)} */
    public String description() {
        return description;
    }
}

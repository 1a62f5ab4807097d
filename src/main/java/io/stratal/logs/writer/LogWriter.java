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
import io.stratal.logs.internal.pipeline.SpoolHandover;
import io.stratal.logs.internal.spool.Spool;
import io.stratal.logs.internal.spool.SpoolLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

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

    /** One pipeline per writer; records are routed among them by run or thread. */
    private final List<Pipeline> pipelines;
    /** Which writer takes each run's records; {@code null} with one writer. */
    private final Routing routing;
    private final String description;
    private final PipelineStats stats;
    private final PipelineMXBean mxBean;
    private final List<PipelineMXBean> writerMXBeans;
    /** The threads that stop several writers side by side: theirs too is the writer's own work. */
    private final Set<Thread> stopThreads = ConcurrentHashMap.newKeySet();

    private LogWriter(List<Pipeline> pipelines, Routing routing, String description) {
        this.pipelines = List.copyOf(pipelines);
        this.routing = routing;
        this.description = description;
        if (pipelines.size() == 1) {
            this.stats = pipelines.get(0).stats();
            this.mxBean = pipelines.get(0).mxBean();
            this.writerMXBeans = List.of(mxBean);
        } else {
            CombinedStats combined = new CombinedStats(pipelines.stream().map(Pipeline::stats).toList());
            this.stats = combined;
            this.writerMXBeans = pipelines.stream().map(Pipeline::mxBean).toList();
            this.mxBean = new CombinedMXBean(combined, writerMXBeans);
        }
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
        int writers = config.writers();
        SpoolLayout spools = openSpools(config, reporter);
        SpoolHandover handover = handover(spools);
        OverflowPolicy policy = config.overflowPolicy(spools != null);
        if (config.overflowPolicy() != null && config.overflowPolicy() != policy) {
            reporter.warn("overflowPolicy " + config.overflowPolicy() + " needs a usable spoolDirectory, using " + policy);
        }
        List<Pipeline> pipelines = new ArrayList<>(writers);
        List<BatchSink> sinks = new ArrayList<>(writers);
        String description = null;
        try {
            for (int k = 0; k < writers; k++) {
                String name = writers == 1 ? config.name() : config.name() + "-" + (k + 1);
                BatchSink sink;
                if (config.sinkFactory() != null) {
                    sink = config.sinkFactory().create(name, reporter);
                    description = sink.getClass().getName();
                } else {
                    ConnectionFactory connections = connections(config, name, Math.max(1, config.poolSize() / writers));
                    sink = new CopyBatchWriter(connections, config.table(), config.createSchema(), reporter, config.notifyChannel());
                    description = "table " + config.table() + " of " + connections.description();
                }
                sinks.add(sink);
                // the queue's bound is shared, so the heap held stays what maxQueueBytes says
                pipelines.add(new Pipeline(settings(config, policy, name, config.maxQueueBytes() / writers), sink,
                        spools == null ? null : spools.own().get(k), handover, k == 0, reporter));
            }
        } catch (RuntimeException e) {
            // nothing has started: give back the spools' locks and what the sinks opened, so a second start can have them
            sinks.forEach(BatchSink::close);
            if (spools != null) {
                spools.close();
            }
            throw e;
        }
        Routing routing = null;
        if (writers > 1) {
            // a writer this far past the least-loaded one gives its idle runs away: a sixteenth of its queue's bound
            routing = new Routing(pipelines.stream().map(PipelineLane::new).toList(), config.maxQueueBytes() / writers / 16);
            for (Pipeline pipeline : pipelines) {
                pipeline.onReleased(routing::released);
            }
        }
        pipelines.forEach(Pipeline::start);
        return new LogWriter(pipelines, routing, writers == 1 ? description : description + ", " + writers + " writers");
    }

    /** A pipeline as routing sees it. */
    private record PipelineLane(Pipeline pipeline) implements Routing.Lane {
        @Override
        public long load() {
            return pipeline.queueBytes();
        }

        @Override
        public boolean holdsBacklog() {
            return pipeline.holdsBacklog();
        }
    }

    /** What the engine needs of {@code config}, with the overflow policy in force. */
    static PipelineSettings settings(LogWriterConfig config, OverflowPolicy policy) {
        return settings(config, policy, config.name(), config.maxQueueBytes());
    }

    private static PipelineSettings settings(LogWriterConfig config, OverflowPolicy policy, String name, long maxQueueBytes) {
        return new PipelineSettings(name, config.batchSize(), config.flushInterval(), maxQueueBytes,
                config.maxBlockTime(), config.shutdownGracePeriod(), config.minRetryBackoff(), config.maxRetryBackoff(),
                config.foreignKeyGracePeriod(), config.spoolSyncInterval(), policy);
    }

    /** A writer's connections: with a URL, a pool of its own with its share of {@code poolSize}. */
    private static ConnectionFactory connections(LogWriterConfig config, String name, int poolSize) {
        if (config.dataSource() != null) {
            return ConnectionFactory.forDataSource(config.dataSource());
        }
        if (config.jndiName() != null) {
            return ConnectionFactory.forJndi(config.jndiName());
        }
        if (config.url() != null) {
            return ConnectionFactory.forUrl(config.url(), config.username(), config.password(), poolSize, name);
        }
        throw new IllegalStateException("no database: set a url, a jndiName or a dataSource");
    }

    /**
     * With several writers, or with spools a run of another writer count left, what is on disk is written before
     * anything newer; {@code null} when one writer finds only its own spool (it keeps its order by itself). With
     * several writers there is always one: its first writer holds the spool directory itself, even empty.
     */
    private static SpoolHandover handover(SpoolLayout spools) {
        if (spools == null || spools.leftOver().isEmpty()) {
            return null;
        }
        boolean earlier = spools.hasLeftOvers();
        for (Spool spool : spools.own()) {
            earlier |= spool.holdsEarlierFrames();
        }
        return new SpoolHandover(spools.own(), spools.leftOver(), earlier);
    }

    private static SpoolLayout openSpools(LogWriterConfig config, StatusListener reporter) {
        if (config.spoolDirectory() == null) {
            return null;
        }
        try {
            return SpoolLayout.open(config.spoolDirectory(), config.writers(), config.maxSpoolBytes(), reporter::warn);
        } catch (IOException | RuntimeException e) {
            reporter.error("spoolDirectory " + config.spoolDirectory() + " cannot be used (" + e.getMessage()
                    + "); running without a spool, so records are lost while the database is unreachable. Give each "
                    + "appender a writable directory of its own", e);
            return null;
        }
    }

    /**
     * Queues {@code record} for writing; never performs I/O. A drop (stopped, or the queue stayed full) is
     * counted in {@link #stats()} and reported. With several writers, the record goes to its run's writer (else its
     * task run's, else its thread's), chosen by {@link Routing}.
     *
     * @param record the record
     * @return false when it was dropped
     */
    public boolean offer(LogRecord record) {
        if (routing == null) {
            return pipelines.get(0).offer(record);
        }
        Routing.Route route = routing.acquire(Routing.key(record));
        // if the offer throws, the record stays counted: its run may then stay on this writer, but never moves early
        boolean queued = pipelines.get(route.lane()).offer(record);
        if (!queued) {
            routing.refused(route);
        }
        return queued;
    }

    /** {@return how many times a run moved to another writer (0 with one writer)} */
    long routeMoves() {
        return routing == null ? 0 : routing.moves();
    }

    /** {@return true on the writer's own threads: what they log must not be offered back (it would log without end)} */
    public boolean isWriterThread() {
        if (!stopThreads.isEmpty() && stopThreads.contains(Thread.currentThread())) {
            return true;
        }
        for (Pipeline pipeline : pipelines) {
            if (pipeline.isFlusherThread()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Stops taking records and writes what is queued within {@code shutdownGracePeriod}; with a spool, what
     * is still unwritten then goes to disk. What was lost is also reported. A second call waits for the first.
     *
     * @return how many records were lost (or, when the flusher is still inside a database call, not yet safe)
     */
    public long stop() {
        if (pipelines.size() == 1) {
            return pipelines.get(0).stop();
        }
        routing.freeze(); // each run stays where it is: a writer still taking records must not get a run another put on disk
        // every writer drains within the same shutdownGracePeriod: side by side, not one after another
        List<CompletableFuture<Long>> stops = new ArrayList<>();
        for (Pipeline pipeline : pipelines) {
            stops.add(CompletableFuture.supplyAsync(pipeline::stop, runnable -> {
                Thread thread = new Thread(() -> {
                    try {
                        runnable.run();
                    } finally {
                        stopThreads.remove(Thread.currentThread());
                    }
                }, "stratal-stop");
                thread.setDaemon(true);
                stopThreads.add(thread);
                thread.start();
            }));
        }
        long unwritten = 0;
        for (CompletableFuture<Long> stop : stops) {
            unwritten += stop.join();
        }
        return unwritten;
    }

    /** {@return the writer's counters: records written, dropped by reason, retried, spooled} */
    public PipelineStats stats() {
        return stats;
    }

    /** {@return the counters as a JMX MXBean, for an adapter to register} */
    public PipelineMXBean mxBean() {
        return mxBean;
    }

    /**
     * {@return each writer's counters and state, in writer order: what {@link #mxBean()} sums; with one writer, that
     * bean alone}
     */
    public List<PipelineMXBean> writerMXBeans() {
        return writerMXBeans;
    }

    /** {@return records queued and not yet written} */
    public int queueSize() {
        int size = 0;
        for (Pipeline pipeline : pipelines) {
            size += pipeline.queueSize();
        }
        return size;
    }

    /** {@return estimated heap held by queued, in-flight and parked records} */
    public long queueBytes() {
        long bytes = 0;
        for (Pipeline pipeline : pipelines) {
            bytes += pipeline.queueBytes();
        }
        return bytes;
    }

    /** {@return where the records go, for a start-up message: the table and the database URL (password masked)} */
    public String description() {
        return description;
    }
}

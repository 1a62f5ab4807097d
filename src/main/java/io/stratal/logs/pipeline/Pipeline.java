package io.stratal.logs.pipeline;

import io.stratal.logs.LogRecord;
import java.util.concurrent.TimeUnit;

/**
 * A bounded queue and the flusher thread that empties it into a {@link BatchSink}.
 *
 * <p>Logging threads call {@link #offer}; it never performs I/O. When the queue is full it waits up to
 * {@code maxBlockTime} for room while the database is draining, and drops at once while the database is
 * unreachable; every loss is counted by reason in {@link #stats()} and reported.
 */
public final class Pipeline {

    private final PipelineConfig config;
    private final RecordQueue queue;
    private final BatchSink sink;
    private final Reporter reporter;
    private final PipelineStats stats = new PipelineStats();
    private final Flusher flusher;
    private final Thread thread;
    private final long maxBlockNanos;
    private volatile boolean acceptingRecords;

    public Pipeline(PipelineConfig config, BatchSink sink, Reporter reporter) {
        this.config = config;
        this.sink = sink;
        this.reporter = reporter;
        this.queue = new RecordQueue(config.maxQueueBytes(), config.batchSize());
        this.flusher = new Flusher(config, queue, sink, stats, reporter);
        this.thread = new Thread(flusher, "stratal-flusher-" + config.name());
        this.thread.setDaemon(true);
        this.queue.setConsumer(thread);
        this.maxBlockNanos = config.maxBlockTime().toNanos();
    }

    public void start() {
        acceptingRecords = true;
        thread.start();
    }

    /**
     * Queues {@code record} for writing. Returns {@code false} when it was dropped (the pipeline is stopped,
     * or the queue stayed full).
     */
    public boolean offer(LogRecord record) {
        if (!acceptingRecords) {
            return false;
        }
        if (queue.tryOffer(record) || waitForRoom(record)) {
            stats.recordEnqueued();
            return true;
        }
        stats.recordDropped(flusher.isDatabaseAvailable() ? DropReason.QUEUE_FULL : DropReason.DATABASE_UNAVAILABLE, 1);
        return false;
    }

    private boolean waitForRoom(LogRecord record) {
        if (!flusher.isDatabaseAvailable() || maxBlockNanos <= 0) {
            return false;
        }
        try {
            return queue.offer(record, maxBlockNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** True on the flusher thread: whatever it logs must not come back into this queue. */
    public boolean isFlusherThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * Stops taking records, writes what is queued within {@code shutdownGracePeriod}, closes the sink and
     * returns how many records were left unwritten. A second caller waits for the first and gets 0.
     */
    public synchronized long stop() {
        if (!acceptingRecords) {
            return 0;
        }
        acceptingRecords = false;
        long lostBefore = stats.dropped(DropReason.SHUTDOWN);
        long graceNanos = config.shutdownGracePeriod().toNanos();
        flusher.requestStop(System.nanoTime() + graceNanos);
        boolean finished = join(graceNanos + TimeUnit.MILLISECONDS.toNanos(200));
        long unwritten;
        if (finished) {
            unwritten = stats.dropped(DropReason.SHUTDOWN) - lostBefore;
            sink.close();
        } else {
            // The flusher is stuck in a database call that did not time out; leave it and its connection
            // behind rather than hold up the application's shutdown.
            unwritten = stats.dropped(DropReason.SHUTDOWN) - lostBefore + queue.size() + flusher.inFlight();
            thread.interrupt();
            Thread closer = new Thread(sink::close, "stratal-closer-" + config.name());
            closer.setDaemon(true);
            closer.start();
        }
        if (unwritten > 0) {
            reporter.warn("Appender [" + config.name() + "] stopped with " + unwritten + " log record(s) unwritten; "
                    + DropReason.SHUTDOWN.advice());
        }
        return unwritten;
    }

    private boolean join(long nanos) {
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    public PipelineStats stats() {
        return stats;
    }

    /** Records waiting in the queue. */
    public int queueSize() {
        return queue.size();
    }

    /** Estimated heap held by queued records. */
    public long queueBytes() {
        return queue.bytes();
    }

    public PipelineConfig config() {
        return config;
    }
}

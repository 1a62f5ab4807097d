package io.stratal.logs.internal.pipeline;

import io.stratal.logs.pipeline.BatchSink;
import io.stratal.logs.pipeline.DropReason;
import io.stratal.logs.pipeline.OverflowPolicy;
import io.stratal.logs.pipeline.PipelineMXBean;
import io.stratal.logs.pipeline.PipelineStats;
import io.stratal.logs.pipeline.StatusListener;
import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.internal.spool.Spool;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A bounded queue and the flusher thread that empties it into a {@link BatchSink}, with an optional
 * {@link Spool} on disk for what the database cannot take yet.
 *
 * <p>Logging threads call {@link #offer}; it never performs I/O. What it does when the queue is full is the
 * {@link OverflowPolicy}; every loss is counted by reason in {@link #stats()} and reported.
 */
public final class Pipeline {

    /** How often a waiting caller looks again at the database's progress. */
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long DROP_REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final PipelineSettings config;
    private final OverflowPolicy overflowPolicy;
    private final RecordQueue queue;
    private final Spool spool;
    private final StatusListener reporter;
    private final Counters stats = new Counters();
    private final DropWarnings dropWarnings;
    private final Flusher flusher;
    private final Thread thread;
    private final long maxBlockNanos;
    private volatile boolean acceptingRecords;
    /** Offers under way: {@code stop()} lets them finish before it counts what is left in the queue. */
    private final AtomicInteger offering = new AtomicInteger();
    /** When callers last started finding the queue full with no commit since; 0 before the first time. */
    private volatile long fullSinceNanos;

    /**
     * @param settings the writer's settings, with the overflow policy in force
     * @param sink     where batches go
     * @param spool    where what the database cannot take yet goes, or {@code null} for none
     * @param reporter where the pipeline tells what happened
     */
    public Pipeline(PipelineSettings settings, BatchSink sink, Spool spool, StatusListener reporter) {
        this(settings, sink, spool, null, false, reporter);
    }

    /**
     * One of several writers.
     *
     * @param settings         the writer's settings, with the overflow policy in force
     * @param sink             where batches go
     * @param spool            this writer's spool, or {@code null} for none
     * @param handover         what the writers' spools held at start, written before anything newer, or
     *                         {@code null} when they held nothing
     * @param replaysEarlier   true on the one writer that replays what every spool held at start
     * @param reporter         where the pipeline tells what happened
     */
    public Pipeline(PipelineSettings settings, BatchSink sink, Spool spool, SpoolHandover handover,
                    boolean replaysEarlier, StatusListener reporter) {
        this.config = settings;
        this.overflowPolicy = settings.overflowPolicy();
        this.spool = spool;
        this.reporter = reporter;
        this.queue = new RecordQueue(settings.maxQueueBytes(), settings.batchSize());
        this.dropWarnings = new DropWarnings(stats, reporter, DROP_REPORT_INTERVAL_NANOS);
        this.flusher = new Flusher(settings, queue, sink, stats, reporter, dropWarnings, spool, handover, replaysEarlier);
        this.thread = new Thread(flusher, "stratal-flusher-" + settings.name());
        this.thread.setDaemon(true);
        this.queue.setConsumer(thread);
        this.maxBlockNanos = settings.maxBlockTime().toNanos();
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
        offering.incrementAndGet(); // before the check: stop() waits for every offer that got past it
        try {
            return offerAccepting(record);
        } finally {
            offering.decrementAndGet();
        }
    }

    private boolean offerAccepting(LogRecord record) {
        if (!acceptingRecords) {
            stats.recordDropped(DropReason.SHUTDOWN, 1); // arrived while stopping: counted, as stop() reports
            return false;
        }
        if (overflowPolicy == OverflowPolicy.DROP && shedsByLevel(record.level())) {
            stats.recordDropped(DropReason.LEVEL_SHED, 1);
            return false;
        }
        if (queue.tryOffer(record)) {
            stats.recordEnqueued();
            return true;
        }
        DropReason refused = waitForRoom(record);
        if (refused == null) {
            stats.recordEnqueued();
            return true;
        }
        stats.recordDropped(refused, 1);
        if (refused == DropReason.DATABASE_STALLED) {
            dropWarnings.reportIfDue(System.nanoTime(), false); // the flusher is stuck in the call that stalled
        }
        return false;
    }

    /** Under {@link OverflowPolicy#DROP}, DEBUG goes once the queue is 80% full and INFO at 90%. */
    private boolean shedsByLevel(LogLevel level) {
        if (level == LogLevel.DEBUG) {
            return queue.bytes() > config.maxQueueBytes() / 10 * 8;
        }
        if (level == LogLevel.INFO) {
            return queue.bytes() > config.maxQueueBytes() / 10 * 9;
        }
        return false;
    }

    /**
     * The queue is full: waits for room while the database makes progress (a batch committed, or records
     * went to the spool, within the last {@code maxBlockTime}), however long that takes, so a burst is
     * written at the database's pace and nothing is lost. A database that is unreachable for a moment (a
     * connection not had in time on a loaded machine, a restart) is waited out the same way, up to
     * {@code maxBlockTime} without progress. Returns {@code null} once the record is queued, else why it is
     * dropped: no progress for {@code maxBlockTime} while the database was unreachable or stalled, or the
     * pipeline is stopping.
     */
    private DropReason waitForRoom(LogRecord record) {
        if (overflowPolicy == OverflowPolicy.DROP || maxBlockNanos <= 0) {
            return flusher.isDatabaseAvailable() || spool != null ? DropReason.QUEUE_FULL : DropReason.DATABASE_UNAVAILABLE;
        }
        stats.recordBlocked();
        // The stall clock runs from the later of the last commit and the start of this episode of full queue,
        // so a burst after a quiet spell waits for its first commit; callers of the same episode share it.
        long now = System.nanoTime();
        long episode = fullSinceNanos;
        if (episode == 0 || stats.lastProgressNanos() - episode > 0) {
            fullSinceNanos = episode = now;
        }
        while (true) {
            long lastProgress = stats.lastProgressNanos();
            long stalledFor = System.nanoTime() - (lastProgress - episode > 0 ? lastProgress : episode);
            if (stalledFor >= maxBlockNanos) {
                return flusher.isDatabaseAvailable() ? DropReason.DATABASE_STALLED : DropReason.DATABASE_UNAVAILABLE;
            }
            if (!acceptingRecords) {
                return DropReason.SHUTDOWN;
            }
            try {
                if (queue.offer(record, Math.min(maxBlockNanos - stalledFor, WAIT_SLICE_NANOS))) {
                    return null;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return DropReason.QUEUE_FULL;
            }
        }
    }

    /**
     * Tells {@code listener}, on the pipeline's own threads, of every list of records that left the queue's hands:
     * written, given up, or set aside where {@link #holdsBacklog()} reports them. Set before {@link #start()}.
     */
    public void onReleased(Consumer<List<LogRecord>> listener) {
        queue.onReleased(listener);
    }

    /**
     * {@return true while records it took are neither in the table nor given up, but parked or on disk} A router
     * moves no run away from a writer that holds any: they might be written after the run's newer records.
     */
    public boolean holdsBacklog() {
        return flusher.holdsBacklog();
    }

    /** True on the pipeline's own threads (flusher, spooler): whatever they log must not come back in here. */
    public boolean isFlusherThread() {
        Thread current = Thread.currentThread();
        return current == thread || flusher.isSpoolerThread(current);
    }

    /**
     * Stops taking records and writes what is queued within {@code shutdownGracePeriod}; with a spool, what
     * is still unwritten then goes to disk. Returns how many records were lost (or, if the flusher is still
     * inside a database call when the period ends, how many are not yet safe). A second caller waits for
     * the first and gets 0.
     */
    public synchronized long stop() {
        if (!acceptingRecords) {
            return 0;
        }
        acceptingRecords = false;
        long lostBefore = stats.dropped(DropReason.SHUTDOWN);
        long graceNanos = config.shutdownGracePeriod().toNanos();
        // The flusher gives up writing a little before the period ends, so that a call already under way
        // (bounded by the pool's connection timeout) and the final spool write still fit inside it.
        long margin = Math.min(TimeUnit.SECONDS.toNanos(1), graceNanos / 2);
        flusher.requestStop(System.nanoTime() + graceNanos - margin);
        // even a zero grace period leaves the flusher a moment to count and report what it gives up
        boolean finished = join(Math.max(graceNanos, TimeUnit.MILLISECONDS.toNanos(100)));
        if (finished) {
            // A caller that was waiting for room when the stop began may have queued its record after the
            // flusher's last drain: let the offers under way end (a waiting one gives up within a slice),
            // then count what they left as lost rather than leave it uncounted in a dead queue.
            long until = System.nanoTime() + 2 * WAIT_SLICE_NANOS;
            while (offering.get() > 0 && System.nanoTime() - until < 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            List<LogRecord> left = queue.drain(Integer.MAX_VALUE);
            if (!left.isEmpty()) {
                stats.recordDropped(DropReason.SHUTDOWN, left.size());
                queue.release(left);
            }
        }
        long unwritten = stats.dropped(DropReason.SHUTDOWN) - lostBefore;
        if (!finished) {
            // Stuck in a database call that did not time out. It keeps its resources and finishes on its own
            // (spooling what it holds) if the JVM lives on; the application's shutdown is not held up.
            unwritten += queue.size() + flusher.inFlight();
            reporter.warn("stopped with " + unwritten + " log record(s) unwritten: "
                    + "after shutdownGracePeriod its flusher is still inside a database call; it writes or spools them "
                    + "when the call returns, if the JVM lives that long");
            return unwritten;
        }
        if (unwritten > 0) {
            reporter.warn("stopped with " + unwritten + " log record(s) unwritten; "
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

    /** True while the flusher routes records through the spool. */
    boolean isSpilling() {
        return flusher.isSpilling();
    }

    boolean isDatabaseAvailable() {
        return flusher.isDatabaseAvailable();
    }

    /** Records queued and not yet written. */
    public int queueSize() {
        return queue.size();
    }

    /** Estimated heap held by queued, in-flight and parked records. */
    public long queueBytes() {
        return queue.bytes();
    }

    /** The counters and the queue's state as a JMX MXBean: a view of its own, not this pipeline. */
    public PipelineMXBean mxBean() {
        return new PipelineView(this, stats);
    }
}

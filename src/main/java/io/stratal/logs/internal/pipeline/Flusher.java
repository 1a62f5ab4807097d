package io.stratal.logs.internal.pipeline;

import io.stratal.logs.writer.Batch;
import io.stratal.logs.writer.BatchSink;
import io.stratal.logs.writer.DropReason;
import io.stratal.logs.writer.PipelineStats;
import io.stratal.logs.writer.Reporter;
import io.stratal.logs.LogRecord;
import io.stratal.logs.internal.spool.Spool;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread that writes to the database. It waits for a full batch or for {@code flushInterval} since
 * the last batch, hands the batch to {@link Delivery}, and repeats; rows waiting for a parent run are
 * retried on the same rhythm. On stop it drains the queue until the grace period runs out.
 *
 * <p>With a spool it has a second mode, spilling: while the database is unavailable, or the queue is more
 * than half full, the {@link Spooler} moves every batch from the queue to the end of the spool, and this
 * thread writes the spool to the database from its oldest frame on, with backoff while the database is
 * away. Everything passes through the spool in that mode, so records are written in the order they were
 * logged. The mode ends when the spool is empty.
 */
final class Flusher implements Runnable, Delivery.StopSignal {

    private static final long DROP_REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long MIN_PARKED_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final PipelineConfig config;
    private final RecordQueue queue;
    private final BatchSink sink;
    private final Counters stats;
    private final Reporter reporter;
    private final DropReporter dropReporter;
    private final Delivery delivery;
    private final Spool spool;
    private final Spooler spooler;
    private final long intervalNanos;
    private final long parkedRetryNanos;

    private volatile Thread thread;
    private volatile boolean stopRequested;
    private volatile long stopDeadlineNanos;
    private volatile int inFlight;
    private boolean stopSeen;
    private long lastFlushNanos = System.nanoTime();
    private long lastParkedRetryNanos = System.nanoTime();

    private long nextReplayNanos = System.nanoTime();
    private int replayAttempt;
    private Spool.Frame replayFrame;
    private List<Batch> replayRemaining;

    Flusher(PipelineConfig config, RecordQueue queue, BatchSink sink, Counters stats, Reporter reporter, Spool spool) {
        this.config = config;
        this.queue = queue;
        this.sink = sink;
        this.stats = stats;
        this.reporter = reporter;
        this.spool = spool;
        this.spooler = spool == null ? null : new Spooler(config, queue, spool, stats, reporter);
        this.dropReporter = new DropReporter(config.name(), stats, reporter, DROP_REPORT_INTERVAL_NANOS);
        this.delivery = new Delivery(config, sink, stats, reporter, queue, dropReporter, this, spool == null);
        this.intervalNanos = config.flushInterval().toNanos();
        this.parkedRetryNanos = Math.max(intervalNanos, MIN_PARKED_RETRY_NANOS);
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            if (spooler != null) {
                if (!spool.isEmpty()) {
                    reporter.info("Appender [" + config.name() + "] replays " + spool.pendingBytes()
                            + " byte(s) left in its spool before new records");
                }
                spooler.start();
            }
            runFlushLoop();
        } catch (Throwable t) {
            // Only a bug gets here; say so loudly rather than die silently with records queued.
            stats.recordError(t.toString());
            reporter.error("Appender [" + config.name() + "] flusher stopped unexpectedly; "
                    + queue.size() + " record(s) left unwritten", t);
        } finally {
            if (spooler != null) {
                spooler.finish(TimeUnit.SECONDS.toNanos(5));
            }
            dropReporter.reportIfDue(System.nanoTime(), true);
            closeResources();
        }
    }

    private void runFlushLoop() {
        while (true) {
            if (stopRequested && !stopSeen) {
                stopSeen = true;
                nextReplayNanos = System.nanoTime(); // try at once: the database may be back, and time is short
                replayAttempt = 0;
            }
            if (stopRequested && pastDeadline()) {
                finishAtDeadline();
                return;
            }
            if (delivery.hasParked() && (stopRequested || System.nanoTime() - lastParkedRetryNanos >= parkedRetryNanos)) {
                lastParkedRetryNanos = System.nanoTime();
                handleUnwritten(delivery.retryParked());
            }
            if (spooler != null && spooler.isSpilling()) {
                replay();
                if (spooler.isSpilling()) {
                    waitForReplay();
                }
                continue;
            }
            List<LogRecord> records = nextBatch();
            if (!records.isEmpty()) {
                inFlight = records.size();
                handleUnwritten(delivery.deliver(records));
                inFlight = 0;
                if (spooler != null && !spooler.isSpilling() && queue.bytes() > config.maxQueueBytes() / 2) {
                    spooler.spill(List.of()); // the database cannot keep up: the backlog goes to disk, not the heap
                }
                queue.release(records);
                lastFlushNanos = System.nanoTime();
            }
            dropReporter.reportIfDue(System.nanoTime(), false);
            if (stopRequested && records.isEmpty() && queue.isEmpty() && !delivery.hasParked()) {
                return;
            }
        }
    }

    /**
     * Waits until a batch is due (a full batch, the flush interval, a parked retry), then takes what is
     * queued, up to a batch. Once a stop was requested it takes what is there without waiting.
     */
    private List<LogRecord> nextBatch() {
        while (!stopRequested && (spooler == null || !spooler.isSpilling())) {
            long now = System.nanoTime();
            int waiting = queue.size();
            if (waiting >= config.batchSize()) {
                break;
            }
            long wakeAt = waiting > 0 ? lastFlushNanos + intervalNanos : now + intervalNanos;
            if (delivery.hasParked()) {
                wakeAt = earlier(wakeAt, lastParkedRetryNanos + parkedRetryNanos);
            }
            if (now - wakeAt >= 0) {
                break;
            }
            queue.awaitRecords(wakeAt - now);
            if (waiting == 0) {
                dropReporter.reportIfDue(System.nanoTime(), false);
            }
        }
        return queue.drain(config.batchSize());
    }

    private static long earlier(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    /** While spilling and in backoff: sleep until the next replay attempt, a parked retry, or the stop. */
    private void waitForReplay() {
        long now = System.nanoTime();
        long wakeAt = earlier(nextReplayNanos, now + intervalNanos);
        if (delivery.hasParked()) {
            wakeAt = earlier(wakeAt, lastParkedRetryNanos + parkedRetryNanos);
        }
        if (stopRequested) {
            wakeAt = earlier(wakeAt, stopDeadlineNanos);
        }
        if (wakeAt - now > 0) {
            LockSupport.parkNanos(this, wakeAt - now);
        }
        dropReporter.reportIfDue(System.nanoTime(), false);
    }

    /** Writes spool frames, oldest first, for up to one flush interval, unless a backoff is running. */
    private void replay() {
        long now = System.nanoTime();
        if (now - nextReplayNanos < 0) {
            return;
        }
        long budgetEnd = now + intervalNanos;
        while (true) {
            if (replayRemaining == null) {
                Spool.Frame frame = peekSpool();
                if (frame == null) {
                    if (spooler.stopSpillingIfEmpty(thread) || nextReplayNanos - System.nanoTime() > 0) {
                        return;
                    }
                    continue; // the spooler appended in between
                }
                replayFrame = frame;
                replayRemaining = List.of(new Batch(frame.id(), frame.records(), true));
            }
            List<Batch> still = delivery.deliverInOrder(replayRemaining);
            if (!still.isEmpty()) {
                replayRemaining = still;
                replayAfterBackoff();
                stats.recordRetry("the database is unavailable; replay of the spool paused");
                return;
            }
            finishFrame();
            if (stopRequested ? pastDeadline() : System.nanoTime() - budgetEnd >= 0) {
                return;
            }
        }
    }

    private void finishFrame() {
        stats.recordReplayed(replayFrame.records().size());
        try {
            List<UUID> finished = spool.done(replayFrame);
            if (!finished.isEmpty()) {
                sink.forget(finished);
            }
        } catch (IOException e) {
            reporter.error("Appender [" + config.name() + "] could not remove a replayed spool file; its records may be"
                    + " replayed again, which the ledger recognises", e);
        }
        stats.recordSpoolBytes(spool.pendingBytes());
        replayFrame = null;
        replayRemaining = null;
        replayAttempt = 0;
    }

    private Spool.Frame peekSpool() {
        try {
            return spool.peek();
        } catch (IOException e) {
            reporter.error("Appender [" + config.name() + "] cannot read its spool; the records stay on disk", e);
            replayAfterBackoff();
            return null;
        }
    }

    /** Batches the database could not take: to the spool when there is one, else they are lost at stop. */
    private void handleUnwritten(List<Batch> unwritten) {
        if (unwritten.isEmpty()) {
            return;
        }
        if (spooler == null) {
            for (Batch batch : unwritten) {
                stats.recordDropped(DropReason.SHUTDOWN, batch.size());
            }
            return;
        }
        boolean wasSpilling = spooler.isSpilling();
        spooler.spill(unwritten);
        if (!wasSpilling) {
            replayAttempt = 0;
            replayAfterBackoff();
        }
    }

    /** The next replay attempt waits the next step of the backoff. */
    private void replayAfterBackoff() {
        nextReplayNanos = System.nanoTime() + delivery.backoff.delayNanos(replayAttempt++);
    }

    /**
     * The grace period is over: what is still in memory goes to the spool (parked rows first, so each run
     * keeps its order), or, without one, is counted as lost. A spool frame being replayed stays on disk.
     */
    private void finishAtDeadline() {
        List<LogRecord> parkedRows = delivery.takeParked();
        if (spooler == null) {
            List<LogRecord> rest = queue.drain(Integer.MAX_VALUE);
            stats.recordDropped(DropReason.SHUTDOWN, parkedRows.size() + rest.size());
            queue.release(rest);
            return;
        }
        spooler.putAway(List.of(Batch.of(parkedRows)));
        if (!spooler.isSpilling()) {
            List<LogRecord> rest = queue.drain(Integer.MAX_VALUE);
            spooler.putAway(List.of(Batch.of(rest)));
            queue.release(rest);
        }
        // while spilling, the spooler puts the rest of the queue away before it finishes
    }

    /**
     * The flusher closes what it writes to, when it is done with it: closing them from the thread that stops
     * the pipeline would pull them out from under a write still under way.
     */
    private void closeResources() {
        if (spool != null) {
            long left = spool.pendingBytes();
            if (left > 0) {
                reporter.warn("Appender [" + config.name() + "] stopped with " + left + " byte(s) of records in its spool;"
                        + " they are written when it starts again with the same spoolDirectory");
            }
            try {
                spool.close();
            } catch (IOException e) {
                reporter.error("Appender [" + config.name() + "] could not close its spool", e);
            }
        }
        sink.close();
    }

    private boolean pastDeadline() {
        return System.nanoTime() - stopDeadlineNanos >= 0;
    }

    /** Asks the loop to drain what is queued and end, giving up at {@code deadlineNanos}. */
    void requestStop(long deadlineNanos) {
        stopDeadlineNanos = deadlineNanos;
        stopRequested = true;
        queue.wakeConsumer();
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public boolean stopRequested() {
        return stopRequested;
    }

    @Override
    public long deadlineNanos() {
        return stopDeadlineNanos;
    }

    boolean isDatabaseAvailable() {
        return delivery.isDatabaseAvailable();
    }

    boolean isSpilling() {
        return spooler != null && spooler.isSpilling();
    }

    boolean isSpoolerThread(Thread thread) {
        return spooler != null && spooler.isThread(thread);
    }

    /** Records taken from the queue and not yet written or dropped, including those waiting for a parent. */
    int inFlight() {
        return inFlight + delivery.parkedCount();
    }
}

package io.stratal.logs.pipeline;

import io.stratal.logs.LogRecord;
import io.stratal.logs.spool.Spool;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that writes. It waits for a full batch or for {@code flushInterval} since the last batch,
 * hands the batch to {@link Delivery}, and repeats; rows waiting for a parent run are retried on the same
 * rhythm. On stop it drains the queue until the grace period runs out.
 *
 * <p>With a spool it has a second mode, spilling: while the database is unavailable, or the queue is more
 * than half full, every batch goes from the queue to the end of the spool, and the spool is written to the
 * database from its oldest frame on, with backoff while the database is away. Everything passes through
 * the spool in that mode, so the order in which records were logged is the order in which they are
 * written. The mode ends when the spool is empty.
 */
final class Flusher implements Runnable, Delivery.StopSignal {

    private static final long DROP_REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long MIN_PARKED_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final PipelineConfig config;
    private final RecordQueue queue;
    private final BatchSink sink;
    private final PipelineStats stats;
    private final Reporter reporter;
    private final DropReporter dropReporter;
    private final Delivery delivery;
    private final Spool spool;
    private final long intervalNanos;
    private final long parkedRetryNanos;
    private final long syncIntervalNanos;

    private volatile boolean stopRequested;
    private volatile long stopDeadlineNanos;
    private volatile int inFlight;
    private long lastFlushNanos = System.nanoTime();
    private long lastParkedRetryNanos = System.nanoTime();

    private volatile boolean spilling;
    private long nextReplayNanos = System.nanoTime();
    private int replayAttempt;
    private boolean stopSeen;
    private Spool.Frame replayFrame;
    private List<Batch> replayRemaining;
    private long lastSyncNanos = System.nanoTime();
    private boolean unsynced;

    Flusher(PipelineConfig config, RecordQueue queue, BatchSink sink, PipelineStats stats, Reporter reporter, Spool spool) {
        this.config = config;
        this.queue = queue;
        this.sink = sink;
        this.stats = stats;
        this.reporter = reporter;
        this.spool = spool;
        this.dropReporter = new DropReporter(config.name(), stats, reporter, DROP_REPORT_INTERVAL_NANOS);
        this.delivery = new Delivery(config, sink, stats, reporter, queue, dropReporter, this, spool == null);
        this.intervalNanos = config.flushInterval().toNanos();
        this.parkedRetryNanos = Math.max(intervalNanos, MIN_PARKED_RETRY_NANOS);
        this.syncIntervalNanos = config.spoolSyncInterval().toNanos();
    }

    @Override
    public void run() {
        try {
            if (spool != null && !spool.isEmpty()) {
                reporter.info("Appender [" + config.name() + "] replays " + spool.pendingBytes()
                        + " byte(s) left in its spool before new records");
                spilling = true;
            }
            runFlushLoop();
        } catch (Throwable t) {
            // Only a bug gets here; say so loudly rather than die silently with records queued.
            stats.recordError(t.toString());
            reporter.error("Appender [" + config.name() + "] flusher stopped unexpectedly; "
                    + queue.size() + " record(s) left unwritten", t);
        } finally {
            syncSpool();
            dropReporter.reportIfDue(System.nanoTime(), true);
            closeResources();
        }
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

    private void runFlushLoop() {
        while (true) {
            List<LogRecord> records = nextBatch();
            if (stopRequested && !stopSeen) {
                stopSeen = true;
                nextReplayNanos = System.nanoTime(); // try at once: the database may be back, and time is short
                replayAttempt = 0;
            }
            if (stopRequested && pastDeadline()) {
                finishAtDeadline(records);
                return;
            }
            if (delivery.hasParked() && (stopRequested || System.nanoTime() - lastParkedRetryNanos >= parkedRetryNanos)) {
                lastParkedRetryNanos = System.nanoTime();
                handleUnwritten(delivery.retryParked());
            }
            if (!records.isEmpty()) {
                if (spilling) {
                    toSpool(List.of(Batch.of(records)));
                } else {
                    inFlight = records.size();
                    handleUnwritten(delivery.deliver(records));
                    inFlight = 0;
                    if (spool != null && queue.bytes() > config.maxQueueBytes() / 2) {
                        spillBacklog(); // the database cannot keep up: the backlog goes to disk, not the heap
                    }
                }
                queue.release(records);
                lastFlushNanos = System.nanoTime();
            }
            if (spilling) {
                replay();
            }
            syncSpoolIfDue();
            dropReporter.reportIfDue(System.nanoTime(), false);
            if (stopRequested && records.isEmpty() && queue.isEmpty() && !delivery.hasParked() && !spilling) {
                return;
            }
        }
    }

    /**
     * Waits until something is due (a full batch, the flush interval, a parked retry, a spool replay or
     * sync), then takes what is queued, up to a batch. Once a stop was requested it does not wait for more
     * records, only for the next replay attempt.
     */
    private List<LogRecord> nextBatch() {
        while (true) {
            long now = System.nanoTime();
            int waiting = queue.size();
            if (stopRequested) {
                if (waiting == 0 && spilling && now - nextReplayNanos < 0) {
                    queue.awaitRecords(Math.min(nextReplayNanos, stopDeadlineNanos) - now);
                }
                break;
            }
            if (waiting >= config.batchSize()) {
                break;
            }
            long wakeAt = waiting > 0 ? lastFlushNanos + intervalNanos : now + intervalNanos;
            if (delivery.hasParked()) {
                wakeAt = earlier(wakeAt, lastParkedRetryNanos + parkedRetryNanos);
            }
            if (spilling) {
                wakeAt = earlier(wakeAt, nextReplayNanos);
            }
            if (unsynced) {
                wakeAt = earlier(wakeAt, lastSyncNanos + syncIntervalNanos);
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
                    spilling = false;
                    return;
                }
                replayFrame = frame;
                replayRemaining = List.of(new Batch(frame.id(), frame.records(), true));
            }
            List<Batch> still = new ArrayList<>();
            for (Batch batch : replayRemaining) {
                if (still.isEmpty()) {
                    still.addAll(delivery.deliver(batch));
                } else {
                    still.add(batch);
                }
            }
            if (!still.isEmpty()) {
                replayRemaining = still;
                nextReplayNanos = System.nanoTime() + delivery.backoff.delayNanos(replayAttempt++);
                stats.recordRetry("the database is unavailable; replay of the spool paused");
                return;
            }
            finishFrame();
            if (queue.size() >= config.batchSize()) {
                List<LogRecord> records = queue.drain(config.batchSize());
                toSpool(List.of(Batch.of(records)));
                queue.release(records);
            }
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
            nextReplayNanos = System.nanoTime() + delivery.backoff.delayNanos(replayAttempt++);
            return null;
        }
    }

    /** Batches the database could not take: to the spool when there is one, else they are lost at stop. */
    private void handleUnwritten(List<Batch> unwritten) {
        if (unwritten.isEmpty()) {
            return;
        }
        if (spool == null) {
            for (Batch batch : unwritten) {
                stats.recordDropped(DropReason.SHUTDOWN, batch.size());
            }
            return;
        }
        toSpool(unwritten);
        startSpilling();
    }

    /** Moves everything queued to the spool, in batch-sized frames, and switches to spilling. */
    private void spillBacklog() {
        startSpilling();
        List<LogRecord> records;
        while (!(records = queue.drain(config.batchSize())).isEmpty()) {
            toSpool(List.of(Batch.of(records)));
            queue.release(records);
        }
    }

    private void startSpilling() {
        if (!spilling) {
            spilling = true;
            replayAttempt = 0;
            nextReplayNanos = delivery.isDatabaseAvailable() ? System.nanoTime()
                    : System.nanoTime() + delivery.backoff.delayNanos(replayAttempt++);
        }
    }

    private void toSpool(List<Batch> batches) {
        for (Batch batch : batches) {
            if (batch.records().isEmpty()) {
                continue;
            }
            try {
                spool.append(batch.id(), batch.records());
                stats.recordSpooled(batch.size());
                unsynced = true;
            } catch (Spool.SpoolFullException e) {
                stats.recordDropped(DropReason.SPOOL_FULL, batch.size());
            } catch (IOException e) {
                stats.recordDropped(DropReason.SPOOL_FAILED, batch.size());
                stats.recordError(e.toString());
                reporter.error("Appender [" + config.name() + "] could not write " + batch.size()
                        + " record(s) to its spool", e);
            }
        }
        stats.recordSpoolBytes(spool.pendingBytes());
    }

    private void syncSpoolIfDue() {
        if (unsynced && System.nanoTime() - lastSyncNanos >= syncIntervalNanos) {
            syncSpool();
        }
    }

    private void syncSpool() {
        if (spool == null || !unsynced) {
            return;
        }
        try {
            spool.sync();
        } catch (IOException e) {
            reporter.error("Appender [" + config.name() + "] could not force its spool to disk", e);
        }
        unsynced = false;
        lastSyncNanos = System.nanoTime();
    }

    /**
     * The grace period is over: what is still in memory goes to the spool (parked rows first, so each run
     * keeps its order), or, without one, is counted as lost. A spool frame being replayed stays on disk.
     */
    private void finishAtDeadline(List<LogRecord> taken) {
        List<LogRecord> parkedRows = delivery.takeParked();
        List<LogRecord> rest = new ArrayList<>(taken);
        rest.addAll(queue.drain(Integer.MAX_VALUE));
        if (spool != null) {
            toSpool(List.of(Batch.of(parkedRows), Batch.of(rest)));
            syncSpool();
        } else {
            stats.recordDropped(DropReason.SHUTDOWN, parkedRows.size() + rest.size());
        }
        queue.release(rest);
    }

    private boolean pastDeadline() {
        return System.nanoTime() - stopDeadlineNanos >= 0;
    }

    /** Asks the loop to drain what is queued and end, giving up at {@code deadlineNanos}. */
    void requestStop(long deadlineNanos) {
        stopDeadlineNanos = deadlineNanos;
        stopRequested = true;
        queue.wakeConsumer();
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
        return spilling;
    }

    /** Records taken from the queue and not yet written or dropped, including those waiting for a parent. */
    int inFlight() {
        return inFlight + delivery.parkedCount();
    }
}

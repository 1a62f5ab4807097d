package io.stratal.logs.internal.pipeline;

import io.stratal.logs.pipeline.Batch;
import io.stratal.logs.pipeline.BatchSink;
import io.stratal.logs.pipeline.DropReason;
import io.stratal.logs.pipeline.StatusListener;
import io.stratal.logs.LogRecord;
import io.stratal.logs.internal.spool.Spool;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The batch loop, on the one thread that writes to the database. It waits for a full batch or for
 * {@code flushInterval} since the last batch, hands the batch to {@link Delivery}, and repeats; rows
 * waiting for a parent run are retried on the same rhythm. What the database cannot take goes to
 * {@link Spilling} when there is a spool, and while it spills, this loop replays the spool instead of
 * taking batches from the queue. On stop it drains the queue until the grace period runs out.
 */
final class Flusher implements Runnable {

    private static final long MIN_PARKED_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final PipelineSettings config;
    private final RecordQueue queue;
    private final BatchSink sink;
    private final Counters stats;
    private final StatusListener reporter;
    private final DropWarnings dropWarnings;
    private final Delivery delivery;
    /** True while parked rows are being written again: out of the parked list and not yet in the table. */
    private volatile boolean retryingParked;
    private final Spilling spilling; // null without a spool
    private final Deadline deadline = new Deadline();
    private final long intervalNanos;
    private final long parkedRetryNanos;

    private volatile Thread thread;
    private volatile int inFlight;
    private boolean stopSeen;
    private long lastFlushNanos = System.nanoTime();
    /** When parked rows are tried next: on the flush rhythm, and after a step of the backoff more per outage met. */
    private long nextParkedRetryNanos;
    private int parkedRetryAttempt;
    private final Backoff parkedRetryBackoff;

    Flusher(PipelineSettings config, RecordQueue queue, BatchSink sink, Counters stats, StatusListener reporter,
            DropWarnings dropWarnings, Spool spool, SpoolHandover handover, boolean replaysEarlier) {
        this.config = config;
        this.queue = queue;
        this.sink = sink;
        this.stats = stats;
        this.reporter = reporter;
        this.spilling = spool == null ? null : new Spilling(config, queue, spool, handover, replaysEarlier, sink, stats, reporter);
        this.dropWarnings = dropWarnings;
        this.delivery = new Delivery(config, sink, stats, reporter, dropWarnings, queue::hold, spool == null);
        this.intervalNanos = config.flushInterval().toNanos();
        this.parkedRetryNanos = Math.max(intervalNanos, MIN_PARKED_RETRY_NANOS);
        this.nextParkedRetryNanos = System.nanoTime() + parkedRetryNanos;
        this.parkedRetryBackoff = new Backoff(config.minRetryBackoff(), config.maxRetryBackoff());
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            if (spilling != null) {
                spilling.start(thread);
            }
            runFlushLoop();
        } catch (Throwable t) {
            // Only a bug gets here; say so loudly rather than die silently with records queued.
            stats.recordError(t.toString());
            reporter.error("flusher stopped unexpectedly; " + queue.size() + " record(s) left unwritten", t);
        } finally {
            if (spilling != null) {
                spilling.finish(TimeUnit.SECONDS.toNanos(5));
            }
            dropWarnings.reportIfDue(System.nanoTime(), true);
            // The flusher closes what it writes to, when it is done with it: closing it from the thread that
            // stops the pipeline would pull it out from under a write still under way.
            sink.close();
        }
    }

    private void runFlushLoop() {
        while (true) {
            if (deadline.isSet() && !stopSeen) {
                stopSeen = true;
                nextParkedRetryNanos = System.nanoTime(); // parked rows get one more try now
                if (spilling != null) {
                    spilling.replaySoon();
                }
            }
            if (deadline.hasPassed()) {
                finishAtDeadline();
                return;
            }
            // once stopping, parked rows are tried again at once while the database answers, else on their rhythm
            if (delivery.hasParked() && (System.nanoTime() - nextParkedRetryNanos >= 0
                    || (deadline.isSet() && delivery.isDatabaseAvailable()))) {
                retryParked();
            }
            if (spilling != null && spilling.isSpilling()) {
                spilling.replay(delivery, deadline);
                if (spilling.isSpilling()) {
                    waitForReplay();
                }
                continue;
            }
            List<LogRecord> records = nextBatch();
            if (!records.isEmpty()) {
                inFlight = records.size();
                handleUnwritten(delivery.deliver(records, deadline));
                inFlight = 0;
                if (spilling != null && !spilling.isSpilling() && queue.bytes() > config.maxQueueBytes() / 2) {
                    spilling.spill(List.of()); // the database cannot keep up: the backlog goes to disk, not the heap
                }
                queue.release(records);
                lastFlushNanos = System.nanoTime();
            }
            dropWarnings.reportIfDue(System.nanoTime(), false);
            if (deadline.isSet() && records.isEmpty() && queue.isEmpty()) {
                if (!delivery.hasParked()) {
                    return;
                }
                deadline.sleepUntil(nextParkedRetryNanos); // they wait for the database or a parent
            }
        }
    }

    /**
     * Writes the parked rows again. With a spool, what the database cannot take now stays ahead in memory under its
     * batch ids: in the spool it would land behind newer rows of its runs, and be read back under another id.
     */
    private void retryParked() {
        retryingParked = true; // taken out of the parked list, they are not in the table yet
        try {
            handleUnwritten(delivery.retryParked(deadline, spilling != null));
        } finally {
            retryingParked = false;
        }
        if (spilling != null) {
            spilling.releaseSettled(delivery);
        }
        long wait = parkedRetryNanos;
        if (delivery.isDatabaseAvailable()) {
            parkedRetryAttempt = 0;
        } else {
            wait = Math.max(wait, parkedRetryBackoff.delayNanos(parkedRetryAttempt++));
        }
        nextParkedRetryNanos = System.nanoTime() + wait;
    }

    /**
     * Waits until a batch is due (a full batch, the flush interval, a parked retry), then takes what is
     * queued, up to a batch. Once a stop was requested it takes what is there without waiting.
     */
    private List<LogRecord> nextBatch() {
        while (!deadline.isSet() && (spilling == null || !spilling.isSpilling())) {
            long now = System.nanoTime();
            int waiting = queue.size();
            if (waiting >= config.batchSize()) {
                break;
            }
            long wakeAt = waiting > 0 ? lastFlushNanos + intervalNanos : now + intervalNanos;
            if (delivery.hasParked()) {
                wakeAt = earlier(wakeAt, nextParkedRetryNanos);
            }
            if (now - wakeAt >= 0) {
                break;
            }
            queue.awaitRecords(wakeAt - now);
            if (waiting == 0) {
                dropWarnings.reportIfDue(System.nanoTime(), false);
            }
        }
        return queue.drain(config.batchSize());
    }

    private static long earlier(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    /** While spilling and in backoff: sleep until the next replay attempt, a parked retry, or the deadline. */
    private void waitForReplay() {
        long wakeAt = earlier(spilling.nextReplayNanos(), System.nanoTime() + intervalNanos);
        if (delivery.hasParked()) {
            wakeAt = earlier(wakeAt, nextParkedRetryNanos);
        }
        deadline.sleepUntil(wakeAt);
        dropWarnings.reportIfDue(System.nanoTime(), false);
    }

    /** Batches the database could not take: to the spool when there is one, else they are lost at stop. */
    private void handleUnwritten(List<Batch> unwritten) {
        if (unwritten.isEmpty()) {
            return;
        }
        if (spilling != null) {
            spilling.spill(unwritten);
            return;
        }
        for (Batch batch : unwritten) {
            stats.recordDropped(DropReason.SHUTDOWN, batch.size());
        }
    }

    /**
     * The grace period is over: what is still in memory goes to the spool (parked rows first, so each run
     * keeps its order), or, without one, is counted as lost.
     */
    private void finishAtDeadline() {
        List<Batch> parked = delivery.takeParked();
        if (spilling != null) {
            spilling.putAwayAtDeadline(parked);
            return;
        }
        List<LogRecord> rest = queue.drain(Integer.MAX_VALUE);
        stats.recordDropped(DropReason.SHUTDOWN, rest.size() + Delivery.recordsIn(parked));
        queue.release(rest);
    }

    /**
     * True while records taken from the queue are still not in the table: parked behind a missing parent (or being
     * retried from there), or on disk (spilling, or a handover not done). Set before their room goes back to the
     * queue.
     */
    boolean holdsBacklog() {
        // read against the order the flusher writes them (parked, then retrying, parked cleared, then parked again
        // or spilling, then retrying cleared), so that rows passing from one state to the next are seen in one
        boolean parked = delivery.anyParked();
        return parked || retryingParked || (spilling != null && spilling.isSpilling()) || delivery.anyParked();
    }

    /** Asks the loop to drain what is queued and end, giving up at {@code deadlineNanos}. */
    void requestStop(long deadlineNanos) {
        deadline.set(deadlineNanos);
        queue.wakeConsumer();
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    boolean isDatabaseAvailable() {
        return delivery.isDatabaseAvailable();
    }

    boolean isSpilling() {
        return spilling != null && spilling.isSpilling();
    }

    boolean isSpoolerThread(Thread thread) {
        return spilling != null && spilling.isThread(thread);
    }

    /** Records taken from the queue and not yet written or dropped, including those waiting for a parent. */
    int inFlight() {
        return inFlight + delivery.parkedCount();
    }
}

package io.stratal.logs.internal.pipeline;

import io.stratal.logs.writer.Batch;
import io.stratal.logs.writer.DropReason;
import io.stratal.logs.writer.PipelineStats;
import io.stratal.logs.writer.Reporter;
import io.stratal.logs.LogRecord;
import io.stratal.logs.internal.spool.Spool;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Puts records on the spool. While the pipeline spills, a thread of its own moves every batch from the
 * queue to the end of the spool, so logging threads wait only on the disk, never on the database, while
 * the flusher writes the spool to the database from its oldest frame on.
 *
 * <p>One lock orders the two threads: taking a batch from the queue and appending it happen under it, and
 * so does the flusher's decision to stop spilling because the spool is empty. So no batch taken from the
 * queue can land in the spool after newer records were written straight to the database.
 */
final class Spooler implements Runnable {

    private final Object lock = new Object();
    private final PipelineConfig config;
    private final RecordQueue queue;
    private final Spool spool;
    private final Counters stats;
    private final Reporter reporter;
    private final Thread thread;
    private final long intervalNanos;
    private final long syncIntervalNanos;
    private volatile boolean spilling;
    private volatile boolean finishing;
    private long lastSyncNanos = System.nanoTime(); // guarded by lock
    private boolean unsynced; // guarded by lock

    Spooler(PipelineConfig config, RecordQueue queue, Spool spool, Counters stats, Reporter reporter) {
        this.config = config;
        this.queue = queue;
        this.spool = spool;
        this.stats = stats;
        this.reporter = reporter;
        this.intervalNanos = config.flushInterval().toNanos();
        this.syncIntervalNanos = config.spoolSyncInterval().toNanos();
        this.thread = new Thread(this, "stratal-spooler-" + config.name());
        this.thread.setDaemon(true);
    }

    /** Starts the thread; spilling from the start when the spool holds records from an earlier run. */
    void start() {
        if (!spool.isEmpty()) {
            spilling = true;
            queue.setConsumer(thread);
        }
        thread.start();
    }

    boolean isSpilling() {
        return spilling;
    }

    boolean isThread(Thread other) {
        return other == thread;
    }

    /** These batches could not be written: they, and everything queued after them, go to disk from now on. */
    void spill(List<Batch> batches) {
        synchronized (lock) {
            append(batches);
            if (!spilling) {
                spilling = true;
                queue.setConsumer(thread);
            }
        }
        LockSupport.unpark(thread);
    }

    /**
     * The spool looked empty to the flusher: stops spilling if it still is, giving the queue back to
     * {@code flusher}. Returns whether spilling stopped.
     */
    boolean stopSpillingIfEmpty(Thread flusher) {
        synchronized (lock) {
            if (!spool.isEmpty()) {
                return false;
            }
            spilling = false;
            queue.setConsumer(flusher);
            return true;
        }
    }

    /** Puts {@code batches} on disk now and forces them there (at the stop deadline). */
    void putAway(List<Batch> batches) {
        synchronized (lock) {
            append(batches);
            sync();
        }
    }

    /** Ends the thread once the queue is on disk (the pipeline takes no more records); waits up to {@code nanos}. */
    void finish(long nanos) {
        finishing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            sync();
        }
    }

    @Override
    public void run() {
        try {
            while (true) {
                boolean moved = false;
                if (spilling) {
                    moved = moveOneBatch();
                    syncIfDue();
                }
                if (finishing && (!spilling || queue.isEmpty())) {
                    return;
                }
                if (!moved) {
                    long wait = intervalNanos;
                    synchronized (lock) {
                        if (unsynced) {
                            wait = Math.min(wait, lastSyncNanos + syncIntervalNanos - System.nanoTime());
                        }
                    }
                    queue.awaitRecords(Math.max(wait, 1));
                }
            }
        } catch (Throwable t) {
            reporter.error("Appender [" + config.name() + "] spooler stopped unexpectedly", t);
        }
    }

    private boolean moveOneBatch() {
        List<LogRecord> records;
        synchronized (lock) {
            if (!spilling) {
                return false;
            }
            records = queue.drain(config.batchSize());
            if (!records.isEmpty()) {
                append(List.of(Batch.of(records)));
            }
        }
        queue.release(records);
        return !records.isEmpty();
    }

    /** Under the lock. */
    private void append(List<Batch> batches) {
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

    private void syncIfDue() {
        synchronized (lock) {
            if (unsynced && System.nanoTime() - lastSyncNanos >= syncIntervalNanos) {
                sync();
            }
        }
    }

    /** Under the lock. */
    private void sync() {
        if (!unsynced) {
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
}

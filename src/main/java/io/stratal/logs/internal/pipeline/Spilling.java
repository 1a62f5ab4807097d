package io.stratal.logs.internal.pipeline;

import io.stratal.logs.LogRecord;
import io.stratal.logs.internal.spool.Spool;
import io.stratal.logs.pipeline.Batch;
import io.stratal.logs.pipeline.BatchSink;
import io.stratal.logs.pipeline.DropReason;
import io.stratal.logs.pipeline.StatusListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The route through the spool, and the one owner of everything about it: whether the pipeline spills, which
 * thread the queue wakes, the spooler thread that moves the queue onto disk, and the replay of the spool
 * into the database ({@link SpoolReplay}).
 *
 * <p>While spilling (the database is unavailable, or the queue is more than half full), the spooler thread
 * moves every batch from the queue to the end of the spool, so logging threads wait only on the disk; the
 * flusher calls {@link #replay} to write the spool to the database from its oldest frame on, with backoff
 * while the database is away. Everything passes through the spool in that mode, so records are written in
 * the order they were logged. Spilling ends when the spool is empty.
 *
 * <p>The ordering rule: one lock covers "take a batch from the queue and append it" and "the spool is
 * empty, stop spilling and give the queue back to the flusher". So no batch taken from the queue can land
 * in the spool after newer records were written straight to the database.
 */
final class Spilling implements Runnable {

    private final Object lock = new Object();
    private final PipelineSettings config;
    private final RecordQueue queue;
    private final Spool spool;
    /** What several writers' spools held at start, written before anything newer; {@code null} when nothing was. */
    private final SpoolHandover handover;
    /** True on the first writer: it replays what every spool held at start. */
    private final boolean replaysEarlier;
    private final Counters stats;
    private final StatusListener reporter;
    private final SpoolReplay replay;
    private final Thread spooler;
    private final long intervalNanos;
    private final long syncIntervalNanos;
    private volatile boolean spilling;
    private volatile boolean finishing;
    private volatile Thread flusher;
    private long lastSyncNanos = System.nanoTime(); // guarded by lock
    private boolean unsynced; // guarded by lock

    Spilling(PipelineSettings config, RecordQueue queue, Spool spool, SpoolHandover handover, boolean replaysEarlier,
             BatchSink sink, Counters stats, StatusListener reporter) {
        this.config = config;
        this.queue = queue;
        this.spool = spool;
        this.handover = handover;
        this.replaysEarlier = replaysEarlier && handover != null;
        this.stats = stats;
        this.reporter = reporter;
        this.replay = new SpoolReplay(config, queue, spool, handover, this.replaysEarlier, sink, stats, reporter,
                this::stopSpillingIfEmpty);
        this.intervalNanos = config.flushInterval().toNanos();
        this.syncIntervalNanos = config.spoolSyncInterval().toNanos();
        this.spooler = new Thread(this, "stratal-spooler-" + config.name());
        this.spooler.setDaemon(true);
    }

    /**
     * From the flusher as it starts: starts the spooler thread, spilling from the start when the spool holds
     * records from an earlier run (they go first), or when several writers hand over what an earlier run left
     * (new records wait on disk until all of it is written).
     */
    void start(Thread flusherThread) {
        flusher = flusherThread;
        if (replaysEarlier && !handover.isDone()) {
            reporter.info("replays the " + handover.pendingBytes() + " byte(s) its writers' spools hold (" + handover.leftOverBytes()
                    + " of them left by a run with another writer count), oldest first, before any writer writes a new record");
        } else if (handover == null && !spool.isEmpty()) {
            reporter.info("replays " + spool.pendingBytes() + " byte(s) left in its spool before new records");
        }
        if (!spool.isEmpty() || (handover != null && !handover.isDone())) {
            spilling = true;
            queue.setConsumer(spooler);
        }
        spooler.start();
    }

    boolean isSpilling() {
        return spilling;
    }

    boolean isThread(Thread other) {
        return other == spooler;
    }

    /**
     * Batches the database could not take: they, and everything queued after them, go to disk from now on;
     * the replay waits a step of the backoff first.
     */
    void spill(List<Batch> batches) {
        boolean wasSpilling;
        synchronized (lock) {
            append(batches);
            wasSpilling = spilling;
            if (!spilling) {
                spilling = true;
                queue.setConsumer(spooler);
            }
        }
        LockSupport.unpark(spooler);
        if (!wasSpilling && !batches.isEmpty()) {
            replay.startAfterBackoff();
        }
    }

    /** A stop was requested: the next replay attempt is now (the database may be back, and time is short). */
    void replaySoon() {
        replay.soon();
    }

    /** When the flusher should try {@link #replay} next. */
    long nextReplayNanos() {
        return replay.nextNanos();
    }

    /**
     * From the flusher: writes spool frames, oldest first, for up to one flush interval (or until the
     * deadline, when stopping), unless a backoff is running. Stops spilling once the spool is empty.
     */
    void replay(Delivery delivery, Deadline deadline) {
        replay.replay(delivery, deadline);
        replay.releaseSettled(delivery);
    }

    /** After parked rows were tried again: spool files kept for those now written go. */
    void releaseSettled(Delivery delivery) {
        replay.releaseSettled(delivery);
    }

    /** The spool looked empty: stops spilling if it still is, giving the queue back to the flusher. */
    private boolean stopSpillingIfEmpty() {
        synchronized (lock) {
            if (!spool.isEmpty() || (handover != null && !handover.isDone())) {
                return false;
            }
            spilling = false;
            queue.setConsumer(flusher);
            return true;
        }
    }

    /**
     * The grace period is over: the parked rows (first, so each run keeps its order) and, unless the spooler
     * is doing it, the queue go to disk now, forced there. While spilling, the spool may hold newer rows of the
     * parked ones' runs, so those go ahead of everything in it ({@link Spool#putFirst}), with what is not written yet
     * of the frame being replayed (that frame is done then: read again whole, its written parts would land twice).
     */
    void putAwayAtDeadline(List<Batch> parked) {
        synchronized (lock) {
            boolean parkedOnDisk = false;
            if (spilling && spool.canPutFirst()) {
                List<Batch> first = new ArrayList<>(parked);
                List<Batch> unfinished = replay.unfinishedRest(); // other runs' rows than the parked ones: either order
                first.addAll(unfinished);
                Spool.Frame ownFrame = replay.unfinishedFrameIn(spool);
                // the unfinished frame's rows were counted as spooled when they first went to disk
                parkedOnDisk = putFirst(first, Delivery.recordsIn(unfinished), ownFrame);
                if (parkedOnDisk) {
                    replay.unfinishedPutAway(ownFrame != null);
                }
            } else if (spilling) {
                if (!parked.isEmpty()) {
                    reporter.warn("its spool has no room before its oldest file (a spool left by an earlier version); "
                            + "record(s) that waited for a parent run go to its end, after newer records of their runs");
                }
                parkedOnDisk = append(parked);
            } else {
                parkedOnDisk = append(parked);
                List<LogRecord> rest = queue.drain(Integer.MAX_VALUE);
                append(List.of(Batch.of(rest)));
                queue.release(rest);
            }
            if (sync() && parkedOnDisk) {
                replay.releaseAll(); // the files kept for the rows that waited: they are on disk again now
            }
        }
        // while spilling, the spooler puts the rest of the queue away before it finishes
    }

    /**
     * Under the lock. {@code counted} of the records were counted as spooled before: they are the rest of
     * {@code doneHead}, a frame of this spool (or of another's, {@code null} here), which stays on disk if this fails.
     * Returns whether they are on disk.
     */
    private boolean putFirst(List<Batch> batches, int counted, Spool.Frame doneHead) {
        List<Spool.Frame> frames = new ArrayList<>(batches.size());
        int records = 0;
        for (Batch batch : batches) {
            if (!batch.records().isEmpty()) {
                frames.add(new Spool.Frame(batch.id(), batch.records()));
                records += batch.size();
            }
        }
        if (frames.isEmpty() && doneHead == null) {
            return true;
        }
        // during a handover, older rows of theirs may wait in another writer's spool too: be read before those
        long earliest = handover == null ? Long.MAX_VALUE : handover.earliestPendingTime();
        long notAfter = earliest == Long.MAX_VALUE ? Long.MAX_VALUE : earliest - 1;
        int lost = records - counted; // the parked rows; the frame's rest stays where it is
        boolean putAway = false;
        try {
            if (!spool.putFirst(frames, notAfter, doneHead)) {
                throw new IOException("no segment number is left below the oldest"); // canPutFirst said there was
            }
            stats.recordSpooled(lost);
            unsynced = true;
            putAway = true;
        } catch (Spool.SpoolFullException e) {
            stats.recordDropped(DropReason.SPOOL_FULL, lost);
        } catch (IOException e) {
            stats.recordDropped(DropReason.SPOOL_FAILED, lost);
            stats.recordError(e.toString());
            reporter.error("could not write " + lost + " record(s) to its spool", e);
        }
        stats.recordSpoolBytes(replay.pendingBytes());
        return putAway;
    }

    /**
     * From the flusher as it ends: the spooler thread ends once the queue is on disk (the pipeline takes no
     * more records), waiting up to {@code nanos}; then the spool is forced to disk and closed.
     */
    void finish(long nanos) {
        finishing = true;
        LockSupport.unpark(spooler);
        try {
            spooler.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            sync();
        }
        long left = replay.pendingBytes();
        if (left > 0) {
            reporter.warn("stopped with " + left + " byte(s) of records in its spool; they are written when it starts"
                    + " again with the same spoolDirectory");
        }
        if (replaysEarlier) {
            handover.closeAtFirstWritersEnd(reporter);
        } else if (handover != null && handover.closesLater(spool)) {
            return; // the first writer may still read it
        }
        try {
            spool.close();
        } catch (IOException e) {
            reporter.error("could not close its spool", e);
        }
    }

    /** The spooler thread. */
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
            reporter.error("spooler stopped unexpectedly", t);
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

    /** Under the lock. Returns whether every record is on disk (else the others are counted as dropped). */
    private boolean append(List<Batch> batches) {
        boolean all = true;
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
                all = false;
            } catch (IOException e) {
                stats.recordDropped(DropReason.SPOOL_FAILED, batch.size());
                stats.recordError(e.toString());
                reporter.error("could not write " + batch.size() + " record(s) to its spool", e);
                all = false;
            }
        }
        stats.recordSpoolBytes(replay.pendingBytes());
        return all;
    }

    private void syncIfDue() {
        synchronized (lock) {
            if (unsynced && System.nanoTime() - lastSyncNanos >= syncIntervalNanos) {
                sync();
            }
        }
    }

    /** Under the lock. Returns false when forcing the spool to disk failed. */
    private boolean sync() {
        if (!unsynced) {
            return true;
        }
        boolean synced = true;
        try {
            spool.sync();
        } catch (IOException e) {
            reporter.error("could not force its spool to disk", e);
            synced = false;
        }
        unsynced = false;
        lastSyncNanos = System.nanoTime();
        return synced;
    }
}

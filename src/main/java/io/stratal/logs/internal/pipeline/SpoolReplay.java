package io.stratal.logs.internal.pipeline;

import io.stratal.logs.LogRecord;
import io.stratal.logs.internal.spool.Spool;
import io.stratal.logs.pipeline.Batch;
import io.stratal.logs.pipeline.BatchSink;
import io.stratal.logs.pipeline.StatusListener;
import java.io.IOException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The spool read back into the database, for {@link Spilling}, on the flusher thread: the oldest frame first,
 * with backoff while the database is away. While several writers hand over what their spools held at start, the
 * first writer takes the oldest frame of all of them and the others wait. A frame's records count against the
 * queue's bound while they are written.
 */
final class SpoolReplay {

    /** How often a writer waiting for a handover looks whether it is done. */
    private static final long HANDOVER_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final PipelineSettings config;
    private final RecordQueue queue;
    private final Spool spool;
    /** What several writers' spools held at start, written before anything newer; {@code null} when nothing was. */
    private final SpoolHandover handover;
    /** True on the first writer: it replays what every spool held at start. */
    private final boolean replaysEarlier;
    private final BatchSink sink;
    private final Counters stats;
    private final StatusListener reporter;
    private final Backoff backoff;
    private final long intervalNanos;
    /** The spool looked empty: stops spilling if it still is (under the spilling lock), true if it did. */
    private final BooleanSupplier stopSpillingIfEmpty;

    private long nextReplayNanos = System.nanoTime();
    private int replayAttempt;
    private Spool.Frame replayFrame;
    /** The estimated heap of {@link #replayFrame}'s records, counted against the queue's bound while written. */
    private long replayFrameBytes;
    private List<Batch> replayRemaining;
    /** The spool {@link #replayFrame} came from. */
    private Spool replaySource;

    /**
     * Spools that keep files read to their end while rows read back waited in memory (parked): the files go once
     * nothing waits there any more.
     */
    private final Set<Spool> keepingFiles = Collections.newSetFromMap(new IdentityHashMap<>());

    SpoolReplay(PipelineSettings config, RecordQueue queue, Spool spool, SpoolHandover handover, boolean replaysEarlier,
                BatchSink sink, Counters stats, StatusListener reporter, BooleanSupplier stopSpillingIfEmpty) {
        this.config = config;
        this.queue = queue;
        this.spool = spool;
        this.handover = handover;
        this.replaysEarlier = replaysEarlier;
        this.sink = sink;
        this.stats = stats;
        this.reporter = reporter;
        this.backoff = new Backoff(config.minRetryBackoff(), config.maxRetryBackoff());
        this.intervalNanos = config.flushInterval().toNanos();
        this.stopSpillingIfEmpty = stopSpillingIfEmpty;
    }

    /** The database just refused a batch: the first replay attempt waits a step of the backoff. */
    void startAfterBackoff() {
        replayAttempt = 0;
        replayAfterBackoff();
    }

    /**
     * At the stop deadline: what of the frame being written is not written yet, under its batches' ids, to be put
     * ahead of everything on disk with the rows that wait for a parent ({@link #unfinishedPutAway} once it is there).
     * Left on disk, the frame would be read again whole, under its own id, at the next start: the parts already
     * written under theirs would be written twice.
     */
    List<Batch> unfinishedRest() {
        return replayRemaining == null ? List.of() : replayRemaining;
    }

    /** {@return the frame {@link #unfinishedRest} belongs to, when it was read from {@code spool}, else {@code null}} */
    Spool.Frame unfinishedFrameIn(Spool spool) {
        return replayRemaining != null && replaySource == spool ? replayFrame : null;
    }

    /**
     * The rest of the frame being written is on disk ahead of everything: the frame is done (in its own spool, by
     * {@code doneThere}; in another writer's, here).
     */
    void unfinishedPutAway(boolean doneThere) {
        if (replayRemaining == null) {
            return;
        }
        stats.recordReplayed(replayFrame.records().size() - Delivery.recordsIn(replayRemaining));
        if (!doneThere) {
            markFrameDone(false);
        }
        startOver();
    }

    /**
     * The frame being replayed is done in its spool; a segment that this finishes is forgotten by the ledger, and
     * deleted, unless rows wait in memory ({@code rowsWait}; rows of this frame may be among them): then its file
     * stays until nothing waits ({@link #releaseSettled}), so a crash meanwhile reads it again and loses none of them.
     */
    private void markFrameDone(boolean rowsWait) {
        try {
            if (rowsWait) {
                replaySource.doneKeepingFile(replayFrame);
                keepingFiles.add(replaySource);
            } else {
                forget(replaySource.done(replayFrame));
            }
        } catch (IOException e) {
            reporter.error("could not remove a replayed spool file; its records may be replayed again, which the"
                    + " ledger recognises", e);
        }
    }

    /**
     * Deletes the spool files kept while rows waited in memory, once none waits any more (written, given up, or put
     * on disk again), and lets the ledger forget their batches. Rows wait at most {@code foreignKeyGracePeriod} while
     * the database answers, but new ones may follow: until a moment when none waits, the files stay (a crash then
     * reads them again, and the ledger recognises what of them was written whole).
     */
    void releaseSettled(Delivery delivery) {
        if (!keepingFiles.isEmpty() && !delivery.hasParked()) {
            releaseAll();
        }
    }

    /**
     * The files kept while rows waited in memory go: at the stop deadline, once those rows are on disk again (if that
     * failed, the files stay, and the next start reads them again). Each spool's kept files go whichever writer kept
     * them: only the first writer reads other writers' spools, during the handover, and that ends only once no row of
     * it waits ({@link #nextEarlier}), that is after its kept files went.
     */
    void releaseAll() {
        for (Spool source : keepingFiles) {
            forget(source.releaseKept());
        }
        keepingFiles.clear();
    }

    private void forget(List<UUID> batchIds) {
        if (!batchIds.isEmpty()) {
            sink.forget(batchIds);
        }
    }

    /** The next replay peeks afresh (frames were put ahead of the one being replayed, or it was taken). */
    void startOver() {
        replayFrameBytes = 0;
        replaySource = null;
        replayFrame = null;
        replayRemaining = null;
    }

    /** A stop was requested: the next replay attempt is now (the database may be back, and time is short). */
    void soon() {
        nextReplayNanos = System.nanoTime();
        replayAttempt = 0;
    }

    /** When the flusher should try {@link #replay} next. */
    long nextNanos() {
        return nextReplayNanos;
    }

    /**
     * From the flusher: writes spool frames, oldest first, for up to one flush interval (or until the
     * deadline, when stopping), unless a backoff is running or rows wait in memory for the database to come
     * back. Stops spilling once the spool is empty.
     */
    void replay(Delivery delivery, Deadline deadline) {
        long now = System.nanoTime();
        if (now - nextReplayNanos < 0) {
            return;
        }
        long budgetEnd = now + intervalNanos;
        while (true) {
            if (replayRemaining == null) {
                if (delivery.hasParked() && !delivery.isDatabaseAvailable()) {
                    // rows wait in memory for a database that is away: frames read now would only pile up behind
                    // them, off the disk and in the heap; the parked rows' retry finds out when it is back
                    replayAfterBackoff();
                    return;
                }
                boolean handingOver = handover != null && !handover.isDone();
                Spool source = handingOver ? nextEarlier(delivery) : spool;
                if (source == null) {
                    // what it holds is newer than what the first writer still writes
                    nextReplayNanos = System.nanoTime() + Math.min(intervalNanos, HANDOVER_POLL_NANOS);
                    return;
                }
                Spool.Frame frame = peek(source, handingOver);
                if (frame == null) {
                    if (nextReplayNanos - System.nanoTime() > 0 || (!handingOver && stopSpillingIfEmpty.getAsBoolean())) {
                        return;
                    }
                    continue; // the spooler appended in between, or that spool's earlier frames are done
                }
                replaySource = source;
                replayFrame = frame;
                replayFrameBytes = 0;
                for (LogRecord record : frame.records()) {
                    replayFrameBytes += record.estimatedBytes();
                }
                replayRemaining = List.of(new Batch(frame.id(), frame.records(), true));
            }
            // Records read back are in flight like a batch while they are written, so they count against the
            // bound then; not while the database is away (the spool has taken the queue's place, and the
            // callers need its room), and never for more than half of it (a frame put away at a stop may
            // hold a whole queue).
            long held = Math.min(replayFrameBytes, config.maxQueueBytes() / 2);
            queue.hold(held);
            List<Batch> still;
            try {
                still = delivery.deliverInOrder(replayRemaining, deadline);
            } finally {
                queue.hold(-held);
            }
            if (!still.isEmpty()) {
                replayRemaining = still;
                replayAfterBackoff();
                stats.recordRetry("the database is unavailable; replay of the spool paused");
                return;
            }
            finishFrame(delivery);
            if (deadline.isSet() ? deadline.hasPassed() : System.nanoTime() - budgetEnd >= 0) {
                return;
            }
        }
    }

    /**
     * While handing over: on the first writer, the spool holding the oldest frame that any spool held at start; once
     * none is left (and none of those rows waits for a parent run), the handover is done and it is its own spool.
     * {@code null} while it must wait: on the other writers, until the first is done.
     */
    private Spool nextEarlier(Delivery delivery) {
        if (!replaysEarlier) {
            return null;
        }
        Spool earlier = handover.nextEarlier();
        if (earlier != null) {
            return earlier;
        }
        if (delivery.hasParked()) {
            return null; // rows of an earlier frame wait for their parent: newer ones of their run must not pass them
        }
        handover.finish();
        reporter.info("wrote what its writers' spools held at start; new records go on");
        return spool;
    }

    private void finishFrame(Delivery delivery) {
        stats.recordReplayed(replayFrame.records().size());
        markFrameDone(delivery.hasParked());
        stats.recordSpoolBytes(pendingBytes());
        replayFrameBytes = 0;
        replaySource = null;
        replayFrame = null;
        replayRemaining = null;
        replayAttempt = 0;
    }

    /** Bytes on disk not yet written: its spool's, and on the first writer those of the left-over spools. */
    long pendingBytes() {
        return spool.pendingBytes() + (replaysEarlier ? handover.leftOverBytes() : 0);
    }

    /**
     * The next frame. A segment found read to its end (its tail damaged) is kept, as at a frame done while rows wait,
     * and goes with the kept files ({@link #releaseSettled}), so the ledger forgets its batches then too.
     */
    private Spool.Frame peek(Spool source, boolean earlierOnly) {
        keepingFiles.add(source);
        try {
            return earlierOnly ? source.peekEarlier(true) : source.peek(true);
        } catch (IOException e) {
            reporter.error("cannot read its spool; the records stay on disk", e);
            replayAfterBackoff();
            return null;
        }
    }

    private void replayAfterBackoff() {
        nextReplayNanos = System.nanoTime() + backoff.delayNanos(replayAttempt++);
    }
}

package io.stratal.logs.internal.pipeline;

import io.stratal.logs.internal.spool.Spool;
import io.stratal.logs.pipeline.StatusListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What several writers' spools held when they started, written before any newer record. Records are routed by
 * the writer count, so an earlier run with another count put a run's records into another writer's spool, or
 * into a directory no writer of this run owns (the <em>left-over</em> spools): a newer record of that run written
 * first would break its order. So the first writer replays every frame that any of the spools held at start,
 * one at a time, taking the spools' segments in the order they were last written (which puts a run that ended
 * before another's handover was through before that one's records), and no writer writes anything newer until
 * it is done. Records logged meanwhile wait in each writer's spool, behind.
 *
 * <p>Thread-safe: the first writer's flusher replays and says when it is done; the others read whether it is.
 */
public final class SpoolHandover {

    private final List<Spool> spools;
    private final List<Spool> leftOver;
    private volatile boolean done;
    /** Spools of writers that ended while the first might still read them; the first closes them as it ends. */
    private final List<Spool> closeLater = new ArrayList<>();
    private boolean firstEnded;

    /**
     * @param own      the writers' own spools
     * @param leftOver the spools no writer of this run owns; empty ones included (the first writer closes them as
     *                 it ends)
     * @param earlier  whether any spool held records at start; without them the handover is done at once
     */
    public SpoolHandover(List<Spool> own, List<Spool> leftOver, boolean earlier) {
        this.leftOver = List.copyOf(leftOver);
        this.spools = java.util.stream.Stream.concat(own.stream(), leftOver.stream()).toList();
        this.done = !earlier;
    }

    /** {@return true once the first writer has written every frame the spools held at start} */
    boolean isDone() {
        return done;
    }

    /** From the first writer's flusher: everything earlier is written (none of it waits for a parent either). */
    void finish() {
        done = true;
    }

    /**
     * {@return the spool whose next earlier frame is in the least recently written segment, or {@code null} when no
     * spool holds an earlier frame}
     */
    Spool nextEarlier() {
        Spool next = null;
        long oldest = Long.MAX_VALUE;
        for (Spool spool : spools) {
            long time = spool.nextEarlierFrameTime();
            if (time < oldest) {
                oldest = time;
                next = spool;
            }
        }
        return next;
    }

    /**
     * {@return when the least recently written segment that any spool held at start and still holds was last written
     * (milliseconds since the epoch), or {@link Long#MAX_VALUE} when none is left}
     */
    long earliestPendingTime() {
        long earliest = Long.MAX_VALUE;
        for (Spool spool : spools) {
            earliest = Math.min(earliest, spool.nextEarlierFrameTime());
        }
        return earliest;
    }

    /** {@return bytes in the left-over spools not yet written} */
    long leftOverBytes() {
        long bytes = 0;
        for (Spool spool : leftOver) {
            bytes += spool.pendingBytes();
        }
        return bytes;
    }

    /** {@return bytes of every spool not yet written, newer ones included} */
    long pendingBytes() {
        long bytes = 0;
        for (Spool spool : spools) {
            bytes += spool.pendingBytes();
        }
        return bytes;
    }

    /**
     * From a writer other than the first as it ends: while the handover is not done, the first writer may still read
     * its spool, so that writer closes it as it ends (where reading stood is saved then). Returns false when the
     * writer closes it itself.
     */
    synchronized boolean closesLater(Spool own) {
        if (done || firstEnded) {
            return false;
        }
        closeLater.add(own);
        return true;
    }

    /**
     * From the first writer as it ends: closes the left-over spools and those of the writers that ended first; what
     * is not replayed stays on disk for the next start.
     */
    synchronized void closeAtFirstWritersEnd(StatusListener reporter) {
        firstEnded = true;
        for (Spool spool : leftOver) {
            close(spool, "a spool an earlier writer count left", reporter);
        }
        for (Spool spool : closeLater) {
            close(spool, "another writer's spool", reporter);
        }
        closeLater.clear();
    }

    private static void close(Spool spool, String which, StatusListener reporter) {
        try {
            spool.close();
        } catch (IOException e) {
            reporter.error("could not close " + which, e);
        }
    }
}

package io.stratal.logs.internal.pipeline;

import io.stratal.logs.internal.spool.Spool;
import io.stratal.logs.pipeline.StatusListener;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What several writers' spools held when they started, written before any newer record. Records are routed by
 * the writer count, so an earlier run with another count put a run's records into another writer's spool (or
 * into a directory no writer of this run owns, the <em>left-over</em> spools): a newer record of that run
 * written first would break its order. So each writer first replays the frames its spool held at start, the
 * first writer also the left-over spools, and no writer writes anything newer until every writer is through.
 * Records logged meanwhile wait in each writer's spool, behind.
 *
 * <p>Thread-safe: each writer's flusher reports once that it is through; the others read whether all are.
 */
public final class SpoolHandover {

    private final List<Spool> leftOver;
    private final AtomicInteger writersLeft;
    private volatile boolean done;

    /**
     * @param writers  how many writers take part, each calling {@link #through()} once
     * @param leftOver the spools no writer of this run owns, replayed by the first writer; empty ones included
     *                 (the first writer closes them as it ends)
     * @param earlier  whether any spool held records at start; without them the handover is done at once
     */
    public SpoolHandover(int writers, List<Spool> leftOver, boolean earlier) {
        this.leftOver = List.copyOf(leftOver);
        this.writersLeft = new AtomicInteger(writers);
        this.done = !earlier;
    }

    /** {@return true once every writer has written what its spool, and the left-over ones, held at start} */
    boolean isDone() {
        return done;
    }

    /** From a writer's flusher, once: it has written everything earlier that it had to. */
    void through() {
        if (writersLeft.decrementAndGet() == 0) {
            done = true;
        }
    }

    /** {@return the first left-over spool that still holds records, or {@code null} when none does} */
    Spool nextLeftOver() {
        for (Spool spool : leftOver) {
            if (!spool.isEmpty()) {
                return spool;
            }
        }
        return null;
    }

    /** {@return bytes in the left-over spools not yet written} */
    long leftOverBytes() {
        long bytes = 0;
        for (Spool spool : leftOver) {
            bytes += spool.pendingBytes();
        }
        return bytes;
    }

    /** From the first writer as it ends: what is not replayed stays on disk for the next start. */
    void closeLeftOvers(StatusListener reporter) {
        for (Spool spool : leftOver) {
            try {
                spool.close();
            } catch (IOException e) {
                reporter.error("could not close a spool an earlier writer count left", e);
            }
        }
    }
}

package io.stratal.logs.internal.pipeline;

import io.stratal.logs.pipeline.DropReason;
import io.stratal.logs.pipeline.StatusListener;
import java.util.EnumMap;
import java.util.Map;

/**
 * Reports lost records on a thinning schedule: the first loss at once, then at most one summary per
 * {@code intervalNanos} with what was lost since the previous report, by reason, and the setting to change.
 * The flusher calls it on its rhythm, and a logging thread right after a drop, so a loss is reported even
 * while the flusher hangs in a database call; one report at a time, and a caller never waits for another's.
 */
final class DropWarnings {

    private final Counters stats;
    private final StatusListener reporter;
    private final long intervalNanos;
    private final Map<DropReason, Long> reported = new EnumMap<>(DropReason.class);
    private final java.util.concurrent.locks.ReentrantLock reporting = new java.util.concurrent.locks.ReentrantLock();
    private volatile long lastReportNanos;
    private volatile boolean reportedAny;

    DropWarnings(Counters stats, StatusListener reporter, long intervalNanos) {
        this.stats = stats;
        this.reporter = reporter;
        this.intervalNanos = intervalNanos;
        for (DropReason reason : DropReason.values()) {
            reported.put(reason, 0L);
        }
    }

    /** Reports new losses if the schedule allows one now, or unconditionally when {@code force}. */
    void reportIfDue(long nowNanos, boolean force) {
        if (!force && reportedAny && nowNanos - lastReportNanos < intervalNanos) {
            return;
        }
        if (force) {
            reporting.lock();
        } else if (!reporting.tryLock()) {
            return; // another thread is reporting these very losses
        }
        try {
            report(nowNanos);
        } finally {
            reporting.unlock();
        }
    }

    private void report(long nowNanos) {
        StringBuilder reasons = new StringBuilder();
        long total = 0;
        for (DropReason reason : DropReason.values()) {
            long now = stats.dropped(reason);
            long fresh = now - reported.get(reason);
            if (fresh > 0) {
                total += fresh;
                reported.put(reason, now);
                reasons.append("; ").append(fresh).append(' ').append(reason.key()).append(": ").append(reason.advice());
            }
        }
        if (total == 0) {
            return;
        }
        reportedAny = true;
        lastReportNanos = nowNanos;
        reporter.warn("lost " + total + " log record(s) since the last report" + reasons);
    }
}

package io.stratal.logs.server;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogType;
import io.stratal.logs.query.StoredLog;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the stream feed has seen of the table since the server started, for {@code GET /metrics}: the rows by
 * type and level, and the job runs that logged, or logged an error, within the last {@code window}. The feed
 * counts each row it reads once (the {@link LogTail} returns every row once, late commits included), so a
 * scrape reads these numbers and never the table.
 *
 * <p>Job runs are kept by id only while they are inside the window, and at most {@code maxRuns} of them (the
 * longest quiet go first): the metrics are two numbers, never one series per run.
 *
 * <p>The feed's thread counts; any thread reads.
 */
final class RowTally {

    static final int DEFAULT_MAX_RUNS = 100_000;

    private static final LogType[] TYPES = LogType.values();
    private static final LogLevel[] LEVELS = LogLevel.values();

    private final LongAdder[] rows = new LongAdder[TYPES.length * LEVELS.length];
    private final LongAdder unknown = new LongAdder();
    private final long windowNanos;
    private final int maxRuns;
    /** Run id → when it last logged (nanoTime), the longest quiet first. Guarded by this. */
    private final LinkedHashMap<UUID, Long> active = new LinkedHashMap<>(16, 0.75f, true);
    /** Run id → when it last logged an error, the longest ago first. Guarded by this. */
    private final LinkedHashMap<UUID, Long> failing = new LinkedHashMap<>(16, 0.75f, true);

    RowTally(long windowNanos, int maxRuns) {
        this.windowNanos = windowNanos;
        this.maxRuns = maxRuns;
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new LongAdder();
        }
    }

    /** Counts rows the feed read at {@code nowNanos}. */
    void count(List<StoredLog> read, long nowNanos) {
        if (read.isEmpty()) {
            return;
        }
        for (StoredLog row : read) {
            LogType type = LogType.fromDbValue(row.type());
            LogLevel level = LogLevel.fromDbValue(row.level());
            if (type == null || level == null) {
                unknown.increment(); // a table without the seed's CHECK constraints
            } else {
                rows[type.ordinal() * LEVELS.length + level.ordinal()].increment();
            }
        }
        synchronized (this) {
            for (StoredLog row : read) {
                if (row.jobRunId() == null) {
                    continue;
                }
                remember(active, row.jobRunId(), nowNanos);
                if (LogLevel.ERROR.dbValue().equals(row.level())) {
                    remember(failing, row.jobRunId(), nowNanos);
                }
            }
            forgetBefore(nowNanos - windowNanos);
        }
    }

    private void remember(LinkedHashMap<UUID, Long> runs, UUID run, long nowNanos) {
        runs.put(run, nowNanos); // access order: moves it to the end
        if (runs.size() > maxRuns) {
            Iterator<UUID> eldest = runs.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    private void forgetBefore(long oldestNanos) {
        forgetBefore(active, oldestNanos);
        forgetBefore(failing, oldestNanos);
    }

    private static void forgetBefore(LinkedHashMap<UUID, Long> runs, long oldestNanos) {
        Iterator<Map.Entry<UUID, Long>> eldest = runs.entrySet().iterator();
        while (eldest.hasNext() && eldest.next().getValue() - oldestNanos < 0) {
            eldest.remove();
        }
    }

    /** {@return rows of {@code type} and {@code level} read since the start} */
    long rows(LogType type, LogLevel level) {
        return rows[type.ordinal() * LEVELS.length + level.ordinal()].sum();
    }

    /** {@return rows whose type or level this version does not know, read since the start} */
    long unknownRows() {
        return unknown.sum();
    }

    /** {@return job runs that logged within the window before {@code nowNanos}} */
    synchronized int activeRuns(long nowNanos) {
        forgetBefore(nowNanos - windowNanos);
        return active.size();
    }

    /** {@return job runs that logged an error within the window before {@code nowNanos}} */
    synchronized int runsWithErrors(long nowNanos) {
        forgetBefore(nowNanos - windowNanos);
        return failing.size();
    }

    long windowNanos() {
        return windowNanos;
    }
}

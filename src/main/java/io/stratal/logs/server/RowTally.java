package io.stratal.logs.server;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogType;
import io.stratal.logs.query.StoredLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the stream feed has seen of the table since the server started, for {@code GET /metrics}: the rows by
 * type and level, and the job runs that logged, or logged an error, within the last {@code window}. The feed
 * counts each row it reads once (the {@link LogTail} returns every row once, late commits included), so a
 * scrape reads these numbers and never the table.
 *
 * <p>Job runs are kept by id only while they are inside the window, and at most {@code maxRuns} of them (the
 * longest quiet go first): the metrics are two numbers, never one series per run.
 *
 * <p>Counting is on the feed's path for every row, so it is kept to a few nanoseconds a row (docs/PERFORMANCE.md):
 * the type and level are told apart by their length and one comparison, the counts are plain longs under one lock
 * a page, and a run seen lately is found in a small direct-mapped cache before the map. The window is applied
 * when the gauges are read.
 */
final class RowTally {

    static final int DEFAULT_MAX_RUNS = 100_000;
    private static final int LEVELS = LogLevel.values().length;
    private static final int CACHE_SLOTS = 1024;

    /** When a run last logged, and last logged an error; guarded by the tally. */
    private static final class Run {
        long seenNanos;
        long errorNanos;
        boolean failed;
    }

    private final long windowNanos;
    private final int maxRuns;
    /** Guarded by this, as is everything below. */
    private final long[] rows = new long[LogType.values().length * LEVELS];
    private long unknown;
    private final Map<UUID, Run> runs = new HashMap<>();
    private final UUID[] cachedIds = new UUID[CACHE_SLOTS];
    private final Run[] cachedRuns = new Run[CACHE_SLOTS];

    RowTally(long windowNanos, int maxRuns) {
        this.windowNanos = windowNanos;
        this.maxRuns = maxRuns;
    }

    /** Counts rows the feed read at {@code nowNanos}. */
    synchronized void count(List<StoredLog> read, long nowNanos) {
        for (StoredLog row : read) {
            int type = typeIndex(row.type());
            int level = levelIndex(row.level());
            if (type < 0 || level < 0) {
                unknown++; // a table without the seed's CHECK constraints
            } else {
                rows[type * LEVELS + level]++;
            }
            UUID id = row.jobRunId();
            if (id != null) {
                Run run = run(id, nowNanos);
                run.seenNanos = nowNanos;
                if (level == LogLevel.ERROR.ordinal()) {
                    run.errorNanos = nowNanos;
                    run.failed = true;
                }
            }
        }
    }

    /** The run of {@code id}: from the cache, else the map (made when new, as seen at {@code nowNanos}). */
    private Run run(UUID id, long nowNanos) {
        int slot = (int) (id.getMostSignificantBits() ^ id.getLeastSignificantBits()) & (CACHE_SLOTS - 1);
        if (id.equals(cachedIds[slot])) {
            return cachedRuns[slot];
        }
        Run run = runs.get(id);
        if (run == null) {
            run = new Run();
            run.seenNanos = nowNanos;
            runs.put(id, run);
            if (runs.size() > maxRuns) {
                trim(run);
            }
        }
        cachedIds[slot] = id;
        cachedRuns[slot] = run;
        return run;
    }

    /** At the cap: the quarter quiet longest go, so the cap is not met again at the very next run. */
    private void trim(Run keep) {
        int toRemove = runs.size() - maxRuns * 3 / 4;
        List<Long> seen = new ArrayList<>(runs.size());
        for (Run run : runs.values()) {
            seen.add(run.seenNanos);
        }
        seen.sort((a, b) -> Long.compare(a - b, 0)); // nanoTime order
        long last = seen.get(toRemove - 1);
        for (Iterator<Run> it = runs.values().iterator(); it.hasNext() && toRemove > 0; ) {
            Run run = it.next();
            if (run != keep && run.seenNanos - last <= 0) {
                it.remove();
                toRemove--;
            }
        }
        forgetCache();
    }

    private void forgetCache() {
        Arrays.fill(cachedIds, null);
        Arrays.fill(cachedRuns, null);
    }

    /** Drops the runs that have not logged within the window before {@code nowNanos}. */
    private void forgetBefore(long nowNanos) {
        long oldest = nowNanos - windowNanos;
        if (runs.values().removeIf(run -> run.seenNanos - oldest < 0)) {
            forgetCache();
        }
    }

    /** {@code system}, {@code job}, {@code task}: the ordinal of its {@link LogType}, or -1. */
    static int typeIndex(String type) {
        return switch (type.length()) {
            case 6 -> type.equals("system") ? LogType.SYSTEM.ordinal() : -1;
            case 3 -> type.equals("job") ? LogType.JOB.ordinal() : -1;
            case 4 -> type.equals("task") ? LogType.TASK.ordinal() : -1;
            default -> -1;
        };
    }

    /** {@code debug}, {@code info}, {@code warn}, {@code error}: the ordinal of its {@link LogLevel}, or -1. */
    static int levelIndex(String level) {
        return switch (level.length()) {
            case 4 -> level.charAt(0) == 'i' ? (level.equals("info") ? LogLevel.INFO.ordinal() : -1)
                    : level.equals("warn") ? LogLevel.WARN.ordinal() : -1;
            case 5 -> level.charAt(0) == 'e' ? (level.equals("error") ? LogLevel.ERROR.ordinal() : -1)
                    : level.equals("debug") ? LogLevel.DEBUG.ordinal() : -1;
            default -> -1;
        };
    }

    /** {@return rows of {@code type} and {@code level} read since the start} */
    synchronized long rows(LogType type, LogLevel level) {
        return rows[type.ordinal() * LEVELS + level.ordinal()];
    }

    /** {@return rows whose type or level this version does not know, read since the start} */
    synchronized long unknownRows() {
        return unknown;
    }

    /** {@return job runs that logged within the window before {@code nowNanos}} */
    synchronized int activeRuns(long nowNanos) {
        forgetBefore(nowNanos);
        return runs.size();
    }

    /** {@return job runs that logged an error within the window before {@code nowNanos}} */
    synchronized int runsWithErrors(long nowNanos) {
        forgetBefore(nowNanos);
        long oldest = nowNanos - windowNanos;
        int failing = 0;
        for (Run run : runs.values()) {
            if (run.failed && run.errorNanos - oldest >= 0) {
                failing++;
            }
        }
        return failing;
    }

    long windowNanos() {
        return windowNanos;
    }
}

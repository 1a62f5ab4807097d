package io.stratal.logs.writer;

import io.stratal.logs.LogRecord;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Which of several writers takes a record: each job run (else task run, else logging thread) goes through one
 * writer, so its records keep their logging order, and a run moves to another writer only where that order
 * cannot break.
 *
 * <p>A run seen for the first time goes to the least-loaded writer (its queued and in-flight bytes; among equal
 * loads, the writer with the fewest runs). Each run's
 * route counts the records offered to its writer and not yet out of that writer's queue. When a run logs while
 * that count is 0 and no record of its writer is parked or on disk ({@link Lane#holdsBacklog()}), everything it
 * logged before is in the table (or given up), so its next record may go anywhere: if its writer is loaded more
 * than {@code moveAbove} past the least-loaded one, the route is retired and the run placed afresh. A missed
 * count only keeps a run where it is; it never lets a run move early.
 *
 * <p>A run that logs without a pause keeps a record in its writer's queue, so it stays: a hot run holds its
 * writer, and runs placed beside it leave it as soon as they pause. Routes with nothing pending are dropped once
 * there are more than {@value #SWEEP_ABOVE}, and placed afresh when their run logs again.
 *
 * <p>Thread-safe: logging threads {@link #acquire} and the writers' threads {@link #released release}.
 */
final class Routing {

    /** What routing reads of a writer. */
    interface Lane {
        /** Bytes queued, in flight and parked: how far behind it is. */
        long load();

        /** True while records it took are parked or on disk, not yet in the table. */
        boolean holdsBacklog();
    }

    /** Routes kept with nothing pending, at most, before idle ones are dropped. */
    static final int SWEEP_ABOVE = 4096;
    private static final int RETIRED = -1;
    /** The key of a record with no run and no thread. */
    private static final Object NO_KEY = new Object();

    /** A run's writer, fixed for the route's life, and its records not yet out of that writer's queue. */
    private static final class Route {
        final int lane;
        /** Records offered and not released; {@link #RETIRED} once the route may no longer be used. */
        final AtomicInteger pending = new AtomicInteger(1);

        Route(int lane) {
            this.lane = lane;
        }
    }

    private final List<? extends Lane> lanes;
    private final long moveAbove;
    private final ConcurrentHashMap<Object, Route> routes = new ConcurrentHashMap<>();
    private final AtomicIntegerArray runs;
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final LongAdder moves = new LongAdder();

    /**
     * @param lanes     the writers, in order
     * @param moveAbove how much more load (bytes) than the least-loaded writer makes a writer's idle runs move
     */
    Routing(List<? extends Lane> lanes, long moveAbove) {
        this.lanes = List.copyOf(lanes);
        this.moveAbove = moveAbove;
        this.runs = new AtomicIntegerArray(lanes.size());
    }

    /** {@return what a record is routed by: its job run, else its task run, else the thread that logged it} */
    static Object key(LogRecord record) {
        Object key = record.jobRunId() != null ? record.jobRunId()
                : record.taskRunId() != null ? record.taskRunId() : record.thread();
        return key == null ? NO_KEY : key;
    }

    /**
     * The writer that takes the next record of {@code key}, with that record counted as pending there: the caller
     * offers it to that writer, and calls {@link #refused} if the writer did not take it.
     */
    int acquire(Object key) {
        while (true) {
            Route route = routes.get(key);
            if (route == null) {
                int lane = place(key);
                Route placed = new Route(lane);
                Route raced = routes.putIfAbsent(key, placed);
                if (raced == null) {
                    runs.incrementAndGet(lane);
                    return lane;
                }
                route = raced;
            }
            int pending = route.pending.get();
            if (pending == RETIRED) {
                routes.remove(key, route); // whoever retired it may not have removed it yet
            } else if (pending == 0 && shouldMove(route.lane)) {
                if (route.pending.compareAndSet(0, RETIRED)) {
                    retire(key, route);
                    moves.increment();
                }
            } else if (route.pending.compareAndSet(pending, pending + 1)) {
                return route.lane;
            }
        }
    }

    /** The writer did not take the record {@link #acquire} counted: it is no longer pending. */
    void refused(Object key) {
        Route route = routes.get(key);
        if (route != null) {
            route.pending.decrementAndGet();
        }
    }

    /**
     * Records left a writer's queue: written, given up, or parked and spooled (which {@link Lane#holdsBacklog()}
     * covers). Runs of one key next to each other are counted down at once.
     */
    void released(List<LogRecord> records) {
        Object key = null;
        int count = 0;
        for (LogRecord record : records) {
            Object next = key(record);
            if (count > 0 && !next.equals(key)) {
                countDown(key, count);
                count = 0;
            }
            key = next;
            count++;
        }
        if (count > 0) {
            countDown(key, count);
        }
        if (routes.size() > SWEEP_ABOVE) {
            sweep();
        }
    }

    private void countDown(Object key, int count) {
        Route route = routes.get(key);
        if (route != null) {
            route.pending.addAndGet(-count);
        }
    }

    /** Drops the routes with nothing pending; their runs are placed afresh when they log again. */
    private void sweep() {
        if (!sweeping.compareAndSet(false, true)) {
            return;
        }
        try {
            routes.forEach((key, route) -> {
                if (route.pending.compareAndSet(0, RETIRED)) {
                    retire(key, route);
                }
            });
        } finally {
            sweeping.set(false);
        }
    }

    private void retire(Object key, Route route) {
        routes.remove(key, route);
        runs.decrementAndGet(route.lane);
    }

    /** True when {@code lane} has nothing parked or on disk and is loaded more than {@code moveAbove} past the least. */
    private boolean shouldMove(int lane) {
        Lane from = lanes.get(lane);
        if (from.holdsBacklog()) {
            return false;
        }
        long load = from.load();
        for (int other = 0; other < lanes.size(); other++) {
            if (other != lane && load - lanes.get(other).load() > moveAbove) {
                return true;
            }
        }
        return false;
    }

    /**
     * The least-loaded writer; among equally loaded ones (idle ones, most often), the one with the fewest runs; among
     * those, the first from the key's hash on. Loads are what the writers hold of the records logged so far, so runs
     * placed while others log are placed by the rates seen until then: beside a hot run, few others.
     */
    private int place(Object key) {
        int n = lanes.size();
        int hash = key.hashCode();
        int start = Math.floorMod(hash ^ (hash >>> 16), n);
        int best = start;
        long bestLoad = lanes.get(start).load();
        for (int i = 1; i < n; i++) {
            int lane = (start + i) % n;
            long load = lanes.get(lane).load();
            if (load < bestLoad || (load == bestLoad && runs.get(lane) < runs.get(best))) {
                best = lane;
                bestLoad = load;
            }
        }
        return best;
    }

    /** {@return how many times a run moved to another writer} */
    long moves() {
        return moves.sum();
    }

    /** {@return the runs routed to each writer now} */
    int[] runsPerLane() {
        int[] counts = new int[lanes.size()];
        for (int lane = 0; lane < counts.length; lane++) {
            counts[lane] = runs.get(lane);
        }
        return counts;
    }

    /** {@return the records of {@code key} counted as pending, or -1 without a route} */
    int pending(Object key) {
        Route route = routes.get(key);
        return route == null ? -1 : route.pending.get();
    }
}

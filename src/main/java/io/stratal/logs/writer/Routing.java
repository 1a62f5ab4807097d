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
 * <p>Thread-safe: logging threads {@link #acquire} and the writers' threads {@link #released release}. An offer
 * costs a map lookup and one atomic add on its route; a run's move or drop is decided by the one thread that swapped
 * its count from 0, and offers that meet it wait for that decision.
 */
final class Routing {

    /** What routing reads of a writer. */
    interface Lane {
        /** Bytes queued, in flight and parked: how far behind it is. */
        long load();

        /** True while records it took are parked or on disk, not yet in the table. */
        boolean holdsBacklog();
    }

    /** Routes kept, at most, before idle ones are dropped (then twice what a sweep left, if more). */
    static final int SWEEP_ABOVE = 4096;
    /**
     * The count of a route being moved or dropped, by the one thread that set it: far enough below zero that the
     * increments of offers that find it (and take them back) never bring it to zero.
     */
    private static final int MOVING = Integer.MIN_VALUE / 2;
    /** The key of a record with no run and no thread. */
    private static final Object NO_KEY = new Object();

    /** A run's writer, fixed for the route's life, and its records not yet out of that writer's queue. */
    static final class Route {
        final int lane;
        /** Records offered and not released; below zero ({@link #MOVING}) while one thread moves or drops it. */
        final AtomicInteger pending = new AtomicInteger(1);

        Route(int lane) {
            this.lane = lane;
        }

        /** The writer that takes the record {@link Routing#acquire} counted. */
        int lane() {
            return lane;
        }
    }

    private final List<? extends Lane> lanes;
    private final long moveAbove;
    private final ConcurrentHashMap<Object, Route> routes = new ConcurrentHashMap<>();
    private final AtomicIntegerArray runs;
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private volatile int sweepAt = SWEEP_ABOVE;
    /** Set when the writers stop: they do not stop at once, and what one puts on disk then is no backlog it reports. */
    private volatile boolean frozen;
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
     * The route of {@code key}, with its next record counted as pending there: the caller offers the record to
     * {@link Route#lane()}, and calls {@link #refused} if the writer did not take it.
     */
    Route acquire(Object key) {
        while (true) {
            Route route = routes.get(key);
            if (route == null) {
                int lane = place(key);
                Route placed = new Route(lane);
                Route raced = routes.putIfAbsent(key, placed);
                if (raced == null) {
                    runs.incrementAndGet(lane);
                    return placed;
                }
                continue;
            }
            if (!frozen && route.pending.get() == 0 && shouldMove(route.lane)) {
                tryToRetire(key, route, true);
                continue;
            }
            if (route.pending.getAndIncrement() >= 0) {
                return route;
            }
            route.pending.getAndDecrement(); // being moved or dropped by another thread: wait for it to decide
            Thread.onSpinWait();
        }
    }

    /**
     * Retires {@code route} if nothing of it is pending and its writer holds nothing parked or on disk (and, for a
     * move, is still loaded past another). The checks come after the count is set to {@link #MOVING}: that swap
     * reads the last release's count, so what the writer set aside before that release is seen here. Otherwise
     * the route is given back as it was.
     */
    private void tryToRetire(Object key, Route route, boolean move) {
        if (frozen || !route.pending.compareAndSet(0, MOVING)) {
            return;
        }
        Lane lane = lanes.get(route.lane);
        if (lane.holdsBacklog() || (move && !shouldMove(route.lane))) {
            route.pending.addAndGet(-MOVING);
            return;
        }
        routes.remove(key, route);
        runs.decrementAndGet(route.lane);
        if (move) {
            moves.increment();
        }
    }

    /** From now on no run moves and no route is dropped: the writers are stopping. */
    void freeze() {
        frozen = true;
    }

    /** The writer did not take the record {@link #acquire} counted on {@code route}: it is no longer pending. */
    void refused(Route route) {
        route.pending.decrementAndGet();
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
        if (routes.size() > sweepAt) {
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
            routes.forEach((key, route) -> tryToRetire(key, route, false));
            // while more routes than the bound have records pending, sweep again only once the map has doubled
            sweepAt = Math.max(SWEEP_ABOVE, 2 * routes.size());
        } finally {
            sweeping.set(false);
        }
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

    /** {@return the records of {@code key} counted as pending, or -1 without a route (or one being moved)} */
    int pending(Object key) {
        Route route = routes.get(key);
        return route == null ? -1 : Math.max(-1, route.pending.get());
    }
}

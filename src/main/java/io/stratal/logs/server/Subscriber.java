package io.stratal.logs.server;

import io.stratal.logs.query.LogFilter;
import io.stratal.logs.query.LogReader;
import io.stratal.logs.query.StoredLog;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * One stream client. Rows reach it through a bounded queue, and one task at a time on the hub's executor
 * sends them. The feed reads no more rows until every client has room for them, so a client that keeps
 * reading gets every row of a commit of any size. A client that takes no rows for the hub's stall limit (or
 * whose queue overflows all the same) is closed with the reason: it reconnects with the last id it received
 * and catches up from the table, which costs the server nothing while it is away.
 *
 * <p>Catching up: a client that gives the last id it saw first gets the rows after it from the table, then
 * the rows the feed published meanwhile, less those it already got from the table.
 */
final class Subscriber {

    /** Where the rows go: an SSE response or a WebSocket session. */
    interface Sink {
        /** Sends one row; false when the client is gone. Blocks while the client's connection is full. */
        boolean send(StoredLog log);

        /** Tells the client it is still connected (and finds out whether it is). */
        boolean heartbeat();

        /**
         * The catch-up is done and live rows follow: every row with an id above {@code position} that was
         * not sent yet will be, so a client that reads the table now and dedupes by id misses nothing. After
         * a catch-up, {@code position} is at least the last id it sent.
         */
        boolean ready(long position);

        void close(String reason);
    }

    private static final Object HEARTBEAT = new Object();
    private static final int REPLAY_PAGE = 500;

    private final LogFilter filter;
    private final Sink sink;
    private final String kind;
    private final int capacity;
    private final Executor executor;
    private final StreamHub hub;
    private final ArrayDeque<Object> queue = new ArrayDeque<>(); // guarded by this
    private boolean draining = true; // guarded by this; begin() hands the queue over once caught up
    private boolean replaying; // guarded by this: reading the table, its queue waits and only grows
    private boolean heartbeatQueued; // guarded by this
    private boolean closed; // guarded by this

    private final Long replayAfterId;
    private final long settledAtStart;
    private Set<Long> replayed = Set.of(); // ids above settledAtStart already sent from the table
    private long lastReplayedId = Long.MIN_VALUE;

    Subscriber(LogFilter filter, Long replayAfterId, long settledAtStart, Sink sink, String kind, int capacity,
               Executor executor, StreamHub hub) {
        this.filter = filter;
        this.replayAfterId = replayAfterId;
        this.replaying = replayAfterId != null;
        this.settledAtStart = settledAtStart;
        this.sink = sink;
        this.kind = kind;
        this.capacity = capacity;
        this.executor = executor;
        this.hub = hub;
    }

    String kind() {
        return kind;
    }

    /** From the feed thread: queue the rows this client wants. */
    void offer(List<StoredLog> rows) {
        boolean overflowed;
        synchronized (this) {
            if (closed) {
                return;
            }
            for (StoredLog log : rows) {
                if (filter.matches(log)) {
                    queue.add(log);
                }
            }
            overflowed = rowsQueued() > capacity;
        }
        if (overflowed) {
            fallBehind("this client fell " + capacity + " rows behind; reconnect with the last id you got");
            return;
        }
        schedule();
    }

    /**
     * True when {@code rows} more fit in the queue (or it is empty, for a queue smaller than a page). A client
     * still catching up from the table always has room: the feed does not wait for it (its queue drains only
     * after the catch-up); if the queue overflows meanwhile, it is closed and reconnects.
     */
    synchronized boolean hasRoom(int rows) {
        return closed || replaying || rowsQueued() + Math.min(rows, capacity) <= capacity;
    }

    /** Rows waiting, not counting a queued heartbeat: a heartbeat must not push a client over its capacity. */
    private int rowsQueued() {
        return queue.size() - (heartbeatQueued ? 1 : 0);
    }

    /** Closes a client that stays behind, with the reason; it reconnects and catches up from the table. */
    void fallBehind(String reason) {
        synchronized (this) {
            if (closed) {
                return;
            }
            queue.clear();
            heartbeatQueued = false;
            closed = true;
        }
        hub.remove(this);
        executor.execute(() -> sink.close(reason));
    }

    void heartbeat() {
        synchronized (this) {
            if (closed || heartbeatQueued) {
                return;
            }
            queue.add(HEARTBEAT);
            heartbeatQueued = true;
        }
        schedule();
    }

    /** Starts the client: the catch-up from the table first, when asked for. */
    void begin(LogReader reader) {
        executor.execute(() -> {
            if (replayAfterId != null && !replay(reader)) {
                return;
            }
            // After a catch-up the position is at least the last id sent, so a client that resumes from it
            // (EventSource sends the ready event's id back) is not sent the replayed rows again.
            if (!sink.ready(Math.max(settledAtStart, lastReplayedId))) {
                end();
                return;
            }
            synchronized (this) {
                draining = false;
                replaying = false;
            }
            schedule();
        });
    }

    private boolean replay(LogReader reader) {
        Set<Long> sentAboveSettled = new HashSet<>();
        long after = replayAfterId;
        try {
            while (!isClosed()) {
                List<StoredLog> page = reader.after(filter, after, REPLAY_PAGE);
                for (StoredLog log : page) {
                    if (!sink.send(log)) {
                        end();
                        return false;
                    }
                    if (log.id() > settledAtStart) {
                        sentAboveSettled.add(log.id());
                    }
                    after = log.id();
                    lastReplayedId = log.id();
                }
                if (page.size() < REPLAY_PAGE) {
                    break;
                }
            }
        } catch (java.sql.SQLException e) {
            hub.remove(this);
            sink.close("the database cannot answer now; reconnect with the last id you got");
            return false;
        }
        replayed = sentAboveSettled;
        return true;
    }

    private void schedule() {
        synchronized (this) {
            if (draining || closed || queue.isEmpty()) {
                return;
            }
            draining = true;
        }
        executor.execute(this::drain);
    }

    private void drain() {
        while (true) {
            Object next;
            synchronized (this) {
                next = queue.poll();
                if (next == null || closed) {
                    draining = false;
                    return;
                }
                if (next == HEARTBEAT) {
                    heartbeatQueued = false;
                }
            }
            hub.madeRoom();
            boolean alive;
            if (next == HEARTBEAT) {
                alive = sink.heartbeat();
            } else {
                StoredLog log = (StoredLog) next;
                alive = replayed.contains(log.id()) || sink.send(log);
            }
            if (!alive) {
                end();
                return;
            }
        }
    }

    /** The client went away. */
    void end() {
        synchronized (this) {
            closed = true;
            queue.clear();
            heartbeatQueued = false;
        }
        hub.remove(this);
    }

    synchronized boolean isClosed() {
        return closed;
    }
}

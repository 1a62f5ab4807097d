package io.stratal.logs.server;

import io.stratal.logs.query.LogFilter;
import io.stratal.logs.query.LogReader;
import io.stratal.logs.query.StoredLog;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stream clients of one server. The {@link LogFeed} publishes each poll's rows here; each
 * {@link Subscriber} takes those it wants. Registering and publishing share a lock, so a new client knows
 * exactly which rows it will get from the feed and which it must read from the table.
 *
 * <p>Pace: before the feed reads its next page it waits until every client has room for it
 * ({@link #awaitRoom}), so a commit of any size reaches a client that keeps reading, at the client's pace.
 * A client that makes no room for {@code stallLimit} is closed, and the others go on.
 */
final class StreamHub implements AutoCloseable {

    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long ADMISSION_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final Object publishLock = new Object();
    private final ExecutorService senders;
    private final ScheduledExecutorService heartbeats;
    private final LogReader reader;
    private final int clientCapacity;
    private final int maxClients;
    private final long stallLimitNanos;
    private final Object room = new Object();
    private volatile boolean waitingForRoom;
    private long settledThrough = Long.MIN_VALUE; // guarded by publishLock
    private final ArrayDeque<Long> admitted = new ArrayDeque<>(); // guarded by publishLock: when each place was taken

    /**
     * @param clientCapacity rows queued for one client at most
     * @param maxClients     stream clients at once; more are refused
     * @param stallLimit     how long the feed waits for one client to make room before closing it
     */
    StreamHub(LogReader reader, int clientCapacity, int maxClients, Duration stallLimit, Duration heartbeatInterval) {
        this.reader = reader;
        this.clientCapacity = clientCapacity;
        this.maxClients = maxClients;
        this.stallLimitNanos = stallLimit.toNanos();
        AtomicInteger count = new AtomicInteger();
        this.senders = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "stratal-stream-sender-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "stratal-stream-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(1, heartbeatInterval.toMillis());
        heartbeats.scheduleWithFixedDelay(() -> subscribers.forEach(Subscriber::heartbeat), every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes one of the {@code maxClients} places for a client about to subscribe: false when none is left, and
     * the client gets its 503 before its stream starts. A place not taken up by {@link #subscribe} within
     * {@link #ADMISSION_TIMEOUT_NANOS} (a handshake that failed after the check) is given back.
     */
    boolean tryAdmit() {
        synchronized (publishLock) {
            long now = System.nanoTime();
            while (!admitted.isEmpty() && now - admitted.peekFirst() > ADMISSION_TIMEOUT_NANOS) {
                admitted.pollFirst();
            }
            if (subscribers.size() + admitted.size() >= maxClients) {
                return false;
            }
            admitted.addLast(now);
            return true;
        }
    }

    int maxClients() {
        return maxClients;
    }

    /**
     * A new client of {@code kind} ("sse", "ws") for the rows {@code filter} selects; with {@code afterId}
     * it first gets the rows after that id from the table. {@code null}, with the sink closed, when the
     * server already has {@code maxClients} (a client that was not admitted first).
     */
    Subscriber subscribe(LogFilter filter, Long afterId, Subscriber.Sink sink, String kind) {
        Subscriber subscriber;
        synchronized (publishLock) {
            admitted.pollFirst();
            if (subscribers.size() >= maxClients) {
                subscriber = null;
            } else {
                subscriber = new Subscriber(filter, afterId, settledThrough, sink, kind, clientCapacity, senders, this);
                subscribers.add(subscriber);
            }
        }
        if (subscriber == null) {
            sink.close(fullReason());
            return null;
        }
        subscriber.begin(reader);
        return subscriber;
    }

    String fullReason() {
        return "this server streams to at most " + maxClients + " clients at once; try again later";
    }

    /**
     * From the feed, before it reads up to {@code rows} more: waits until every client has room for them.
     * Clients still without room after the stall limit are closed with the reason; they reconnect with the
     * last id they got and catch up from the table.
     */
    void awaitRoom(int rows) throws InterruptedException {
        long deadline = System.nanoTime() + stallLimitNanos;
        synchronized (room) {
            waitingForRoom = true;
            try {
                while (true) {
                    List<Subscriber> full = new ArrayList<>();
                    for (Subscriber subscriber : subscribers) {
                        if (!subscriber.hasRoom(rows)) {
                            full.add(subscriber);
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (full.isEmpty()) {
                        return;
                    }
                    if (left <= 0) {
                        long seconds = TimeUnit.NANOSECONDS.toSeconds(stallLimitNanos);
                        full.forEach(subscriber -> subscriber.fallBehind("this client took no rows for "
                                + (seconds > 0 ? seconds + " s" : TimeUnit.NANOSECONDS.toMillis(stallLimitNanos) + " ms")
                                + " while " + clientCapacity + " waited; reconnect with the last id you got"));
                        return;
                    }
                    room.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, WAIT_SLICE_NANOS))));
                }
            } finally {
                waitingForRoom = false;
            }
        }
    }

    /** From a client's sender: it took rows off its queue; wakes the feed if it waits for room. */
    void madeRoom() {
        if (waitingForRoom) {
            synchronized (room) {
                room.notifyAll();
            }
        }
    }

    /** From the feed: rows read by one poll, and the id through which no more rows can appear. */
    void publish(List<StoredLog> rows, long settled) {
        synchronized (publishLock) {
            if (!rows.isEmpty()) {
                for (Subscriber subscriber : subscribers) {
                    subscriber.offer(rows);
                }
            }
            settledThrough = settled;
        }
    }

    void remove(Subscriber subscriber) {
        subscribers.remove(subscriber);
    }

    int count(String kind) {
        int n = 0;
        for (Subscriber subscriber : subscribers) {
            if (subscriber.kind().equals(kind)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        heartbeats.shutdownNow();
        for (Subscriber subscriber : subscribers) {
            subscriber.end();
        }
        senders.shutdownNow();
    }
}

package io.stratal.logs.server;

import io.stratal.logs.query.LogFilter;
import io.stratal.logs.query.LogReader;
import io.stratal.logs.query.StoredLog;
import java.time.Duration;
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
 */
final class StreamHub implements AutoCloseable {

    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final Object publishLock = new Object();
    private final ExecutorService senders;
    private final ScheduledExecutorService heartbeats;
    private final LogReader reader;
    private final int clientCapacity;
    private long settledThrough = Long.MIN_VALUE; // guarded by publishLock

    StreamHub(LogReader reader, int clientCapacity, Duration heartbeatInterval) {
        this.reader = reader;
        this.clientCapacity = clientCapacity;
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
     * A new client of {@code kind} ("sse", "ws") for the rows {@code filter} selects; with {@code afterId}
     * it first gets the rows after that id from the table.
     */
    Subscriber subscribe(LogFilter filter, Long afterId, Subscriber.Sink sink, String kind) {
        Subscriber subscriber;
        synchronized (publishLock) {
            subscriber = new Subscriber(filter, afterId, settledThrough, sink, kind, clientCapacity, senders, this);
            subscribers.add(subscriber);
        }
        subscriber.begin(reader);
        return subscriber;
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

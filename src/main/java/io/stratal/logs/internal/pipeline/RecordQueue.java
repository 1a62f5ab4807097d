package io.stratal.logs.internal.pipeline;

import io.stratal.logs.LogRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * Many logging threads in, one flusher out, bounded by the estimated heap the records hold.
 *
 * <p>Offering takes no lock: a CAS on the byte count, a lock-free append, and an {@code unpark} of the
 * flusher only when the queue reaches a full batch. Only a caller that finds the queue full and chooses to
 * wait takes the lock, and the flusher signals it only when someone is waiting.
 *
 * <p>The records sit in JCTools' chunked array queue (many producers, one consumer), not in a linked queue:
 * no node per record, so a full queue is fewer objects for every young collection to copy. It allows one
 * consumer at a time, and the flusher, the spooler and a stop each drain: draining takes a lock of its
 * own, once per batch.
 */
final class RecordQueue {

    /** Records per chunk of the array queue: a 16 KB array, allocated once per 4,096 records. */
    private static final int CHUNK_SIZE = 4096;

    private final MpscUnboundedAtomicArrayQueue<LogRecord> records = new MpscUnboundedAtomicArrayQueue<>(CHUNK_SIZE);
    private final Object drainLock = new Object();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger size = new AtomicInteger();
    private final long maxBytes;
    private final int wakeAtSize;

    private final ReentrantLock roomLock = new ReentrantLock();
    private final Condition roomAvailable = roomLock.newCondition();
    private final AtomicInteger waitingForRoom = new AtomicInteger();

    private volatile Thread consumer;
    private volatile Consumer<List<LogRecord>> released;

    RecordQueue(long maxBytes, int wakeAtSize) {
        this.maxBytes = maxBytes;
        this.wakeAtSize = wakeAtSize;
    }

    /** The thread that {@link #awaitRecords parks} and is woken when a batch is ready. */
    void setConsumer(Thread consumer) {
        this.consumer = consumer;
    }

    /**
     * Adds {@code record} if it fits. A record larger than the whole bound is still taken into an empty
     * queue, so that one huge event cannot be refused forever.
     */
    boolean tryOffer(LogRecord record) {
        long recordBytes = record.estimatedBytes();
        long after = bytes.addAndGet(recordBytes);
        if (after > maxBytes && after != recordBytes) {
            bytes.addAndGet(-recordBytes);
            return false;
        }
        records.offer(record);
        if (size.incrementAndGet() == wakeAtSize) {
            Thread c = consumer;
            if (c != null) {
                LockSupport.unpark(c);
            }
        }
        return true;
    }

    /** Like {@link #tryOffer} but waits up to {@code timeoutNanos} for the flusher to make room. */
    boolean offer(LogRecord record, long timeoutNanos) throws InterruptedException {
        if (tryOffer(record)) {
            return true;
        }
        if (timeoutNanos <= 0) {
            return false;
        }
        long remaining = timeoutNanos;
        waitingForRoom.incrementAndGet();
        roomLock.lock();
        try {
            while (true) {
                if (tryOffer(record)) {
                    return true;
                }
                if (remaining <= 0) {
                    return false;
                }
                remaining = roomAvailable.awaitNanos(remaining);
            }
        } finally {
            roomLock.unlock();
            waitingForRoom.decrementAndGet();
        }
    }

    /**
     * Takes up to {@code max} records, oldest first. Their bytes stay counted until {@link #release} is
     * called for them, so the bound covers the batch being written too, not only what waits behind it.
     */
    List<LogRecord> drain(int max) {
        List<LogRecord> batch = new ArrayList<>(Math.min(max, Math.max(size.get(), 1)));
        synchronized (drainLock) {
            LogRecord record;
            while (batch.size() < max && (record = records.poll()) != null) {
                batch.add(record);
            }
        }
        if (!batch.isEmpty()) {
            size.addAndGet(-batch.size());
        }
        return batch;
    }

    /** Who is told of the records {@link #release}d, after their room is given back. */
    void onReleased(Consumer<List<LogRecord>> listener) {
        this.released = listener;
    }

    /**
     * Gives back the room of records taken by {@link #drain} that are now out of the queue's hands: written,
     * parked (their bytes held again by {@link #hold}), on disk, or given up.
     */
    void release(List<LogRecord> done) {
        long doneBytes = 0;
        for (LogRecord record : done) {
            doneBytes += record.estimatedBytes();
        }
        if (doneBytes > 0) {
            bytes.addAndGet(-doneBytes);
            signalRoom();
        }
        Consumer<List<LogRecord>> listener = released;
        if (listener != null && !done.isEmpty()) {
            listener.accept(done);
        }
    }

    /**
     * Counts {@code deltaBytes} more (or fewer) against the bound for records held outside the queue, such
     * as those waiting for a parent row.
     */
    void hold(long deltaBytes) {
        if (deltaBytes != 0) {
            bytes.addAndGet(deltaBytes);
            if (deltaBytes < 0) {
                signalRoom();
            }
        }
    }

    /** Parks the consumer until a full batch is queued, {@code nanos} pass, or it is unparked. */
    void awaitRecords(long nanos) {
        if (nanos > 0) {
            LockSupport.parkNanos(this, nanos);
        }
    }

    /** Wakes the consumer now, for a stop or a flush request. */
    void wakeConsumer() {
        Thread c = consumer;
        if (c != null) {
            LockSupport.unpark(c);
        }
    }

    int size() {
        return size.get();
    }

    long bytes() {
        return bytes.get();
    }

    boolean isEmpty() {
        return size.get() == 0;
    }

    private void signalRoom() {
        if (waitingForRoom.get() > 0) {
            roomLock.lock();
            try {
                roomAvailable.signalAll();
            } finally {
                roomLock.unlock();
            }
        }
    }
}

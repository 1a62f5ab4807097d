package io.stratal.logs.internal.pipeline;

import java.util.concurrent.locks.LockSupport;

/**
 * When the flusher must stop waiting for the database: never, until the writer is asked to stop; then the
 * end of the shutdown grace period. The stopping thread sets it once; the flusher reads it, and waits
 * through it, so that setting it cuts a pause short.
 */
final class Deadline {

    private volatile boolean set;
    private volatile long nanos;
    private volatile Thread waiter;

    /** Sets the deadline (a {@link System#nanoTime()} value) and wakes the flusher if it waits. */
    void set(long deadlineNanos) {
        nanos = deadlineNanos;
        set = true;
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** True once a stop was requested. */
    boolean isSet() {
        return set;
    }

    boolean hasPassed() {
        return set && System.nanoTime() - nanos >= 0;
    }

    /** The deadline's value; meaningful once {@link #isSet()}. */
    long nanos() {
        return nanos;
    }

    /** The earlier of {@code wakeAtNanos} and the deadline. */
    long cap(long wakeAtNanos) {
        return set && nanos - wakeAtNanos < 0 ? nanos : wakeAtNanos;
    }

    /**
     * The calling thread (the flusher) sleeps until {@code wakeAtNanos}, the deadline, or a wake-up: the
     * deadline being set, or a full batch queued. Returns early on any of them; callers check the time.
     */
    void sleepUntil(long wakeAtNanos) {
        waiter = Thread.currentThread(); // before reading the deadline: a set() from now on unparks this thread
        try {
            long nanosLeft = cap(wakeAtNanos) - System.nanoTime();
            if (nanosLeft > 0) {
                LockSupport.parkNanos(this, nanosLeft);
            }
        } finally {
            waiter = null;
        }
    }
}

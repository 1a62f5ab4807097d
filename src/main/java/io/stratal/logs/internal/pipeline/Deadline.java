package io.stratal.logs.internal.pipeline;

import java.util.concurrent.locks.LockSupport;

/**
 * When the flusher must stop waiting for the database: never, until the writer is asked to stop; then the
 * end of the shutdown grace period. The stopping thread sets it once, then unparks the flusher; the flusher
 * reads it and waits through it, so a pause is cut short (a park after the unpark returns at once).
 */
final class Deadline {

    private volatile boolean set;
    private volatile long nanos;

    /** Sets the deadline (a {@link System#nanoTime()} value); the caller then unparks the flusher. */
    void set(long deadlineNanos) {
        nanos = deadlineNanos;
        set = true;
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
     * The calling thread (the flusher) sleeps until {@code wakeAtNanos}, the deadline, or an unpark (the
     * deadline being set, a full batch queued). Returns early on any of them; callers check the time.
     */
    void sleepUntil(long wakeAtNanos) {
        long nanosLeft = cap(wakeAtNanos) - System.nanoTime();
        if (nanosLeft > 0) {
            LockSupport.parkNanos(this, nanosLeft);
        }
    }
}

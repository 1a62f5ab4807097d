package io.stratal.logs.internal.pipeline;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter. Each pause is a random point in the upper half of the exponential step,
 * so many appenders that lost the same database do not come back in lockstep.
 */
final class Backoff {

    private final long minNanos;
    private final long maxNanos;

    Backoff(Duration min, Duration max) {
        this.minNanos = Math.max(1, min.toNanos());
        this.maxNanos = Math.max(this.minNanos, max.toNanos());
    }

    /** The pause before retry number {@code attempt} (0 for the first retry). */
    long delayNanos(int attempt) {
        long step = minNanos << Math.min(attempt, 30);
        if (step <= 0 || step > maxNanos) {
            step = maxNanos;
        }
        return step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
    }
}

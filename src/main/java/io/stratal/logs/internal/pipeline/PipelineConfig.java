package io.stratal.logs.internal.pipeline;

import io.stratal.logs.writer.OverflowPolicy;
import java.time.Duration;

/**
 * The validated, immutable settings the flusher runs with. Built once by the appender's {@code start()};
 * the flusher never sees the mutable XML configuration.
 *
 * @param name                 names the flusher thread and the reports ({@code stratal-flusher-<name>})
 * @param batchSize            a batch goes out as soon as this many records wait
 * @param flushInterval        ...or when this long has passed since the last batch went out
 * @param maxQueueBytes        the bound on the estimated heap of queued records
 * @param maxBlockTime         how long a logging thread may wait for room while the database is draining
 * @param shutdownGracePeriod  how long {@code stop()} keeps writing (and waiting for the database)
 * @param minRetryBackoff      the first pause after a connection failure
 * @param maxRetryBackoff      the longest pause between retries
 * @param foreignKeyGracePeriod how long rows wait for their job or task run to be committed before they are
 *                             written with the id moved into metadata
 * @param overflowPolicy       what a logging thread does when the queue is full
 * @param spoolSyncInterval    the longest time spooled records stay in the operating system's cache before
 *                             they are forced to disk
 */
public record PipelineConfig(
        String name,
        int batchSize,
        Duration flushInterval,
        long maxQueueBytes,
        Duration maxBlockTime,
        Duration shutdownGracePeriod,
        Duration minRetryBackoff,
        Duration maxRetryBackoff,
        Duration foreignKeyGracePeriod,
        OverflowPolicy overflowPolicy,
        Duration spoolSyncInterval) {

    public static final int DEFAULT_BATCH_SIZE = 5000;
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(250);
    public static final long DEFAULT_MAX_QUEUE_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_MAX_BLOCK_TIME = Duration.ofMillis(100);
    public static final Duration DEFAULT_SHUTDOWN_GRACE_PERIOD = Duration.ofSeconds(10);
    public static final Duration DEFAULT_MIN_RETRY_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX_RETRY_BACKOFF = Duration.ofSeconds(10);
    public static final Duration DEFAULT_FOREIGN_KEY_GRACE_PERIOD = Duration.ofSeconds(60);
    public static final Duration DEFAULT_SPOOL_SYNC_INTERVAL = Duration.ofSeconds(1);

    public PipelineConfig {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1");
        }
        if (maxQueueBytes < 1) {
            throw new IllegalArgumentException("maxQueueBytes must be positive");
        }
    }

    /** A builder starting from the defaults. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Collects settings; every one starts at its default. */
    public static final class Builder {
        private final String name;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private long maxQueueBytes = DEFAULT_MAX_QUEUE_BYTES;
        private Duration maxBlockTime = DEFAULT_MAX_BLOCK_TIME;
        private Duration shutdownGracePeriod = DEFAULT_SHUTDOWN_GRACE_PERIOD;
        private Duration minRetryBackoff = DEFAULT_MIN_RETRY_BACKOFF;
        private Duration maxRetryBackoff = DEFAULT_MAX_RETRY_BACKOFF;
        private Duration foreignKeyGracePeriod = DEFAULT_FOREIGN_KEY_GRACE_PERIOD;
        private OverflowPolicy overflowPolicy = OverflowPolicy.BLOCK;
        private Duration spoolSyncInterval = DEFAULT_SPOOL_SYNC_INTERVAL;

        private Builder(String name) {
            this.name = name;
        }

        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        public Builder flushInterval(Duration value) {
            flushInterval = value;
            return this;
        }

        public Builder maxQueueBytes(long value) {
            maxQueueBytes = value;
            return this;
        }

        public Builder maxBlockTime(Duration value) {
            maxBlockTime = value;
            return this;
        }

        public Builder shutdownGracePeriod(Duration value) {
            shutdownGracePeriod = value;
            return this;
        }

        public Builder retryBackoff(Duration min, Duration max) {
            minRetryBackoff = min;
            maxRetryBackoff = max;
            return this;
        }

        public Builder foreignKeyGracePeriod(Duration value) {
            foreignKeyGracePeriod = value;
            return this;
        }

        public Builder overflowPolicy(OverflowPolicy value) {
            overflowPolicy = value;
            return this;
        }

        public Builder spoolSyncInterval(Duration value) {
            spoolSyncInterval = value;
            return this;
        }

        public PipelineConfig build() {
            return new PipelineConfig(name, batchSize, flushInterval, maxQueueBytes, maxBlockTime,
                    shutdownGracePeriod, minRetryBackoff, maxRetryBackoff, foreignKeyGracePeriod, overflowPolicy,
                    spoolSyncInterval);
        }
    }
}

package io.stratal.logs.internal.pipeline;

import io.stratal.logs.pipeline.OverflowPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * What the pipeline's threads need of the writer's configuration, checked and resolved: the overflow policy
 * is the one in force (SPOOL only with an open spool). {@code writer.LogWriter} makes it from the public
 * configuration, so the engine never depends on the API's types and the API can grow without the engine.
 *
 * @param name                  the writer's name, in its threads' names
 * @param batchSize             records a batch holds at most
 * @param flushInterval         the longest a record waits for its batch
 * @param maxQueueBytes         the queue's bound, in estimated heap bytes
 * @param maxBlockTime          how long a caller waits for room without the database making progress
 * @param shutdownGracePeriod   how long a stop may take
 * @param minRetryBackoff       the first wait before a retry
 * @param maxRetryBackoff       the longest wait between retries
 * @param foreignKeyGracePeriod how long a row waits for its parent run
 * @param spoolSyncInterval     how often the spool is forced to disk while the database is away
 * @param overflowPolicy        what a full queue does
 */
public record PipelineSettings(String name, int batchSize, Duration flushInterval, long maxQueueBytes,
                               Duration maxBlockTime, Duration shutdownGracePeriod, Duration minRetryBackoff,
                               Duration maxRetryBackoff, Duration foreignKeyGracePeriod, Duration spoolSyncInterval,
                               OverflowPolicy overflowPolicy) {

    public PipelineSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(overflowPolicy, "overflowPolicy");
    }
}

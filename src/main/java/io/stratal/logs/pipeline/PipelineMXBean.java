package io.stratal.logs.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What JMX shows of one appender, under {@code io.stratal.logs:type=UnifiedLogAppender,context=...,name=...}.
 * Counters count since the appender started.
 */
public interface PipelineMXBean {

    /** {@return records accepted into the queue} */
    long getRecordsEnqueued();

    /** {@return records committed to the database} */
    long getRecordsWritten();

    /** {@return records put on disk because the database could not take them} */
    long getRecordsSpooled();

    /** {@return records read back from the spool and written} */
    long getRecordsReplayed();

    /** {@return records the database refused as they were, stored repaired} */
    long getRecordsRepaired();

    /** {@return records lost, for any reason} */
    long getRecordsDropped();

    /** {@return dropped records by reason ({@code queue_full}, {@code database_unavailable}, {@code rejected}, ...)} */
    Map<String, Long> getRecordsDroppedByReason();

    /** {@return log calls that waited for room in a full queue (backpressure)} */
    long getBlockedCalls();

    /** {@return write attempts that failed for a reason that can pass, and were tried again} */
    long getRetries();

    /** {@return transactions committed} */
    long getBatches();

    /** {@return records queued and not yet written} */
    int getQueueSize();

    /** {@return estimated heap held by queued, in-flight and parked records} */
    long getQueueBytes();

    /** {@return bytes of the spool on disk} */
    long getSpoolBytes();

    /** {@return false while the database cannot be reached, true once a write succeeds again} */
    boolean isDatabaseAvailable();

    /** {@return true while records go through the spool on their way to the database} */
    boolean isSpilling();

    /** {@return the last failure's description, or {@code null}} */
    String getLastError();

    /** {@return when a batch was last committed (ISO-8601), or {@code null}} */
    String getLastWriteTime();

    /**
     * Seconds since a batch was last committed, or since the writer started when none has been yet. Growing while
     * records wait (in the queue or the spool) means the writer is stalled: {@code StratalLogsAppenderStalled}.
     * An idle writer's age grows too, with nothing waiting.
     *
     * @return seconds, from {@link #getLastWriteTime()} in this default, {@code NaN} before the first commit
     */
    default double getSecondsSinceLastCommit() {
        String last = getLastWriteTime();
        return last == null ? Double.NaN
                : Duration.between(Instant.parse(last), Instant.now()).toNanos() / 1e9;
    }
}

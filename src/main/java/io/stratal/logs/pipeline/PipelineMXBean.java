package io.stratal.logs.pipeline;

import java.util.Map;

/**
 * What JMX shows of one appender, under {@code io.stratal.logs:type=UnifiedLogAppender,context=...,name=...}.
 * Counters count since the appender started.
 */
public interface PipelineMXBean {

    long getRecordsEnqueued();

    long getRecordsWritten();

    long getRecordsSpooled();

    long getRecordsReplayed();

    long getRecordsRepaired();

    long getRecordsDropped();

    /** Dropped records by reason ({@code queue_full}, {@code database_unavailable}, {@code rejected}, ...). */
    Map<String, Long> getRecordsDroppedByReason();

    /** Log calls that waited for room in a full queue (backpressure). */
    long getBlockedCalls();

    long getRetries();

    long getBatches();

    int getQueueSize();

    long getQueueBytes();

    long getSpoolBytes();

    boolean isDatabaseAvailable();

    boolean isSpilling();

    /** The last failure's description, or {@code null}. */
    String getLastError();

    /** When a batch was last committed (ISO-8601), or {@code null}. */
    String getLastWriteTime();
}

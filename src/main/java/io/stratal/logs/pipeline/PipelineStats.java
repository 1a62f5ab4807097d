package io.stratal.logs.pipeline;

import java.time.Instant;

/** The counters of one log writer, safe to read from any thread. */
public interface PipelineStats {

    /** {@return records accepted into the queue} */
    long enqueued();

    /** {@return records committed to the database} */
    long written();

    /** {@return transactions committed} */
    long batches();

    /**
     * Log calls that found the queue full and waited for room (backpressure: the application logged faster
     * than the database writes).
     *
     * @return the number of such calls
     */
    long blocked();

    /** {@return write attempts that failed for a reason that can pass, and were tried again} */
    long retries();

    /** {@return rows the database refused as logged and took in a repaired form (noted in their metadata)} */
    long repaired();

    /** {@return records put on disk because the database could not take them (or not fast enough)} */
    long spooled();

    /** {@return records read back from the spool and written to the database} */
    long replayed();

    /** {@return bytes in the spool not yet written to the database} */
    long spoolBytes();

    /**
     * {@return records lost for {@code reason}}
     *
     * @param reason why records were lost
     */
    long dropped(DropReason reason);

    /** {@return records lost for any reason} */
    long droppedTotal();

    /** {@return the last failure's description, or {@code null}} */
    String lastError();

    /** {@return when a batch was last committed, or {@code null}} */
    Instant lastWriteTime();
}

package io.stratal.logs.pipeline;

import java.time.Instant;

/** The counters of one log writer, safe to read from any thread. */
public interface PipelineStats {

    /** Records accepted into the queue. */
    long enqueued();

    /** Records committed to the database. */
    long written();

    /** Transactions committed. */
    long batches();

    /**
     * Log calls that found the queue full and waited for room (backpressure: the application logged faster
     * than the database writes).
     */
    long blocked();

    /** Write attempts that failed for a reason that can pass, and were tried again. */
    long retries();

    /** Rows the database refused as logged and took in a repaired form (noted in their metadata). */
    long repaired();

    /** Records put on disk because the database could not take them (or not fast enough). */
    long spooled();

    /** Records read back from the spool and written to the database. */
    long replayed();

    /** Bytes in the spool not yet written to the database. */
    long spoolBytes();

    /** Records lost for {@code reason}. */
    long dropped(DropReason reason);

    /** Records lost for any reason. */
    long droppedTotal();

    /** The last failure's description, or {@code null}. */
    String lastError();

    /** When a batch was last committed, or {@code null}. */
    Instant lastWriteTime();
}

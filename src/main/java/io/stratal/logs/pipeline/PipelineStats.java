package io.stratal.logs.pipeline;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one pipeline, safe to read from any thread. Logging threads only ever increment
 * {@link LongAdder}s, which do not contend with each other.
 */
public final class PipelineStats {

    private final LongAdder enqueued = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder repaired = new LongAdder();
    private final LongAdder spooled = new LongAdder();
    private final LongAdder replayed = new LongAdder();
    private volatile long spoolBytes;
    private final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);
    private volatile String lastError;
    private volatile Instant lastWriteTime;

    PipelineStats() {
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, new LongAdder());
        }
    }

    void recordEnqueued() {
        enqueued.increment();
    }

    void recordBatchWritten(int records) {
        written.add(records);
        batches.increment();
        lastWriteTime = Instant.now();
    }

    void recordRetry(String error) {
        retries.increment();
        lastError = error;
    }

    void recordSpooled(int records) {
        spooled.add(records);
    }

    void recordReplayed(int records) {
        replayed.add(records);
    }

    void recordSpoolBytes(long bytes) {
        spoolBytes = bytes;
    }

    /** Returns the new total. */
    long recordRepaired() {
        repaired.increment();
        return repaired.sum();
    }

    void recordDropped(DropReason reason, long count) {
        dropped.get(reason).add(count);
    }

    void recordError(String error) {
        lastError = error;
    }

    /** Records accepted into the queue. */
    public long enqueued() {
        return enqueued.sum();
    }

    /** Records committed to the database. */
    public long written() {
        return written.sum();
    }

    /** Transactions committed. */
    public long batches() {
        return batches.sum();
    }

    /** Write attempts that failed for a reason that can pass, and were tried again. */
    public long retries() {
        return retries.sum();
    }

    /** Rows the database refused as logged and took in a repaired form (noted in their metadata). */
    public long repaired() {
        return repaired.sum();
    }

    /** Records put on disk because the database could not take them (or not fast enough). */
    public long spooled() {
        return spooled.sum();
    }

    /** Records read back from the spool and written to the database. */
    public long replayed() {
        return replayed.sum();
    }

    /** Bytes in the spool not yet written to the database. */
    public long spoolBytes() {
        return spoolBytes;
    }

    /** Records lost for {@code reason}. */
    public long dropped(DropReason reason) {
        return dropped.get(reason).sum();
    }

    /** Records lost for any reason. */
    public long droppedTotal() {
        long total = 0;
        for (LongAdder adder : dropped.values()) {
            total += adder.sum();
        }
        return total;
    }

    /** The last failure's description, or {@code null}. */
    public String lastError() {
        return lastError;
    }

    /** When a batch was last committed, or {@code null}. */
    public Instant lastWriteTime() {
        return lastWriteTime;
    }

    /** The counters in one line, for a status message or a test's failure report. */
    @Override
    public String toString() {
        StringBuilder drops = new StringBuilder();
        for (Map.Entry<DropReason, LongAdder> entry : dropped.entrySet()) {
            long n = entry.getValue().sum();
            if (n > 0) {
                drops.append(drops.length() == 0 ? "" : ", ").append(entry.getKey()).append('=').append(n);
            }
        }
        return "enqueued=" + enqueued() + " written=" + written() + " batches=" + batches() + " retries=" + retries()
                + " repaired=" + repaired() + " spooled=" + spooled() + " replayed=" + replayed()
                + " spoolBytes=" + spoolBytes + " dropped={" + drops + "}";
    }
}

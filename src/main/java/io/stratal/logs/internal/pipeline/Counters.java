package io.stratal.logs.internal.pipeline;

import io.stratal.logs.pipeline.DropReason;
import io.stratal.logs.pipeline.PipelineStats;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one pipeline, recorded by its threads and read from any thread. Logging threads only
 * ever increment {@link LongAdder}s, which do not contend with each other.
 */
final class Counters implements PipelineStats {

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
    private final LongAdder blocked = new LongAdder();
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile long lastCommitNanos = System.nanoTime();

    Counters() {
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
        lastProgressNanos = System.nanoTime();
        lastCommitNanos = lastProgressNanos;
    }

    void recordRetry(String error) {
        retries.increment();
        lastError = error;
    }

    void recordSpooled(int records) {
        spooled.add(records);
        lastProgressNanos = System.nanoTime(); // records left the heap for the disk: room was made
    }

    void recordBlocked() {
        blocked.increment();
    }

    /** When a batch last committed or went to the spool (at first, when the counters were made). */
    long lastProgressNanos() {
        return lastProgressNanos;
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

    @Override
    public long enqueued() {
        return enqueued.sum();
    }

    @Override
    public long written() {
        return written.sum();
    }

    @Override
    public long batches() {
        return batches.sum();
    }

    @Override
    public long blocked() {
        return blocked.sum();
    }

    @Override
    public long retries() {
        return retries.sum();
    }

    @Override
    public long repaired() {
        return repaired.sum();
    }

    @Override
    public long spooled() {
        return spooled.sum();
    }

    @Override
    public long replayed() {
        return replayed.sum();
    }

    @Override
    public long spoolBytes() {
        return spoolBytes;
    }

    @Override
    public long dropped(DropReason reason) {
        return dropped.get(reason).sum();
    }

    @Override
    public long droppedTotal() {
        long total = 0;
        for (LongAdder adder : dropped.values()) {
            total += adder.sum();
        }
        return total;
    }

    @Override
    public String lastError() {
        return lastError;
    }

    /** {@return nanoseconds since a batch was last committed, or since these counters began} */
    long nanosSinceLastCommit() {
        return System.nanoTime() - lastCommitNanos;
    }

    @Override
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
        return "enqueued=" + enqueued() + " blocked=" + blocked() + " written=" + written() + " batches=" + batches() + " retries=" + retries()
                + " repaired=" + repaired() + " spooled=" + spooled() + " replayed=" + replayed()
                + " spoolBytes=" + spoolBytes + " dropped={" + drops + "}";
    }
}

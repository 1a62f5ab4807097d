package io.stratal.logs.internal.pipeline;

import io.stratal.logs.pipeline.DropReason;
import io.stratal.logs.pipeline.PipelineMXBean;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A pipeline's counters and queue as JMX and Micrometer read them. A view of its own: whoever holds it can
 * read, never offer, stop or reach the pipeline behind it.
 */
final class PipelineView implements PipelineMXBean {

    private final Pipeline pipeline;
    private final Counters stats;

    PipelineView(Pipeline pipeline, Counters stats) {
        this.pipeline = pipeline;
        this.stats = stats;
    }

    @Override
    public long getRecordsEnqueued() {
        return stats.enqueued();
    }

    @Override
    public long getRecordsWritten() {
        return stats.written();
    }

    @Override
    public long getRecordsSpooled() {
        return stats.spooled();
    }

    @Override
    public long getRecordsReplayed() {
        return stats.replayed();
    }

    @Override
    public long getRecordsRepaired() {
        return stats.repaired();
    }

    @Override
    public long getRecordsDropped() {
        return stats.droppedTotal();
    }

    @Override
    public Map<String, Long> getRecordsDroppedByReason() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (DropReason reason : DropReason.values()) {
            out.put(reason.key(), stats.dropped(reason));
        }
        return out;
    }

    @Override
    public long getBlockedCalls() {
        return stats.blocked();
    }

    @Override
    public long getRetries() {
        return stats.retries();
    }

    @Override
    public long getBatches() {
        return stats.batches();
    }

    @Override
    public int getQueueSize() {
        return pipeline.queueSize();
    }

    @Override
    public long getQueueBytes() {
        return pipeline.queueBytes();
    }

    @Override
    public long getSpoolBytes() {
        return stats.spoolBytes();
    }

    @Override
    public boolean isDatabaseAvailable() {
        return pipeline.isDatabaseAvailable();
    }

    @Override
    public boolean isSpilling() {
        return pipeline.isSpilling();
    }

    @Override
    public String getLastError() {
        return stats.lastError();
    }

    @Override
    public double getSecondsSinceLastCommit() {
        return stats.nanosSinceLastCommit() / 1e9;
    }

    @Override
    public String getLastWriteTime() {
        Instant last = stats.lastWriteTime();
        return last == null ? null : last.toString();
    }
}

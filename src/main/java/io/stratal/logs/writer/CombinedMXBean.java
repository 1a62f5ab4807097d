package io.stratal.logs.writer;

import io.stratal.logs.pipeline.DropReason;
import io.stratal.logs.pipeline.PipelineMXBean;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several writers' counters as one MXBean: the counters of their {@link CombinedStats}, the queues summed; the
 * database available only while every writer's last write succeeded; the age of the last commit is that of the
 * writer that waits longest with records queued.
 */
final class CombinedMXBean implements PipelineMXBean {

    private final CombinedStats stats;
    private final List<PipelineMXBean> writers;

    CombinedMXBean(CombinedStats stats, List<PipelineMXBean> writers) {
        this.stats = stats;
        this.writers = List.copyOf(writers);
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
        int size = 0;
        for (PipelineMXBean writer : writers) {
            size += writer.getQueueSize();
        }
        return size;
    }

    @Override
    public long getQueueBytes() {
        long bytes = 0;
        for (PipelineMXBean writer : writers) {
            bytes += writer.getQueueBytes();
        }
        return bytes;
    }

    @Override
    public long getSpoolBytes() {
        return stats.spoolBytes();
    }

    @Override
    public boolean isDatabaseAvailable() {
        for (PipelineMXBean writer : writers) {
            if (!writer.isDatabaseAvailable()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean isSpilling() {
        for (PipelineMXBean writer : writers) {
            if (writer.isSpilling()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String getLastError() {
        return stats.lastError();
    }

    @Override
    public String getLastWriteTime() {
        Instant last = stats.lastWriteTime();
        return last == null ? null : last.toString();
    }

    /**
     * The oldest age among the writers that have records waiting (a stalled writer shows while the others
     * commit); with none waiting, the newest commit's age.
     */
    @Override
    public double getSecondsSinceLastCommit() {
        double waiting = -1;
        double newest = Double.POSITIVE_INFINITY;
        for (PipelineMXBean writer : writers) {
            double age = writer.getSecondsSinceLastCommit();
            newest = Math.min(newest, age);
            if (writer.getQueueSize() > 0 || writer.getSpoolBytes() > 0) {
                waiting = Math.max(waiting, age);
            }
        }
        return waiting >= 0 ? waiting : newest;
    }
}

package io.stratal.logs.writer;

import io.stratal.logs.pipeline.PipelineMXBean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Several writers' counters as one MXBean: sums; the database available only while every writer's last write
 * succeeded; the age of the last commit is that of the writer that waits longest with records queued.
 */
final class CombinedMXBean implements PipelineMXBean {

    private final List<PipelineMXBean> writers;

    CombinedMXBean(List<PipelineMXBean> writers) {
        this.writers = List.copyOf(writers);
    }

    private long sum(ToLongFunction<PipelineMXBean> counter) {
        long total = 0;
        for (PipelineMXBean writer : writers) {
            total += counter.applyAsLong(writer);
        }
        return total;
    }

    @Override
    public long getRecordsEnqueued() {
        return sum(PipelineMXBean::getRecordsEnqueued);
    }

    @Override
    public long getRecordsWritten() {
        return sum(PipelineMXBean::getRecordsWritten);
    }

    @Override
    public long getRecordsSpooled() {
        return sum(PipelineMXBean::getRecordsSpooled);
    }

    @Override
    public long getRecordsReplayed() {
        return sum(PipelineMXBean::getRecordsReplayed);
    }

    @Override
    public long getRecordsRepaired() {
        return sum(PipelineMXBean::getRecordsRepaired);
    }

    @Override
    public long getRecordsDropped() {
        return sum(PipelineMXBean::getRecordsDropped);
    }

    @Override
    public Map<String, Long> getRecordsDroppedByReason() {
        Map<String, Long> total = new LinkedHashMap<>();
        for (PipelineMXBean writer : writers) {
            writer.getRecordsDroppedByReason().forEach((reason, n) -> total.merge(reason, n, Long::sum));
        }
        return total;
    }

    @Override
    public long getBlockedCalls() {
        return sum(PipelineMXBean::getBlockedCalls);
    }

    @Override
    public long getRetries() {
        return sum(PipelineMXBean::getRetries);
    }

    @Override
    public long getBatches() {
        return sum(PipelineMXBean::getBatches);
    }

    @Override
    public int getQueueSize() {
        return (int) sum(PipelineMXBean::getQueueSize);
    }

    @Override
    public long getQueueBytes() {
        return sum(PipelineMXBean::getQueueBytes);
    }

    @Override
    public long getSpoolBytes() {
        return sum(PipelineMXBean::getSpoolBytes);
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
        for (PipelineMXBean writer : writers) {
            if (writer.getLastError() != null) {
                return writer.getLastError();
            }
        }
        return null;
    }

    @Override
    public String getLastWriteTime() {
        String newest = null;
        for (PipelineMXBean writer : writers) {
            String last = writer.getLastWriteTime();
            if (last != null && (newest == null || java.time.Instant.parse(last).isAfter(java.time.Instant.parse(newest)))) {
                newest = last;
            }
        }
        return newest;
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

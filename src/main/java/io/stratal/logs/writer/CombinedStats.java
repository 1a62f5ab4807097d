package io.stratal.logs.writer;

import io.stratal.logs.pipeline.DropReason;
import io.stratal.logs.pipeline.PipelineStats;
import java.time.Instant;
import java.util.List;
import java.util.function.ToLongFunction;

/** The counters of several writers as one: sums, the newest write, the last error of any. */
final class CombinedStats implements PipelineStats {

    private final List<PipelineStats> writers;

    CombinedStats(List<PipelineStats> writers) {
        this.writers = List.copyOf(writers);
    }

    private long sum(ToLongFunction<PipelineStats> counter) {
        long total = 0;
        for (PipelineStats writer : writers) {
            total += counter.applyAsLong(writer);
        }
        return total;
    }

    @Override
    public long enqueued() {
        return sum(PipelineStats::enqueued);
    }

    @Override
    public long written() {
        return sum(PipelineStats::written);
    }

    @Override
    public long batches() {
        return sum(PipelineStats::batches);
    }

    @Override
    public long blocked() {
        return sum(PipelineStats::blocked);
    }

    @Override
    public long retries() {
        return sum(PipelineStats::retries);
    }

    @Override
    public long repaired() {
        return sum(PipelineStats::repaired);
    }

    @Override
    public long spooled() {
        return sum(PipelineStats::spooled);
    }

    @Override
    public long replayed() {
        return sum(PipelineStats::replayed);
    }

    @Override
    public long spoolBytes() {
        return sum(PipelineStats::spoolBytes);
    }

    @Override
    public long dropped(DropReason reason) {
        return sum(writer -> writer.dropped(reason));
    }

    @Override
    public long droppedTotal() {
        return sum(PipelineStats::droppedTotal);
    }

    @Override
    public String lastError() {
        for (PipelineStats writer : writers) {
            if (writer.lastError() != null) {
                return writer.lastError();
            }
        }
        return null;
    }

    @Override
    public Instant lastWriteTime() {
        Instant newest = null;
        for (PipelineStats writer : writers) {
            Instant last = writer.lastWriteTime();
            if (last != null && (newest == null || last.isAfter(newest))) {
                newest = last;
            }
        }
        return newest;
    }

    /** Each writer's counters, in writer order. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (int k = 0; k < writers.size(); k++) {
            text.append(k == 0 ? "" : "; ").append("writer ").append(k).append(": ").append(writers.get(k));
        }
        return text.toString();
    }
}

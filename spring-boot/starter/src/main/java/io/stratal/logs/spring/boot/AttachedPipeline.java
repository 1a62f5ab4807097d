package io.stratal.logs.spring.boot;

import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.pipeline.PipelineMXBean;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * The counters of whichever {@link UnifiedLogAppender} is attached to logback at the moment of each call, so
 * that the meters and the health contributor follow a new appender after Spring Boot configured logging
 * again: all of its writers summed, or one of them. With none attached (or fewer writers): zeros, and the
 * database unavailable.
 */
final class AttachedPipeline implements PipelineMXBean {

    /** The writer read, from 0; -1 for the appender's sums. */
    private final int writer;

    /** The appender's counters, all of its writers summed. */
    AttachedPipeline() {
        this(-1);
    }

    /** The counters of the appender's writer {@code writer} (from 0). */
    AttachedPipeline(int writer) {
        this.writer = writer;
    }

    /** {@return the appender attached to the application's logback now, or {@code null}} */
    static UnifiedLogAppender appender() {
        return LoggerFactory.getILoggerFactory() instanceof LoggerContext context
                ? StratalLogsLoggingListener.attached(context) : null;
    }

    private <T> T read(Function<PipelineMXBean, T> attribute, T none) {
        PipelineMXBean pipeline = pipeline(appender());
        return pipeline == null ? none : attribute.apply(pipeline);
    }

    private PipelineMXBean pipeline(UnifiedLogAppender appender) {
        if (appender == null || writer < 0) {
            return appender == null ? null : appender.getPipeline();
        }
        List<PipelineMXBean> writers = appender.getWriterPipelines();
        return writer < writers.size() ? writers.get(writer) : null;
    }

    @Override
    public long getRecordsEnqueued() {
        return read(PipelineMXBean::getRecordsEnqueued, 0L);
    }

    @Override
    public long getRecordsWritten() {
        return read(PipelineMXBean::getRecordsWritten, 0L);
    }

    @Override
    public long getRecordsSpooled() {
        return read(PipelineMXBean::getRecordsSpooled, 0L);
    }

    @Override
    public long getRecordsReplayed() {
        return read(PipelineMXBean::getRecordsReplayed, 0L);
    }

    @Override
    public long getRecordsRepaired() {
        return read(PipelineMXBean::getRecordsRepaired, 0L);
    }

    @Override
    public long getRecordsDropped() {
        return read(PipelineMXBean::getRecordsDropped, 0L);
    }

    @Override
    public Map<String, Long> getRecordsDroppedByReason() {
        return read(PipelineMXBean::getRecordsDroppedByReason, Map.of());
    }

    @Override
    public long getBlockedCalls() {
        return read(PipelineMXBean::getBlockedCalls, 0L);
    }

    @Override
    public long getRetries() {
        return read(PipelineMXBean::getRetries, 0L);
    }

    @Override
    public long getBatches() {
        return read(PipelineMXBean::getBatches, 0L);
    }

    @Override
    public int getQueueSize() {
        return read(PipelineMXBean::getQueueSize, 0);
    }

    @Override
    public long getQueueBytes() {
        return read(PipelineMXBean::getQueueBytes, 0L);
    }

    @Override
    public long getSpoolBytes() {
        return read(PipelineMXBean::getSpoolBytes, 0L);
    }

    @Override
    public boolean isDatabaseAvailable() {
        return read(PipelineMXBean::isDatabaseAvailable, false);
    }

    @Override
    public boolean isSpilling() {
        return read(PipelineMXBean::isSpilling, false);
    }

    @Override
    public String getLastError() {
        return read(PipelineMXBean::getLastError, null);
    }

    @Override
    public String getLastWriteTime() {
        return read(PipelineMXBean::getLastWriteTime, null);
    }

    @Override
    public double getSecondsSinceLastCommit() {
        return read(PipelineMXBean::getSecondsSinceLastCommit, Double.NaN);
    }
}

package io.stratal.logs.testing;

import io.stratal.logs.internal.pipeline.PipelineSettings;
import io.stratal.logs.writer.LogWriterConfig;

/** The engine's settings from a {@link LogWriterConfig}, as {@code LogWriter.start} makes them, for tests of the engine alone. */
public final class Pipelines {

    private Pipelines() {
    }

    /** {@code config}'s settings, with the overflow policy in force with or without an open spool. */
    public static PipelineSettings settings(LogWriterConfig config, boolean spoolOpen) {
        return new PipelineSettings(config.name(), config.batchSize(), config.flushInterval(), config.maxQueueBytes(),
                config.maxBlockTime(), config.shutdownGracePeriod(), config.minRetryBackoff(), config.maxRetryBackoff(),
                config.foreignKeyGracePeriod(), config.spoolSyncInterval(), config.overflowPolicy(spoolOpen));
    }
}

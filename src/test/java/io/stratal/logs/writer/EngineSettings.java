package io.stratal.logs.writer;

import io.stratal.logs.internal.pipeline.PipelineSettings;

/** The engine's settings from a {@link LogWriterConfig}, made as {@link LogWriter#start} makes them, for tests of the engine alone. */
public final class EngineSettings {

    private EngineSettings() {
    }

    /** {@return {@code config}'s settings, with the overflow policy in force with or without an open spool} */
    public static PipelineSettings of(LogWriterConfig config, boolean spoolOpen) {
        return LogWriter.settings(config, config.overflowPolicy(spoolOpen));
    }
}

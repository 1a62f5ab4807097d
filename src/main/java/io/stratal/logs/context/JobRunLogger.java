package io.stratal.logs.context;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogStream;
import io.stratal.logs.internal.ScopeEnds;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/** Job and task logs of one job run. Thread-safe; close when the run ends. */
public final class JobRunLogger implements AutoCloseable {

    private final UnifiedLogger owner;
    private final UUID jobRunId;

    JobRunLogger(UnifiedLogger owner, UUID jobRunId) {
        this.owner = owner;
        this.jobRunId = jobRunId;
    }

    /** {@return the job run this logger logs for} */
    public UUID jobRunId() {
        return jobRunId;
    }

    /**
     * A job log of this run, with {@code metadata} as its key-value pairs.
     *
     * @param level the level
     * @param message the message
     * @param metadata key-value pairs stored in {@code metadata} with their JSON types, or {@code null}
     */
    public void logJob(LogLevel level, String message, Map<String, ?> metadata) {
        try (LogContext.Scope scope = LogContext.Scope.open(jobRunId.toString(), null, null)) {
            owner.emit(level, message, metadata);
        }
    }

    /**
     * A task log of {@code taskRunId} in this run. {@code stream} is
     * {@code "stdout"}, {@code "stderr"} or {@code "system"}; {@code null} lets the level decide (stdout, or
     * stderr for WARN and ERROR).
     *
     * @param level the level
     * @param message the message
     * @param metadata key-value pairs stored in {@code metadata} with their JSON types, or {@code null}
     * @param taskRunId the task run
     * @param stream the stream, or {@code null} to let the level decide (stdout, stderr for WARN and ERROR)
     */
    public void logTask(UUID taskRunId, LogLevel level, String message, String stream, Map<String, ?> metadata) {
        Objects.requireNonNull(taskRunId, "taskRunId");
        try (LogContext.Scope scope = LogContext.Scope.open(jobRunId.toString(), taskRunId.toString(), stream)) {
            owner.emit(level, message, metadata);
        }
    }

    /**
     * {@link #logTask(UUID, LogLevel, String, String, Map)} with the stream as an enum.
     *
     * @param level the level
     * @param message the message
     * @param metadata key-value pairs stored in {@code metadata} with their JSON types, or {@code null}
     * @param taskRunId the task run
     * @param stream the stream, or {@code null} to let the level decide (stdout, stderr for WARN and ERROR)
     */
    public void logTask(UUID taskRunId, LogLevel level, String message, LogStream stream, Map<String, ?> metadata) {
        logTask(taskRunId, level, message, stream == null ? null : stream.dbValue(), metadata);
    }

    /**
     * Ends this logger and the run's logging: what sampling left out of the run so far is summarised now. The
     * next {@code getJobRunLogger} of this id returns a new one.
     */
    @Override
    public void close() {
        owner.forget(this);
        ScopeEnds.ended(jobRunId.toString());
    }
}

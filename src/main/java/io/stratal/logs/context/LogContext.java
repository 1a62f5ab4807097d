package io.stratal.logs.context;

import io.stratal.logs.LogStream;
import io.stratal.logs.internal.ScopeEnds;
import io.stratal.logs.names.Names;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * Job and task scopes over plain SLF4J logging. Inside a scope every log line carries the run ids in the
 * MDC, so the unified appender stores it as a job or task log:
 *
 * <pre>{@code
 * try (var job = LogContext.job(jobRunId)) {
 *     log.info("Job started");                              // type job
 *     try (var task = LogContext.task(taskRunId)) {
 *         log.info("Task started");                         // type task, stream stdout
 *     }
 * }
 * }</pre>
 *
 * Closing a scope restores what the keys held before it, also when an exception escapes. Close scopes in
 * the reverse order of opening them, as try-with-resources does.
 *
 * <p>To carry the current scope onto other threads, wrap the work or the executor: {@link #wrap(Runnable)},
 * {@link #wrap(ExecutorService)}, or {@link #capture()} for the other shapes (suppliers, functions).
 */
public final class LogContext {

    private static volatile String jobRunIdKey = Names.JOB_RUN_ID_KEY;
    private static volatile String taskRunIdKey = Names.TASK_RUN_ID_KEY;
    private static volatile String streamKey = Names.STREAM_KEY;
    /** Who chose the keys: nobody (the defaults), an appender at its start, or the application. */
    private static KeysFrom keysFrom = KeysFrom.DEFAULTS; // guarded by LogContext.class

    private enum KeysFrom { DEFAULTS, APPENDER, APPLICATION }

    private LogContext() {
    }

    /**
     * Uses other MDC keys. Not needed with the unified appender, whose configured {@code jobRunIdKey},
     * {@code taskRunIdKey} and {@code streamKey} the scopes follow on their own; for an application that
     * sets the keys for something else. What it sets stays, whatever an appender says.
     *
     * @param jobRunIdKey the MDC key of the job run id
     * @param taskRunIdKey the MDC key of the task run id
     * @param streamKey the MDC key of the stream
     */
    public static synchronized void useKeys(String jobRunIdKey, String taskRunIdKey, String streamKey) {
        setKeys(jobRunIdKey, taskRunIdKey, streamKey);
        keysFrom = KeysFrom.APPLICATION;
    }

    /**
     * From an appender as it starts: the scopes use its MDC keys. False when they cannot, because the
     * application chose other keys with {@link #useKeys}, or another running appender reads other ones
     * (the appender then warns: its job and task lines would come out as system logs).
     *
     * @param jobRunIdKey the MDC key of the job run id
     * @param taskRunIdKey the MDC key of the task run id
     * @param streamKey the MDC key of the stream
     * @return true when the scopes now set the appender's keys; false when other keys were chosen first
     */
    public static synchronized boolean followAppenderKeys(String jobRunIdKey, String taskRunIdKey, String streamKey) {
        boolean same = jobRunIdKey.equals(LogContext.jobRunIdKey) && taskRunIdKey.equals(LogContext.taskRunIdKey)
                && streamKey.equals(LogContext.streamKey);
        if (same || keysFrom != KeysFrom.DEFAULTS) {
            return same;
        }
        setKeys(jobRunIdKey, taskRunIdKey, streamKey);
        keysFrom = KeysFrom.APPENDER;
        return true;
    }

    /**
     * From an appender as it stops: keys it set go back to the defaults, so the next configuration starts afresh.
     *
     * @param jobRunIdKey the MDC key of the job run id
     * @param taskRunIdKey the MDC key of the task run id
     * @param streamKey the MDC key of the stream
     */
    public static synchronized void releaseAppenderKeys(String jobRunIdKey, String taskRunIdKey, String streamKey) {
        if (keysFrom == KeysFrom.APPENDER && jobRunIdKey.equals(LogContext.jobRunIdKey)
                && taskRunIdKey.equals(LogContext.taskRunIdKey) && streamKey.equals(LogContext.streamKey)) {
            setKeys(Names.JOB_RUN_ID_KEY, Names.TASK_RUN_ID_KEY, Names.STREAM_KEY);
            keysFrom = KeysFrom.DEFAULTS;
        }
    }

    private static void setKeys(String jobRunIdKey, String taskRunIdKey, String streamKey) {
        LogContext.jobRunIdKey = Objects.requireNonNull(jobRunIdKey);
        LogContext.taskRunIdKey = Objects.requireNonNull(taskRunIdKey);
        LogContext.streamKey = Objects.requireNonNull(streamKey);
    }

    static String jobRunIdKey() {
        return jobRunIdKey;
    }

    static String taskRunIdKey() {
        return taskRunIdKey;
    }

    static String streamKey() {
        return streamKey;
    }

    /**
     * {@return a job scope: lines are job logs of {@code jobRunId} (any task id or stream of an outer scope is hidden)}
     *
     * @param jobRunId the job run
     */
    public static Scope job(UUID jobRunId) {
        String id = Objects.requireNonNull(jobRunId, "jobRunId").toString();
        return Scope.open(id, null, null).endingRun(id);
    }

    /**
     * {@return a task scope inside the current job scope: lines are task logs, on stdout (stderr for WARN and ERROR)}
     *
     * @param taskRunId the task run
     */
    public static Scope task(UUID taskRunId) {
        String id = Objects.requireNonNull(taskRunId, "taskRunId").toString();
        return Scope.open(MDC.get(jobRunIdKey), id, null).endingRun(id);
    }

    /**
     * {@return a task scope whose lines all go to {@code stream}}
     *
     * @param taskRunId the task run
     * @param stream the stream, or {@code null} to let the level decide (stdout, stderr for WARN and ERROR)
     */
    public static Scope task(UUID taskRunId, LogStream stream) {
        String id = Objects.requireNonNull(taskRunId, "taskRunId").toString();
        return Scope.open(MDC.get(jobRunIdKey), id, Objects.requireNonNull(stream, "stream").dbValue()).endingRun(id);
    }

    /**
     * {@return a task scope of {@code jobRunId}, for code that has no job scope around it}
     *
     * @param jobRunId the job run
     * @param taskRunId the task run
     */
    public static Scope task(UUID jobRunId, UUID taskRunId) {
        String id = Objects.requireNonNull(taskRunId, "taskRunId").toString();
        return Scope.open(Objects.requireNonNull(jobRunId, "jobRunId").toString(), id, null).endingRun(id);
    }

    /** {@return the current run ids and the rest of the MDC, to apply on another thread} */
    public static ContextSnapshot capture() {
        return ContextSnapshot.capture();
    }

    /**
     * {@code work}, running under the scope that is current now, whichever thread runs it.
     *
     * @param work what to run under the captured scope
     * @return the wrapped work
     */
    public static Runnable wrap(Runnable work) {
        return capture().wrap(work);
    }

    /**
     * {@code work}, running under the scope that is current now, whichever thread runs it.
     *
     * @param <T> what the work takes or returns
     * @param work what to run under the captured scope
     * @return the wrapped work
     */
    public static <T> Callable<T> wrap(Callable<T> work) {
        return capture().wrap(work);
    }

    /**
     * {@code work}, running under the scope that is current now: for {@code CompletableFuture.supplyAsync}.
     *
     * @param <T> what the work takes or returns
     * @param work what to run under the captured scope
     * @return the wrapped work
     */
    public static <T> Supplier<T> wrapSupplier(Supplier<T> work) {
        return capture().wrapSupplier(work);
    }

    /**
     * {@code work}, running under the scope that is current now: for {@code thenApply} and friends.
     *
     * @param <T> what the work takes or returns
     * @param <R> what the function returns
     * @param work what to run under the captured scope
     * @return the wrapped work
     */
    public static <T, R> Function<T, R> wrapFunction(Function<T, R> work) {
        return capture().wrapFunction(work);
    }

    /**
     * {@return an executor that runs each task under the scope current when it was handed over}
     *
     * @param executor the executor to wrap
     */
    public static Executor wrap(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return task -> executor.execute(wrap(task));
    }

    /**
     * An executor service that runs each task under the scope current when it was submitted; shutting it
     * down shuts {@code executor} down. Works for pools, {@code ForkJoinPool} and virtual-thread executors.
     *
     * @param executor the executor to wrap
     * @return the wrapping executor service
     */
    public static ExecutorService wrap(ExecutorService executor) {
        return new ContextExecutorService(executor);
    }

    /** An open scope; {@link #close()} restores the keys as they were before it opened. */
    public static final class Scope implements AutoCloseable {

        private final String previousJobRunId;
        private final String previousTaskRunId;
        private final String previousStream;
        private boolean closed;
        private String run;

        private Scope(String previousJobRunId, String previousTaskRunId, String previousStream) {
            this.previousJobRunId = previousJobRunId;
            this.previousTaskRunId = previousTaskRunId;
            this.previousStream = previousStream;
        }

        static Scope open(String jobRunId, String taskRunId, String stream) {
            Scope scope = new Scope(MDC.get(jobRunIdKey), MDC.get(taskRunIdKey), MDC.get(streamKey));
            set(jobRunIdKey, jobRunId);
            set(taskRunIdKey, taskRunId);
            set(streamKey, stream);
            return scope;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            set(jobRunIdKey, previousJobRunId);
            set(taskRunIdKey, previousTaskRunId);
            set(streamKey, previousStream);
            if (run != null && !run.equals(previousJobRunId) && !run.equals(previousTaskRunId)) {
                ScopeEnds.ended(run);
            }
        }

        /** Marks this scope as the span of {@code runId}'s work: its close tells the samplers the run ended. */
        Scope endingRun(String runId) {
            this.run = runId;
            return this;
        }

        private static void set(String key, String value) {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        }
    }
}

package io.stratal.logs.context;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Runs a task's subprocess and turns its output into task logs: every line of stdout and stderr becomes a
 * log line with {@code stream} set accordingly, under the job and task scope of the calling thread, and the
 * exit code is logged when it ends.
 *
 * <pre>{@code
 * try (var task = LogContext.task(taskRunId)) {
 *     TaskProcess.Result result = TaskProcess.of(new ProcessBuilder("sh", "-c", "make test"))
 *             .timeout(Duration.ofMinutes(10))
 *             .run();
 * }
 * }</pre>
 *
 * Both streams are read at once on threads of their own, so a process that fills one pipe never
 * deadlocks; lines keep their order within each stream. Bytes that are not valid in the charset become
 * U+FFFD; a line longer than {@code maxLineLength} characters is stored in parts
 * ({@code metadata.line_part}, {@code line_continues}), not cut. Standard input is closed at once.
 *
 * <p>The output ends when the process has exited and its pipes are empty, even if a child it left running
 * still holds them: so the task ends with its process, and what such a child writes later is not captured.
 */
public final class TaskProcess {

    /**
     * What became of the process.
     *
     * @param exitCode       the process's exit code
     * @param stdoutLines    lines logged from its standard output
     * @param stderrLines    lines logged from its standard error
     * @param timedOut       whether it was stopped at its timeout
     * @param outputLeftOpen whether the last of its output was not logged within {@code drainTimeout} of its exit
     */
    public record Result(int exitCode, long stdoutLines, long stderrLines, boolean timedOut, boolean outputLeftOpen) {
    }

    private final ProcessBuilder process;
    private Logger logger = LoggerFactory.getLogger(TaskProcess.class);
    private Duration timeout;
    private Duration drainTimeout = Duration.ofSeconds(2);
    private int maxLineLength = 64 * 1024;
    private Charset charset = StandardCharsets.UTF_8;

    private TaskProcess(ProcessBuilder process) {
        this.process = Objects.requireNonNull(process, "process");
    }

    /**
     * {@return a run of {@code process}, to be configured and then {@link #run()}}
     *
     * @param process the command, its directory and environment
     */
    public static TaskProcess of(ProcessBuilder process) {
        return new TaskProcess(process);
    }

    /**
     * Runs {@code process} with the defaults, logging its output through {@code logger}.
     *
     * @param process the command, its directory and environment
     * @param logger  the logger its lines go to, under the current task scope
     * @return the exit code
     * @throws IOException          when the process cannot be started
     * @throws InterruptedException when the waiting thread is interrupted (the process is stopped)
     */
    public static int run(ProcessBuilder process, Logger logger) throws IOException, InterruptedException {
        return of(process).logger(logger).run().exitCode();
    }

    /**
     * {@return the logger the output goes to. Default: this class's}
     *
     * @param logger the logger the lines go to
     */
    public TaskProcess logger(Logger logger) {
        this.logger = Objects.requireNonNull(logger, "logger");
        return this;
    }

    /**
     * How long the process may run; then it is stopped, politely and then by force. Default: no limit.
     *
     * @param timeout the limit, or {@code null} for none
     * @return this
     */
    public TaskProcess timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /**
     * How long to wait, after the process exited, for its remaining output to be logged; past it the rest is
     * not logged and the result says so. Default 2 seconds.
     *
     * @param drainTimeout how long to keep reading the pipes after the process ended
     * @return this
     */
    public TaskProcess drainTimeout(Duration drainTimeout) {
        this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
        return this;
    }

    /**
     * Longer lines are stored in parts of this many characters. Default 65536.
     *
     * @param maxLineLength characters, 1 or more
     * @return this
     */
    public TaskProcess maxLineLength(int maxLineLength) {
        if (maxLineLength < 1) {
            throw new IllegalArgumentException("maxLineLength must be at least 1");
        }
        this.maxLineLength = maxLineLength;
        return this;
    }

    /**
     * {@return the charset the process writes. Default UTF-8}
     *
     * @param charset how the output's bytes are read
     */
    public TaskProcess charset(Charset charset) {
        this.charset = Objects.requireNonNull(charset, "charset");
        return this;
    }

    /**
     * Starts the process, logs its output until it ends, and logs the exit code.
     *
     * @return the exit code, the lines logged and whether it timed out
     * @throws IOException          when the process cannot be started
     * @throws InterruptedException when the waiting thread is interrupted (the process is stopped)
     */
    public Result run() throws IOException, InterruptedException {
        ContextSnapshot context = LogContext.capture();
        long started = System.nanoTime();
        Process running = process.start();
        running.getOutputStream().close();
        OutputPump stdout = new OutputPump(running, running.getInputStream(), "stdout", logger, context, maxLineLength, charset);
        OutputPump stderr = new OutputPump(running, running.getErrorStream(), "stderr", logger, context, maxLineLength, charset);
        Thread stdoutThread = stdout.start("stratal-stdout-" + running.pid());
        Thread stderrThread = stderr.start("stratal-stderr-" + running.pid());

        boolean timedOut = false;
        if (timeout == null) {
            running.waitFor();
        } else if (!running.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            timedOut = true;
            stop(running);
        }
        boolean leftOpen = !joinBoth(stdoutThread, stderrThread, drainTimeout);
        if (leftOpen) {
            stdout.stopLogging();
            stderr.stopLogging();
        }
        int exitCode = running.exitValue();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        logEnd(context, exitCode, millis, timedOut, leftOpen, stdout.lines(), stderr.lines());
        return new Result(exitCode, stdout.lines(), stderr.lines(), timedOut, leftOpen);
    }

    private static void stop(Process running) throws InterruptedException {
        running.descendants().forEach(ProcessHandle::destroy);
        running.destroy();
        if (!running.waitFor(5, TimeUnit.SECONDS)) {
            running.descendants().forEach(ProcessHandle::destroyForcibly);
            running.destroyForcibly().waitFor();
        }
    }

    private static boolean joinBoth(Thread a, Thread b, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        a.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        b.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        return !a.isAlive() && !b.isAlive();
    }

    private void logEnd(ContextSnapshot context, int exitCode, long millis, boolean timedOut, boolean leftOpen,
                        long stdoutLines, long stderrLines) {
        context.run(() -> {
            try (LogContext.Scope systemStream = LogContext.Scope.open(MDC.get(LogContext.jobRunIdKey()),
                    MDC.get(LogContext.taskRunIdKey()), "system")) {
                LoggingEventBuilder end = timedOut
                        ? logger.atError().setMessage("Process timed out after {} and was stopped (exit code {})")
                                .addArgument(timeout).addArgument(exitCode).addKeyValue("timed_out", true)
                        : exitCode == 0
                        ? logger.atInfo().setMessage("Process exited with code 0")
                        : logger.atError().setMessage("Process exited with code {}").addArgument(exitCode);
                end.addKeyValue("exit_code", exitCode).addKeyValue("duration_ms", millis)
                        .addKeyValue("command", List.copyOf(process.command()))
                        .addKeyValue("stdout_lines", stdoutLines).addKeyValue("stderr_lines", stderrLines).log();
                if (leftOpen) {
                    logger.atWarn().setMessage("The rest of the process's output was not logged within {} of its exit")
                            .addArgument(drainTimeout).log();
                }
            }
        });
    }
}

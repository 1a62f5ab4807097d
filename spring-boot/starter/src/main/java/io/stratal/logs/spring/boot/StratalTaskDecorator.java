package io.stratal.logs.spring.boot;

import io.stratal.logs.context.LogContext;
import org.springframework.core.task.TaskDecorator;

/**
 * Runs work handed to an executor under the job and task scope (the whole MDC) of the thread that handed it
 * over, and puts the pool thread's own MDC back afterwards, so a pooled thread never keeps a task's scope.
 * The starter applies it to the executors and schedulers Spring Boot builds ({@code @Async},
 * {@code TaskExecutor}, {@code TaskScheduler}); set it on an executor of your own with
 * {@code setTaskDecorator(new StratalTaskDecorator())}.
 */
public final class StratalTaskDecorator implements TaskDecorator {

    private final TaskDecorator inner;

    /** A decorator that only carries the scope. */
    public StratalTaskDecorator() {
        this(null);
    }

    /**
     * A decorator that carries the scope around {@code inner}'s decoration.
     *
     * @param inner the decorator the executor had, applied inside the scope; {@code null} for none
     */
    public StratalTaskDecorator(TaskDecorator inner) {
        this.inner = inner;
    }

    @Override
    public Runnable decorate(Runnable runnable) {
        return LogContext.wrap(inner == null ? runnable : inner.decorate(runnable));
    }
}

package io.stratal.logs.internal;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Tells who listens (the appenders' samplers) that a job or task scope has ended, so that what was counted
 * under its run id is summarised at once rather than when its window runs out. Only scopes that mark the
 * run's work end here: {@code LogContext.job} and {@code LogContext.task}, and closing a {@code JobRunLogger};
 * not the scope a single {@code JobRunLogger} call opens around itself.
 */
public final class ScopeEnds {

    private static final CopyOnWriteArrayList<Consumer<String>> LISTENERS = new CopyOnWriteArrayList<>();

    private ScopeEnds() {
    }

    /** Calls {@code listener} with the run id of every scope that ends, on the thread that ends it. */
    public static void listen(Consumer<String> listener) {
        LISTENERS.add(listener);
    }

    /** Stops calling {@code listener}. */
    public static void unlisten(Consumer<String> listener) {
        LISTENERS.remove(listener);
    }

    /** The scope of {@code runId} ended. A listener that throws is skipped: ending a scope never fails. */
    public static void ended(String runId) {
        for (Consumer<String> listener : LISTENERS) {
            try {
                listener.accept(runId);
            } catch (RuntimeException ignored) {
                // a listener's own failure is its to report; the application's scope has ended regardless
            }
        }
    }
}

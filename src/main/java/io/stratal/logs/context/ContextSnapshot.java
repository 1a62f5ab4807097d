package io.stratal.logs.context;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * The MDC of one moment (run ids and all), to run work under on another thread. The thread's own MDC is
 * put back when the work ends, so pool threads never keep a task's context.
 */
public final class ContextSnapshot {

    private final Map<String, String> context;

    private ContextSnapshot(Map<String, String> context) {
        this.context = context;
    }

    static ContextSnapshot capture() {
        return new ContextSnapshot(MDC.getCopyOfContextMap());
    }

    /**
     * Runs {@code work} under this context, on the calling thread.
     *
     * @param work what to run under the captured scope
     */
    public void run(Runnable work) {
        Map<String, String> previous = install();
        try {
            work.run();
        } finally {
            restore(previous);
        }
    }

    /**
     * Calls {@code work} under this context, on the calling thread, and puts the thread's own MDC back after.
     *
     * @param work what to run
     * @param <T>  what it returns
     * @return what {@code work} returned
     * @throws Exception what {@code work} threw
     */
    public <T> T call(Callable<T> work) throws Exception {
        Map<String, String> previous = install();
        try {
            return work.call();
        } finally {
            restore(previous);
        }
    }

    /**
     * {@code work} to run under this context, on whatever thread runs it.
     *
     * @param work what to run
     * @return the wrapped work
     */
    public Runnable wrap(Runnable work) {
        return () -> run(work);
    }

    /**
     * {@code work} to call under this context, on whatever thread calls it.
     *
     * @param work what to call
     * @param <T>  what it returns
     * @return the wrapped work
     */
    public <T> Callable<T> wrap(Callable<T> work) {
        return () -> call(work);
    }

    /**
     * {@code work} to get under this context, on whatever thread gets it.
     *
     * @param work what to get
     * @param <T>  what it supplies
     * @return the wrapped work
     */
    public <T> Supplier<T> wrapSupplier(Supplier<T> work) {
        return () -> {
            Map<String, String> previous = install();
            try {
                return work.get();
            } finally {
                restore(previous);
            }
        };
    }

    /**
     * {@code work} to apply under this context, on whatever thread applies it.
     *
     * @param work what to apply
     * @param <T>  what it takes
     * @param <R>  what it returns
     * @return the wrapped work
     */
    public <T, R> Function<T, R> wrapFunction(Function<T, R> work) {
        return value -> {
            Map<String, String> previous = install();
            try {
                return work.apply(value);
            } finally {
                restore(previous);
            }
        };
    }

    private Map<String, String> install() {
        Map<String, String> previous = MDC.getCopyOfContextMap();
        if (context == null) {
            MDC.clear();
        } else {
            MDC.setContextMap(context);
        }
        return previous;
    }

    private static void restore(Map<String, String> previous) {
        if (previous == null) {
            MDC.clear();
        } else {
            MDC.setContextMap(previous);
        }
    }
}

package io.stratal.logs.context;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An executor service whose tasks run under the context of the thread that handed them over.
 * {@code submit}, {@code invokeAll} and {@code invokeAny} all go through {@link #execute} on the caller's
 * thread, which is where the context is captured.
 */
final class ContextExecutorService extends AbstractExecutorService {

    private final ExecutorService delegate;

    ContextExecutorService(ExecutorService delegate) {
        this.delegate = Objects.requireNonNull(delegate, "executor");
    }

    @Override
    public void execute(Runnable command) {
        delegate.execute(LogContext.wrap(command));
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return delegate.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return delegate.awaitTermination(timeout, unit);
    }
}

package io.stratal.logs.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratal.logs.LogStream;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/** The scopes' effect on the MDC, and its propagation; the stored rows are in ContextApiIT. */
@Timeout(20)
class LogContextTest {

    private final UUID job = UUID.randomUUID();
    private final UUID task = UUID.randomUUID();

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void nestedScopesSetAndRestoreTheKeys() {
        MDC.put("stream", "stderr");
        try (LogContext.Scope j = LogContext.job(job)) {
            assertThat(MDC.get("job_run_id")).isEqualTo(job.toString());
            assertThat(MDC.get("stream")).as("a job scope hides an outer stream").isNull();
            try (LogContext.Scope t = LogContext.task(task, LogStream.STDERR)) {
                assertThat(MDC.get("job_run_id")).isEqualTo(job.toString());
                assertThat(MDC.get("task_run_id")).isEqualTo(task.toString());
                assertThat(MDC.get("stream")).isEqualTo("stderr");
            }
            assertThat(MDC.get("task_run_id")).isNull();
            assertThat(MDC.get("job_run_id")).isEqualTo(job.toString());
        }
        assertThat(MDC.get("job_run_id")).isNull();
        assertThat(MDC.get("stream")).isEqualTo("stderr");
    }

    @Test
    void anEscapingExceptionStillRestores() {
        assertThatThrownBy(() -> {
            try (LogContext.Scope j = LogContext.job(job); LogContext.Scope t = LogContext.task(task)) {
                throw new IllegalStateException("boom");
            }
        }).hasMessage("boom");
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void closingTwiceDoesNotUndoAnOuterScope() {
        try (LogContext.Scope outer = LogContext.job(job)) {
            LogContext.Scope inner = LogContext.task(task);
            inner.close();
            inner.close();
            assertThat(MDC.get("job_run_id")).isEqualTo(job.toString());
        }
    }

    @Test
    void aWrappedExecutorRunsTasksUnderTheSubmittersScopeAndCleansUpAfter() throws Exception {
        ExecutorService pool = LogContext.wrap(Executors.newSingleThreadExecutor());
        try {
            String seen;
            try (LogContext.Scope j = LogContext.job(job); LogContext.Scope t = LogContext.task(task)) {
                seen = pool.submit(() -> MDC.get("task_run_id")).get(5, TimeUnit.SECONDS);
            }
            assertThat(seen).isEqualTo(task.toString());
            assertThat(pool.submit(() -> MDC.get("task_run_id")).get(5, TimeUnit.SECONDS))
                    .as("the pool thread keeps nothing").isNull();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void completableFutureStagesCarryTheScope() throws Exception {
        ExecutorService raw = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<String> future;
            try (LogContext.Scope j = LogContext.job(job)) {
                future = CompletableFuture.supplyAsync(LogContext.wrapSupplier(() -> MDC.get("job_run_id")), raw)
                        .thenApplyAsync(LogContext.wrapFunction(first -> first + "/" + MDC.get("job_run_id")), raw);
            }
            assertThat(future.get(5, TimeUnit.SECONDS)).isEqualTo(job + "/" + job);
        } finally {
            raw.shutdown();
        }
    }
}

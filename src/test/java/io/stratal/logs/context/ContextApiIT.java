package io.stratal.logs.context;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogStream;
import io.stratal.logs.testing.GlobalLogging;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TestDatabase;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Every path of the Java logging API, through SLF4J and the appender, asserted on the stored rows. */
@Timeout(60)
class ContextApiIT {

    @RegisterExtension
    static final DatabaseExtension database = new DatabaseExtension();
    private static TestDatabase db;
    private final UUID job = UUID.randomUUID();
    private final UUID task = UUID.randomUUID();
    private final Logger log = LoggerFactory.getLogger("com.example.Runner");

    @BeforeAll
    static void database() {
        db = database.get();
    }


    @BeforeEach
    void configure() {
        db.execute("DROP TABLE IF EXISTS logs");
        GlobalLogging.configure("config/unified.xml", Map.of("url", db.url()));
    }

    @AfterEach
    void restore() {
        MDC.clear();
        GlobalLogging.restore();
    }

    /** Drains the appender (by stopping the context) and returns the rows in order. */
    private static List<Map<String, Object>> rows() {
        GlobalLogging.restore();
        return db.query("SELECT type, job_run_id, task_run_id, level, stream, message, metadata FROM logs ORDER BY id");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Map<String, Object> row) {
        return (Map<String, Object>) row.get("metadata");
    }

    @Test
    void theGoStyleExamplesStoreTheRowsTheyDescribe() {
        UnifiedLogger logger = UnifiedLogger.getLogger("io.stratal.Scheduler");
        logger.logSystem(LogLevel.INFO, "Server started successfully", Map.of("port", 8080, "version", "1.0.0"));
        try (JobRunLogger jobLogger = logger.getJobRunLogger(job)) {
            jobLogger.logJob(LogLevel.INFO, "Job execution started", Map.of("total_tasks", 5, "estimated_duration", "2m"));
            jobLogger.logTask(task, LogLevel.INFO, "HTTP request completed", "stdout",
                    Map.of("status_code", 200, "response_time", "150ms"));
            jobLogger.logTask(task, LogLevel.ERROR, "Task failed", "stderr", Map.of("error", "connection timeout", "retry_count", 3));
        }

        List<Map<String, Object>> rows = rows();
        assertThat(rows).extracting(r -> r.get("type")).containsExactly("system", "job", "task", "task");
        assertThat(rows.get(0).get("job_run_id")).isNull();
        assertThat(metadata(rows.get(0))).containsEntry("port", 8080).containsEntry("version", "1.0.0");
        assertThat(rows.get(1)).containsEntry("job_run_id", job).containsEntry("stream", "system");
        assertThat(metadata(rows.get(1))).containsEntry("total_tasks", 5).containsEntry("estimated_duration", "2m");
        assertThat(rows.get(2)).containsEntry("job_run_id", job).containsEntry("task_run_id", task).containsEntry("stream", "stdout");
        assertThat(metadata(rows.get(2))).containsEntry("status_code", 200).containsEntry("response_time", "150ms");
        assertThat(rows.get(3)).containsEntry("level", "error").containsEntry("stream", "stderr");
        assertThat(metadata(rows.get(3))).containsEntry("retry_count", 3);
        assertThat(db.scalar("SELECT jsonb_typeof(metadata->'status_code') FROM logs WHERE message = 'HTTP request completed'"))
                .isEqualTo("number");
    }

    @Test
    void aJobRunLoggerIsTheSameUntilClosed() {
        UnifiedLogger logger = UnifiedLogger.getLogger(ContextApiIT.class);
        JobRunLogger first = logger.getJobRunLogger(job);
        assertThat(logger.getJobRunLogger(job)).isSameAs(first);
        logger.closeJobRunLogger(job);
        assertThat(logger.getJobRunLogger(job)).isNotSameAs(first);
    }

    @Test
    void aSystemLogInsideAJobScopeHasNoIds() {
        try (LogContext.Scope scope = LogContext.job(job)) {
            UnifiedLogger.getLogger("x").logSystem(LogLevel.WARN, "config reloaded", null);
            log.info("job line");
        }
        List<Map<String, Object>> rows = rows();
        assertThat(rows).extracting(r -> r.get("type")).containsExactly("system", "job");
        assertThat(rows.get(0).get("job_run_id")).isNull();
    }

    @Test
    void scopesAroundPlainSlf4jMakeJobAndTaskLogsAndRestoreWhatWasThere() {
        log.info("before");
        try (LogContext.Scope j = LogContext.job(job)) {
            log.info("job line");
            try (LogContext.Scope t = LogContext.task(task)) {
                log.info("task line");
                log.warn("task warning");
            }
            try (LogContext.Scope t = LogContext.task(task, LogStream.STDERR)) {
                log.info("task line on stderr");
            }
            try (LogContext.Scope t = LogContext.task(task)) {
                throw new IllegalStateException("escapes");
            } catch (IllegalStateException expected) {
                log.info("after a failed task");
            }
        }
        log.info("after");

        List<Map<String, Object>> rows = rows();
        assertThat(rows).extracting(r -> r.get("type") + "/" + r.get("stream"))
                .containsExactly("system/system", "job/system", "task/stdout", "task/stderr", "task/stderr", "job/system",
                        "system/system");
    }

    @Test
    void aTaskOnAPoolThreadLogsAsThatTask() throws Exception {
        ExecutorService pool = LogContext.wrap(Executors.newFixedThreadPool(2));
        try (LogContext.Scope j = LogContext.job(job); LogContext.Scope t = LogContext.task(task)) {
            pool.submit(() -> log.info("from the pool")).get(5, TimeUnit.SECONDS);
            pool.invokeAll(List.of(() -> {
                log.info("from invokeAll");
                return 1;
            }));
        } finally {
            pool.shutdown();
        }
        pool.awaitTermination(5, TimeUnit.SECONDS);

        assertThat(rows()).allSatisfy(row -> assertThat(row).containsEntry("type", "task").containsEntry("task_run_id", task)
                .containsEntry("job_run_id", job)).hasSize(2);
    }

    @Test
    void completableFutureStagesLogAsTheirTask() throws Exception {
        ExecutorService raw = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<Void> done;
            try (LogContext.Scope j = LogContext.job(job); LogContext.Scope t = LogContext.task(task)) {
                done = CompletableFuture.supplyAsync(LogContext.wrapSupplier(() -> {
                    log.info("first stage");
                    return 1;
                }), raw).thenApplyAsync(LogContext.wrapFunction(n -> {
                    log.info("second stage");
                    return n + 1;
                }), LogContext.wrap((java.util.concurrent.Executor) raw)).thenAccept(n -> { });
            }
            done.get(5, TimeUnit.SECONDS);
        } finally {
            raw.shutdown();
        }
        assertThat(rows()).extracting(r -> r.get("task_run_id")).containsExactly(task, task);
    }

    @Test
    void virtualThreadsCarryTheScope() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 21, "virtual threads need Java 21; CI runs this on Java 25");
        ExecutorService virtual = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        ExecutorService wrapped = LogContext.wrap(virtual);
        try (LogContext.Scope j = LogContext.job(job); LogContext.Scope t = LogContext.task(task)) {
            for (int i = 0; i < 20; i++) {
                int n = i;
                wrapped.submit(() -> log.info("virtual {}", n));
            }
        }
        wrapped.shutdown();
        assertThat(wrapped.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        List<Map<String, Object>> rows = rows();
        assertThat(rows).hasSize(20).allSatisfy(row -> assertThat(row).containsEntry("task_run_id", task));
    }
}

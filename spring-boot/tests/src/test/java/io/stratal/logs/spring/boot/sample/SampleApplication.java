package io.stratal.logs.spring.boot.sample;

import io.stratal.logs.context.LogContext;
import jakarta.annotation.PreDestroy;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application as a team writes one: the starter as its only logging dependency, a scheduled job that
 * opens a job and a task scope and hands work to an {@code @Async} method and to the {@code TaskExecutor},
 * a web endpoint, and a line when it stops. {@code sample.job-run-id} and {@code sample.task-run-id} fix the
 * run ids, so a test can find the rows.
 */
@SpringBootApplication
@EnableScheduling
@EnableAsync
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }

    @RestController
    static class Hello {

        private static final Logger log = LoggerFactory.getLogger(Hello.class);

        @GetMapping("/hello")
        String hello() {
            log.info("said hello");
            return "hello";
        }
    }

    @Component
    public static class Renderer {

        private static final Logger log = LoggerFactory.getLogger(Renderer.class);

        @Async
        public CompletableFuture<String> render() {
            log.info("rendered in an @Async method");
            return CompletableFuture.completedFuture("done");
        }
    }

    @Component
    static class ReportJob {

        private static final Logger log = LoggerFactory.getLogger(ReportJob.class);

        private final Renderer renderer;
        private final TaskExecutor executor;
        private final UUID jobRunId;
        private final UUID taskRunId;

        ReportJob(Renderer renderer, @Qualifier("applicationTaskExecutor") TaskExecutor executor, @Value("${sample.job-run-id:}") String jobRunId,
                  @Value("${sample.task-run-id:}") String taskRunId) {
            this.renderer = renderer;
            this.executor = executor;
            this.jobRunId = jobRunId.isEmpty() ? null : UUID.fromString(jobRunId);
            this.taskRunId = taskRunId.isEmpty() ? null : UUID.fromString(taskRunId);
        }

        @Scheduled(initialDelay = 0, fixedDelay = 3_600_000)
        void run() throws Exception {
            if (jobRunId == null) {
                return;
            }
            try (var job = LogContext.job(jobRunId)) {
                log.info("report job started");
                try (var task = LogContext.task(taskRunId)) {
                    log.info("rendering");
                    renderer.render().get();
                    CompletableFuture<Void> handed = new CompletableFuture<>();
                    executor.execute(() -> {
                        log.info("rendered on the task executor");
                        handed.complete(null);
                    });
                    handed.get();
                }
                log.info("report job finished");
            }
            // the same pool threads, outside any scope: they kept none
            CompletableFuture<Void> after = new CompletableFuture<>();
            executor.execute(() -> {
                log.info("after the job, on the task executor");
                after.complete(null);
            });
            after.get();
            renderer.render().get();
            log.info("report job done");
        }
    }

    @Component
    static class Goodbye {

        private static final Logger log = LoggerFactory.getLogger(Goodbye.class);

        @PreDestroy
        void stop() {
            log.info("sample application stopping");
        }
    }
}

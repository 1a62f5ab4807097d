package io.stratal.logs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratal.logs.spring.boot.sample.SampleApplication;
import io.stratal.logs.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sample application in a JVM of its own, as it runs in production, with the starter as its only
 * logging setup and nothing but {@code spring.datasource.url} configured: its startup lines, a scheduled job
 * with a task scope that hands work to an {@code @Async} method and to the {@code TaskExecutor}, and its
 * shutdown lines after a SIGTERM, Spring Boot's own included, are all in {@code logs}, each once, with the
 * right type and ids.
 */
class StarterApplicationTest {

    private static TestDatabase db;
    private static final UUID JOB = UUID.randomUUID();
    private static final UUID TASK = UUID.randomUUID();

    @BeforeAll
    static void runTheApplication() throws Exception {
        db = TestDatabase.create();
        Path output = Files.createDirectories(Path.of("target")).resolve("sample-application.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                SampleApplication.class.getName(),
                "--spring.datasource.url=" + db.url(),
                "--server.port=0",
                "--sample.job-run-id=" + JOB,
                "--sample.task-run-id=" + TASK));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> db.count("SELECT count(*) FROM logs WHERE message = 'report job done'") == 1);
        } finally {
            process.destroy(); // SIGTERM: Spring Boot's shutdown hook closes the context, then stops logging
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the application stops; its output: " + output).isTrue();
        }
    }

    @AfterAll
    static void dropTheDatabase() {
        if (db != null) {
            db.close();
        }
    }

    private static List<Map<String, Object>> rows(String message) {
        return db.query("SELECT type, job_run_id::text AS job, task_run_id::text AS task, message FROM logs WHERE message = '"
                + message.replace("'", "''") + "'");
    }

    private static long like(String pattern) {
        return db.count("SELECT count(*) FROM logs WHERE message LIKE '" + pattern + "'");
    }

    @Test
    void startupLinesAreStored() {
        assertThat(like("Starting SampleApplication using Java%")).isEqualTo(1);
        assertThat(like("Started SampleApplication in %")).isEqualTo(1);
        assertThat(db.query("SELECT DISTINCT type FROM logs WHERE message LIKE 'Start% SampleApplication %'"))
                .containsExactly(Map.of("type", "system"));
    }

    @Test
    void aScheduledJobsLinesCarryItsJobAndTask() {
        assertThat(rows("report job started")).containsExactly(row("job", JOB, null, "report job started"));
        assertThat(rows("rendering")).containsExactly(row("task", JOB, TASK, "rendering"));
        assertThat(rows("report job finished")).containsExactly(row("job", JOB, null, "report job finished"));
    }

    @Test
    void workHandedToAsyncMethodsAndTheTaskExecutorKeepsTheScopeAndLeavesNoneBehind() {
        assertThat(rows("rendered on the task executor")).containsExactly(row("task", JOB, TASK, "rendered on the task executor"));
        // once inside the task, once after the job: the pool thread did not keep the task's scope
        assertThat(rows("rendered in an @Async method")).containsExactlyInAnyOrder(
                row("task", JOB, TASK, "rendered in an @Async method"), row("system", null, null, "rendered in an @Async method"));
        assertThat(rows("after the job, on the task executor")).containsExactly(
                row("system", null, null, "after the job, on the task executor"));
    }

    @Test
    void shutdownLinesAreStoredSpringBootsOwnIncluded() {
        assertThat(rows("sample application stopping")).containsExactly(row("system", null, null, "sample application stopping"));
        assertThat(like("Commencing graceful shutdown%")).isEqualTo(1);
        assertThat(like("Graceful shutdown complete%")).isEqualTo(1);
    }

    @Test
    void eachLineIsStoredOnce() {
        assertThat(db.count("SELECT count(*) FROM (SELECT message, type, task_run_id FROM logs "
                + "WHERE message NOT LIKE 'HikariPool%' GROUP BY 1, 2, 3 HAVING count(*) > 1) twice")).isZero();
    }

    private static Map<String, Object> row(String type, UUID job, UUID task, String message) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("type", type);
        row.put("job", job == null ? null : job.toString());
        row.put("task", task == null ? null : task.toString());
        row.put("message", message);
        return row;
    }
}

package io.stratal.logs.context;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratal.logs.testing.GlobalLogging;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

/** A task's subprocess output, line by line, as task logs in the database. */
@Timeout(120)
class TaskProcessIT {

    @RegisterExtension
    static final DatabaseExtension database = new DatabaseExtension();
    private static TestDatabase db;
    private final UUID job = UUID.randomUUID();
    private final UUID task = UUID.randomUUID();

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

    private TaskProcess.Result runInTask(TaskProcess process) throws Exception {
        try (LogContext.Scope j = LogContext.job(job); LogContext.Scope t = LogContext.task(task)) {
            return process.run();
        }
    }

    private static TaskProcess shell(String script) {
        return TaskProcess.of(new ProcessBuilder("sh", "-c", script));
    }

    private static List<Map<String, Object>> rows(String where) {
        GlobalLogging.restore(); // drains the appender
        return db.query("SELECT type, job_run_id, task_run_id, level, stream, message, metadata FROM logs WHERE " + where + " ORDER BY id");
    }

    @Test
    void interleavedStdoutAndStderrKeepTheirOrderPerStream() throws Exception {
        TaskProcess.Result result = runInTask(shell("for i in $(seq 1 200); do echo out $i; echo err $i >&2; done"));

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdoutLines()).isEqualTo(200);
        List<Map<String, Object>> out = rows("stream = 'stdout'");
        assertThat(out).extracting(r -> r.get("message"))
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 200).mapToObj(i -> "out " + i).collect(Collectors.toList()));
        assertThat(out).allSatisfy(r -> assertThat(r).containsEntry("type", "task").containsEntry("task_run_id", task)
                .containsEntry("job_run_id", job));
        assertThat(db.query("SELECT message FROM logs WHERE stream = 'stderr' ORDER BY id")).extracting(r -> r.get("message"))
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 200).mapToObj(i -> "err " + i).collect(Collectors.toList()));
        Map<String, Object> end = db.query("SELECT level, stream, metadata FROM logs WHERE message LIKE 'Process exited%'").get(0);
        assertThat(end).containsEntry("level", "info").containsEntry("stream", "system");
        assertThat(end.get("metadata").toString()).contains("exit_code=0");
    }

    @Test
    void aOneMegabyteLineIsStoredWholeInParts() throws Exception {
        runInTask(shell("head -c 1048576 /dev/zero | tr '\\0' 'a'; echo; echo next"));

        List<Map<String, Object>> parts = rows("stream = 'stdout' ORDER BY id --");
        String joined = parts.stream().limit(parts.size() - 1).map(r -> (String) r.get("message")).collect(Collectors.joining());
        assertThat(joined).hasSize(1_048_576).matches("a+");
        assertThat(parts.get(0).get("metadata").toString()).contains("line_part=1").contains("line_continues=true");
        assertThat(parts.get(parts.size() - 2).get("metadata").toString()).contains("line_continues=false");
        assertThat(parts.get(parts.size() - 1)).containsEntry("message", "next");
    }

    @Test
    void binaryGarbageIsRepairedNotLost() throws Exception {
        runInTask(shell("printf 'bad \\377\\376 bytes\\n'; printf 'nul \\000 inside\\n'; printf 'crlf line\\r\\n'; printf 'no newline at the end'"));

        List<Map<String, Object>> lines = rows("stream = 'stdout'");
        assertThat(lines).extracting(r -> r.get("message")).containsExactly("bad \uFFFD\uFFFD bytes", "nul \uFFFD inside",
                "crlf line", "no newline at the end");
    }

    @Test
    void aChildThatKeepsThePipesOpenDoesNotHoldTheTask() throws Exception {
        long started = System.nanoTime();
        TaskProcess.Result result = runInTask(shell("sleep 30 & echo started"));

        assertThat((System.nanoTime() - started) / 1_000_000).as("the task ends with its process, not the child").isLessThan(10_000);
        assertThat(result.exitCode()).isZero();
        assertThat(result.outputLeftOpen()).isFalse();
        assertThat(rows("stream = 'stdout'")).extracting(r -> r.get("message")).containsExactly("started");
    }

    @Test
    void aProcessPastItsTimeoutIsStoppedAndReported() throws Exception {
        TaskProcess.Result result = runInTask(shell("echo working; sleep 60").timeout(Duration.ofSeconds(1)));

        assertThat(result.timedOut()).isTrue();
        List<Map<String, Object>> rows = rows("true");
        assertThat(rows).extracting(r -> r.get("message")).contains("working");
        assertThat(rows).anySatisfy(r -> assertThat(r).containsEntry("level", "error")
                .satisfies(row -> assertThat((String) row.get("message")).contains("timed out")));
    }

    @Test
    void aFailingProcessLogsItsExitCodeAsAnError() throws Exception {
        TaskProcess.Result result = runInTask(shell("echo trying >&2; exit 3"));

        assertThat(result.exitCode()).isEqualTo(3);
        Map<String, Object> end = rows("message LIKE 'Process exited%'").get(0);
        assertThat(end).containsEntry("level", "error").containsEntry("message", "Process exited with code 3");
    }

    @Test
    void aProcessFillingBothPipesDoesNotDeadlock() throws Exception {
        TaskProcess.Result result = runInTask(shell("head -c 10000000 /dev/zero | tr '\\0' 'x' | fold -w 100 & "
                + "head -c 10000000 /dev/zero | tr '\\0' 'y' | fold -w 100 >&2; wait"));

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdoutLines()).isEqualTo(100_000);
        assertThat(result.stderrLines()).isEqualTo(100_000);
        assertThat(db.count("SELECT 1")).isEqualTo(1);
    }
}

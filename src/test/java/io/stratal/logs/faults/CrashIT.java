package io.stratal.logs.faults;

import static io.stratal.logs.faults.OutageIT.assertEveryLineOnceInOrder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.testing.Burst;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TcpProxy;
import io.stratal.logs.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A JVM that logs with a spool is killed with SIGKILL; the next start writes what it had spooled. */
@Timeout(120)
class CrashIT {

    @TempDir
    Path spoolDirectory;

    @Test
    void recordsSpooledBeforeAKillMinusNineAreWrittenAfterTheRestart() throws Exception {
        try (TestDatabase db = TestDatabase.create(); TcpProxy proxy = TcpProxy.inFrontOf(db.url())) {
            db.execute("CREATE TABLE job_runs (id uuid PRIMARY KEY)");
            UUID job = (UUID) db.scalar("INSERT INTO job_runs VALUES (gen_random_uuid()) RETURNING id");
            LoggerContext setup = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url()));
            setup.getLogger("x").info("creates the table");
            setup.stop();
            db.execute("DELETE FROM logs");
            proxy.cut();

            killWhenSpooled(startChild(proxy.url(db.url()), "5000", job.toString()), 5_000);
            assertThat(db.count("SELECT count(*) FROM logs")).isZero();

            proxy.restore();
            LoggerContext restarted = LogbackContexts.fromResource("config/spooled.xml",
                    Map.of("url", proxy.url(db.url()), "spoolDirectory", spoolDirectory.toString()));
            UnifiedLogAppender appender = (UnifiedLogAppender) restarted.getLogger("ROOT").getAppender("UNIFIED");
            await().atMost(Duration.ofSeconds(60)).until(() -> appender.getStats().replayed() == 5_000);
            restarted.stop();

            assertEveryLineOnceInOrder(db, 1, 5_000);
            assertThat(db.count("SELECT count(*) FROM logs WHERE job_run_id = '" + job + "'")).isEqualTo(5_000);
            assertThat(List.of(spoolDirectory.toFile().list())).noneMatch(name -> name.endsWith(".spool"));
        }
    }

    /**
     * Four threads log over sixteen job runs through two writers, all of it spooled, and the JVM is killed; the
     * restart, with two writers again or with three (each run then routed differently), logs more lines of the
     * same runs and threads at once. Every line is stored once and each run and thread keeps its logging order.
     */
    @ParameterizedTest(name = "restarted with {0} writers")
    @ValueSource(ints = {2, 3})
    void severalWritersSpooledBeforeAKillAreWrittenFirstAfterTheRestart(int writersAfter) throws Exception {
        int lines = 1_000;
        try (TestDatabase db = TestDatabase.create().migrated(); TcpProxy proxy = TcpProxy.inFrontOf(db.url())) {
            List<String> runs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                runs.add(db.scalar("INSERT INTO job_runs (job_name) VALUES ('run " + i + "') RETURNING id").toString());
            }
            proxy.cut();
            Process child = startChild(proxy.url(db.url()), String.valueOf(lines), String.join(",", runs), "2");
            long spooled = 2L * Burst.THREADS * lines;
            killWhenSpooled(child, spooled);
            assertThat(db.count("SELECT count(*) FROM logs")).isZero();
            assertThat(spoolDirectory.resolve("writer-2")).isDirectory();

            proxy.restore();
            LoggerContext restarted = LogbackContexts.fromResource("config/spooled.xml", Map.of("url", proxy.url(db.url()),
                    "spoolDirectory", spoolDirectory.toString(), "writers", String.valueOf(writersAfter),
                    "poolSize", String.valueOf(writersAfter)));
            UnifiedLogAppender appender = (UnifiedLogAppender) restarted.getLogger("ROOT").getAppender("UNIFIED");
            long total = spooled + Burst.logLines(restarted, runs, lines, 2 * lines);
            await().atMost(Duration.ofSeconds(60)).until(() -> appender.getStats().written() == total);
            restarted.stop();

            WritersIT.assertEachKeyInOrderOnce(db, total, runs.size() + Burst.THREADS);
            assertThat(appender.getStats().replayed()).isGreaterThanOrEqualTo(spooled);
            try (Stream<Path> files = Files.walk(spoolDirectory)) {
                assertThat(files.map(Path::toString)).as("nothing left on disk").noneMatch(name -> name.endsWith(".spool"));
            }
        }
    }

    /** A {@link SpoolingChild} on this test's spool directory; {@code writers}, when given, is its writer count. */
    private Process startChild(String url, String count, String jobRunIds, String... writers) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SpoolingChild.class.getName(), url, spoolDirectory.toString(),
                count, jobRunIds));
        command.addAll(List.of(writers));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Waits for the child to say it spooled {@code count} lines, then kills it with SIGKILL. */
    private static void killWhenSpooled(Process child, long count) throws Exception {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("SPOOLED")) {
                // the child's other output
            }
            assertThat(line).as("the child reported its records spooled").isEqualTo("SPOOLED " + count);
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no stop()
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }
}

package io.stratal.logs.faults;

import static io.stratal.logs.faults.OutageIT.assertEveryLineOnceInOrder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TcpProxy;
import io.stratal.logs.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    SpoolingChild.class.getName(), proxy.url(db.url()), spoolDirectory.toString(), "5000", job.toString())
                    .redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null && !line.startsWith("SPOOLED")) {
                    // the child's other output
                }
                assertThat(line).as("the child reported its records spooled").isEqualTo("SPOOLED 5000");
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no stop()
                assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
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
}

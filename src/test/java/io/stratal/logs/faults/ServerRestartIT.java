package io.stratal.logs.faults;

import static io.stratal.logs.faults.OutageIT.assertEveryLineOnceInOrder;
import static io.stratal.logs.faults.OutageIT.jobRunIds;
import static io.stratal.logs.faults.OutageIT.logWave;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real PostgreSQL server is shut down under the appender (its connections end with 57P01, new ones are
 * refused) and started again on the same data, while the application keeps logging.
 */
@Timeout(180)
class ServerRestartIT {

    @TempDir
    Path dataDirectory;
    @TempDir
    Path spoolDirectory;

    private EmbeddedPostgres startServer(int port) throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false).setPort(port).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aServerRestartWhileLoggingLosesAndDuplicatesNothing() throws Exception {
        runAcrossARestart(false);
    }

    @Test
    void aServerRestartWhileLoggingWithASpoolLosesAndDuplicatesNothing() throws Exception {
        runAcrossARestart(true);
    }

    private void runAcrossARestart(boolean withSpool) throws Exception {
        int port = freePort();
        EmbeddedPostgres server = startServer(port);
        String url = "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
        Map<String, String> properties = withSpool
                ? Map.of("url", url, "spoolDirectory", spoolDirectory.toString())
                : Map.of("url", url, "batchSize", "200", "flushInterval", "50 milliseconds");
        LoggerContext context = LogbackContexts.fromResource(withSpool ? "config/spooled.xml" : "config/unified.xml", properties);
        UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        Logger log = context.getLogger("com.example.Restart");
        List<String> jobs = jobRunIds(2);
        try {
            logWave(log, jobs, 0, 1_000);
            await().atMost(Duration.ofSeconds(20)).until(() -> appender.getStats().written() == 2_000);

            server.close(); // a real shutdown: open connections are terminated, new ones refused
            logWave(log, jobs, 1_000, 2_000);
            await().atMost(Duration.ofSeconds(20)).until(() -> appender.getStats().retries() >= 2);
            logWave(log, jobs, 2_000, 2_500);

            server = startServer(port);
            logWave(log, jobs, 2_500, 3_000);
            await().atMost(Duration.ofSeconds(60)).until(() -> appender.getStats().written() == 6_000);
            context.stop();

            assertThat(appender.getStats().droppedTotal()).isZero();
            assertEveryLineOnceInOrder(TestDatabase.attach(url), 2, 3_000);
        } finally {
            context.stop();
            server.close();
        }
    }
}

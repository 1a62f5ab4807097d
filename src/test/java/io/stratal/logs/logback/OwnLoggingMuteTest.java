package io.stratal.logs.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the appender mutes while it starts or stops: its libraries' lines on its own threads, nothing else. */
@Timeout(30)
class OwnLoggingMuteTest {

    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> seen = new ListAppender<>();

    OwnLoggingMuteTest() {
        seen.setContext(context);
        seen.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(seen);
    }

    @Test
    void thePoolsLinesOnTheStoppingThreadAndOnThePoolsThreadsGoNowhereWhileTheApplicationsStillGoOut() throws Exception {
        OwnLoggingMute mute = OwnLoggingMute.begin(context, "UNIFIED", null);
        context.getLogger("com.zaxxer.hikari.HikariDataSource").info("Shutdown initiated");
        context.getLogger("com.example.App").error("the application's line on the same thread");
        onThread("stratal-UNIFIED:connection-closer", () -> context.getLogger("com.zaxxer.hikari.pool.PoolBase").debug("Closing connection"));
        onThread("stratal-UNIFIED-2 housekeeper", () -> context.getLogger("com.zaxxer.hikari.pool.HikariPool").debug("a writer's pool"));
        onThread("stratal-UNIFIED housekeeper", () -> context.getLogger("com.example.App").warn("an application line on a pool thread"));
        onThread("worker-1", () -> context.getLogger("com.zaxxer.hikari.pool.HikariPool").info("the application's own pool"));
        OwnLoggingMute.end(mute);
        context.getLogger("com.zaxxer.hikari.HikariDataSource").info("Shutdown completed, after the stop");

        assertThat(seen.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList())).containsExactly(
                "the application's line on the same thread", "an application line on a pool thread",
                "the application's own pool", "Shutdown completed, after the stop");
        assertThat(context.getTurboFilterList()).isEmpty();
    }

    @Test
    void anotherAppendersPoolIsNotMuted() throws Exception {
        OwnLoggingMute mute = OwnLoggingMute.begin(context, "UNIFIED", null);
        onThread("stratal-OTHER:connection-closer", () -> context.getLogger("com.zaxxer.hikari.pool.PoolBase").debug("Closing connection"));
        onThread("stratal-UNIFIEDX housekeeper", () -> context.getLogger("com.zaxxer.hikari.pool.HikariPool").debug("Pool stats"));
        onThread("stratal-UNIFIED-x housekeeper", () -> context.getLogger("com.zaxxer.hikari.pool.HikariPool").debug("Pool stats"));
        OwnLoggingMute.end(mute);
        assertThat(seen.list).hasSize(3);
    }

    private static void onThread(String name, Runnable work) throws InterruptedException {
        Thread thread = new Thread(work, name);
        thread.start();
        thread.join();
    }
}

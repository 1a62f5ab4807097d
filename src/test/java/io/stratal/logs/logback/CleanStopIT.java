package io.stratal.logs.logback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.status.Status;
import io.stratal.logs.testing.GlobalLogging;
import io.stratal.logs.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A stop with nothing wrong says nothing wrong: the appender in the JVM's own context, where HikariCP logs
 * too (its "Shutdown initiated/completed" lines come while the pool closes, inside the appender's stop),
 * leaves no WARN or ERROR in logback's status and stores none of the pool's lines.
 */
@Timeout(120)
class CleanStopIT {

    private static TestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = TestDatabase.create();
    }

    @AfterAll
    static void restoreLogging() {
        GlobalLogging.restore();
        db.close();
    }

    @Test
    void aCleanStopLeavesNoWarningOrErrorInTheStatusAndStoresNoneOfThePoolsLines() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getStatusManager().clear();
        GlobalLogging.configure("config/unified.xml", Map.of("url", db.url(), "rootLevel", "DEBUG"));
        UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        assertThat(context.getLogger("com.zaxxer.hikari").isDebugEnabled()).as("the pool logs into this context").isTrue();

        LoggerFactory.getLogger("com.example.App").info("the only line");
        await().atMost(Duration.ofSeconds(30)).until(() -> appender.getStats().written() == 1);
        context.stop();

        assertThat(appender.isStarted()).isFalse();
        assertThat(problems(context)).as("WARN and ERROR status after a clean stop").isEmpty();
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM logs WHERE metadata->'log'->>'logger' LIKE 'com.zaxxer%'")).isZero();
    }

    @Test
    void theAppendersStoppedBeforeItHearNothingFromItsPool() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getStatusManager().clear();
        GlobalLogging.configure("config/unified-after-another.xml", Map.of("url", db.url()));
        UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");

        LoggerFactory.getLogger("com.example.App").info("a line for both");
        await().atMost(Duration.ofSeconds(30)).until(() -> appender.getStats().written() == 1);
        context.stop();

        assertThat(problems(context)).as("WARN and ERROR status after a clean stop").isEmpty();
    }

    private static List<String> problems(LoggerContext context) {
        return context.getStatusManager().getCopyOfStatusList().stream()
                .filter(s -> s.getLevel() >= Status.WARN)
                .map(s -> s.getOrigin() + ": " + s.getMessage())
                .collect(Collectors.toList());
    }
}

package io.stratal.logs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.spring.boot.sample.SampleApplication;
import io.stratal.logs.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Spring Boot configures logging again for each application started in one JVM (tests, a devtools restart):
 * one appender is attached at a time, each line is stored once, and an appender declared in the application's
 * own logback configuration is kept, without a second one.
 */
class LoggingLifecycleTest {

    private TestDatabase db;

    @BeforeEach
    void setUp() {
        db = TestDatabase.create();
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private ConfigurableApplicationContext start(String... more) {
        return new SpringApplicationBuilder(SampleApplication.class)
                .properties("spring.datasource.url=" + db.url(), "spring.main.web-application-type=none",
                        "stratal.logs.flush-interval=100ms")
                .properties(more).run();
    }

    /** Every unified appender attached to any logger of the JVM's logback. */
    private static List<UnifiedLogAppender> attached() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        List<UnifiedLogAppender> found = new ArrayList<>();
        for (Logger logger : context.getLoggerList()) {
            for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
                if (it.next() instanceof UnifiedLogAppender unified) {
                    found.add(unified);
                }
            }
        }
        return found;
    }

    @Test
    void aSecondStartInOneJvmKeepsOneAppenderAndEachLineOnce() {
        try (ConfigurableApplicationContext first = start()) {
            assertThat(attached()).hasSize(1);
            LoggerFactory.getLogger("com.example.Lifecycle").info("in the first application");
        }
        try (ConfigurableApplicationContext second = start()) {
            assertThat(attached()).hasSize(1).allMatch(UnifiedLogAppender::isStarted);
            LoggerFactory.getLogger("com.example.Lifecycle").info("in the second application");
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    db.count("SELECT count(*) FROM logs WHERE message = 'in the second application'") == 1);
        }
        assertThat(db.count("SELECT count(*) FROM logs WHERE message = 'in the first application'")).isEqualTo(1);
        // Spring Boot names the class whose main method started the JVM: the test runner's, here
        assertThat(db.count("SELECT count(*) FROM logs WHERE message LIKE 'Started % in % seconds%'")).isEqualTo(2);
    }

    @Test
    void anAppenderDeclaredInTheApplicationsLogbackConfigurationIsKeptAlone() {
        try (ConfigurableApplicationContext app = start("logging.config=classpath:declared-logback-spring.xml")) {
            assertThat(attached()).extracting(UnifiedLogAppender::getName).containsExactly("DECLARED");
            LoggerFactory.getLogger("com.example.Lifecycle").info("through the declared appender");
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    db.count("SELECT count(*) FROM logs WHERE message = 'through the declared appender'") == 1);
        }
    }

    @Test
    void disabledStoresNothingAndAttachesNothing() {
        try (ConfigurableApplicationContext app = start("stratal.logs.enabled=false")) {
            assertThat(attached()).isEmpty();
            assertThat(app.getBeanNamesForType(StratalLogsProperties.class)).isEmpty();
        }
    }
}

package io.stratal.logs.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.ds.PGSimpleDataSource;

/** The ways to hand the appender its database besides a URL, each ending in stored rows. */
@Timeout(60)
class ConnectionSourcesIT {

    @Test
    void aDataSourceBuiltByLogbackFromXml() {
        try (TestDatabase db = TestDatabase.create()) {
            String xml = "<configuration>\n"
                    + "  <appender name=\"UNIFIED\" class=\"io.stratal.logs.logback.UnifiedLogAppender\">\n"
                    + "    <dataSource class=\"org.postgresql.ds.PGSimpleDataSource\"><url>${url}</url></dataSource>\n"
                    + "    <registerShutdownHook>false</registerShutdownHook>\n"
                    + "  </appender>\n"
                    + "  <root level=\"INFO\"><appender-ref ref=\"UNIFIED\"/></root>\n"
                    + "</configuration>";
            LoggerContext context = LogbackContexts.fromXml(xml, Map.of("url", db.url()));
            context.getLogger("x").info("through a logback-built DataSource");
            context.stop();

            assertThat(db.scalar("SELECT message FROM logs")).isEqualTo("through a logback-built DataSource");
        }
    }

    @Test
    void aDataSourceTheApplicationOwnsIsUsedAndNotClosed() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setURL(db.url());
            LoggerContext context = new LoggerContext();
            UnifiedLogAppender appender = new UnifiedLogAppender();
            appender.setContext(context);
            appender.setName("PROGRAMMATIC");
            appender.setDataSource(dataSource);
            appender.setRegisterShutdownHook(false);
            appender.start();
            context.getLogger("ROOT").addAppender(appender);
            context.getLogger("x").info("through an application DataSource");
            context.stop();

            assertThat(db.scalar("SELECT message FROM logs")).isEqualTo("through an application DataSource");
            try (var connection = dataSource.getConnection()) {
                assertThat(connection.isValid(1)).isTrue();
            }
        }
    }
}

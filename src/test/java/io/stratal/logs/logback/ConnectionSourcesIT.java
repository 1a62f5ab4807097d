package io.stratal.logs.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TestDatabase;
import java.lang.reflect.Proxy;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.spi.InitialContextFactory;
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
    void aDataSourceFromJndiIsLookedUpOnTheFirstWrite() {
        try (TestDatabase db = TestDatabase.create()) {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setURL(db.url());
            TestJndi.bind("java:comp/env/jdbc/logs", dataSource);
            String xml = "<configuration>\n"
                    + "  <appender name=\"UNIFIED\" class=\"io.stratal.logs.logback.UnifiedLogAppender\">\n"
                    + "    <jndiName>java:comp/env/jdbc/logs</jndiName>\n"
                    + "    <registerShutdownHook>false</registerShutdownHook>\n"
                    + "  </appender>\n"
                    + "  <root level=\"INFO\"><appender-ref ref=\"UNIFIED\"/></root>\n"
                    + "</configuration>";
            String previous = System.setProperty(Context.INITIAL_CONTEXT_FACTORY, TestJndi.class.getName());
            try {
                LoggerContext context = LogbackContexts.fromXml(xml, Map.of());
                context.getLogger("x").info("through JNDI");
                context.stop();
            } finally {
                if (previous == null) {
                    System.clearProperty(Context.INITIAL_CONTEXT_FACTORY);
                } else {
                    System.setProperty(Context.INITIAL_CONTEXT_FACTORY, previous);
                }
            }
            assertThat(db.scalar("SELECT message FROM logs")).isEqualTo("through JNDI");
        }
    }

    /** A JNDI provider holding a few bindings: enough for {@code new InitialContext().lookup(name)}. */
    public static final class TestJndi implements InitialContextFactory {
        private static final Map<String, Object> BINDINGS = new ConcurrentHashMap<>();

        static void bind(String name, Object value) {
            BINDINGS.put(name, value);
        }

        @Override
        public Context getInitialContext(Hashtable<?, ?> environment) {
            return (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[] {Context.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("lookup") && args[0] instanceof String) {
                            Object value = BINDINGS.get((String) args[0]);
                            if (value == null) {
                                throw new NameNotFoundException((String) args[0]);
                            }
                            return value;
                        }
                        if (method.getName().equals("close")) {
                            return null;
                        }
                        throw new UnsupportedOperationException(method.getName());
                    });
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

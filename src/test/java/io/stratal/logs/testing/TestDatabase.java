package io.stratal.logs.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratal.logs.schema.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * A fresh, empty database on a real PostgreSQL server, one per test class.
 *
 * <p>The server is chosen once per JVM, in DESIGN.md's order: the URL in {@code STRATAL_TEST_JDBC_URL} (CI
 * points it at the machine's own server); otherwise a Testcontainers PostgreSQL when a Docker daemon
 * answers; otherwise an embedded PostgreSQL, whose binaries come from a Maven artifact. Never a mock.
 */
public final class TestDatabase implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static Server server;

    private final String name;
    private final String url;

    private TestDatabase(String name, String url) {
        this.name = name;
        this.url = url;
    }

    /** Creates an empty database with a unique name. */
    public static TestDatabase create() {
        Server s = server();
        String name = "stratal_it_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection admin = DriverManager.getConnection(s.adminUrl);
             Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name);
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database on " + s.description, e);
        }
        return new TestDatabase(name, withDatabase(s.adminUrl, name));
    }

    /** A view of an existing database that this class did not create (its {@link #close} drops nothing). */
    public static TestDatabase attach(String url) {
        return new TestDatabase(null, url);
    }

    /** A JDBC URL of this database that carries its own credentials. */
    public String url() {
        return url;
    }

    public String name() {
        return name;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /** A DataSource of this database, without a pool: each {@code getConnection()} opens a connection. */
    public DataSource dataSource() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url);
        return dataSource;
    }

    /**
     * True when the read tests run on the partitioned logs table ({@code -Dstratal.test.partitioned=true}: the
     * failsafe execution {@code partitioned} in the pom), where {@link #migrated} partitions it.
     */
    public static boolean partitioned() {
        return Boolean.getBoolean("stratal.test.partitioned");
    }

    /**
     * Applies the shipped migrations ({@code job_runs}, {@code task_runs}, {@code logs} with its foreign keys),
     * and partitions {@code logs} by day when {@link #partitioned()}.
     */
    public TestDatabase migrated() {
        try (Connection c = connect()) {
            Migrations.up(c);
            if (partitioned()) {
                Migrations.applyOptional(c, Migrations.PARTITIONED, true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /** Runs statements, for setting up a test. */
    public void execute(String... sql) {
        try (Connection c = connect(); Statement statement = c.createStatement()) {
            for (String s : sql) {
                statement.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rows of a query as column → value maps; {@code json}/{@code jsonb} columns come back parsed. */
    public List<Map<String, Object>> query(String sql) {
        try (Connection c = connect(); Statement statement = c.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    Object value = rs.getObject(i);
                    if (value != null && meta.getColumnTypeName(i).startsWith("json")) {
                        value = JSON.readValue(rs.getString(i), Object.class);
                    }
                    row.put(meta.getColumnLabel(i), value);
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The single value of a one-row, one-column query. */
    public Object scalar(String sql) {
        List<Map<String, Object>> rows = query(sql);
        if (rows.size() != 1 || rows.get(0).size() != 1) {
            throw new IllegalStateException("expected one value from " + sql + ", got " + rows);
        }
        return rows.get(0).values().iterator().next();
    }

    public long count(String sql) {
        return ((Number) scalar(sql)).longValue();
    }

    @Override
    public void close() {
        if (name == null) {
            return;
        }
        try (Connection admin = DriverManager.getConnection(server().adminUrl);
             Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            // a leftover database is harmless; the next run of the same pid drops it
        }
    }

    /** How the server was found, for test output. */
    public static String serverDescription() {
        return server().description;
    }

    static String withDatabase(String url, String database) {
        int schemeEnd = url.indexOf("//") + 2;
        int slash = url.indexOf('/', schemeEnd);
        int query = url.indexOf('?', schemeEnd);
        String params = query < 0 ? "" : url.substring(query);
        String hostPort = url.substring(schemeEnd, slash < 0 ? (query < 0 ? url.length() : query) : slash);
        return url.substring(0, schemeEnd) + hostPort + "/" + database + params;
    }

    private static synchronized Server server() {
        if (server == null) {
            server = findServer();
        }
        return server;
    }

    private static Server findServer() {
        String configured = System.getenv("STRATAL_TEST_JDBC_URL");
        if (configured == null || configured.isBlank()) {
            configured = System.getProperty("stratal.test.jdbc.url");
        }
        if (configured != null && !configured.isBlank()) {
            return new Server(configured.trim(), "STRATAL_TEST_JDBC_URL " + configured.trim());
        }
        if (dockerAnswers()) {
            PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:15-alpine");
            container.start();
            String url = container.getJdbcUrl() + (container.getJdbcUrl().contains("?") ? "&" : "?")
                    + "user=" + container.getUsername() + "&password=" + container.getPassword();
            return new Server(url, "Testcontainers " + container.getDockerImageName());
        }
        try {
            EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    embedded.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
            return new Server(embedded.getJdbcUrl("postgres", "postgres"), "embedded PostgreSQL on port " + embedded.getPort());
        } catch (IOException e) {
            throw new UncheckedIOException("no PostgreSQL for tests: set STRATAL_TEST_JDBC_URL, start Docker, "
                    + "or fix the embedded server", e);
        }
    }

    private static boolean dockerAnswers() {
        boolean mayHaveDocker = System.getenv("DOCKER_HOST") != null
                || java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))
                || java.nio.file.Files.exists(java.nio.file.Path.of(System.getProperty("user.home"), ".testcontainers.properties"));
        if (!mayHaveDocker) {
            return false; // spare the test output Testcontainers' long report of every strategy it tried
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private record Server(String adminUrl, String description) {
    }
}

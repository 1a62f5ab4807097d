package io.stratal.logs.internal.sink;

import io.stratal.logs.internal.util.PasswordMask;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Where the writer's connections come from: a HikariCP pool of its own (from a JDBC URL), a JNDI name, or a
 * DataSource the application hands over. The data source is created or looked up on first use, on the
 * flusher thread: an application server's JNDI tree is often not ready while logback configures itself,
 * and a pool started inside {@code start()} would log into an appender that is not started yet.
 */
public final class ConnectionFactory implements AutoCloseable {

    private final String description;
    private final Supplier<DataSource> opener;
    private final boolean owned;
    private volatile DataSource dataSource;

    private ConnectionFactory(String description, Supplier<DataSource> opener, boolean owned) {
        this.description = description;
        this.opener = opener;
        this.owned = owned;
    }

    /** A pool of its own for {@code url}. Reports show the URL with its password masked. */
    public static ConnectionFactory forUrl(String url, String username, String password, int poolSize, String name) {
        PasswordMask mask = PasswordMask.of(Arrays.asList(password), List.of(url));
        return new ConnectionFactory(mask.apply(url), () -> {
            try {
                return new HikariDataSource(hikariConfig(url, username, password, poolSize, name));
            } catch (RuntimeException e) {
                // HikariCP quotes the URL whole when the driver refuses it
                throw new IllegalStateException(mask.apply(e.getMessage()));
            }
        }, true);
    }

    /** A data source bound in JNDI under {@code jndiName} (for example {@code java:comp/env/jdbc/logs}). */
    public static ConnectionFactory forJndi(String jndiName) {
        return new ConnectionFactory("JNDI " + jndiName, () -> lookup(jndiName), false);
    }

    /** A data source the application owns and closes. */
    public static ConnectionFactory forDataSource(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return new ConnectionFactory(dataSource.getClass().getName(), () -> dataSource, false);
    }

    static HikariConfig hikariConfig(String url, String username, String password, int poolSize, String name) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("stratal-" + name);
        config.setDriverClassName("org.postgresql.Driver");
        config.setJdbcUrl(url);
        config.setUsername(username);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);
        config.setAutoCommit(false);
        // HikariCP's minimum. The pool opens connections on its own thread; this only bounds how long the
        // flusher waits for one, and the flusher has its own backoff. A longer wait stalls spooling in an
        // outage and can outlast shutdownGracePeriod.
        config.setConnectionTimeout(250);
        // Start without a database: the flusher waits for it, the application does not.
        config.setInitializationFailTimeout(-1);
        // Defaults only: a parameter in the URL wins over these.
        config.addDataSourceProperty("ApplicationName", "stratal-logback " + name);
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("socketTimeout", "60");
        return config;
    }

    private static DataSource lookup(String jndiName) {
        try {
            return (DataSource) new InitialContext().lookup(jndiName);
        } catch (NamingException | ClassCastException e) {
            throw new IllegalStateException("JNDI lookup of " + jndiName + " failed: " + e, e);
        }
    }

    /** A connection from the data source, creating the data source first if this is the first call. */
    public Connection getConnection() throws SQLException {
        if (dataSource == null) {
            try {
                dataSource = opener.get();
            } catch (RuntimeException e) {
                throw new SQLTransientConnectionException("cannot open data source " + description + ": " + e.getMessage(), "08001", e);
            }
        }
        return dataSource.getConnection();
    }

    /** What the connections come from, for reports: the URL, or the JNDI name, or the class. */
    public String description() {
        return description;
    }

    @Override
    public void close() {
        if (owned && dataSource instanceof AutoCloseable) {
            try {
                ((AutoCloseable) dataSource).close();
            } catch (Exception ignored) {
                // closing at shutdown; nothing useful to do with a failure here
            }
        }
    }
}

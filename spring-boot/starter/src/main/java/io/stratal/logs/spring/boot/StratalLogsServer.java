package io.stratal.logs.spring.boot;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.stratal.logs.names.TableName;
import io.stratal.logs.server.LogServer;
import java.sql.DriverManager;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The read API, the live streams and the log viewer beside the application ({@code stratal.logs.server.*}):
 * {@link LogServer} on a port of its own, reading the logs database through a small pool of its own, with
 * {@code serve}'s safety rules (loopback only, loopback {@code Host} names and same-origin WebSockets, a
 * token required on any other address). Started when the application context has started, stopped first when
 * it closes.
 */
final class StratalLogsServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(StratalLogsServer.class);

    private final StratalLogsProperties properties;
    private final StratalLogsLoggingListener.Database database;
    private HikariDataSource pool;
    private LogServer server;

    StratalLogsServer(StratalLogsProperties properties, StratalLogsLoggingListener.Database database) {
        StratalLogsProperties.Server settings = properties.getServer();
        if (!isPresent("io.javalin.Javalin")) {
            throw new StratalLogsConfigurationException(StratalLogsProperties.PREFIX + ".server.enabled",
                    "the read API needs Javalin on the class path: add the dependency io.javalin:javalin (docs/SPRING-BOOT.md)");
        }
        if (database == null || database.url() == null) {
            throw new StratalLogsConfigurationException(StratalLogsProperties.PREFIX + ".url",
                    "the read API needs the logs database's JDBC URL: set stratal.logs.url or spring.datasource.url");
        }
        if (settings.getToken() == null && !settings.isAllowNoToken() && !LogServer.isLoopback(settings.getBind())) {
            throw new StratalLogsConfigurationException(StratalLogsProperties.PREFIX + ".server.token",
                    "refusing to serve " + settings.getBind() + " without a token: anyone who can reach this address could"
                            + " read every log. Set stratal.logs.server.token, or stratal.logs.server.allow-no-token=true to"
                            + " serve it open on purpose");
        }
        this.properties = properties;
        this.database = database;
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, StratalLogsServer.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public synchronized void start() {
        StratalLogsProperties.Server settings = properties.getServer();
        Properties credentials = new Properties();
        if (database.username() != null) {
            credentials.setProperty("user", database.username());
        }
        if (database.password() != null) {
            credentials.setProperty("password", database.password());
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("stratal-server");
        config.setJdbcUrl(database.url());
        config.setDataSourceProperties(credentials);
        config.setMaximumPoolSize(8);
        config.setConnectionTimeout(5_000);
        config.setInitializationFailTimeout(-1); // the server starts while the database is away, and reads when it is back
        pool = new HikariDataSource(config);
        try {
            server = LogServer.builder(pool)
                    .table(TableName.parseOrNull(properties.getTable()).qualified())
                    .host(settings.getBind())
                    .port(settings.getPort())
                    .token(settings.getToken())
                    .allowNoToken(settings.isAllowNoToken())
                    .allowedHosts(settings.getAllowedHosts())
                    .allowedOrigins(settings.getAllowedOrigins())
                    .maxStreamClients(settings.getMaxStreamClients())
                    .pollInterval(settings.getPollInterval())
                    .notifyChannel(properties.isNotify() ? properties.getNotifyChannel() : null)
                    .listenConnections(() -> DriverManager.getConnection(database.url(), credentials)) // outside the pool
                    .start();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        log.info("Serving the logs' read API and viewer at {}{}", server.url(), settings.getToken() != null ? " (token required)"
                : LogServer.isLoopback(settings.getBind()) ? "" : " with NO token: anyone who reaches it reads every log");
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (pool != null) {
            pool.close();
            pool = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return server != null;
    }

    /** {@return the port the server listens on} */
    synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("the read API is not running");
        }
        return server.port();
    }
}

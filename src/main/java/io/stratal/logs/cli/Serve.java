package io.stratal.logs.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.stratal.logs.jdbc.LogsSchema;
import io.stratal.logs.jdbc.TableName;
import io.stratal.logs.server.LogServer;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/** {@code serve}: the read API on a database given by URL, until the process is stopped. */
final class Serve {

    private Serve() {
    }

    static int run(Args args, PrintStream out) throws Args.UsageException, SQLException {
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("serve takes no arguments besides its options");
        }
        String url = Main.url(args);
        int port = port(args.valueOrEnv("--port", "STRATAL_PORT"));
        String bind = args.valueOrEnv("--bind", "STRATAL_BIND");
        TableName logs = Main.table(args);
        String token = args.valueOrEnv("--token", "STRATAL_TOKEN");
        Properties credentials = Main.credentials(args);

        HikariConfig pool = new HikariConfig();
        pool.setPoolName("stratal-serve");
        pool.setJdbcUrl(url);
        pool.setDataSourceProperties(credentials);
        pool.setMaximumPoolSize(8);
        pool.setConnectionTimeout(5_000);
        pool.setInitializationFailTimeout(-1); // the check below says what is wrong, in one line
        HikariDataSource dataSource = new HikariDataSource(pool);
        try (Connection check = dataSource.getConnection()) {
            if (!LogsSchema.exists(check, logs.qualified())) {
                dataSource.close();
                out.println("error: there is no table " + logs + " in this database; create it with"
                        + " migrate up --url ..., or name yours with --table");
                return 1;
            }
        } catch (SQLException e) {
            dataSource.close();
            throw e;
        }
        LogServer.Builder builder = LogServer.builder(dataSource).port(port).token(token).table(logs.qualified())
                .listenConnections(() -> DriverManager.getConnection(url, credentials)); // outside the pool
        if (bind != null) {
            builder.host(bind);
        }
        LogServer server = builder.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            dataSource.close();
            stopped.countDown();
        }, "stratal-serve-stop"));
        out.println("Serving " + LogServer.describe(bind, server.port()) + (token == null ? "" : " (token required)"));
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static int port(String text) throws Args.UsageException {
        if (text == null) {
            return 8080;
        }
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new Args.UsageException("--port takes a port number 0..65535, got " + text);
    }
}

package io.stratal.logs.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.stratal.logs.internal.util.Durations;
import io.stratal.logs.schema.LogsSchema;
import io.stratal.logs.names.TableName;
import io.stratal.logs.server.LogServer;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/** {@code serve}: the read API on a database given by URL, until the process is stopped. */
final class ServeCommand {

    private ServeCommand() {
    }

    static int run(Args args, PrintStream out) throws Args.UsageException, SQLException {
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("serve takes no arguments besides its options");
        }
        String url = DatabaseArgs.url(args);
        int port = port(args.valueOrEnv("--port", "STRATAL_PORT"));
        String bind = bind(args.valueOrEnv("--bind", "STRATAL_BIND"));
        TableName logs = DatabaseArgs.table(args);
        String token = token(args.givenValueOrEnv("--token", "STRATAL_TOKEN"));
        boolean open = args.has("--allow-no-token");
        if (token == null && !open && !LogServer.isLoopback(bind)) {
            throw new Args.UsageException("refusing to serve " + bind + " without a token: anyone who can reach this"
                    + " address could read every log. Give --token (or STRATAL_TOKEN), or --allow-no-token to serve"
                    + " it open on purpose");
        }
        int maxClients = positive("--max-stream-clients", args.valueOrEnv("--max-stream-clients", "STRATAL_MAX_STREAM_CLIENTS"), 100);
        Duration pollInterval = pollInterval(args.valueOrEnv("--poll-interval", "STRATAL_POLL_INTERVAL"));
        Duration metricsWindow = metricsWindow(args.valueOrEnv("--metrics-window", "STRATAL_METRICS_WINDOW"));
        boolean metrics = !args.has("--no-metrics");
        Properties credentials = DatabaseArgs.credentials(args);

        HikariConfig pool = new HikariConfig();
        pool.setPoolName("stratal-serve");
        pool.setJdbcUrl(url);
        pool.setDataSourceProperties(credentials);
        pool.setMaximumPoolSize(8);
        pool.setConnectionTimeout(5_000);
        pool.setInitializationFailTimeout(-1); // the check below says what is wrong, in one line
        HikariDataSource dataSource = new HikariDataSource(pool);
        LogServer server;
        try {
            try (Connection check = firstConnection(dataSource)) {
                if (!LogsSchema.exists(check, logs.qualified())) {
                    dataSource.close();
                    out.println("error: there is no table " + logs + " in this database; create it with"
                            + " migrate up --url ..., or name yours with --table");
                    return 1;
                }
            }
            LogServer.Builder builder = LogServer.builder(dataSource).host(bind).port(port).token(token).allowNoToken(open)
                    .table(logs.qualified()).maxStreamClients(maxClients).pollInterval(pollInterval)
                    .metrics(metrics).metricsWindow(metricsWindow)
                    .allowedHosts(args.listOrEnv("--allowed-hosts", "STRATAL_ALLOWED_HOSTS"))
                    .allowedOrigins(args.listOrEnv("--allowed-origins", "STRATAL_ALLOWED_ORIGINS"))
                    .listenConnections(() -> DriverManager.getConnection(url, credentials)); // outside the pool
            server = builder.start();
        } catch (SQLException | RuntimeException e) {
            dataSource.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            dataSource.close();
            stopped.countDown();
        }, "stratal-serve-stop"));
        out.println("Serving " + server.url() + (token != null ? " (token required)"
                : LogServer.isLoopback(bind) ? "" : " with NO token (--allow-no-token): anyone who reaches it reads every log"));
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** A connection for the start-up check; HikariCP's timeout says only "not available", its cause says why. */
    private static Connection firstConnection(HikariDataSource dataSource) throws SQLException {
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            throw e.getCause() instanceof SQLException cause ? cause : e;
        }
    }

    /** {@code --token}: none when not given; a blank one is a mistake that would have meant no authentication. */
    private static String token(String given) throws Args.UsageException {
        if (given != null && given.isBlank()) {
            throw new Args.UsageException("--token (or STRATAL_TOKEN) is blank; give a real token, or leave it unset to serve"
                    + " loopback without one");
        }
        return given;
    }

    /** {@code --bind}: an address of this machine, {@code 127.0.0.1} by default. */
    private static String bind(String given) throws Args.UsageException {
        if (given == null) {
            return "127.0.0.1";
        }
        try {
            InetAddress.getByName(given);
        } catch (UnknownHostException e) {
            throw new Args.UsageException("--bind: '" + given + "' is not an address or a name this machine can resolve");
        }
        return given;
    }

    private static final java.util.regex.Pattern POLL_INTERVAL = java.util.regex.Pattern.compile("(\\d{1,7})(ms|s|m)");

    /**
     * {@code --poll-interval}: 500ms, 2s; from 10 ms to 10 s. Default 2 s. Not longer: a gap in the ids (a
     * lower id that commits late) is waited for 30 s, and must be looked at again within that time.
     */
    static Duration pollInterval(String text) throws Args.UsageException {
        if (text == null) {
            return Duration.ofSeconds(2);
        }
        java.util.regex.Matcher m = POLL_INTERVAL.matcher(text.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration interval = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
            if (interval.compareTo(Duration.ofMillis(10)) >= 0 && interval.compareTo(Duration.ofSeconds(10)) <= 0) {
                return interval;
            }
        }
        throw new Args.UsageException("--poll-interval takes 10ms to 10s, like 500ms or 2s, got " + text);
    }

    /** {@code --metrics-window}: 15m by default; the window of the job-run gauges at /metrics. */
    private static Duration metricsWindow(String text) throws Args.UsageException {
        if (text == null) {
            return Duration.ofMinutes(15);
        }
        try {
            return Durations.parseAge(text);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--metrics-window: " + e.getMessage());
        }
    }

    private static int positive(String flag, String text, int byDefault) throws Args.UsageException {
        if (text == null) {
            return byDefault;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new Args.UsageException(flag + " takes a whole number, 1 or more, got " + text);
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

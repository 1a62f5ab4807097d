package io.stratal.logs.server;

import io.stratal.logs.internal.util.Checks;
import io.javalin.Javalin;
import io.stratal.logs.names.Names;
import io.stratal.logs.names.TableName;
import io.stratal.logs.query.JobRuns;
import io.stratal.logs.query.LogStats;
import io.stratal.logs.query.LogReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The read side over HTTP: the read endpoints under {@code /api/v1/logs}, answered as JSON.
 *
 * <pre>{@code
 * try (LogServer server = LogServer.builder(dataSource).port(8080).start()) { ... }
 * }</pre>
 *
 * <p>At {@code /} it serves the log viewer, a static page that reads the same API.
 *
 * <p>The streams ({@code /stream/sse}, {@code /stream/ws}) are fed by one connection that
 * {@code LISTEN}s for the writers' notifications and reads new rows once for all clients.
 *
 * <p>Safe on a laptop by default: it binds to {@code 127.0.0.1}, answers there only requests whose {@code Host}
 * is a loopback name (DNS rebinding), and takes WebSocket upgrades only from its own pages (cross-site
 * WebSocket hijacking); see {@link AccessPolicy}. Any other address needs a token or an explicit
 * {@link Builder#allowNoToken}. With a token it answers 401 to any API request that does not show it. API
 * answers are not cached or sniffed; the viewer may not be framed and loads nothing from elsewhere. A
 * parameter it cannot use gets a 400 naming the parameter; a database it cannot reach, a 503.
 */
public final class LogServer implements AutoCloseable {

    static final String API = "/api/v1/logs";
    /** Everything under it is the API: the token, the site checks and {@code no-store} apply. */
    static final String API_ROOT = "/api/";
    static final String OPENAPI = "/api/v1/openapi.json";
    /** How often the feed reads the table's size for {@code /metrics}: the one query metrics cost. */
    static final Duration TABLE_SIZE_INTERVAL = Duration.ofMinutes(1);

    /** Opens a connection of the stream feed's own, which it keeps to LISTEN. */
    @FunctionalInterface
    public interface ConnectionOpener {
        /**
         * Opens the connection.
         *
         * @return a new connection, which the feed closes
         * @throws SQLException when the database cannot be reached
         */
        Connection open() throws SQLException;
    }

    private final Javalin app;
    private final LogReader reader;
    private final StreamHub hub;
    private final LogFeed feed;
    private final ServerMetrics metrics;
    private final String host;
    private final int requestedPort;

    private LogServer(Builder builder) {
        this.host = builder.host;
        this.requestedPort = builder.port;
        this.reader = new LogReader(builder.dataSource, builder.table, builder.maxRowsScanned);
        this.hub = new StreamHub(reader, builder.clientCapacity, builder.maxStreamClients, builder.clientStallLimit,
                builder.heartbeatInterval);
        ConnectionOpener opener = builder.listenConnections != null ? builder.listenConnections : builder.dataSource::getConnection;
        RowTally tally = builder.serveMetrics ? new RowTally(builder.metricsWindow.toNanos(), RowTally.DEFAULT_MAX_RUNS) : null;
        this.feed = new LogFeed(opener::open, builder.table, builder.notifyChannel, builder.pollInterval,
                builder.holeHold, builder.clientCapacity, hub, tally, TABLE_SIZE_INTERVAL);
        this.metrics = tally == null ? null : new ServerMetrics(tally, feed, hub);
        Gate gate = new Gate(new AccessPolicy(AccessPolicy.isLoopback(builder.host), builder.allowedHosts, builder.allowedOrigins),
                builder.token == null ? null : new BearerToken(builder.token), hub, API_ROOT, ServerMetrics.PATH);
        StreamRoutes streams = new StreamRoutes(hub, feed, gate);
        ReadRoutes reads = new ReadRoutes(reader, new JobRuns(builder.dataSource, builder.table),
                new LogStats(builder.dataSource, builder.table));
        this.app = Javalin.create(config -> {
            ServerSetup.jetty(config, builder.host, builder.port);
            config.routes.before(gate::beforeRequest);
            config.routes.wsBeforeUpgrade(gate::beforeUpgrade);
            reads.register(config, API);
            streams.register(config, API);
            if (metrics != null) {
                metrics.register(config);
            }
            byte[] description = OpenApi.document();
            config.routes.get(OPENAPI, ctx -> ctx.contentType("application/json").result(description));
            ServerSetup.errorAnswers(config, API_ROOT);
        });
    }

    /**
     * A server reading through {@code dataSource}, at the defaults.
     *
     * @param dataSource where connections come from (a pool: each request takes one for its read)
     * @return the builder
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    private LogServer start() {
        feed.start();
        try {
            // A stream client that connects right after start-up gets every row written after it connected;
            // if the database is away the server starts anyway and the feed catches up when it is back.
            feed.awaitStarted(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            app.start();
        } catch (RuntimeException e) {
            feed.close();
            hub.close();
            closeMetrics();
            throw bindFailure(e);
        }
        return this;
    }

    /**
     * Javalin reports every bind failure as "Port already in use"; the cause says what really happened (an
     * address this machine does not have, a port below 1024 without the right).
     */
    private RuntimeException bindFailure(RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.BindException || cause instanceof java.net.SocketException) {
                return new IllegalStateException("cannot listen on " + host + ":" + requestedPort + ": " + cause.getMessage(), e);
            }
        }
        return e;
    }

    /**
     * {@return true for an address that only this machine reaches: {@code 127.0.0.1}, {@code ::1}, {@code localhost}}
     *
     * @param address a host name or address
     */
    public static boolean isLoopback(String address) {
        return AccessPolicy.isLoopback(address);
    }

    /** {@return the port it listens on (the one chosen for it when started with port 0)} */
    public int port() {
        return app.port();
    }

    /**
     * Where a client finds the API, for a start-up message: {@code http://127.0.0.1:8080/api/v1/logs}. For a
     * server on every interface ({@code 0.0.0.0}, {@code ::}) it is that address, as it listens there.
     *
     * @return the address, e.g. {@code http://127.0.0.1:8080/}
     */
    public String url() {
        String shown = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + shown + ":" + port() + API;
    }

    /**
     * The routes it serves, as {@code GET /api/v1/logs/system} (a WebSocket as {@code WEBSOCKET /path}); for
     * the test that holds the OpenAPI document to them.
     */
    List<String> routes() {
        List<String> routes = new java.util.ArrayList<>();
        app.unsafe.internalRouter.allHttpHandlers().stream()
                .filter(parsed -> parsed.endpoint.method.isHttpMethod())
                .forEach(parsed -> routes.add(parsed.endpoint.method.name() + " " + parsed.endpoint.path));
        app.unsafe.internalRouter.allWsHandlers().stream()
                .filter(entry -> entry.getType() == io.javalin.websocket.WsHandlerType.WEBSOCKET)
                .forEach(entry -> routes.add("WEBSOCKET " + entry.getPath()));
        return routes;
    }

    @Override
    public void close() {
        app.stop();
        hub.close();
        feed.close();
        closeMetrics();
    }

    private void closeMetrics() {
        if (metrics != null) {
            metrics.close();
        }
    }

    /**
     * True when Micrometer's Prometheus registry is on the class path. Asked here, not of {@link ServerMetrics}:
     * loading that class needs the library.
     */
    static boolean prometheusRegistryPresent() {
        try {
            Class.forName("io.micrometer.prometheusmetrics.PrometheusMeterRegistry", false, LogServer.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** {@return the feed's polls so far, for tests that wait for it to look again} */
    long feedPolls() {
        return feed.polls();
    }

    /** {@return true when it serves {@code GET /metrics}} */
    public boolean servesMetrics() {
        return metrics != null;
    }

    /** What to serve and where; {@link #start()} builds and starts the server. */
    public static final class Builder {
        private final DataSource dataSource;
        private TableName table = TableName.parseOrNull(Names.DEFAULT_TABLE);
        private String host = "127.0.0.1";
        private int port = 8080;
        private String token;
        private boolean allowNoToken;
        private List<String> allowedHosts = List.of();
        private List<String> allowedOrigins = List.of();
        private ConnectionOpener listenConnections;
        private String notifyChannel = Names.NOTIFY_CHANNEL;
        private Duration pollInterval = Duration.ofSeconds(2);
        private Duration holeHold = Duration.ofSeconds(30);
        private Duration heartbeatInterval = Duration.ofSeconds(15);
        private int clientCapacity = 10_000;
        private int maxStreamClients = 100;
        private Duration clientStallLimit = Duration.ofSeconds(10);
        private int maxRowsScanned = LogReader.DEFAULT_MAX_ROWS_SCANNED;
        private boolean serveMetrics;
        private Duration metricsWindow = Duration.ofMinutes(15);

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /**
         * {@return the logs table, {@code logs} by default; {@code schema.table} works too}
         *
         * @param name {@code logs} or {@code schema.logs}
         */
        public Builder table(String name) {
            TableName parsed = TableName.parseOrNull(name);
            if (parsed == null) {
                throw new IllegalArgumentException("table: '" + name + "' is not a plain table name");
            }
            this.table = parsed;
            return this;
        }

        /**
         * The address to bind, {@code 127.0.0.1} by default. On a loopback address the server answers only
         * requests for a loopback name ({@link #allowedHosts} adds more). Any other address, {@code 0.0.0.0}
         * for every interface, needs a {@link #token} or {@link #allowNoToken}.
         *
         * @param host the address to bind
         * @return this
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * {@return the port, 8080 by default; 0 takes a free one ({@link LogServer#port()} tells which)}
         *
         * @param port the port, or 0 for any free one
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port: " + port + " is outside 0..65535");
            }
            this.port = port;
            return this;
        }

        /**
         * {@return a bearer token every API request must show; {@code null} for none. A blank token is refused}
         *
         * @param token the token clients show, or {@code null} for none
         */
        public Builder token(String token) {
            if (token != null && token.isBlank()) {
                throw new IllegalArgumentException("token: a blank token would let anyone in; give a real one, or none");
            }
            this.token = token;
            return this;
        }

        /**
         * Serve a non-loopback address without a token, on purpose (a trusted network, a proxy that
         * authenticates). Off by default: such a server refuses to start.
         *
         * @param allow whether to serve without a token on purpose
         * @return this
         */
        public Builder allowNoToken(boolean allow) {
            this.allowNoToken = allow;
            return this;
        }

        /**
         * Host names answered besides {@code localhost}, {@code 127.0.0.1} and {@code [::1]} when the server is
         * bound to loopback: the names a reverse proxy forwards in {@code Host}. None by default.
         *
         * @param hosts host names besides the loopback ones that requests may name
         * @return this
         */
        public Builder allowedHosts(Collection<String> hosts) {
            this.allowedHosts = List.copyOf(hosts);
            return this;
        }

        /**
         * Origins ({@code https://dashboard.example.com}) whose pages may open the WebSocket stream besides the
         * server's own. None by default: a browser page elsewhere cannot read the stream.
         *
         * @param origins origins allowed to open WebSockets and read the API from their pages
         * @return this
         */
        public Builder allowedOrigins(Collection<String> origins) {
            this.allowedOrigins = List.copyOf(origins);
            return this;
        }

        /**
         * How the stream feed opens the one connection it keeps for {@code LISTEN}. By default it takes one
         * from the DataSource and holds it; give a non-pooled source (a {@code DriverManager} call) to keep
         * the pool whole.
         *
         * @param opener opens a connection of the feed's own
         * @return this
         */
        public Builder listenConnections(ConnectionOpener opener) {
            this.listenConnections = opener;
            return this;
        }

        /**
         * {@return the channel writers announce new rows on ({@code stratal_logs}); {@code null} to only poll}
         *
         * @param channel a plain lower-case name, or {@code null} for none
         */
        public Builder notifyChannel(String channel) {
            this.notifyChannel = Checks.channel("notifyChannel", channel);
            return this;
        }

        /**
         * How often the feed looks for new rows without a notification (writers that do not notify). Default 2 s.
         *
         * @param interval above zero, at most a third of the hole hold
         * @return this
         */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = Checks.positive("pollInterval", interval);
            return this;
        }

        /**
         * How long a gap in the ids is waited for (a transaction holding lower ids that commits late)
         * before it counts as rolled back. Default 30 s.
         *
         * @param hold how long a gap in the ids is waited for
         * @return this
         */
        public Builder holeHold(Duration hold) {
            this.holeHold = Checks.positive("holeHold", hold);
            return this;
        }

        /**
         * How often an idle stream is checked with a heartbeat. Default 15 s.
         *
         * @param interval above zero
         * @return this
         */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = Checks.positive("heartbeatInterval", interval);
            return this;
        }

        /**
         * Rows queued for one stream client at most. The feed reads no further while a client has no room, so
         * this bounds the memory of each client, not what it can receive. Default 10,000.
         *
         * @param rows rows at most
         * @return this
         */
        public Builder clientCapacity(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("clientCapacity: " + rows + " is below 1");
            }
            this.clientCapacity = rows;
            return this;
        }

        /**
         * Stream clients at once (SSE and WebSocket together); one more gets 503 with Retry-After. Default 100.
         *
         * @param clients 1 or more
         * @return this
         */
        public Builder maxStreamClients(int clients) {
            this.maxStreamClients = Checks.atLeast("maxStreamClients", clients, 1);
            return this;
        }

        /**
         * How long the feed waits for a stream client that takes no rows before closing it (it reconnects and
         * catches up from the table); meanwhile the other clients wait too. Default 10 s.
         *
         * @param limit rows at most
         * @return this
         */
        public Builder clientStallLimit(Duration limit) {
            this.clientStallLimit = Checks.positive("clientStallLimit", limit);
            return this;
        }

        /**
         * How many rows of its selection a list page with {@code q} or {@code meta.} reads at most; when the
         * page is not full by then it answers with what it found, {@code has_more} and a cursor to go on
         * from, so no page takes long however rare the matches. 0 for no bound. Default 10,000.
         *
         * @param rows rows at most
         * @return this
         */
        public Builder maxRowsScanned(int rows) {
            this.maxRowsScanned = Checks.atLeast("maxRowsScanned", rows, 0);
            return this;
        }

        /**
         * Whether to serve {@code GET /metrics} in Prometheus's text format, under the API's token, {@code Host} and
         * {@code Origin} rules: the rows by type and level, the job runs with errors, the table's size, the feed's
         * health. Off by default here; {@code serve} and the demo turn it on. It needs
         * {@code io.micrometer:micrometer-registry-prometheus} on the class path, and while the server runs its
         * registry joins Micrometer's global registry, so it serves what others register there too (an appender's
         * meters).
         *
         * @param serve true to serve it
         * @return this
         */
        public Builder metrics(boolean serve) {
            this.serveMetrics = serve;
            return this;
        }

        /**
         * The window of {@code stratal_logs_job_runs_active} and {@code stratal_logs_job_runs_with_errors}: a run
         * counts while it logged (an error) this recently. Default 15 minutes.
         *
         * @param window above zero
         * @return this
         */
        public Builder metricsWindow(Duration window) {
            this.metricsWindow = Checks.positive("metricsWindow", window);
            return this;
        }

        /**
         * Builds and starts the server.
         *
         * @return the running server; close it to stop
         * @throws IllegalStateException for a non-loopback address without a token or {@link #allowNoToken},
         *                               or an address or port it cannot listen on
         */
        public LogServer start() {
            if (token == null && !allowNoToken && !AccessPolicy.isLoopback(host)) {
                throw new IllegalStateException("refusing to serve " + host + " without a token: anyone who reaches"
                        + " this address could read every log; set a token, or allowNoToken(true) to serve it open on purpose");
            }
            if (serveMetrics && !prometheusRegistryPresent()) {
                throw new IllegalStateException("metrics: serving /metrics needs io.micrometer:micrometer-registry-prometheus"
                        + " on the class path; add it, or leave metrics off");
            }
            if (pollInterval.multipliedBy(3).compareTo(holeHold) > 0) {
                throw new IllegalStateException("pollInterval " + pollInterval + " is more than a third of holeHold "
                        + holeHold + ": a gap in the ids would expire before it was looked at again; shorten pollInterval"
                        + " or lengthen holeHold");
            }
            return new LogServer(this).start();
        }
    }
}

package io.stratal.logs.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.stratal.logs.jdbc.LogsSchema;
import io.stratal.logs.jdbc.TableName;
import io.stratal.logs.query.InvalidParameterException;
import io.stratal.logs.query.LogFilter;
import io.stratal.logs.query.LogJson;
import io.stratal.logs.query.LogPage;
import io.stratal.logs.query.LogReader;
import io.stratal.logs.query.PageRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read side over HTTP: the seed's endpoints under {@code /api/v1/logs}, answered as JSON.
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
 * <p>It binds to {@code 127.0.0.1} unless told otherwise, and with a token answers 401 to any API request
 * that does not show it. A parameter it cannot use gets a 400 naming the parameter; a database it cannot
 * reach, a 503.
 */
public final class LogServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogServer.class);
    static final String API = "/api/v1/logs";

    /** Opens a connection of the stream feed's own, which it keeps to LISTEN. */
    @FunctionalInterface
    public interface ConnectionOpener {
        Connection open() throws SQLException;
    }

    private final Javalin app;
    private final LogReader reader;
    private final BearerToken token;
    private final StreamHub hub;
    private final LogFeed feed;

    private LogServer(Builder builder) {
        this.reader = new LogReader(builder.dataSource, builder.table);
        this.token = builder.token == null ? null : new BearerToken(builder.token);
        this.hub = new StreamHub(reader, builder.clientCapacity, builder.heartbeatInterval);
        ConnectionOpener opener = builder.listenConnections != null ? builder.listenConnections : builder.dataSource::getConnection;
        this.feed = new LogFeed(opener::open, builder.table, builder.notifyChannel, builder.pollInterval,
                builder.holeHold, hub);
        StreamRoutes streams = new StreamRoutes(hub, feed);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.host = builder.host;
            config.jetty.port = builder.port;
            config.router.ignoreTrailingSlashes = true;
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/viewer"; // src/main/resources/viewer: the log viewer, no build step
                files.location = Location.CLASSPATH;
            });
            config.routes.before(API + "/*", this::authorize);
            config.routes.wsBeforeUpgrade(API + "/*", this::authorize);
            config.routes.get(API + "/job-runs/{job_run_id}", ctx -> page(ctx,
                    LogFilter.jobRun(LogFilter.parseId("job_run_id", ctx.pathParam("job_run_id")))));
            config.routes.get(API + "/task-runs/{task_run_id}", ctx -> page(ctx,
                    LogFilter.taskRun(LogFilter.parseId("task_run_id", ctx.pathParam("task_run_id")))));
            config.routes.get(API + "/system", ctx -> page(ctx, LogFilter.system()));
            config.routes.get(API + "/type/{type}", ctx -> page(ctx,
                    LogFilter.ofType(LogFilter.parseType("type", ctx.pathParam("type")))));
            streams.register(config, API);
            config.routes.exception(InvalidParameterException.class, (e, ctx) ->
                    answer(ctx, HttpStatus.BAD_REQUEST, JsonBodies.error(e.getMessage(), e.parameter())));
            config.routes.exception(SQLException.class, (e, ctx) -> {
                log.warn("A read failed: {} (SQLSTATE {})", e.getMessage(), e.getSQLState());
                answer(ctx, HttpStatus.SERVICE_UNAVAILABLE, JsonBodies.error("the database cannot answer now; try again", null));
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("A request to {} failed", ctx.path(), e);
                answer(ctx, HttpStatus.INTERNAL_SERVER_ERROR, JsonBodies.error("the server failed on this request", null));
            });
            config.routes.error(404, ctx -> {
                if (ctx.path().startsWith(API)) {
                    answer(ctx, HttpStatus.NOT_FOUND, JsonBodies.error("no such endpoint: " + ctx.path(), null));
                }
            });
        });
    }

    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    private void authorize(Context ctx) {
        if (token != null && !token.accepts(ctx.header("Authorization"), ctx.queryParam("access_token"))) {
            ctx.header("WWW-Authenticate", "Bearer");
            answer(ctx, HttpStatus.UNAUTHORIZED,
                    JsonBodies.error("this server needs a token: send Authorization: Bearer <token>", null));
            ctx.skipRemainingHandlers();
        }
    }

    private void page(Context ctx, LogFilter filter) throws SQLException {
        PageRequest request = PageRequest.parse(ctx.queryParam("limit"), ctx.queryParam("offset"), ctx.queryParam("cursor"));
        LogPage page = reader.page(filter, request);
        answer(ctx, HttpStatus.OK, LogJson.toJson(page));
    }

    private static void answer(Context ctx, HttpStatus status, String json) {
        ctx.status(status).contentType("application/json").result(json);
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
            throw e;
        }
        return this;
    }

    /** The port it listens on (the one chosen for it when started with port 0). */
    public int port() {
        return app.port();
    }

    /** Where a client finds the API, for a start-up message: {@code http://127.0.0.1:8080/api/v1/logs}. */
    public static String describe(String host, int port) {
        String shown = host == null || host.equals("0.0.0.0") ? "127.0.0.1" : host;
        return "http://" + (shown.contains(":") ? "[" + shown + "]" : shown) + ":" + port + API;
    }

    @Override
    public void close() {
        app.stop();
        hub.close();
        feed.close();
    }

    /** What to serve and where; {@link #start()} builds and starts the server. */
    public static final class Builder {
        private final DataSource dataSource;
        private TableName table = TableName.parseOrNull("logs");
        private String host = "127.0.0.1";
        private int port = 8080;
        private String token;
        private ConnectionOpener listenConnections;
        private String notifyChannel = LogsSchema.NOTIFY_CHANNEL;
        private Duration pollInterval = Duration.ofSeconds(2);
        private Duration holeHold = Duration.ofSeconds(30);
        private Duration heartbeatInterval = Duration.ofSeconds(15);
        private int clientCapacity = 10_000;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** The logs table, {@code logs} by default; {@code schema.table} works too. */
        public Builder table(String name) {
            TableName parsed = TableName.parseOrNull(name);
            if (parsed == null) {
                throw new IllegalArgumentException("table: '" + name + "' is not a plain table name");
            }
            this.table = parsed;
            return this;
        }

        /** The address to bind, {@code 127.0.0.1} by default; {@code 0.0.0.0} serves every interface. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port, 8080 by default; 0 takes a free one ({@link LogServer#port()} tells which). */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port: " + port + " is outside 0..65535");
            }
            this.port = port;
            return this;
        }

        /** A bearer token every API request must show; {@code null} or empty for none. */
        public Builder token(String token) {
            this.token = token == null || token.isEmpty() ? null : token;
            return this;
        }

        /**
         * How the stream feed opens the one connection it keeps for {@code LISTEN}. By default it takes one
         * from the DataSource and holds it; give a non-pooled source (a {@code DriverManager} call) to keep
         * the pool whole.
         */
        public Builder listenConnections(ConnectionOpener opener) {
            this.listenConnections = opener;
            return this;
        }

        /** The channel writers announce new rows on ({@code stratal_logs}); {@code null} to only poll. */
        public Builder notifyChannel(String channel) {
            if (channel != null && !TableName.isIdentifier(channel)) {
                throw new IllegalArgumentException("notifyChannel: '" + channel + "' is not a plain lower-case name");
            }
            this.notifyChannel = channel;
            return this;
        }

        /** How often the feed looks for new rows without a notification (writers that do not notify). Default 2 s. */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = positive("pollInterval", interval);
            return this;
        }

        /**
         * How long a gap in the ids is waited for (a transaction holding lower ids that commits late)
         * before it counts as rolled back. Default 30 s.
         */
        public Builder holeHold(Duration hold) {
            this.holeHold = positive("holeHold", hold);
            return this;
        }

        /** How often an idle stream is checked with a heartbeat. Default 15 s. */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = positive("heartbeatInterval", interval);
            return this;
        }

        /** Rows a stream client may fall behind before it is closed (it reconnects and catches up). Default 10,000. */
        public Builder clientCapacity(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("clientCapacity: " + rows + " is below 1");
            }
            this.clientCapacity = rows;
            return this;
        }

        private static Duration positive(String name, Duration value) {
            if (value == null || value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + ": " + value + " is not a positive duration");
            }
            return value;
        }

        public LogServer start() {
            return new LogServer(this).start();
        }
    }
}

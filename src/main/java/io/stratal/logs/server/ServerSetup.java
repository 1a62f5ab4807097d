package io.stratal.logs.server;

import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.stratal.logs.query.InvalidParameterException;
import java.sql.SQLException;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.session.NullSessionCache;
import org.eclipse.jetty.session.NullSessionDataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The parts of the server's Javalin configuration that are not routes: Jetty, the viewer's files, failures as JSON. */
final class ServerSetup {

    private static final Logger log = LoggerFactory.getLogger(LogServer.class);

    private ServerSetup() {
    }

    /** The address, no sessions, JSON for Jetty's own errors, the viewer at {@code /}. */
    static void jetty(JavalinConfig config, String host, int port) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.jetty.host = host;
        config.jetty.port = port;
        config.router.ignoreTrailingSlashes = true;
        config.jetty.modifyServletContextHandler(handler -> {
            // The server uses no sessions, but Javalin asks for one at every WebSocket upgrade, refused ones
            // included: keep none (a page could grow the heap by opening upgrades in a loop) and set no cookie.
            SessionHandler sessions = handler.getSessionHandler();
            sessions.setUsingCookies(false);
            NullSessionCache cache = new NullSessionCache(sessions);
            cache.setSessionDataStore(new NullSessionDataStore());
            sessions.setSessionCache(cache);
        });
        config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
        config.staticFiles.add(files -> {
            files.hostedPath = "/";
            files.directory = "/viewer"; // src/main/resources/viewer: the log viewer, built from web/apps/viewer
            files.location = Location.CLASSPATH;
        });
    }

    /**
     * A parameter it cannot use: 400 naming it; a database that cannot answer: 503; anything else: a JSON
     * 500 (and nothing for a stream client that is gone); an unknown path under {@code apiRoot}: a JSON 404.
     */
    static void errorAnswers(JavalinConfig config, String apiRoot) {
        config.routes.exception(InvalidParameterException.class, (e, ctx) ->
                Gate.send(ctx, HttpStatus.BAD_REQUEST, JsonBodies.error(e.getMessage(), e.parameter())));
        config.routes.exception(SQLException.class, (e, ctx) -> {
            log.warn("A read failed: {} (SQLSTATE {})", e.getMessage(), e.getSQLState());
            Gate.send(ctx, HttpStatus.SERVICE_UNAVAILABLE, JsonBodies.error("the database cannot answer now; try again", null));
        });
        config.routes.exception(Exception.class, (e, ctx) -> {
            String path;
            try {
                path = ctx.path();
            } catch (RuntimeException recycled) {
                // a stream whose client went away: nobody to answer, nothing to report
                log.debug("A send to a stream client that is gone failed", e);
                return;
            }
            log.error("A request to {} failed", path, e);
            Gate.send(ctx, HttpStatus.INTERNAL_SERVER_ERROR, JsonBodies.error("the server failed on this request", null));
        });
        config.routes.error(404, ctx -> {
            if (ctx.path().startsWith(apiRoot)) {
                Gate.send(ctx, HttpStatus.NOT_FOUND, JsonBodies.error("no such endpoint: "
                        + InvalidParameterException.shorten(ctx.path()), null));
            }
        });
    }
}

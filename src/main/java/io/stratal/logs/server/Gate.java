package io.stratal.logs.server;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.http.servlet.JavalinWsServletContext;
import io.stratal.logs.query.InvalidParameterException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * What every request passes before a handler sees it: the security headers, the {@code Host} and
 * {@code Origin} checks of the {@link AccessPolicy}, the token, a query string that decodes, and the limit
 * on stream clients. A refusal is a JSON answer with the reason, WebSocket upgrades included.
 */
final class Gate {

    /** The viewer's page: scripts, styles and requests only from its own origin, never inside a frame. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; frame-ancestors 'none'; base-uri 'none';"
            + " form-action 'self'; object-src 'none'";

    private static final String RETRY_AFTER_SECONDS = "5";
    private static final java.util.regex.Pattern REPEATED_SLASHES = java.util.regex.Pattern.compile("/{2,}");

    private final AccessPolicy policy;
    private final BearerToken token;
    private final StreamHub hub;
    private final String api;
    private final String metrics;

    /**
     * @param token   {@code null} for a server without one
     * @param api     the prefix of the API's paths
     * @param metrics the metrics path, guarded as the API is
     */
    Gate(AccessPolicy policy, BearerToken token, StreamHub hub, String api, String metrics) {
        this.policy = policy;
        this.token = token;
        this.hub = hub;
        this.api = api;
        this.metrics = metrics;
    }

    /** Before every HTTP request: headers, then the checks. */
    void beforeRequest(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer"); // a token can be in the page's address
        boolean apiRequest = guarded(ctx.path());
        if (apiRequest) {
            ctx.header("Cache-Control", "no-store");
        } else {
            ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            ctx.header("X-Frame-Options", "DENY");
        }
        if (!checkHost(ctx) || !apiRequest || !checkSite(ctx)) {
            return;
        }
        if (ctx.method() == HandlerType.HEAD) {
            ctx.header("Allow", "GET");
            refuse(ctx, HttpStatus.METHOD_NOT_ALLOWED, "the API answers GET only");
            return;
        }
        checkQueryString(ctx.queryString());
        authorize(ctx);
    }

    /**
     * True for a path of the API or the metrics. Compared as the router matches it: Javalin ignores trailing
     * slashes ({@code /metrics/}), and a doubled slash must not slip a guarded path past the checks either.
     */
    boolean guarded(String path) {
        String normalized = REPEATED_SLASHES.matcher(path).replaceAll("/");
        while (normalized.length() > 1 && normalized.endsWith("/")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        return normalized.startsWith(api) || (normalized + "/").equals(api) || normalized.equals(metrics);
    }

    /**
     * Requests from other sites' pages. Browsers do not let such a page read an answer without CORS, but it
     * can still make the server do the work (replay a whole table to a stream it never reads, hold stream
     * places), so the API refuses them: an {@code Origin} that is not this server's own, or a
     * {@code Sec-Fetch-Site} of another site ({@code no-cors} requests carry no {@code Origin}). A listed
     * origin is let in with CORS headers, preflight included. A top-level navigation (a link to the API) is
     * let in: its answer goes to the user, not to the page.
     */
    private boolean checkSite(Context ctx) {
        String origin = ctx.header("Origin");
        boolean listed = origin != null && policy.isListedOrigin(origin);
        if (listed) {
            ctx.header("Access-Control-Allow-Origin", AccessPolicy.normalizeOrigin(origin));
            ctx.header("Vary", "Origin");
            if (ctx.method() == HandlerType.OPTIONS) {
                ctx.header("Access-Control-Allow-Methods", "GET");
                ctx.header("Access-Control-Allow-Headers", "Authorization, Last-Event-ID");
                ctx.header("Access-Control-Max-Age", "600");
                ctx.status(HttpStatus.NO_CONTENT);
                ctx.skipRemainingHandlers();
                return false;
            }
            return true;
        }
        String site = ctx.header("Sec-Fetch-Site");
        boolean foreignSite = ("cross-site".equals(site) || "same-site".equals(site)) && !"navigate".equals(ctx.header("Sec-Fetch-Mode"));
        if (foreignSite || (origin != null && !policy.acceptsOrigin(origin, ctx.header("Host")))) {
            refuse(ctx, HttpStatus.FORBIDDEN, "a request from " + (origin != null ? "the page at "
                    + InvalidParameterException.shorten(origin) : "another site's page") + " is not accepted; list the"
                    + " origin with --allowed-origins (LogServer.Builder.allowedOrigins) to let a dashboard there in");
            return false;
        }
        return true;
    }

    /** Before any WebSocket upgrade: host, origin, token; the stream route then checks its parameters and admits. */
    void beforeUpgrade(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "no-store");
        if (!checkHost(ctx)) {
            return;
        }
        String origin = ctx.header("Origin");
        if (!policy.acceptsOrigin(origin, ctx.header("Host"))) {
            refuse(ctx, HttpStatus.FORBIDDEN, "a WebSocket from the page at " + InvalidParameterException.shorten(origin)
                    + " is not accepted: only this server's own pages may open one; list the origin with"
                    + " --allowed-origins (LogServer.Builder.allowedOrigins) to let another page in");
            return;
        }
        checkQueryString(ctx.queryString());
        authorize(ctx);
    }

    /** Takes a place for one more stream client, or answers 503 with {@code Retry-After}; the last check before a stream. */
    void admitStream(Context ctx) {
        if (!hub.tryAdmit()) {
            ctx.header("Retry-After", RETRY_AFTER_SECONDS);
            refuse(ctx, HttpStatus.SERVICE_UNAVAILABLE, hub.fullReason());
        }
    }

    private boolean checkHost(Context ctx) {
        String host = ctx.header("Host");
        if (policy.acceptsHost(host)) {
            return true;
        }
        refuse(ctx, HttpStatus.FORBIDDEN, "this server answers requests for localhost, 127.0.0.1 and [::1] only, not for '"
                + InvalidParameterException.shorten(host) + "'; to serve it through a proxy under another name, list the name with"
                + " --allowed-hosts (LogServer.Builder.allowedHosts)");
        return false;
    }

    private boolean authorize(Context ctx) {
        if (token == null || token.accepts(ctx.header("Authorization"), ctx.queryParam("access_token"))) {
            return true;
        }
        ctx.header("WWW-Authenticate", "Bearer");
        refuse(ctx, HttpStatus.UNAUTHORIZED, "this server needs a token: send Authorization: Bearer <token>");
        return false;
    }

    /**
     * The servlet container skips a parameter it cannot decode ({@code limit=%zz}), which would quietly
     * use the default, and takes the first of a repeated one; a 400 that names it is the honest answer.
     */
    static void checkQueryString(String query) {
        if (query == null || query.isEmpty()) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String rawName = equals < 0 ? pair : pair.substring(0, equals);
            String name = decodeOrNull(rawName);
            if (name == null) {
                throw new InvalidParameterException(InvalidParameterException.shorten(rawName), "the parameter's name is not valid percent-encoded UTF-8");
            }
            if (equals >= 0 && decodeOrNull(pair.substring(equals + 1)) == null) {
                throw new InvalidParameterException(InvalidParameterException.shorten(name), "the value is not valid percent-encoded UTF-8");
            }
            if (!seen.add(name)) {
                // a proxy or cache may read another of the values than the server would
                throw new InvalidParameterException(InvalidParameterException.shorten(name), "given more than once; give it once");
            }
        }
    }

    /** Percent-decodes ({@code +} is a space) strictly: {@code null} for a broken escape or bytes that are not UTF-8. */
    static String decodeOrNull(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length()) {
                    return null;
                }
                int high = Character.digit(text.charAt(i + 1), 16);
                int low = Character.digit(text.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return null;
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else if (c == '+') {
                bytes.write(' ');
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static void refuse(Context ctx, HttpStatus status, String reason) {
        send(ctx, status, JsonBodies.error(reason, null));
        ctx.skipRemainingHandlers();
    }

    /**
     * Answers with a JSON body. Javalin does not write a result set before a WebSocket upgrade, so there the
     * body goes to the servlet response directly; a refused upgrade says why, like any other request.
     */
    static void send(Context ctx, HttpStatus status, String json) {
        if (!(ctx instanceof JavalinWsServletContext)) {
            ctx.status(status).contentType("application/json").result(json);
            return;
        }
        HttpServletResponse response = ctx.res();
        if (response.isCommitted()) {
            return;
        }
        response.setStatus(status.getCode());
        response.setContentType("application/json");
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        try {
            response.getOutputStream().write(body);
            response.flushBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

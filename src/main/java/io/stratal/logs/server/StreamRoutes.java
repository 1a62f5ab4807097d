package io.stratal.logs.server;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import io.stratal.logs.query.InvalidParameterException;
import io.stratal.logs.query.LogConditions;
import io.stratal.logs.query.LogFilter;
import io.stratal.logs.query.PageRequest;
import io.stratal.logs.query.StoredLog;
import java.util.function.Function;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.websocket.api.Callback;

/**
 * {@code /stream/sse}, {@code /stream/ws} and {@code /stream/status}. Both streams take
 * {@code job_run_id}, {@code task_run_id} or {@code type} (else they carry every log) and the last id a client saw, as SSE's
 * {@code Last-Event-ID} header or the {@code after_id} parameter; a client that gives it misses nothing.
 */
final class StreamRoutes {

    private static final long WS_SEND_TIMEOUT_SECONDS = 30;

    private final StreamHub hub;
    private final LogFeed feed;
    private final Gate gate;

    StreamRoutes(StreamHub hub, LogFeed feed, Gate gate) {
        this.hub = hub;
        this.feed = feed;
        this.gate = gate;
    }

    void register(JavalinConfig config, String api) {
        config.routes.before(api + "/stream/sse", ctx -> {
            checkParameters(ctx);
            String accept = ctx.header("Accept");
            if (accept == null || !accept.contains("text/event-stream")) {
                ctx.status(406).contentType("application/json").result(JsonBodies.error(
                        "this is a Server-Sent Events stream: send Accept: text/event-stream", null));
                ctx.skipRemainingHandlers();
                return;
            }
            gate.admitStream(ctx);
        });
        config.routes.wsBeforeUpgrade(api + "/stream/ws", ctx -> {
            checkParameters(ctx);
            gate.admitStream(ctx); // last: a refused upgrade never holds a place
        });
        config.routes.sse(api + "/stream/sse", this::sse);
        config.routes.ws(api + "/stream/ws", ws -> {
            ws.onConnect(this::webSocket);
            ws.onClose(ctx -> end(ctx));
            ws.onError(ctx -> end(ctx));
        });
        config.routes.get(api + "/stream/status", this::status);
    }

    /** Before a stream starts, so a bad parameter still gets a plain 400. */
    private static void checkParameters(Context ctx) {
        filter(ctx);
        afterId(ctx.header("Last-Event-ID"), ctx.queryParam("after_id"));
    }

    /** The stream's selection ({@link #filter(Function)}) narrowed by the list endpoints' conditions. */
    static LogFilter filter(Context ctx) {
        return filter(ctx::queryParam).where(LogConditions.parse(ctx.queryParamMap()));
    }

    static LogFilter filter(WsConnectContext ctx) {
        return filter(ctx::queryParam).where(LogConditions.parse(ctx.queryParamMap()));
    }

    /**
     * Which rows a stream carries: {@code job_run_id} (DESIGN's parameter), or {@code task_run_id} or
     * {@code type}, so a client watching one task or the system logs is not sent everything; none for all.
     */
    static LogFilter filter(Function<String, String> query) {
        String job = blankToNull(query.apply("job_run_id"));
        String task = blankToNull(query.apply("task_run_id"));
        String type = blankToNull(query.apply("type"));
        if ((job != null ? 1 : 0) + (task != null ? 1 : 0) + (type != null ? 1 : 0) > 1) {
            throw new InvalidParameterException(job != null ? "job_run_id" : "task_run_id",
                    "give at most one of job_run_id, task_run_id and type");
        }
        if (job != null) {
            return LogFilter.jobRun(LogFilter.parseId("job_run_id", job));
        }
        if (task != null) {
            return LogFilter.taskRun(LogFilter.parseId("task_run_id", task));
        }
        return type != null ? LogFilter.ofType(LogFilter.parseType("type", type)) : LogFilter.all();
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    static Long afterId(String lastEventId, String afterIdParameter) {
        String parameter = lastEventId != null && !lastEventId.isBlank() ? "Last-Event-ID" : "after_id";
        String text = parameter.equals("Last-Event-ID") ? lastEventId : afterIdParameter;
        if (text == null || text.isBlank()) {
            return null;
        }
        long id;
        try {
            id = PageRequest.parseWhole(parameter, text);
        } catch (InvalidParameterException e) {
            id = -1;
        }
        if (id < 0) {
            throw new InvalidParameterException(parameter, "'" + InvalidParameterException.shorten(text)
                    + "' is not a log id (a whole number, 0 or more)");
        }
        return id;
    }

    private void sse(SseClient client) {
        Context ctx = client.ctx();
        LogFilter filter = filter(ctx);
        Long after = afterId(ctx.header("Last-Event-ID"), ctx.queryParam("after_id"));
        client.keepAlive();
        Subscriber subscriber = hub.subscribe(filter, after, new Subscriber.Sink() {
            @Override
            public boolean send(StoredLog log) {
                return emit(client, () -> client.sendEvent("log", LogJson.toJson(log), Long.toString(log.id())));
            }

            @Override
            public boolean heartbeat() {
                return emit(client, () -> client.sendComment("heartbeat"));
            }

            @Override
            public boolean ready(long position) {
                // Its id is where a reconnect without any log received yet resumes (EventSource sends it back).
                String id = position >= 0 ? Long.toString(position) : null;
                String data = JsonBodies.object(generator -> generator.writeNumberField("position", Math.max(position, 0)));
                return emit(client, () -> {
                    if (id == null) {
                        client.sendEvent("ready", data);
                    } else {
                        client.sendEvent("ready", data, id);
                    }
                });
            }

            @Override
            public void close(String reason) {
                if (emit(client, () -> client.sendEvent("close", JsonBodies.error(reason, null)))) {
                    client.close();
                }
            }
        }, "sse");
        if (subscriber != null) {
            client.onClose(subscriber::end);
        }
    }

    /**
     * Sends on an SSE client from the feed's threads; false once the client is gone. A client that went away
     * between two sends has a recycled response, on which Javalin's send fails with a runtime exception
     * rather than marking the client terminated: that, too, is a client gone, not a failure to report.
     */
    private static boolean emit(SseClient client, Runnable send) {
        if (client.terminated()) {
            return false;
        }
        try {
            send.run();
        } catch (RuntimeException gone) {
            return false;
        }
        return !client.terminated();
    }

    private void webSocket(WsConnectContext ctx) {
        LogFilter filter = filter(ctx);
        Long after = afterId(null, ctx.queryParam("after_id"));
        ctx.enableAutomaticPings(15, TimeUnit.SECONDS);
        Subscriber subscriber = hub.subscribe(filter, after, new Subscriber.Sink() {
            @Override
            public boolean send(StoredLog log) {
                return sendText(ctx, LogJson.toJson(log));
            }

            @Override
            public boolean heartbeat() {
                return ctx.session.isOpen(); // the automatic pings keep the connection checked
            }

            @Override
            public boolean ready(long position) {
                return ctx.session.isOpen(); // a WebSocket frame is a log, nothing else
            }

            @Override
            public void close(String reason) {
                ctx.closeSession(1013, reason.length() > 120 ? reason.substring(0, 120) : reason); // "try again later"
            }
        }, "ws");
        if (subscriber != null) {
            ctx.attribute("stratal.subscriber", subscriber);
        }
    }

    /** Waits for the frame to be written, so a slow client fills its own queue, not the server's memory. */
    private static boolean sendText(WsContext ctx, String text) {
        if (!ctx.session.isOpen()) {
            return false;
        }
        Callback.Completable sent = new Callback.Completable();
        ctx.session.sendText(text, sent);
        try {
            sent.get(WS_SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    private static void end(WsContext ctx) {
        Subscriber subscriber = ctx.attribute("stratal.subscriber");
        if (subscriber != null) {
            subscriber.end();
        }
    }

    private void status(Context ctx) {
        String json = JsonBodies.object(generator -> {
            generator.writeBooleanField("listening", feed.listening());
            generator.writeStringField("mode", feed.mode());
            generator.writeBooleanField("standby", feed.standby());
            generator.writeNumberField("poll_interval_ms", feed.pollMillis());
            generator.writeStringField("channel", feed.channel());
            generator.writeNumberField("last_id", feed.lastId());
            generator.writeObjectFieldStart("clients");
            generator.writeNumberField("sse", hub.count("sse"));
            generator.writeNumberField("ws", hub.count("ws"));
            generator.writeEndObject();
            generator.writeNumberField("notifications", feed.notifications());
            generator.writeNumberField("polls", feed.polls());
            generator.writeStringField("last_error", feed.lastError());
        });
        ctx.contentType("application/json").result(json);
    }
}

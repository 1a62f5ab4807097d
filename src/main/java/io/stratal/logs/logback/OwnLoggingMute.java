package io.stratal.logs.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.spi.FilterReply;
import io.stratal.logs.writer.LogWriter;
import java.util.List;
import org.slf4j.Marker;

/**
 * While the appender starts or stops, what its own work logs goes nowhere. As it starts, Micrometer's first
 * words come while logback is still configuring and no appender is attached yet ("No appenders present");
 * as it stops, the pool's "Shutdown initiated/completed" and "Closing connection" lines come while logback
 * stops the appenders one by one, and one already stopped, this one or another, answers each with a WARN in
 * the status. Quieted are only the lines of those libraries (HikariCP, pgjdbc, Micrometer), only on the
 * calling thread (inside the appender's own start or stop), the writer's threads and the threads of the
 * writer's pool (HikariCP names them after it: {@code stratal-<appender> housekeeper},
 * {@code stratal-<appender>:connection-closer}, with {@code -<k>} after the appender's name for each of several
 * writers), and only until {@link #end()}. The application's own lines
 * are never touched, on any thread.
 */
final class OwnLoggingMute extends TurboFilter {

    /** The libraries the appender's own work logs through: the pool, the driver, the meters. */
    private static final List<String> LIBRARIES = List.of("com.zaxxer.hikari.", "org.postgresql.", "io.micrometer.");

    private final Thread caller = Thread.currentThread();
    private final LoggerContext context;
    private final String poolThreads;
    private volatile LogWriter writer;

    private OwnLoggingMute(LoggerContext context, String appenderName) {
        this.context = context;
        this.poolThreads = "stratal-" + appenderName;
    }

    /** Mutes until {@link #end()}; {@code null} outside logback-classic, where there is nothing to mute. */
    static OwnLoggingMute begin(Context context, String appenderName, LogWriter writer) {
        if (!(context instanceof LoggerContext)) {
            return null;
        }
        OwnLoggingMute mute = new OwnLoggingMute((LoggerContext) context, appenderName);
        mute.writer = writer;
        mute.setName("stratal-own-logging-mute");
        mute.start();
        mute.context.addTurboFilter(mute);
        return mute;
    }

    static void end(OwnLoggingMute mute) {
        if (mute != null) {
            mute.context.getTurboFilterList().remove(mute);
            mute.stop();
        }
    }

    /** The writer once it exists, so its threads are muted too. */
    void writer(LogWriter started) {
        this.writer = started;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (logger == null || !isLibrary(logger.getName())) {
            return FilterReply.NEUTRAL; // the application's own lines, on any thread, go where they always go
        }
        Thread current = Thread.currentThread();
        LogWriter w = writer;
        if (current == caller || (w != null && w.isWriterThread()) || isPoolThread(current.getName())) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }

    private static boolean isLibrary(String loggerName) {
        for (String prefix : LIBRARIES) {
            if (loggerName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** {@code stratal-<appender>} or, with several writers, {@code stratal-<appender>-<k>}, then a space or a colon. */
    private boolean isPoolThread(String name) {
        if (!name.startsWith(poolThreads)) {
            return false;
        }
        int at = poolThreads.length();
        if (at < name.length() && name.charAt(at) == '-') {
            int digits = at + 1;
            while (digits < name.length() && Character.isDigit(name.charAt(digits))) {
                digits++;
            }
            at = digits > at + 1 ? digits : at;
        }
        return at < name.length() && (name.charAt(at) == ' ' || name.charAt(at) == ':');
    }
}

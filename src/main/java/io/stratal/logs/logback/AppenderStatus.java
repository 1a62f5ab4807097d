package io.stratal.logs.logback;

import ch.qos.logback.core.spi.ContextAwareBase;
import io.stratal.logs.pipeline.StatusListener;

/**
 * All of an appender's status output, its own and its writer's, to logback's status manager (the only place
 * an appender may talk to), each message prefixed once with {@code Appender [name]}.
 */
final class AppenderStatus implements StatusListener {

    private final ContextAwareBase owner;
    private final String prefix;

    AppenderStatus(ContextAwareBase owner, String appenderName) {
        this.owner = owner;
        this.prefix = "Appender [" + appenderName + "] ";
    }

    @Override
    public void info(String message) {
        owner.addInfo(prefix + message);
    }

    @Override
    public void warn(String message) {
        owner.addWarn(prefix + message);
    }

    @Override
    public void error(String message, Throwable cause) {
        owner.addError(prefix + message, cause);
    }
}

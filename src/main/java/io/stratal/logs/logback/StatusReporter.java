package io.stratal.logs.logback;

import ch.qos.logback.core.spi.ContextAwareBase;
import io.stratal.logs.writer.Reporter;

/** Sends the pipeline's reports to logback's status manager, the only place the appender may talk to. */
final class StatusReporter implements Reporter {

    private final ContextAwareBase owner;

    StatusReporter(ContextAwareBase owner) {
        this.owner = owner;
    }

    @Override
    public void info(String message) {
        owner.addInfo(message);
    }

    @Override
    public void warn(String message) {
        owner.addWarn(message);
    }

    @Override
    public void error(String message, Throwable cause) {
        owner.addError(message, cause);
    }
}

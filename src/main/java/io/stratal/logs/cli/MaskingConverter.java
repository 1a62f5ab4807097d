package io.stratal.logs.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;

/**
 * {@code %masked(...)} in the commands' logging patterns: what it wraps, with passwords masked
 * ({@link CliLogging#mask()}), so a driver or pool message that quotes a JDBC URL does not print its password.
 */
public final class MaskingConverter extends CompositeConverter<ILoggingEvent> {

    @Override
    protected String transform(ILoggingEvent event, String in) {
        return CliLogging.mask().apply(in);
    }
}

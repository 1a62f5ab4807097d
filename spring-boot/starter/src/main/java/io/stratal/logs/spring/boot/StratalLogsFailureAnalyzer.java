package io.stratal.logs.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link StratalLogsConfigurationException} into Spring Boot's "APPLICATION FAILED TO START" report:
 * what is wrong, and the property to change. A value that cannot be bound at all (a batch size of "lots", a
 * negative duration) is reported by Spring Boot's own binding analysis, which names the property too.
 */
final class StratalLogsFailureAnalyzer extends AbstractFailureAnalyzer<StratalLogsConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, StratalLogsConfigurationException cause) {
        return new FailureAnalysis("The unified log appender could not be configured: " + cause.getMessage(),
                "Change " + cause.getProperty() + " (docs/SPRING-BOOT.md lists the stratal.logs.* properties), or set"
                        + " stratal.logs.enabled=false to start without storing logs.",
                cause);
    }
}

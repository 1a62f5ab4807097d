package io.stratal.logs.logback;

import ch.qos.logback.core.util.Duration;

/**
 * Checks settings in {@code start()} and speaks logback's two kinds of config message: a value that can be
 * corrected gets {@code addWarn} stating the correction ("batchSize 0 is below 1, using 1000"); a missing
 * or impossible one gets {@code addError} saying what to write in logback.xml, and the appender stays
 * stopped.
 */
final class SettingsCheck {

    private final AppenderStatus status;
    private boolean failed;

    SettingsCheck(AppenderStatus status) {
        this.status = status;
    }

    int atLeast(String setting, int value, int min, int fallback) {
        if (value < min) {
            warn(setting + " " + value + " is below " + min + ", using " + fallback);
            return fallback;
        }
        return value;
    }

    long atLeast(String setting, long value, long min, long fallback) {
        if (value < min) {
            warn(setting + " " + value + " is below " + min + ", using " + fallback);
            return fallback;
        }
        return value;
    }

    /** A duration above zero, or {@code fallback} with a warning. */
    java.time.Duration positive(String setting, Duration value, java.time.Duration fallback) {
        if (value == null || value.getMilliseconds() <= 0) {
            warn(setting + " " + value + " is not above zero, using " + fallback.toMillis() + " milliseconds");
            return fallback;
        }
        return java.time.Duration.ofMillis(value.getMilliseconds());
    }

    /** A duration of zero or more, or {@code fallback} with a warning. */
    java.time.Duration notNegative(String setting, Duration value, java.time.Duration fallback) {
        if (value == null || value.getMilliseconds() < 0) {
            warn(setting + " " + value + " is negative, using " + fallback.toMillis() + " milliseconds");
            return fallback;
        }
        return java.time.Duration.ofMillis(value.getMilliseconds());
    }

    String nonBlank(String setting, String value, String fallback) {
        if (value == null || value.isBlank()) {
            warn(setting + " is empty, using \"" + fallback + "\"");
            return fallback;
        }
        return value.trim();
    }

    void warn(String message) {
        status.warn(message);
    }

    void error(String message) {
        failed = true;
        status.error("not started: " + message, null);
    }

    boolean failed() {
        return failed;
    }
}

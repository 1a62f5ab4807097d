package io.stratal.logs.internal.util;

import io.stratal.logs.names.TableName;
import java.time.Duration;

/**
 * The argument checks the builders share ({@code LogWriterConfig}, {@code LogServer}): each names the
 * setting and says what is wrong, in one wording.
 */
public final class Checks {

    private Checks() {
    }

    /** {@code value}, or an exception naming {@code setting} when it is below {@code min}. */
    public static int atLeast(String setting, int value, int min) {
        return (int) atLeast(setting, (long) value, min);
    }

    /** {@code value}, or an exception naming {@code setting} when it is below {@code min}. */
    public static long atLeast(String setting, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(setting + ": " + value + " is below " + min);
        }
        return value;
    }

    /** {@code value}, or an exception naming {@code setting} when it is missing, zero or negative. */
    public static Duration positive(String setting, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(setting + ": " + value + " is not above zero");
        }
        return value;
    }

    /** {@code value}, or an exception naming {@code setting} when it is missing or negative. */
    public static Duration notNegative(String setting, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(setting + ": " + value + " is negative");
        }
        return value;
    }

    /**
     * {@code channel} when it is {@code null} (no notifications) or a plain lower-case name that
     * {@code pg_notify} and {@code LISTEN} take alike; else an exception naming {@code setting}.
     */
    public static String channel(String setting, String channel) {
        if (channel != null && !TableName.isIdentifier(channel)) {
            throw new IllegalArgumentException(setting + ": '" + channel + "' is not a plain lower-case name");
        }
        return channel;
    }
}

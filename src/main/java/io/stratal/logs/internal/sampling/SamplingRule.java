package io.stratal.logs.internal.sampling;

import io.stratal.logs.LogLevel;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One checked sampling rule: which lines it takes (a logger name prefix, the highest level) and what it keeps
 * of each key in each window ({@code first} lines, then one in every {@code thenEvery}; {@code 0} keeps none).
 *
 * @param name         what summaries, {@code log.sample} and the counters call it
 * @param loggerPrefix a logger name or a prefix of one at a dot; empty for every logger
 * @param level        the highest level it samples
 * @param first        lines kept per key and window before sampling starts
 * @param thenEvery    then one line kept in every this many; {@code 0} keeps none
 * @param window       how long a key's count runs before it starts again
 */
public record SamplingRule(String name, String loggerPrefix, LogLevel level, long first, long thenEvery, Duration window) {

    public SamplingRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(loggerPrefix, "loggerPrefix");
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(window, "window");
        if (first < 0 || thenEvery < 0 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("first and thenEvery must be 0 or more, and the window above zero");
        }
    }

    /** Whether a line of {@code logger} at {@code lineLevel} is this rule's to sample. */
    boolean takes(String logger, LogLevel lineLevel) {
        if (lineLevel.compareTo(level) > 0) {
            return false;
        }
        if (loggerPrefix.isEmpty()) {
            return true;
        }
        return logger != null && logger.startsWith(loggerPrefix)
                && (logger.length() == loggerPrefix.length() || logger.charAt(loggerPrefix.length()) == '.');
    }

    /** What a kept line carries as {@code log.sample}: this rule, and how many lines it stands for. */
    Map<String, Object> mark(long rate) {
        Map<String, Object> mark = new LinkedHashMap<>();
        mark.put("rule", name);
        mark.put("rate", rate);
        return Collections.unmodifiableMap(mark);
    }
}

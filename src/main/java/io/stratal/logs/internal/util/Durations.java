package io.stratal.logs.internal.util;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Ages and windows as people write them on a command line or in a query string: {@code 30d}, {@code 1h}. */
public final class Durations {

    /** Past this a cut-off leaves what a timestamp column can compare, so an age is a typo. */
    public static final Duration MAX_AGE = Duration.ofDays(365_250);
    private static final Pattern COMPACT = Pattern.compile("(\\d+)\\s*(d|h|m|s)");

    private Durations() {
    }

    /**
     * Reads an age like {@code 30d}, {@code 12h}, {@code 90m}, {@code 45s}, or ISO-8601 ({@code P30D}).
     *
     * @throws IllegalArgumentException saying how to write one, for text that is not an age, not positive,
     *                                  or longer than {@link #MAX_AGE}
     */
    public static Duration parseAge(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher compact = COMPACT.matcher(value);
        Duration age;
        if (compact.matches()) {
            try {
                long n = Long.parseLong(compact.group(1));
                age = switch (compact.group(2)) {
                    case "d" -> Duration.ofDays(n);
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofSeconds(n);
                };
            } catch (NumberFormatException | ArithmeticException e) {
                age = MAX_AGE.plusDays(1); // too many digits for a long, or days past a long's seconds
            }
        } else {
            try {
                age = Duration.parse(value.toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'" + text + "' is not an age: write 30d, 12h, 90m, 45s or P30D");
            }
        }
        if (age.isZero() || age.isNegative()) {
            throw new IllegalArgumentException("'" + text + "' is not a positive age");
        }
        if (age.compareTo(MAX_AGE) > 0) {
            throw new IllegalArgumentException("'" + text + "' is more than " + MAX_AGE.toDays() + "d (1000 years)");
        }
        return age;
    }
}

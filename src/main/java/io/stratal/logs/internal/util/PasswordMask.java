package io.stratal.logs.internal.util;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps passwords out of what is printed. pgjdbc and HikariCP quote a JDBC URL whole in some of their
 * messages ({@code Unable to parse URL jdbc:postgresql://db:99999/x?password=...}), and a terminal or a CI
 * log is no place for it. Masks {@code password=...} parameters and {@code user:password@} in any text,
 * and the known password values themselves wherever they appear.
 */
public final class PasswordMask {

    /** What a password is replaced with. */
    public static final String MASK = "****";

    /** Known values shorter than this are masked only where the patterns find them, not in every word. */
    private static final int MIN_VALUE_LENGTH = 4;
    private static final Pattern PARAMETER = Pattern.compile("(?i)(password\\s*=\\s*)([^&;\\s,)\\]}'\"]+)");
    /** In a JDBC URL a value runs to the next {@code &}, as pgjdbc splits it: that whole value is the secret. */
    private static final Pattern URL_PARAMETER = Pattern.compile("(?i)[?&]password=([^&]+)");
    private static final Pattern USER_INFO = Pattern.compile("(://[^/@\\s:]*:)([^@\\s/]+)(@)");
    private static final PasswordMask PATTERNS_ONLY = new PasswordMask(List.of());

    private final List<String> values; // longest first, so a password that contains another is masked whole

    private PasswordMask(List<String> values) {
        this.values = values;
    }

    /** Masks the patterns only. */
    public static PasswordMask patternsOnly() {
        return PATTERNS_ONLY;
    }

    /**
     * Masks the patterns, the given passwords, and the passwords in the given JDBC URLs (as written and
     * decoded); {@code null} entries are skipped.
     */
    public static PasswordMask of(Collection<String> passwords, Collection<String> urls) {
        List<String> values = new ArrayList<>();
        for (String password : passwords) {
            addValue(values, password);
        }
        for (String url : urls) {
            if (url == null) {
                continue;
            }
            for (Matcher m = URL_PARAMETER.matcher(url); m.find(); ) {
                addValue(values, m.group(1));
                addValue(values, decode(m.group(1)));
            }
            for (Matcher m = USER_INFO.matcher(url); m.find(); ) {
                addValue(values, m.group(2));
                addValue(values, decode(m.group(2)));
            }
        }
        values.sort(Comparator.comparingInt(String::length).reversed());
        return new PasswordMask(List.copyOf(values));
    }

    private static void addValue(List<String> values, String value) {
        if (value != null && value.length() >= MIN_VALUE_LENGTH && !value.equals(MASK) && !values.contains(value)) {
            values.add(value);
        }
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code text} with every password in it masked; {@code null} stays {@code null}. */
    public String apply(String text) {
        if (text == null) {
            return null;
        }
        String masked = text;
        for (String value : values) { // first, whole: a pattern could cut a value at a ';' or a space
            masked = masked.replace(value, MASK);
        }
        masked = PARAMETER.matcher(masked).replaceAll("$1" + MASK);
        return USER_INFO.matcher(masked).replaceAll("$1" + MASK + "$3");
    }
}

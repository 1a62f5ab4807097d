package io.stratal.logs.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides by key name whether a metadata value is a secret. A key matches when, lower-cased and stripped of
 * everything but letters and digits, it contains one of the configured words: with the default words
 * {@code db_password}, {@code X-Api-Key} and {@code refreshToken} all match.
 */
public final class Redaction {

    /** The words redacted when nothing else is configured. */
    public static final List<String> DEFAULT_WORDS = List.of(
            "password", "passwd", "secret", "token", "apikey", "authorization", "credential", "privatekey",
            "cookie", "sessionid");

    /** What a redacted value is stored as. */
    public static final String MASK = "[REDACTED]";

    /** Decisions are cached per key; past this many distinct keys they are computed every time. */
    private static final int MAX_CACHED_KEYS = 10_000;

    private final List<String> words;
    private final Map<String, Boolean> decisions = new ConcurrentHashMap<>();

    private Redaction(List<String> words) {
        this.words = words;
    }

    /** Redacts keys containing any of {@code words} (matched as described above); an empty list redacts nothing. */
    public static Redaction of(Collection<String> words) {
        List<String> normalized = new ArrayList<>();
        for (String word : words) {
            String n = normalize(word);
            if (!n.isEmpty()) {
                normalized.add(n);
            }
        }
        return new Redaction(List.copyOf(normalized));
    }

    /** True when the value stored under {@code key} must be masked. */
    public boolean isSecret(String key) {
        if (words.isEmpty()) {
            return false;
        }
        Boolean cached = decisions.get(key);
        if (cached != null) {
            return cached;
        }
        boolean secret = matches(normalize(key));
        if (decisions.size() < MAX_CACHED_KEYS) {
            decisions.put(key, secret);
        }
        return secret;
    }

    private boolean matches(String normalizedKey) {
        for (String word : words) {
            if (normalizedKey.contains(word)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code text} with the values of {@code key=value} and {@code key: value} pairs masked where the key
     * names a secret ({@code password=hunter2}, {@code "apiKey": "abc"}, {@code Authorization: Bearer xyz});
     * the same instance when nothing matched. A value is one word, or a quoted string, or for an
     * authorization scheme ({@code Bearer}, {@code Basic}) the scheme and the word after it.
     *
     * <p>It looks only at the characters around each {@code =} and {@code :}, so a message without them
     * costs one scan.
     */
    public String scrubPairs(String text) {
        if (words.isEmpty() || text == null) {
            return text;
        }
        StringBuilder out = null;
        int copied = 0;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c != '=' && c != ':') {
                continue;
            }
            int keyEnd = i;
            while (keyEnd > 0 && text.charAt(keyEnd - 1) == ' ') {
                keyEnd--;
            }
            boolean quotedKey = keyEnd > 0 && (text.charAt(keyEnd - 1) == '"' || text.charAt(keyEnd - 1) == '\'');
            int keyStart = quotedKey ? keyEnd - 1 : keyEnd;
            while (keyStart > 0 && isKeyChar(text.charAt(keyStart - 1))) {
                keyStart--;
            }
            String key = text.substring(keyStart, quotedKey ? keyEnd - 1 : keyEnd);
            // not through the cache: words before a ':' or '=' in free text (times, schemes, ids) would fill it
            if (key.isEmpty() || !matches(normalize(key))) {
                continue;
            }
            int valueStart = i + 1;
            while (valueStart < length && text.charAt(valueStart) == ' ') {
                valueStart++;
            }
            int valueEnd = valueEnd(text, valueStart);
            if (valueEnd == valueStart || text.startsWith(MASK, valueStart)) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(length + 16);
            }
            boolean quotedValue = text.charAt(valueStart) == '"' || text.charAt(valueStart) == '\'';
            out.append(text, copied, quotedValue ? valueStart + 1 : valueStart).append(MASK);
            boolean closedQuote = quotedValue && valueEnd - 1 > valueStart && text.charAt(valueEnd - 1) == text.charAt(valueStart);
            copied = closedQuote ? valueEnd - 1 : valueEnd;
            i = valueEnd - 1;
        }
        if (out == null) {
            return text;
        }
        return out.append(text, copied, length).toString();
    }

    private static boolean isKeyChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
    }

    /** Where the value starting at {@code start} ends: after its closing quote, its word, or a scheme's word. */
    private static int valueEnd(String text, int start) {
        int length = text.length();
        if (start >= length) {
            return start;
        }
        char first = text.charAt(start);
        if (first == '"' || first == '\'') {
            int close = text.indexOf(first, start + 1);
            return close < 0 ? length : close + 1;
        }
        int end = wordEnd(text, start);
        String word = text.substring(start, end);
        if ((word.equalsIgnoreCase("bearer") || word.equalsIgnoreCase("basic") || word.equalsIgnoreCase("token"))
                && end < length && text.charAt(end) == ' ') {
            end = wordEnd(text, end + 1);
        }
        return end;
    }

    private static int wordEnd(String text, int start) {
        int i = start;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || c == ',' || c == ';' || c == '&' || c == ')' || c == ']' || c == '}'
                    || c == '"' || c == '\'') {
                break;
            }
            i++;
        }
        return i;
    }

    private static String normalize(String key) {
        StringBuilder out = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }
}

package io.stratal.logs;

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

    /** The words this instance matches, normalized. */
    public List<String> words() {
        return words;
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

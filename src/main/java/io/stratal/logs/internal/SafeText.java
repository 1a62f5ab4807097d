package io.stratal.logs.internal;

/**
 * Makes strings storable in PostgreSQL {@code text} and {@code jsonb}.
 *
 * <p>PostgreSQL refuses U+0000 in both types (SQLSTATE 22021 / 22P05) and lone UTF-16 surrogates are not
 * valid UTF-8. Both are replaced with U+FFFD here, before a record is queued, so that what is stored is
 * decided by us and not by whichever driver path the row takes. The checks return the same instance when
 * nothing has to change, which is the common case and costs one pass over the characters.
 */
public final class SafeText {

    /** What an unstorable character becomes. */
    public static final char REPLACEMENT = '\uFFFD';

    private SafeText() {
    }

    /** True when {@code s} contains no U+0000 and no unpaired surrogate. */
    public static boolean isSafe(String s) {
        int length = s.length();
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return false;
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return false;
                }
            }
        }
        return true;
    }

    /** Replaces every U+0000 and every unpaired surrogate with U+FFFD; returns {@code s} when it is safe. */
    public static String repair(String s) {
        if (isSafe(s)) {
            return s;
        }
        int length = s.length();
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c == 0) {
                out.append(REPLACEMENT);
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(i + 1));
                i++;
            } else if (Character.isSurrogate(c)) {
                out.append(REPLACEMENT);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * Cuts {@code s} to at most {@code maxChars} characters without splitting a surrogate pair; returns
     * {@code s} when it is short enough.
     */
    public static String cut(String s, int maxChars) {
        if (s.length() <= maxChars) {
            return s;
        }
        int end = maxChars;
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }
}

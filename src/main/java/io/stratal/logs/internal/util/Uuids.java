package io.stratal.logs.internal.util;

import java.util.UUID;

/**
 * Strict UUID parsing. {@link UUID#fromString} accepts forms PostgreSQL refuses ({@code "1-2-3-4-5"}), so
 * ids are checked here against the canonical 8-4-4-4-12 hex form, in either case.
 */
public final class Uuids {

    private Uuids() {
    }

    /** The UUID written in {@code text}, or {@code null} when it is not a canonical UUID. */
    public static UUID parseOrNull(String text) {
        if (text == null || text.length() != 36) {
            return null;
        }
        long high = 0;
        long low = 0;
        int digits = 0;
        for (int i = 0; i < 36; i++) {
            char c = text.charAt(i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return null;
                }
                continue;
            }
            int value = Character.digit(c, 16);
            if (value < 0 || c > 'f') {
                return null;
            }
            if (digits < 16) {
                high = (high << 4) | value;
            } else {
                low = (low << 4) | value;
            }
            digits++;
        }
        return new UUID(high, low);
    }
}

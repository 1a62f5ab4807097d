package io.stratal.logs.query;

/**
 * How much of a read to return: up to {@code limit} rows, starting {@code offset} rows in, or after
 * {@code cursor} when one is given (then {@code offset} is 0); oldest first, or newest first when
 * {@code descending}.
 *
 * @param limit      rows a page, 1 to {@link #MAX_LIMIT}
 * @param offset     rows to skip, 0 or more; with a cursor, 0
 * @param cursor     where the previous page ended, or {@code null}
 * @param descending newest first
 */
public record PageRequest(int limit, long offset, Cursor cursor, boolean descending) {

    /** Rows a page holds when no limit is given. */
    public static final int DEFAULT_LIMIT = 100;
    /** The most rows a page holds; a larger limit is lowered to it. */
    public static final int MAX_LIMIT = 1000;

    /**
     * Checks the values.
     *
     * @param limit      rows a page, 1 to {@link #MAX_LIMIT}
     * @param offset     rows to skip, 0 or more; with a cursor, 0
     * @param cursor     where the previous page ended, or {@code null}
     * @param descending newest first
     */
    public PageRequest {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidParameterException("limit", limit + " is outside 1.." + MAX_LIMIT);
        }
        if (offset < 0) {
            throw new InvalidParameterException("offset", offset + " is negative");
        }
        if (cursor != null && offset != 0) {
            throw new InvalidParameterException("cursor", "give either offset or cursor, not both");
        }
        if (cursor != null && cursor.descending() != descending) {
            throw new InvalidParameterException("cursor", "it was given out for order=" + (cursor.descending() ? "desc" : "asc")
                    + "; ask with the same order");
        }
    }

    /**
     * Oldest first.
     *
     * @param limit rows at most
     * @param offset rows to skip, or {@code null}
     * @param cursor where the previous page ended, or {@code null} for the first page
     */
    public PageRequest(int limit, long offset, Cursor cursor) {
        this(limit, offset, cursor, cursor != null && cursor.descending());
    }

    /**
     * The first page, oldest first.
     *
     * @param limit rows a page
     * @return the request
     */
    public static PageRequest first(int limit) {
        return new PageRequest(limit, 0, null, false);
    }

    /**
     * Like {@link #parse(String, String, String)}, with an order.
     *
     * @param limit  rows a page, or {@code null} for 100
     * @param offset rows to skip, or {@code null}
     * @param cursor where the previous page ended, or {@code null}
     * @param order  {@code asc} (the default, also for {@code null}) or {@code desc}
     * @return the request
     * @throws InvalidParameterException naming the parameter that cannot be used
     */
    public static PageRequest parse(String limit, String offset, String cursor, String order) {
        boolean descending;
        if (order == null || order.isBlank() || order.trim().equalsIgnoreCase("asc")) {
            descending = false;
        } else if (order.trim().equalsIgnoreCase("desc")) {
            descending = true;
        } else {
            throw new InvalidParameterException("order", "'" + InvalidParameterException.shorten(order) + "' is not asc or desc");
        }
        PageRequest plain = parse(limit, offset, cursor);
        return new PageRequest(plain.limit(), plain.offset(), plain.cursor(), descending);
    }

    /**
     * Reads the query parameters {@code limit}, {@code offset} and {@code cursor}, each possibly absent
     * ({@code null} or empty). A limit above {@value #MAX_LIMIT} is lowered to it, as clients
     * that want "all" ask for more; anything that is not a number in range is refused with the reason.
     *
     * @param limit rows at most
     * @param offset rows to skip, or {@code null}
     * @param cursor where the previous page ended, or {@code null} for the first page
     * @return the request
     */
    public static PageRequest parse(String limit, String offset, String cursor) {
        int rows = DEFAULT_LIMIT;
        if (present(limit)) {
            long asked = parseWhole("limit", limit);
            if (asked < 1) {
                throw new InvalidParameterException("limit", "must be at least 1, was " + asked);
            }
            rows = (int) Math.min(asked, MAX_LIMIT);
        }
        long skip = 0;
        if (present(offset)) {
            skip = parseWhole("offset", offset);
            if (skip < 0) {
                throw new InvalidParameterException("offset", "must be 0 or more, was " + skip);
            }
        }
        Cursor after = present(cursor) ? Cursor.decode("cursor", cursor) : null;
        return new PageRequest(rows, skip, after);
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    /**
     * A whole number written in ASCII digits, with an optional sign and surrounding spaces; anything else
     * (other scripts' digits, a control character) is a 400 naming {@code parameter}.
     *
     * @param parameter the query parameter's name, for the error
     * @param text the parameter's value
     * @return the number
     */
    public static long parseWhole(String parameter, String text) {
        String digits = text.strip();
        boolean plain = !digits.isEmpty();
        for (int i = 0; i < digits.length() && plain; i++) {
            char c = digits.charAt(i);
            plain = (c >= '0' && c <= '9') || (i == 0 && c == '-' && digits.length() > 1);
        }
        if (plain) {
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException tooLarge) {
                // said below
            }
        }
        throw new InvalidParameterException(parameter, "'" + InvalidParameterException.shorten(text) + "' is not a whole number");
    }
}

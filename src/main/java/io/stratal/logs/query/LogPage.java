package io.stratal.logs.query;

import java.util.List;

/**
 * One page of a read, in {@code (timestamp, id)} order. {@code nextCursor} is the position after the last
 * row, or {@code null} when there is no row after it.
 *
 * @param logs       the rows, in the page's order
 * @param limit      the page's size as asked
 * @param offset     the rows skipped, for offset paging
 * @param hasMore    whether rows follow
 * @param nextCursor where the next page starts, or {@code null} when none does
 */
public record LogPage(List<StoredLog> logs, int limit, long offset, boolean hasMore, Cursor nextCursor) {

    /**
     * Copies the rows.
     *
     * @param logs       the rows, in the page's order
     * @param limit      the page's size as asked
     * @param offset     the rows skipped, for offset paging
     * @param hasMore    whether rows follow
     * @param nextCursor where the next page starts, or {@code null} when none does
     */
    public LogPage {
        logs = List.copyOf(logs);
    }
}

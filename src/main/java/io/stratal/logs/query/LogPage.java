package io.stratal.logs.query;

import java.util.List;

/**
 * One page of a read, in {@code (timestamp, id)} order or its reverse. {@code nextCursor} goes on after the
 * last row; {@code prevCursor} reads the rows before the first one, in the other order, so a viewer that
 * keeps a window of pages can grow it at either end.
 *
 * @param logs       the rows, in the page's order
 * @param limit      the page's size as asked
 * @param offset     the rows skipped, for offset paging
 * @param hasMore    whether rows follow
 * @param nextCursor where the next page starts, or {@code null} when none does
 * @param prevCursor the rows before the first, newest first for an oldest-first page and the other way
 *                   round; {@code null} when the page is the first of its selection, or empty
 */
public record LogPage(List<StoredLog> logs, int limit, long offset, boolean hasMore, Cursor nextCursor, Cursor prevCursor) {

    /**
     * Copies the rows.
     *
     * @param logs       the rows, in the page's order
     * @param limit      the page's size as asked
     * @param offset     the rows skipped, for offset paging
     * @param hasMore    whether rows follow
     * @param nextCursor where the next page starts, or {@code null} when none does
     * @param prevCursor the rows before the first, in the other order, or {@code null}
     */
    public LogPage {
        logs = List.copyOf(logs);
    }
}

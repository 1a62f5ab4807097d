package io.stratal.logs.query;

import java.util.List;

/**
 * One page of a read, in {@code (timestamp, id)} order. {@code nextCursor} is the position after the last
 * row, or {@code null} when there is no row after it.
 */
public record LogPage(List<StoredLog> logs, int limit, long offset, boolean hasMore, Cursor nextCursor) {

    public LogPage {
        logs = List.copyOf(logs);
    }
}

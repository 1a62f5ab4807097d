package io.stratal.logs.writer;

/** What a logging thread does when the queue is full. */
public enum OverflowPolicy {
    /**
     * The flusher moves the backlog to the spool on disk, during outages and whenever the queue is more than
     * half full; a caller facing a full queue waits up to {@code maxBlockTime} for it to do so. The default
     * when a spool directory is set.
     */
    SPOOL,
    /**
     * Wait up to {@code maxBlockTime} for room while the database is draining; drop at once while it is
     * unreachable. The default without a spool directory.
     */
    BLOCK,
    /**
     * Never wait. Lowest levels go first: DEBUG is dropped once the queue is 80% full, INFO at 90%, WARN and
     * ERROR only when it is full.
     */
    DROP
}

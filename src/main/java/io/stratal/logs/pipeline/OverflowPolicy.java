package io.stratal.logs.pipeline;

/** What a logging thread does when the queue is full. */
public enum OverflowPolicy {
    /**
     * The flusher moves the backlog to the spool on disk, during outages and whenever the queue is more than
     * half full; a caller facing a full queue waits for that while it makes progress (up to
     * {@code maxBlockTime} without any). The default when a spool directory is set.
     */
    SPOOL,
    /**
     * Wait for room while the database commits batches, however long a burst takes; drop only after
     * {@code maxBlockTime} without a commit (it is unreachable, or stopped answering), then at once until a
     * batch commits again. The default without a spool directory.
     */
    BLOCK,
    /**
     * Never wait. Lowest levels go first: DEBUG is dropped once the queue is 80% full, INFO at 90%, WARN and
     * ERROR only when it is full.
     */
    DROP
}

package io.stratal.logs.pipeline;

/** Why a record was not written, each with the setting a user can change about it. */
public enum DropReason {
    QUEUE_FULL("queue_full", "the queue was full while the database was draining; raise maxQueueBytes or "
            + "maxBlockTime, or set spoolDirectory"),
    DATABASE_UNAVAILABLE("database_unavailable", "the queue was full while the database was unreachable; set "
            + "spoolDirectory to keep records on disk, or raise maxQueueBytes"),
    REJECTED("rejected", "the database refused the row on its own; see the error reported with it"),
    SHUTDOWN("shutdown", "they were still unwritten when shutdownGracePeriod ran out; raise "
            + "shutdownGracePeriod or set spoolDirectory");

    private final String key;
    private final String advice;

    DropReason(String key, String advice) {
        this.key = key;
        this.advice = advice;
    }

    /** A short name, used in reports and metrics. */
    public String key() {
        return key;
    }

    /** Why it happens and which setting to change. */
    public String advice() {
        return advice;
    }
}

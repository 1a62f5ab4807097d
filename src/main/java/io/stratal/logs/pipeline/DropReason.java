package io.stratal.logs.pipeline;

/** Why a record was not written, each with the setting a user can change about it. */
public enum DropReason {
    /** The queue was full and the caller did not wait. */
    QUEUE_FULL("queue_full", "the queue was full and the caller does not wait (overflowPolicy DROP, or maxBlockTime 0,"
            + " or it was interrupted while waiting); raise maxQueueBytes, choose overflowPolicy BLOCK, or set spoolDirectory"),
    /** The queue was full and the database committed nothing for {@code maxBlockTime}. */
    DATABASE_STALLED("database_stalled", "the queue was full and the database committed nothing for maxBlockTime"
            + " (a connection that stopped answering); set spoolDirectory to keep records on disk, or raise "
            + "maxBlockTime"),
    /** The queue was full while the database was unreachable, for {@code maxBlockTime}. */
    DATABASE_UNAVAILABLE("database_unavailable", "the queue was full while the database was unreachable; set "
            + "spoolDirectory to keep records on disk, or raise maxQueueBytes"),
    /** The spool reached {@code maxSpoolBytes}. */
    SPOOL_FULL("spool_full", "the spool reached maxSpoolBytes while the database was away; raise maxSpoolBytes"),
    /** Writing to the spool failed. */
    SPOOL_FAILED("spool_failed", "writing them to the spool failed (see the error reported with it); check "
            + "spoolDirectory's disk"),
    /** The database refused the row even after it was repaired. */
    REJECTED("rejected", "the database refused the row on its own; see the error reported with it"),
    /** Still unwritten when the stop's grace period ran out, without a spool. */
    SHUTDOWN("shutdown", "they were still unwritten when shutdownGracePeriod ran out; raise "
            + "shutdownGracePeriod or set spoolDirectory"),
    /** Shed by level under {@code overflowPolicy} DROP as the queue filled. */
    LEVEL_SHED("level_shed", "overflowPolicy DROP sheds DEBUG and INFO first when the queue fills; raise "
            + "maxQueueBytes, or choose overflowPolicy BLOCK or SPOOL");

    private final String key;
    private final String advice;

    DropReason(String key, String advice) {
        this.key = key;
        this.advice = advice;
    }

    /** {@return a short name, used in reports and metrics} */
    public String key() {
        return key;
    }

    /** {@return why it happens and which setting to change} */
    public String advice() {
        return advice;
    }
}

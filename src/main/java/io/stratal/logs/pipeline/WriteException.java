package io.stratal.logs.pipeline;

/** A batch that was not written, with the kind of failure that decides what the flusher does next. */
public final class WriteException extends Exception {

    /** What went wrong, as far as the retry decision is concerned. */
    public enum Kind {
        /**
         * The database cannot take this batch now: unreachable, shutting down, out of connections or disk,
         * the table missing, a permission denied. Nothing is wrong with the rows; the same batch can succeed
         * later, so it is kept and retried.
         */
        UNAVAILABLE,
        /** A value in some row was refused (SQLSTATE class 22): retrying the same row fails again. */
        DATA,
        /** A row references a job or task run that the database does not have (yet). */
        FOREIGN_KEY,
        /** Any other failure that may come from one row: isolate the failing rows, let the rest through. */
        OTHER
    }

    /** What kind of failure it is. */
    private final Kind kind;
    /** The server's SQLSTATE, or {@code null}. */
    private final String sqlState;
    /** The failing row's position in the batch, or -1 when unknown. */
    private final int rowIndex;
    /** The run ids the database lacks, for a foreign-key failure. */
    private final MissingParents missingParents;

    /**
     * A failure of a whole batch.
     *
     * @param kind     what kind of failure it is
     * @param sqlState the server's SQLSTATE, or {@code null}
     * @param message  what failed
     * @param cause    what the driver threw
     */
    public WriteException(Kind kind, String sqlState, String message, Throwable cause) {
        this(kind, sqlState, message, cause, -1, null);
    }

    /**
     * A failure of one row, or of rows whose parents are missing.
     *
     * @param kind what kind of failure it is
     * @param sqlState the server's SQLSTATE, or {@code null}
     * @param message the message
     * @param cause what the driver threw
     * @param rowIndex       the index in the batch of the row the database named, or -1
     * @param missingParents for {@link Kind#FOREIGN_KEY}: the run ids the database lacks, or {@code null}
     */
    public WriteException(Kind kind, String sqlState, String message, Throwable cause, int rowIndex,
                          MissingParents missingParents) {
        super(message, cause);
        this.kind = kind;
        this.sqlState = sqlState;
        this.rowIndex = rowIndex;
        this.missingParents = missingParents;
    }

    /** {@return the index in the batch of the row the database named as failing, or -1 when it did not say} */
    public int rowIndex() {
        return rowIndex;
    }

    /** {@return for a foreign-key failure, the run ids the database lacks; {@code null} when unknown} */
    public MissingParents missingParents() {
        return missingParents;
    }

    /** {@return what kind of failure it is: whether to retry, repair or wait} */
    public Kind kind() {
        return kind;
    }

    /** {@return the SQLSTATE the database reported, or {@code null}} */
    public String sqlState() {
        return sqlState;
    }
}

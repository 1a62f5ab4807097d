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

    private final Kind kind;
    private final String sqlState;

    public WriteException(Kind kind, String sqlState, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.sqlState = sqlState;
    }

    public Kind kind() {
        return kind;
    }

    /** The SQLSTATE the database reported, or {@code null}. */
    public String sqlState() {
        return sqlState;
    }
}

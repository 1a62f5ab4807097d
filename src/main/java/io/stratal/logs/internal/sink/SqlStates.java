package io.stratal.logs.internal.sink;

import io.stratal.logs.pipeline.WriteException;
import io.stratal.logs.pipeline.WriteException.Kind;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;

/**
 * Sorts a failed write by SQLSTATE into what the flusher should do about it.
 *
 * <p>Only failures that can come from the content of a row isolate rows: data exceptions (class 22) and
 * integrity violations (class 23; 23503 has a kind of its own because its parent row may still be on its
 * way). Everything else says nothing about the rows (08 connection, 53 resources, 57P shutdown, 40
 * serialization, 42 a missing table or privilege, 28 authentication, ...) and the same batch is retried,
 * because halving a batch against a missing table would reject every row one by one.
 */
public final class SqlStates {

    public static final String FOREIGN_KEY_VIOLATION = "23503";

    private SqlStates() {
    }

    /** The kind of {@code e}, looking through batch and cause chains for the first SQLSTATE. */
    public static Kind classify(SQLException e) {
        String state = firstState(e);
        if (state == null) {
            // No state says nothing about the rows (a closed pool, a driver hiccup): keep the batch and retry
            // rather than blame rows and risk losing them.
            return Kind.UNAVAILABLE;
        }
        if (state.equals(FOREIGN_KEY_VIOLATION)) {
            return Kind.FOREIGN_KEY;
        }
        if (state.startsWith("22")) {
            return Kind.DATA;
        }
        if (state.startsWith("23")) {
            return Kind.OTHER;
        }
        return Kind.UNAVAILABLE;
    }

    /** Wraps {@code e} for the pipeline, classified, with the failing COPY row when the server named it. */
    public static WriteException toWriteException(SQLException e) {
        String state = firstState(e);
        return new WriteException(classify(e), state, messageOf(e), e, copyRowIndex(e), null);
    }

    private static final Pattern COPY_LINE = Pattern.compile("COPY [^,]+, line (\\d+)");

    /**
     * The 0-based row of a failed COPY, from the server's context line ("COPY logs, line 17, column ..."),
     * or -1. Conversion errors carry it; constraint checks that run at the end of the statement do not.
     */
    static int copyRowIndex(SQLException e) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof PSQLException && ((PSQLException) t).getServerErrorMessage() != null) {
                String where = ((PSQLException) t).getServerErrorMessage().getWhere();
                if (where != null) {
                    Matcher m = COPY_LINE.matcher(where);
                    if (m.find()) {
                        return Integer.parseInt(m.group(1)) - 1;
                    }
                }
            }
        }
        return -1;
    }

    static String firstState(SQLException e) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof SQLException && ((SQLException) t).getSQLState() != null) {
                return ((SQLException) t).getSQLState();
            }
        }
        return null;
    }

    private static Throwable next(Throwable t) {
        if (t instanceof BatchUpdateException && ((BatchUpdateException) t).getNextException() != null) {
            return ((BatchUpdateException) t).getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }

    private static String messageOf(SQLException e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getName() : message;
    }
}

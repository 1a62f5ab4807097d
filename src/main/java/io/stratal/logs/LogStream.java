package io.stratal.logs;

import java.util.Locale;

/** The output stream a log line came from, stored in the {@code stream} column. */
public enum LogStream {
    /** A task's standard output: {@code stdout}. */
    STDOUT("stdout"),
    /** A task's standard error: {@code stderr}. */
    STDERR("stderr"),
    /** System and job logs: {@code system}. */
    SYSTEM("system");

    private final String dbValue;

    LogStream(String dbValue) {
        this.dbValue = dbValue;
    }

    /** {@return the word stored in the database} */
    public String dbValue() {
        return dbValue;
    }

    /**
     * Reads a stream name in any case ({@code "STDERR"}, {@code " stdout "}); {@code null} when the value
     * is missing or not one of the three names.
     *
     * @param value the database word
     * @return the stream, or {@code null} for any other word
     */
    public static LogStream parse(String value) {
        if (value == null) {
            return null;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "stdout":
                return STDOUT;
            case "stderr":
                return STDERR;
            case "system":
                return SYSTEM;
            default:
                return null;
        }
    }
}

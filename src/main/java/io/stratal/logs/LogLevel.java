package io.stratal.logs;

/** The four levels the table accepts. TRACE is stored as {@link #DEBUG}. */
public enum LogLevel {
    DEBUG("debug"),
    INFO("info"),
    WARN("warn"),
    ERROR("error");

    private final String dbValue;

    LogLevel(String dbValue) {
        this.dbValue = dbValue;
    }

    /** The word stored in the database. */
    public String dbValue() {
        return dbValue;
    }

    /** True for WARN and ERROR, the levels whose task output defaults to {@code stderr}. */
    public boolean isProblem() {
        return this == WARN || this == ERROR;
    }
}

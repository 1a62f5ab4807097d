package io.stratal.logs;

/** The four levels the table accepts. TRACE is stored as {@link #DEBUG}. */
public enum LogLevel {
    /** TRACE and DEBUG events: {@code debug}. */
    DEBUG("debug"),
    /** {@code info}. */
    INFO("info"),
    /** {@code warn}. */
    WARN("warn"),
    /** {@code error}. */
    ERROR("error");

    private final String dbValue;

    LogLevel(String dbValue) {
        this.dbValue = dbValue;
    }

    /** {@return the word stored in the database} */
    public String dbValue() {
        return dbValue;
    }

    /**
     * Reads a database word.
     *
     * @param value {@code debug}, {@code info}, {@code warn} or {@code error}
     * @return the level, or {@code null} for any other word
     */
    public static LogLevel fromDbValue(String value) {
        for (LogLevel level : values()) {
            if (level.dbValue.equals(value)) {
                return level;
            }
        }
        return null;
    }

    /** {@return true for WARN and ERROR, the levels whose task output defaults to {@code stderr}} */
    public boolean isProblem() {
        return this == WARN || this == ERROR;
    }
}

package io.stratal.logs;

/** The kind of a log row, stored in the {@code type} column. */
public enum LogType {
    /** A log of neither a job run nor a task run. */
    SYSTEM("system"),
    /** A log of a job run, outside its tasks. */
    JOB("job"),
    /** A log of a task run. */
    TASK("task");

    private final String dbValue;

    LogType(String dbValue) {
        this.dbValue = dbValue;
    }

    /** {@return the word stored in the database, as the table's {@code CHECK} constraint spells it} */
    public String dbValue() {
        return dbValue;
    }

    /**
     * Reads a database word.
     *
     * @param value {@code system}, {@code job} or {@code task}
     * @return the type, or {@code null} for any other word
     */
    public static LogType fromDbValue(String value) {
        for (LogType type : values()) {
            if (type.dbValue.equals(value)) {
                return type;
            }
        }
        return null;
    }
}

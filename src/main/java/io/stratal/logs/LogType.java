package io.stratal.logs;

/** The kind of a log row, stored in the {@code type} column. */
public enum LogType {
    SYSTEM("system"),
    JOB("job"),
    TASK("task");

    private final String dbValue;

    LogType(String dbValue) {
        this.dbValue = dbValue;
    }

    /** The word stored in the database, as the table's {@code CHECK} constraint spells it. */
    public String dbValue() {
        return dbValue;
    }

    /** Parses a database word ({@code system}, {@code job}, {@code task}), or returns {@code null}. */
    public static LogType fromDbValue(String value) {
        for (LogType type : values()) {
            if (type.dbValue.equals(value)) {
                return type;
            }
        }
        return null;
    }
}

package io.stratal.logs.names;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A validated table name, {@code table} or {@code schema.table}, as PostgreSQL folds unquoted names: it is
 * only ever spliced into SQL after passing this check.
 */
public record TableName(String schema, String table) {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** Parses {@code name}, folding it to lower case; {@code null} when it is not a plain identifier. */
    public static TableName parseOrNull(String name) {
        if (name == null) {
            return null;
        }
        String folded = name.trim().toLowerCase(Locale.ROOT);
        int dot = folded.indexOf('.');
        String schema = dot < 0 ? null : folded.substring(0, dot);
        String table = dot < 0 ? folded : folded.substring(dot + 1);
        if (!isIdentifier(table) || (schema != null && !isIdentifier(schema))) {
            return null;
        }
        return new TableName(schema, table);
    }

    /** Whether {@code name} is one plain identifier as PostgreSQL folds it: safe to splice, unchanged by folding. */
    public static boolean isIdentifier(String name) {
        return name != null && IDENTIFIER.matcher(name).matches();
    }

    /** The name as written in SQL. */
    public String qualified() {
        return schema == null ? table : schema + "." + table;
    }

    /** A name in the same schema, for the tables that sit beside this one ({@code job_runs}, ...). */
    public String sibling(String other) {
        return schema == null ? other : schema + "." + other;
    }

    @Override
    public String toString() {
        return qualified();
    }
}

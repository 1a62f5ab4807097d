package io.stratal.logs.names;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A validated table name, {@code table} or {@code schema.table}, as PostgreSQL folds unquoted names: it is
 * only ever spliced into SQL after passing this check.
 *
 * @param schema the schema, or {@code null} for the search path's
 * @param table  the table
 */
public record TableName(String schema, String table) {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /**
     * Reads a table name, folding it to lower case as PostgreSQL does.
     *
     * @param name {@code logs} or {@code schema.logs}
     * @return the name, or {@code null} when it is not one or two plain identifiers
     */
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

    /**
     * {@return whether {@code name} is one plain identifier as PostgreSQL folds it: safe to splice, unchanged by folding}
     *
     * @param name the name
     */
    public static boolean isIdentifier(String name) {
        return name != null && IDENTIFIER.matcher(name).matches();
    }

    /** {@return the name as written in SQL} */
    public String qualified() {
        return schema == null ? table : schema + "." + table;
    }

    /**
     * {@return a name in the same schema, for the tables that sit beside this one ({@code job_runs}, ...)}
     *
     * @param other another table name
     */
    public String sibling(String other) {
        return schema == null ? other : schema + "." + other;
    }

    @Override
    public String toString() {
        return qualified();
    }
}

package io.stratal.logs.cli;

import io.stratal.logs.schema.Partitions;
import io.stratal.logs.names.TableName;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** {@code partitions}: makes the partitions due on a partitioned logs table and lists them all. */
final class PartitionsCommand {

    private PartitionsCommand() {
    }

    /** {@code --premake}: how many partitions ahead, 0 to 9999; 7 when not given. */
    static int premake(Args args) throws Args.UsageException {
        String text = args.value("--premake");
        if (text == null) {
            return 7;
        }
        try {
            int premake = Integer.parseInt(text);
            if (premake >= 0 && premake <= 9999) {
                return premake;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new Args.UsageException("--premake takes a number of partitions from 0 to 9999, got " + text);
    }

    static int run(Args args, PrintStream out) throws Args.UsageException, SQLException {
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("partitions takes no arguments besides its options");
        }
        TableName table = DatabaseArgs.table(args);
        int premake = premake(args);
        Partitions partitions = new Partitions(table);
        try (Connection connection = DatabaseArgs.connect(args)) {
            List<String> made = partitions.createAhead(connection, premake);
            out.println((made.isEmpty() ? "no partition was due" : "made " + made.size() + " partition(s)")
                    + (partitions.partmanSchema(connection) != null ? " (pg_partman's maintenance, with its own"
                    + " premake: part_config.premake)" : ""));
            for (Partitions.Partition p : partitions.list(connection)) {
                out.printf("%-40s %-46s ~%d rows, %d kB%n", p.name(), p.range(), p.estimatedRows(), p.totalBytes() / 1024);
            }
        }
        return 0;
    }
}

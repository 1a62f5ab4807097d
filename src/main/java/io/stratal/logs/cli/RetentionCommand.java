package io.stratal.logs.cli;

import io.stratal.logs.internal.util.Durations;
import io.stratal.logs.names.TableName;
import io.stratal.logs.schema.Partitions;
import io.stratal.logs.schema.Retention;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.stream.Collectors;

/** {@code retention}: deletes logs older than an age, whole partitions first, then a batch per transaction. */
final class RetentionCommand {

    private RetentionCommand() {
    }

    static int run(Args args, PrintStream out) throws Args.UsageException, SQLException {
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("retention takes no arguments besides its options");
        }
        String ageText = args.valueOrEnv("--older-than", "STRATAL_RETENTION");
        if (ageText == null) {
            throw new Args.UsageException("retention needs --older-than, e.g. --older-than 30d");
        }
        Duration age;
        try {
            age = Durations.parseAge(ageText);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--older-than: " + e.getMessage());
        }
        TableName table = DatabaseArgs.table(args);
        int batchSize = 10_000;
        String batchText = args.valueOrEnv("--batch-size", "STRATAL_BATCH_SIZE");
        if (batchText != null) {
            try {
                batchSize = Integer.parseInt(batchText);
            } catch (NumberFormatException e) {
                batchSize = 0;
            }
            if (batchSize < 1) {
                throw new Args.UsageException("--batch-size takes a whole number of rows, 1 or more, got " + batchText);
            }
        }
        Retention retention = new Retention(table, batchSize);
        LocalDateTime cutoff = Retention.cutoff(Instant.now(), age);
        try (Connection connection = DatabaseArgs.connect(args)) {
            if (args.has("--dry-run")) {
                Partitions partitions = new Partitions(table);
                List<Partitions.Partition> whole = partitions.isPartitioned(connection)
                        ? partitions.whollyBefore(connection, cutoff) : List.of();
                out.println(retention.countOlderThan(connection, cutoff) + " log(s) in " + table + " are older than "
                        + cutoff + " UTC" + (whole.isEmpty() ? "" : ", " + whole.size() + " partition(s) wholly: "
                        + whole.stream().map(Partitions.Partition::name).collect(Collectors.toList()))
                        + "; nothing deleted (--dry-run)");
            } else {
                Retention.Result result = retention.purge(connection, cutoff);
                out.println("deleted " + result.total() + " log(s) from " + table + " older than " + cutoff + " UTC"
                        + (result.droppedPartitions().isEmpty() ? "" : ": dropped " + result.droppedPartitions().size()
                        + " partition(s) " + result.droppedPartitions() + " holding " + result.droppedRows()
                        + ", deleted " + result.deletedRows() + " in batches"));
            }
        }
        return 0;
    }
}

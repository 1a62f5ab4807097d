package io.stratal.logs.cli;

import io.stratal.logs.archive.ArchiveException;
import io.stratal.logs.archive.LogArchive;
import io.stratal.logs.internal.util.Durations;
import io.stratal.logs.names.TableName;
import io.stratal.logs.schema.Partitions;
import io.stratal.logs.schema.Retention;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code retention}: deletes logs older than an age, whole partitions first, then a batch per transaction; with
 * {@code --archive-to}, archives them first and deletes only what the verified files hold.
 */
final class RetentionCommand {

    private RetentionCommand() {
    }

    static int run(Args args, PrintStream out) throws Args.UsageException, SQLException, ArchiveException, IOException {
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
        String archiveTo = args.value("--archive-to");
        if (archiveTo != null && !args.has("--dry-run")) {
            return archiveThenPurge(args, out, table, cutoff, ArchiveCommand.destination(archiveTo, "--archive-to needs a directory"));
        }
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

    /** {@code --archive-to}: archive, read every file back against its manifest, then delete what the files hold. */
    private static int archiveThenPurge(Args args, PrintStream out, TableName table, LocalDateTime cutoff, Path dir)
            throws Args.UsageException, SQLException, ArchiveException, IOException {
        try {
            LogArchive.checkWritable(dir);
        } catch (ArchiveException e) {
            throw new ArchiveException(e.getMessage() + "; nothing was deleted");
        }
        try (Connection connection = DatabaseArgs.connect(args)) {
            // its failures say whether anything was deleted: nothing before every file is verified
            LogArchive.Purge purge = new LogArchive(table).archiveAndPurge(connection, cutoff, dir);
            ArchiveCommand.print(out, purge.archive());
            out.println("archived to " + dir + " and verified " + purge.archive().days().size() + " day(s); deleted "
                    + purge.total() + " log(s) from " + table + " older than " + cutoff + " UTC"
                    + (purge.droppedPartitions().isEmpty() ? "" : ": dropped " + purge.droppedPartitions().size()
                    + " partition(s) " + purge.droppedPartitions() + " holding " + purge.droppedRows() + ", deleted "
                    + purge.deletedRows() + " by id") + ArchiveCommand.undated(purge.archive()));
        }
        return 0;
    }
}

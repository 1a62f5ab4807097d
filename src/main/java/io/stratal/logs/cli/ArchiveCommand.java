package io.stratal.logs.cli;

import io.stratal.logs.archive.ArchiveException;
import io.stratal.logs.archive.LogArchive;
import io.stratal.logs.archive.LogRestore;
import io.stratal.logs.internal.util.Durations;
import io.stratal.logs.names.TableName;
import io.stratal.logs.schema.Retention;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;

/** {@code archive} (rows older than an age to a file per UTC day) and {@code restore} (files back into the table). */
final class ArchiveCommand {

    private ArchiveCommand() {
    }

    static int archive(Args args, PrintStream out) throws Args.UsageException, SQLException, ArchiveException, IOException {
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("archive takes no arguments besides its options");
        }
        LocalDateTime cutoff = cutoff(args, "archive");
        Path dir = destination(args.value("--to"), "archive needs --to <dir>, the directory the files go to");
        TableName table = DatabaseArgs.table(args);
        LogArchive.checkWritable(dir); // before the database is even asked
        try (Connection connection = DatabaseArgs.connect(args)) {
            LogArchive.Result result = new LogArchive(table).archive(connection, cutoff, dir);
            print(out, result);
            out.println("archived " + table + " older than " + cutoff + " UTC to " + dir + ": " + result.days().size()
                    + " day(s), " + result.added() + " row(s) added" + undated(result));
        }
        return 0;
    }

    static int restore(Args args, PrintStream out) throws Args.UsageException, SQLException, ArchiveException, IOException {
        if (args.positional().size() != 1) {
            throw new Args.UsageException("restore takes one file or directory, e.g. restore /backups/logs");
        }
        Path source = Path.of(args.positional().get(0));
        TableName table = DatabaseArgs.table(args);
        try (Connection connection = DatabaseArgs.connect(args)) {
            LogRestore.Result result = new LogRestore(table).restore(connection, source);
            out.println("restored " + result.restored() + " row(s) into " + table + " from " + result.files().size()
                    + " file(s); " + result.skipped() + " already there, skipped");
        }
        return 0;
    }

    /** The cut-off of {@code --older-than}, in UTC. */
    static LocalDateTime cutoff(Args args, String command) throws Args.UsageException {
        String ageText = args.valueOrEnv("--older-than", "STRATAL_RETENTION");
        if (ageText == null) {
            throw new Args.UsageException(command + " needs --older-than, e.g. --older-than 30d");
        }
        try {
            Duration age = Durations.parseAge(ageText);
            return Retention.cutoff(Instant.now(), age);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--older-than: " + e.getMessage());
        }
    }

    static Path destination(String value, String missing) throws Args.UsageException {
        if (value == null || value.isBlank()) {
            throw new Args.UsageException(missing);
        }
        return Path.of(value);
    }

    static void print(PrintStream out, LogArchive.Result result) {
        for (LogArchive.Day day : result.days()) {
            out.println("  " + day.file().getFileName() + ": " + day.outcome().name().toLowerCase(java.util.Locale.ROOT) + ", "
                    + day.rows() + " row(s)" + (day.outcome() == LogArchive.Outcome.COMPLETED ? " (" + day.added() + " added)" : ""));
        }
    }

    static String undated(LogArchive.Result result) {
        return result.undated() == 0 ? "" : "; " + result.undated() + " row(s) without a timestamp are left as they are";
    }
}

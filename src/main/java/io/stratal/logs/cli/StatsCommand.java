package io.stratal.logs.cli;

import io.stratal.logs.internal.util.Durations;
import io.stratal.logs.names.TableName;
import io.stratal.logs.query.LogStats;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.postgresql.ds.PGSimpleDataSource;

/** {@code stats}: the monitoring queries (logs by type, by level, job runs' error rates), the table's size and growth. */
final class StatsCommand {

    private StatsCommand() {
    }

    static int run(Args args, PrintStream out) throws Args.UsageException, SQLException {
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("stats takes no arguments besides its options");
        }
        String windowText = args.valueOrEnv("--window", "STRATAL_WINDOW");
        Duration window;
        try {
            window = windowText == null ? Duration.ofHours(1) : Durations.parseAge(windowText);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--window: " + e.getMessage());
        }
        TableName table = DatabaseArgs.table(args);
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(DatabaseArgs.url(args));
        Properties credentials = DatabaseArgs.credentials(args);
        if (credentials.getProperty("user") != null) {
            dataSource.setUser(credentials.getProperty("user"));
        }
        if (credentials.getProperty("password") != null) {
            dataSource.setPassword(credentials.getProperty("password"));
        }
        LogStats stats = new LogStats(dataSource, table);
        // all three first, so a database that cannot answer gets the error alone, not half a report
        Map<String, Long> byType = stats.countByType();
        Map<String, Long> byLevel = stats.countByLevel(window);
        List<LogStats.JobRunErrorRate> rates = stats.errorRates(window);
        LogStats.TableSize size = stats.size();
        Map<java.time.LocalDate, Long> perDay = stats.rowsPerDay(7);
        out.println("Logs by type:");
        byType.forEach((type, n) -> out.printf("  %-8s %,d%n", type, n));
        out.println("Logs by level in the last " + windowText(windowText) + ":");
        byLevel.forEach((level, n) -> out.printf("  %-8s %,d%n", level, n));
        out.println("Job runs with errors in the last " + windowText(windowText) + ", highest error rate first:");
        if (rates.isEmpty()) {
            out.println("  none");
        }
        for (LogStats.JobRunErrorRate rate : rates) {
            out.printf("  %s  %,d errors of %,d logs  %.1f%%%n", rate.jobRunId(), rate.errors(), rate.totalLogs(), rate.errorRate());
        }
        out.printf("Table %s: %s in all, %s of rows, %s of indexes%n", table, bytes(size.totalBytes()), bytes(size.tableBytes()),
                bytes(size.indexBytes()));
        out.println("Rows per day (UTC), the last 7 days:");
        perDay.forEach((day, n) -> out.printf("  %s %,d%n", day, n));
        return 0;
    }

    private static String bytes(long n) {
        return n >= 1L << 30 ? String.format("%.1f GB", n / (double) (1L << 30))
                : n >= 1L << 20 ? String.format("%.1f MB", n / (double) (1L << 20)) : String.format("%,d kB", n / 1024);
    }

    private static String windowText(String given) {
        return given == null ? "1h" : given;
    }
}

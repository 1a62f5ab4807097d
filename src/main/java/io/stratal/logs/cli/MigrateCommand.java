package io.stratal.logs.cli;

import io.stratal.logs.names.Names;
import io.stratal.logs.names.TableName;
import io.stratal.logs.schema.Migrations;
import io.stratal.logs.schema.Partitions;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code migrate up|down}: the versioned migrations, and with {@code up} the opt-in ones its flags name. */
final class MigrateCommand {

    /** A flag of {@code migrate up} that also applies an opt-in migration of {@code db/optional}. */
    private record OptionalIndex(String flag, String migration, String description) {
    }

    static final List<OptionalIndex> OPTIONAL_INDEXES = List.of(
            new OptionalIndex("--lean-indexes", Migrations.LEAN_INDEXES, "the lean index set"),
            new OptionalIndex("--problem-index", Migrations.PROBLEM_INDEX, "the index of each job run's warnings and errors"),
            new OptionalIndex("--job-run-index", Migrations.JOB_RUN_INDEX, "the job-run index for the job-runs list"));

    private MigrateCommand() {
    }

    /** The flags {@code migrate} takes without a value. */
    static Set<String> switches() {
        Set<String> flags = OPTIONAL_INDEXES.stream().map(OptionalIndex::flag).collect(Collectors.toCollection(HashSet::new));
        flags.add("--partitioned");
        return flags;
    }

    static int run(Args args, PrintStream out) throws Args.UsageException, SQLException {
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
        try (Connection connection = DatabaseArgs.connect(args)) {
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
}

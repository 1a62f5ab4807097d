package io.stratal.logs.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs the golang-migrate files in {@code db/migration} and keeps golang-migrate's own bookkeeping (one row
 * in {@code schema_migrations(version, dirty)}), so {@code migrate -path ... up} and {@code Main migrate up}
 * can take turns on the same database. Each file runs in one transaction together with its version
 * update, so a failure leaves the database at the previous version, never dirty.
 */
public final class Migrations {

    static final String DIRECTORY = "db/migration";
    private static final Pattern FILE = Pattern.compile("(\\d+)_(.+)\\.(up|down)\\.sql");
    private static final long LOCK_KEY = 0x5354524154414dL; // "STRATAM"

    /**
     * One numbered migration with both of its files.
     *
     * @param version its number
     * @param name    the rest of its file name
     * @param upSql   the up file's SQL
     * @param downSql the down file's SQL
     */
    public record Migration(long version, String name, String upSql, String downSql) {
    }

    private Migrations() {
    }

    /** {@return the migrations shipped in this jar, oldest first} */
    public static List<Migration> available() {
        Map<Long, String[]> files = new TreeMap<>();
        for (String file : listFiles()) {
            Matcher m = FILE.matcher(file);
            if (!m.matches()) {
                continue;
            }
            String[] entry = files.computeIfAbsent(Long.parseLong(m.group(1)), v -> new String[3]);
            entry[0] = m.group(2);
            entry[m.group(3).equals("up") ? 1 : 2] = read(DIRECTORY + "/" + file);
        }
        List<Migration> out = new ArrayList<>();
        files.forEach((version, e) -> {
            if (e[1] == null || e[2] == null) {
                throw new IllegalStateException("migration " + version + " lacks its up or down file");
            }
            out.add(new Migration(version, e[0], e[1], e[2]));
        });
        return out;
    }

    /**
     * {@return the version the database is at, or {@code null} when no migration was applied}
     *
     * @param connection a connection to the database
     * @throws SQLException when the database cannot answer
     */
    public static Long currentVersion(Connection connection) throws SQLException {
        ensureVersionTable(connection);
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT version, dirty FROM schema_migrations LIMIT 1")) {
            if (!rs.next()) {
                return null;
            }
            if (rs.getBoolean(2)) {
                throw new IllegalStateException("the database is at version " + rs.getLong(1) + ", marked dirty: a "
                        + "migration failed halfway (outside this tool). Repair it by hand, then set "
                        + "schema_migrations.dirty to false");
            }
            return rs.getLong(1);
        }
    }

    /**
     * Applies every migration newer than the database's version, each in its own transaction.
     *
     * @param connection a connection of a user that may create tables
     * @return the versions applied, oldest first
     * @throws SQLException when a migration fails (it is rolled back, the version stays)
     */
    public static List<Long> up(Connection connection) throws SQLException {
        return locked(connection, () -> {
            Long current = currentVersion(connection);
            List<Long> applied = new ArrayList<>();
            for (Migration m : available()) {
                if (current == null || m.version() > current) {
                    apply(connection, m.upSql(), m.version());
                    applied.add(m.version());
                }
            }
            return applied;
        });
    }

    /**
     * Reverts the newest {@code steps} applied migrations.
     *
     * @param connection a connection of a user that may drop tables
     * @param steps      how many, 1 or more
     * @return the versions reverted, newest first
     * @throws SQLException when a migration fails (it is rolled back)
     */
    public static List<Long> down(Connection connection, int steps) throws SQLException {
        return locked(connection, () -> {
            Long current = currentVersion(connection);
            List<Migration> applied = new ArrayList<>();
            for (Migration m : available()) {
                if (current != null && m.version() <= current) {
                    applied.add(m);
                }
            }
            applied.sort(Comparator.comparingLong(Migration::version).reversed());
            List<Long> reverted = new ArrayList<>();
            for (int i = 0; i < applied.size() && i < steps; i++) {
                Long previous = i + 1 < applied.size() ? applied.get(i + 1).version() : null;
                apply(connection, applied.get(i).downSql(), previous);
                reverted.add(applied.get(i).version());
            }
            return reverted;
        });
    }

    private static void apply(Connection connection, String sql, Long newVersion) throws SQLException {
        inTransaction(connection, statement -> {
            statement.execute(sql);
            statement.execute("DELETE FROM schema_migrations");
            if (newVersion != null) {
                statement.execute("INSERT INTO schema_migrations (version, dirty) VALUES (" + newVersion + ", false)");
            }
        });
    }

    private interface StatementWork {
        void run(Statement statement) throws SQLException;
    }

    /** Runs {@code work} in one transaction, committed, or rolled back on any failure. */
    private static void inTransaction(Connection connection, StatementWork work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            work.run(statement);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private static void ensureVersionTable(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)");
        }
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    private static <T> T locked(Connection connection, Work<T> work) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
        }
        try {
            return work.run();
        } finally {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
            }
        }
    }

    private static List<String> listFiles() {
        URL url = Migrations.class.getClassLoader().getResource(DIRECTORY);
        if (url == null) {
            throw new IllegalStateException(DIRECTORY + " is missing from the classpath");
        }
        List<String> names = new ArrayList<>();
        try {
            if (url.getProtocol().equals("jar")) {
                JarURLConnection connection = (JarURLConnection) url.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = connection.getJarFile()) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        String name = e.nextElement().getName();
                        if (name.startsWith(DIRECTORY + "/") && name.length() > DIRECTORY.length() + 1) {
                            names.add(name.substring(DIRECTORY.length() + 1));
                        }
                    }
                }
            } else {
                try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                    files.forEach(p -> names.add(p.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return names;
    }

    /** The opt-in index set for the logs table (docs/PERFORMANCE.md): {@code db/optional/000003_lean-log-indexes}. */
    public static final String LEAN_INDEXES = "000003_lean-log-indexes";
    /** The opt-in partial index of each job run's warnings and errors: {@code db/optional/000004_problem-index}. */
    public static final String PROBLEM_INDEX = "000004_problem-index";
    /** The opt-in running index of the job runs, kept by triggers: {@code db/optional/000005_job-run-index}. */
    public static final String JOB_RUN_INDEX = "000005_job-run-index";
    /** The opt-in range partitioning of the logs table by timestamp: {@code db/optional/000006_partitioned-logs}. */
    public static final String PARTITIONED = "000006_partitioned-logs";

    /**
     * Runs the up (or down) file of an opt-in migration in {@code db/optional}, in one transaction. Opt-in
     * migrations are idempotent and stay out of {@code schema_migrations}, so golang-migrate's version
     * bookkeeping is not touched by them.
     *
     * @param connection a connection to the database
     * @param name the name
     * @param up true for the up file, false for the down file
     * @throws SQLException when the database cannot answer
     */
    public static void applyOptional(Connection connection, String name, boolean up) throws SQLException {
        applyOptional(connection, name, up, Map.of());
    }

    /**
     * Like {@link #applyOptional(Connection, String, boolean)}, with settings the file reads through
     * {@code current_setting} (such as {@code stratal.partition_interval}) set for its transaction only.
     *
     * @param connection a connection to the database
     * @param name the name
     * @param up true for the up file, false for the down file
     * @param settings configuration values the migration reads through {@code current_setting}, as name and value
     * @throws SQLException when the database cannot answer
     */
    public static void applyOptional(Connection connection, String name, boolean up, Map<String, String> settings)
            throws SQLException {
        String sql = readOptional(name + (up ? ".up.sql" : ".down.sql"));
        inTransaction(connection, statement -> {
            for (Map.Entry<String, String> setting : settings.entrySet()) {
                try (PreparedStatement set = connection.prepareStatement("SELECT set_config(?, ?, true)")) {
                    set.setString(1, setting.getKey());
                    set.setString(2, setting.getValue());
                    set.execute();
                }
            }
            statement.execute(sql);
        });
    }

    /**
     * {@return the text of an opt-in migration in {@code db/optional}}
     *
     * @param file the migration's file name
     */
    public static String readOptional(String file) {
        return read("db/optional/" + file);
    }

    static String read(String resource) {
        try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.stratal.logs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A primary and its hot standby, two throwaway PostgreSQL clusters of this machine's server binaries on free
 * ports: the primary made by {@code initdb}, the standby by {@code pg_basebackup -R} from it, streaming.
 * Run as root, the clusters run as the {@code postgres} user (the server refuses root). {@link #unavailable}
 * says why it cannot be made here, for a test to skip with that reason.
 */
public final class StreamingReplica implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final boolean asPostgresUser;
    private final int primaryPort;
    private final int standbyPort;
    private final List<Path> started = new ArrayList<>();

    private StreamingReplica(Path bin, Path dir, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.asPostgresUser = asPostgresUser;
        this.primaryPort = freePort();
        this.standbyPort = freePort();
    }

    /** The directory of the server binaries ({@code initdb}, {@code pg_ctl}, {@code pg_basebackup}), or null. */
    private static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_basebackup"))
                    && Files.isExecutable(b.resolve("initdb"))).max(Comparator.naturalOrder()).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Why a replica pair cannot be made on this machine, or {@code null} when it can. */
    public static String unavailable() {
        if (binaries() == null) {
            return "no PostgreSQL server binaries with pg_basebackup under /usr/lib/postgresql";
        }
        if (root() && !Files.isExecutable(Path.of("/usr/sbin/runuser")) && !Files.isExecutable(Path.of("/sbin/runuser"))) {
            return "running as root without runuser to start PostgreSQL as the postgres user";
        }
        return null;
    }

    /** Makes and starts the primary, then the standby streaming from it. */
    public static StreamingReplica start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("stratal-replica");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StreamingReplica pair = new StreamingReplica(binaries(), dir, root());
        try {
            pair.startBoth();
            return pair;
        } catch (RuntimeException e) {
            pair.close();
            throw e;
        }
    }

    private void startBoth() {
        if (asPostgresUser) {
            run("chown", "postgres", dir.toString());
        }
        Path primary = dir.resolve("primary");
        Path standby = dir.resolve("standby");
        run(pg("initdb"), "-D", primary.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8");
        append(primary.resolve("postgresql.conf"), "listen_addresses = '127.0.0.1'", "unix_socket_directories = '" + dir + "'",
                "fsync = off", "full_page_writes = off", "max_wal_senders = 4",
                "shared_buffers = 64MB");
        pgCtlStart(primary, primaryPort);
        run(pg("pg_basebackup"), "-h", "127.0.0.1", "-p", Integer.toString(primaryPort), "-U", "postgres", "-D",
                standby.toString(), "-R", "-X", "stream", "-c", "fast");
        pgCtlStart(standby, standbyPort);
    }

    private void pgCtlStart(Path data, int port) {
        started.add(data); // stopped on close even if the start below times out
        run(pg("pg_ctl"), "-D", data.toString(), "-l", data.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port, "start");
    }

    private String pg(String tool) {
        return bin.resolve(tool).toString();
    }

    /** A JDBC URL of {@code database} on the primary. */
    public String primaryUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + primaryPort + "/" + database + "?user=postgres";
    }

    /** A JDBC URL of {@code database} on the standby. */
    public String standbyUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + standbyPort + "/" + database + "?user=postgres";
    }

    private void append(Path file, String... lines) {
        String text = String.join("\n", lines) + "\n";
        if (asPostgresUser) {
            run("sh", "-c", "cat >> '" + file + "' <<'EOF'\n" + text + "EOF");
        } else {
            try {
                Files.writeString(file, text, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void run(String... command) {
        List<String> line = new ArrayList<>();
        if (asPostgresUser && !command[0].equals("chown")) {
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        line.addAll(List.of(command));
        try {
            Path output = Files.createTempFile("stratal-replica", ".out");
            try {
                Process process = new ProcessBuilder(line).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
                boolean ended = process.waitFor(120, TimeUnit.SECONDS);
                if (!ended) {
                    process.destroyForcibly();
                }
                if (!ended || process.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", line) + (ended ? " failed:\n" : " took over 120 s:\n")
                            + Files.readString(output, StandardCharsets.UTF_8));
                }
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops both servers (the standby first) and deletes their files. */
    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                run(pg("pg_ctl"), "-D", started.get(i).toString(), "-m", "immediate", "-w", "stop");
            } catch (RuntimeException ignored) {
                // deleted below all the same
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}

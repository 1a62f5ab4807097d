package io.stratal.logs.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A command of the CLI in a child JVM, as an operator runs it: the -cli.jar when the build made one
 * ({@code mvn verify} does), else the class path without the test classes. Either way there is no
 * logback-test.xml, so the command's own logging is what is seen.
 */
public final class CliProcess implements AutoCloseable {

    private final Process process;
    private final BufferedReader output;
    private final List<String> lines = new ArrayList<>();

    private CliProcess(Process process) {
        this.process = process;
        this.output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts {@code args} with the environment changed by {@code environment} (a {@code null} value removes it). */
    public static CliProcess start(Map<String, String> environment, String... args) {
        return start(List.of(), environment, args);
    }

    /** ...with {@code jvmOptions} for the child JVM (a small heap, say). */
    public static CliProcess start(List<String> jvmOptions, Map<String, String> environment, String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cliJar = System.getProperty("stratal.cliJar", "");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        if (new File(cliJar).isFile()) {
            command.addAll(List.of("-jar", cliJar));
        } else {
            command.addAll(List.of("-cp", Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .filter(entry -> !entry.endsWith("test-classes")).collect(Collectors.joining(File.pathSeparator)),
                    "io.stratal.logs.cli.Main"));
        }
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        for (String name : List.of("STRATAL_DB_URL", "STRATAL_DB_USERNAME", "STRATAL_DB_PASSWORD", "STRATAL_TOKEN")) {
            builder.environment().remove(name); // CI sets some of these for the examples
        }
        environment.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        try {
            return new CliProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static CliProcess start(String... args) {
        return start(Map.of(), args);
    }

    /** Reads output up to the first line starting with {@code prefix} and returns it; {@code null} if the process ended first. */
    public String awaitLine(String prefix) {
        try {
            String line;
            while ((line = output.readLine()) != null) {
                lines.add(line);
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the process to end and returns its exit status; the output is then in {@link #output()}. */
    public int awaitExit(long seconds) {
        awaitLine("\u0000never");
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the command did not end within " + seconds + " s; it printed:\n" + output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return process.exitValue();
    }

    /** What it printed so far, stdout and stderr together. */
    public String output() {
        return String.join("\n", lines);
    }

    /** The port in a start-up line such as {@code Serving http://127.0.0.1:41234/api/v1/logs}. */
    public static int port(String servingLine) {
        String url = servingLine.split(" ")[1];
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1, url.indexOf('/', url.lastIndexOf(':'))));
    }

    /** SIGTERM, as an operator stops it (the shutdown hook stops the server); true when it ended within {@code seconds}. */
    public boolean stop(long seconds) {
        process.destroy();
        try {
            if (process.waitFor(seconds, TimeUnit.SECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        return false;
    }

    @Override
    public void close() {
        stop(20);
    }
}

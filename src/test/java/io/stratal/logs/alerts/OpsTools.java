package io.stratal.logs.alerts;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus's and Alertmanager's own binaries (Debian's {@code prometheus} and {@code prometheus-alertmanager}
 * packages), found on the PATH. A test that needs one skips, saying why, where it is missing, unless
 * {@code STRATAL_REQUIRE_PROMETHEUS=true} (CI sets it, after installing them) makes that a failure.
 */
final class OpsTools {

    /** The repository's {@code ops/} directory. */
    static final Path OPS = Path.of("ops").toAbsolutePath();
    static final Path RULES = OPS.resolve("prometheus/stratal-logs.rules.yml");

    private OpsTools() {
    }

    /** {@return the binary's path; skips the test (or fails it in CI) when it is not on the PATH} */
    static Path require(String binary, String debianPackage) {
        Path found = find(binary);
        if (found == null && "true".equals(System.getenv("STRATAL_REQUIRE_PROMETHEUS"))) {
            throw new AssertionError(binary + " is not on the PATH, and STRATAL_REQUIRE_PROMETHEUS=true requires it;"
                    + " install it: apt-get install " + debianPackage);
        }
        assumeTrue(found != null, binary + " is not on the PATH (apt-get install " + debianPackage + "); skipped");
        return found;
    }

    private static Path find(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, binary);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The result of a finished command. */
    record Run(int exit, String output) {
    }

    /** Runs {@code command} in {@code dir} to its end (at most a minute), stdout and stderr together. */
    static Run run(Path dir, String... command) {
        try {
            Path output = Files.createTempFile("stratal-ops-tool", ".out");
            try {
                Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not end within a minute");
                }
                return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The rules with one alert changed for a test that cannot wait its real {@code for:}: in the block of
     * {@code alert}, each {@code from} is replaced by the {@code to} after it. Fails when a {@code from} is not there,
     * so the test follows the file.
     */
    static String changeAlert(String rules, String alert, String... fromTo) {
        int start = rules.indexOf("- alert: " + alert + "\n");
        if (start < 0) {
            throw new AssertionError("no alert " + alert + " in the rules");
        }
        int end = rules.indexOf("- alert: ", start + 1);
        end = end < 0 ? rules.length() : end;
        String block = rules.substring(start, end);
        for (int i = 0; i + 1 < fromTo.length; i += 2) {
            if (!block.contains(fromTo[i])) {
                throw new AssertionError("alert " + alert + " has no '" + fromTo[i] + "'");
            }
            block = block.replace(fromTo[i], fromTo[i + 1]);
        }
        return rules.substring(0, start) + block + rules.substring(end);
    }

    /** {@code command} with {@code args} after it. */
    static String[] command(Path binary, String... args) {
        List<String> all = new ArrayList<>(List.of(binary.toString()));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }
}

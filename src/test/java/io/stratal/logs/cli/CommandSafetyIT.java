package io.stratal.logs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratal.logs.testing.CliProcess;
import io.stratal.logs.testing.TestDatabase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The commands in a child JVM: what they refuse to start with, and what they never print. */
@Timeout(180)
class CommandSafetyIT {

    private static final String SECRET = "Sup3rSecretPw";

    @Test
    void aBlankTokenIsAConfigurationErrorNotAnOpenServer() {
        try (TestDatabase db = TestDatabase.create().migrated()) {
            CliProcess fromEnvironment = CliProcess.start(Map.of("STRATAL_TOKEN", "   "), "serve", "--url", db.url(), "--port", "0");
            assertThat(fromEnvironment.awaitExit(30)).isEqualTo(2);
            assertThat(fromEnvironment.output()).contains("STRATAL_TOKEN) is blank").doesNotContain("Serving ");

            CliProcess fromFlag = CliProcess.start("serve", "--url", db.url(), "--port", "0", "--token", "");
            assertThat(fromFlag.awaitExit(30)).isEqualTo(2);
            assertThat(fromFlag.output()).contains("--token (or STRATAL_TOKEN) is blank");
        }
    }

    @Test
    void aPublicAddressWithoutATokenDoesNotStartAndSaysWhatAllowsIt() {
        try (TestDatabase db = TestDatabase.create().migrated()) {
            CliProcess open = CliProcess.start("serve", "--url", db.url(), "--port", "0", "--bind", "0.0.0.0");
            assertThat(open.awaitExit(30)).isEqualTo(2);
            assertThat(open.output()).contains("refusing to serve 0.0.0.0 without a token").contains("--allow-no-token")
                    .doesNotContain("Serving ");

            try (CliProcess onPurpose = CliProcess.start("serve", "--url", db.url(), "--port", "0", "--bind", "0.0.0.0",
                    "--allow-no-token")) {
                assertThat(onPurpose.awaitLine("Serving ")).as(onPurpose.output())
                        .startsWith("Serving http://0.0.0.0:").contains("NO token");
            }
        }
    }

    @Test
    void anAddressItCannotListenOnIsReportedWithTheRealCause() {
        try (TestDatabase db = TestDatabase.create().migrated()) {
            // TEST-NET-1: an address no interface of this machine has
            CliProcess foreign = CliProcess.start("serve", "--url", db.url(), "--port", "0", "--bind", "192.0.2.1", "--token", "t");
            assertThat(foreign.awaitExit(30)).isEqualTo(1);
            assertThat(foreign.output()).contains("cannot listen on 192.0.2.1").doesNotContain("already in use");
        }
    }

    @Test
    void noCommandPrintsThePasswordOfItsUrlOrFlags() {
        try (TestDatabase db = TestDatabase.create().migrated()) {
            String reachable = db.url().replaceFirst("\\?.*", "") + "?user=no_such_role&password=" + SECRET;
            List<String> urls = List.of(
                    "jdbc:postgresql://127.0.0.1:99999/x?password=" + SECRET, // the driver quotes the URL it cannot parse
                    "jdbc:postgresql://127.0.0.1:1/x?user=u&password=" + SECRET + "&connectTimeout=2",
                    reachable);
            List<List<String>> commands = List.of(
                    List.of("migrate", "up"), List.of("stats"), List.of("retention", "--older-than", "30d"),
                    List.of("serve", "--port", "0"));
            for (String url : urls) {
                for (List<String> command : commands) {
                    String[] argv = concat(command, List.of("--url", url));
                    CliProcess run = CliProcess.start(argv);
                    int status = run.awaitExit(60);
                    assertThat(status).as(String.join(" ", argv) + " fails").isNotZero();
                    assertThat(run.output()).as(String.join(" ", argv)).contains("error").doesNotContain(SECRET);
                }
            }
            Map<String, String> environment = new HashMap<>();
            environment.put("STRATAL_DB_PASSWORD", SECRET);
            environment.put("STRATAL_DB_URL", "jdbc:postgresql://127.0.0.1:99999/x?password=" + SECRET);
            CliProcess fromEnvironment = CliProcess.start(environment, "stats");
            assertThat(fromEnvironment.awaitExit(60)).isNotZero();
            assertThat(fromEnvironment.output()).contains("error").doesNotContain(SECRET);
        }
    }

    private static String[] concat(List<String> first, List<String> second) {
        return java.util.stream.Stream.concat(first.stream(), second.stream()).toArray(String[]::new);
    }
}

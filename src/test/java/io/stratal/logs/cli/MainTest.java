package io.stratal.logs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noCommandPrintsUsageAndExits2() {
        assertThat(run()).isEqualTo(2);
        assertThat(err()).contains("Usage:").contains("demo").contains("migrate");
    }

    @Test
    void anUnknownCommandOrOptionExits2WithTheReason() {
        assertThat(run("fly")).isEqualTo(2);
        assertThat(err()).contains("unknown command fly").contains("Usage:");
        err.reset();
        assertThat(run("demo", "--fast")).isEqualTo(2);
        assertThat(err()).contains("unknown option --fast");
    }

    @Test
    void migrateNeedsADirectionAndAUrl() {
        assertThat(run("migrate", "sideways", "--url", "jdbc:postgresql://x/y")).isEqualTo(2);
        assertThat(err()).contains("migrate needs up, or down [N]");
        err.reset();
        assertThat(run("migrate", "down", "zero", "--url", "jdbc:postgresql://x/y")).isEqualTo(2);
        assertThat(err()).contains("down takes a number of steps, got zero");
        err.reset();
        assertThat(run("migrate", "up", "--url")).isEqualTo(2);
        assertThat(err()).contains("--url needs a value");
        err.reset();
        assertThat(run("migrate", "up", "--url", "jdbc:mysql://x/y")).isEqualTo(2);
        assertThat(err()).contains("PostgreSQL JDBC URL");
    }

    @Test
    void serveRefusesAPollIntervalItCannotRead() {
        String url = "jdbc:postgresql://127.0.0.1:1/none";
        for (String bad : List.of("2", "5ms", "11s", "1m", "fast", "-1s", "99999999s")) {
            err.reset();
            assertThat(run("serve", "--poll-interval", bad, "--url", url)).as(bad).isEqualTo(2);
            assertThat(err()).contains("--poll-interval takes 10ms to 10s, like 500ms or 2s, got " + bad);
        }
    }

    @Test
    void aPollIntervalIsReadInMillisecondsOrSeconds() throws Exception {
        assertThat(ServeCommand.pollInterval(null)).isEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(ServeCommand.pollInterval("250ms")).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(ServeCommand.pollInterval("3s")).isEqualTo(java.time.Duration.ofSeconds(3));
        assertThat(ServeCommand.pollInterval("10s")).isEqualTo(java.time.Duration.ofSeconds(10));
    }

    @Test
    void thePartitioningFlagsAreCheckedBeforeTheDatabaseIsTouched() {
        String url = "jdbc:postgresql://127.0.0.1:1/none";
        assertThat(run("migrate", "up", "--partitioned", "--partition-interval", "fortnight", "--url", url)).isEqualTo(2);
        assertThat(err()).contains("--partition-interval takes hour, day, week or month, got fortnight");
        err.reset();
        assertThat(run("migrate", "up", "--partition-interval", "day", "--url", url)).isEqualTo(2);
        assertThat(err()).contains("--partition-interval goes with --partitioned");
        err.reset();
        assertThat(run("migrate", "up", "--partitioned", "--premake", "-3", "--url", url)).isEqualTo(2);
        assertThat(err()).contains("--premake takes a number of partitions from 0 to 9999, got -3");
        err.reset();
        assertThat(run("migrate", "up", "--partitioned", "--job-run-index", "--url", url)).isEqualTo(2);
        assertThat(err()).contains("--job-run-index does not go with --partitioned");
        err.reset();
        assertThat(run("migrate", "down", "--partitioned", "--url", url)).isEqualTo(2);
        assertThat(err()).contains("--partitioned goes with migrate up");
        err.reset();
        assertThat(run("partitions", "--premake", "lots", "--url", url)).isEqualTo(2);
        assertThat(err()).contains("--premake takes a number of partitions from 0 to 9999, got lots");
    }

    @Test
    void serveRefusesABadPortOrUrlBeforeTouchingTheDatabase() {
        assertThat(run("serve", "--url", "jdbc:postgresql://x/y", "--port", "eighty")).isEqualTo(2);
        assertThat(err()).contains("--port takes a port number 0..65535, got eighty");
        err.reset();
        assertThat(run("serve", "--url", "jdbc:postgresql://x/y", "--port", "70000")).isEqualTo(2);
        assertThat(err()).contains("got 70000");
        err.reset();
        assertThat(run("serve", "--url", "jdbc:mysql://x/y")).isEqualTo(2);
        assertThat(err()).contains("PostgreSQL JDBC URL");
        err.reset();
        assertThat(run("serve", "--url", "jdbc:postgresql://x/y", "--bnid", "0.0.0.0")).isEqualTo(2);
        assertThat(err()).contains("unknown option --bnid");
    }

    @Test
    void retentionNeedsAnAgeItCanRead() {
        assertThat(run("retention", "--url", "jdbc:postgresql://x/y")).isEqualTo(2);
        assertThat(err()).contains("retention needs --older-than");
        err.reset();
        assertThat(run("retention", "--older-than", "a while", "--url", "jdbc:postgresql://x/y")).isEqualTo(2);
        assertThat(err()).contains("--older-than: 'a while' is not an age");
        err.reset();
        assertThat(run("retention", "--older-than", "7d", "--batch-size", "0", "--url", "jdbc:postgresql://x/y")).isEqualTo(2);
        assertThat(err()).contains("--batch-size takes a whole number of rows, 1 or more, got 0");
    }

    @Test
    void statsRefusesAWindowItCannotRead() {
        assertThat(run("stats", "--window", "soon", "--url", "jdbc:postgresql://x/y")).isEqualTo(2);
        assertThat(err()).contains("--window: 'soon' is not an age");
    }

    @Test
    void helpGoesToStandardOutputAndSucceeds() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage:");
    }

    @Test
    void anAgeTooLargeForAClockIsAUsageError() {
        assertThat(run("retention", "--older-than", "999999999999999d", "--url", "jdbc:postgresql://127.0.0.1:1/x")).isEqualTo(2);
        assertThat(err()).contains("--older-than: '999999999999999d' is more than").doesNotContain("overflow");
        err.reset();
        assertThat(run("stats", "--window", "99999999999999999999d", "--url", "jdbc:postgresql://127.0.0.1:1/x")).isEqualTo(2);
        assertThat(err()).contains("--window: '99999999999999999999d' is more than");
    }

    @Test
    void serveRefusesABlankTokenAnUnknownBindAddressAndAPublicOneWithoutAToken() {
        assertThat(run("serve", "--url", "jdbc:postgresql://x/y", "--token", " ")).isEqualTo(2);
        assertThat(err()).contains("--token (or STRATAL_TOKEN) is blank");
        err.reset();
        assertThat(run("serve", "--url", "jdbc:postgresql://x/y", "--bind", "no-such-host.invalid", "--token", "t")).isEqualTo(2);
        assertThat(err()).contains("--bind: 'no-such-host.invalid' is not an address");
        err.reset();
        assertThat(run("serve", "--url", "jdbc:postgresql://x/y", "--bind", "0.0.0.0")).isEqualTo(2);
        assertThat(err()).contains("refusing to serve 0.0.0.0 without a token").contains("--allow-no-token");
        err.reset();
        assertThat(run("serve", "--url", "jdbc:postgresql://x/y", "--max-stream-clients", "0")).isEqualTo(2);
        assertThat(err()).contains("--max-stream-clients takes a whole number, 1 or more, got 0");
    }

    @Test
    void anErrorMessageNeverCarriesThePasswordOfTheUrl() {
        assertThat(run("migrate", "up", "--url", "jdbc:postgresql://127.0.0.1:99999/x?password=Sup3rSecretPw")).isEqualTo(1);
        assertThat(err()).contains("password=****").doesNotContain("Sup3rSecretPw");
    }
}

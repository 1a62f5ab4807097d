package io.stratal.logs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shipped rules and Alertmanager example, checked by the tools that will load them: {@code promtool check
 * rules}, {@code promtool test rules} (each alert firing and not firing on synthetic series,
 * {@code ops/prometheus/stratal-logs.rules.test.yml}), {@code amtool check-config} and the routes by severity.
 */
@Timeout(120)
class RulesIT {

    @Test
    void promtoolAcceptsTheRules() {
        Path promtool = OpsTools.require("promtool", "prometheus");
        OpsTools.Run check = OpsTools.run(OpsTools.OPS, OpsTools.command(promtool, "check", "rules", OpsTools.RULES.toString()));
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 11 rules found");
    }

    @Test
    void everyAlertFiresAndStaysQuietAsItsUnitTestsSay() {
        Path promtool = OpsTools.require("promtool", "prometheus");
        OpsTools.Run test = OpsTools.run(OpsTools.OPS.resolve("prometheus"),
                OpsTools.command(promtool, "test", "rules", "stratal-logs.rules.test.yml"));
        assertThat(test.exit()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void alertmanagerRoutesCriticalToThePagerAndWarningsToChat() {
        Path amtool = OpsTools.require("amtool", "prometheus-alertmanager");
        String config = OpsTools.OPS.resolve("alertmanager/alertmanager.yml").toString();
        OpsTools.Run check = OpsTools.run(OpsTools.OPS, OpsTools.command(amtool, "check-config", config));
        assertThat(check.exit()).as(check.output()).isZero();

        OpsTools.Run critical = OpsTools.run(OpsTools.OPS, OpsTools.command(amtool, "config", "routes", "test",
                "--config.file=" + config, "severity=critical", "alertname=StratalLogsAppenderStalled"));
        assertThat(critical.output()).contains("logs-pager").doesNotContain("logs-chat");
        OpsTools.Run warning = OpsTools.run(OpsTools.OPS, OpsTools.command(amtool, "config", "routes", "test",
                "--config.file=" + config, "severity=warning", "alertname=StratalLogsSpoolGrowing"));
        assertThat(warning.output()).contains("logs-chat").doesNotContain("logs-pager");
    }
}

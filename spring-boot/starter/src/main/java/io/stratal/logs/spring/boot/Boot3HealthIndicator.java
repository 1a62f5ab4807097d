package io.stratal.logs.spring.boot;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/** The {@code stratalLogs} health contributor on Spring Boot 3 ({@link HealthReport} says what it reports). */
final class Boot3HealthIndicator implements HealthIndicator {

    @Override
    public Health health() {
        HealthReport report = HealthReport.now();
        return Health.status(new Status(report.status())).withDetails(report.details()).build();
    }
}

package io.stratal.logs.spring.boot;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/** The {@code stratalLogs} health contributor on Spring Boot 4 ({@link HealthReport} says what it reports). */
final class Boot4HealthIndicator implements HealthIndicator {

    @Override
    public Health health() {
        HealthReport report = HealthReport.now();
        return Health.status(new Status(report.status())).withDetails(report.details()).build();
    }
}

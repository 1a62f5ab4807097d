package example;

import io.stratal.logs.context.LogContext;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * Logs a system line at start-up and a few task lines of a report run, all through SLF4J; the starter
 * (stratal-logs-spring-boot-starter) stores them, and Spring Boot's own lines, in the application's database.
 * Run ids are random here (the appender creates the logs table without foreign keys when job_runs does not
 * exist).
 */
@SpringBootApplication
public class ReportApplication {

    private static final Logger log = LoggerFactory.getLogger(ReportApplication.class);

    public static void main(String[] args) {
        SpringApplication.run(ReportApplication.class, args).close();
    }

    @Bean
    CommandLineRunner report() {
        return args -> {
            log.atInfo().setMessage("Report service started").addKeyValue("version", "1.0.0").log();
            UUID jobRunId = UUID.randomUUID();
            try (var job = LogContext.job(jobRunId)) {
                log.info("Monthly report run started");
                try (var task = LogContext.task(UUID.randomUUID())) {
                    log.atInfo().setMessage("Rendered {} pages").addArgument(42).addKeyValue("format", "pdf").log();
                }
                log.info("Monthly report run finished");
            }
        };
    }
}

package io.stratal.logs.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.status.Status;
import io.stratal.logs.context.LogContext;
import io.stratal.logs.testing.LogbackContexts;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/**
 * Configuration through real logback XML: impossible settings leave the appender stopped with an error that
 * says what to write; fixable ones are corrected with a warning that states the correction. Starting never
 * touches the database, so these need none (the URL points at a closed port).
 */
@Timeout(30)
class AppenderConfigTest {

    private static final String CLOSED_PORT_URL = "jdbc:postgresql://127.0.0.1:1/none";
    private LoggerContext context;

    private UnifiedLogAppender configure(String settings) {
        String xml = "<configuration>\n"
                + "  <appender name=\"UNIFIED\" class=\"io.stratal.logs.logback.UnifiedLogAppender\">\n"
                + settings
                + "    <shutdownGracePeriod>0 seconds</shutdownGracePeriod>\n"
                + "    <registerShutdownHook>false</registerShutdownHook>\n"
                + "  </appender>\n"
                + "  <root level=\"INFO\"><appender-ref ref=\"UNIFIED\"/></root>\n"
                + "</configuration>";
        context = LogbackContexts.fromXml(xml, Map.of());
        return (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
    }

    @AfterEach
    void stop() {
        if (context != null) {
            context.stop();
        }
    }

    private List<String> errors() {
        return LogbackContexts.statusMessages(context, Status.ERROR);
    }

    private List<String> warnings() {
        return LogbackContexts.statusMessages(context, Status.WARN);
    }

    @Test
    void theSampleConfigurationWithEverySettingLoadsWithoutAComplaint(@TempDir Path spool) throws Exception {
        String sample = Files.readString(Path.of("logback-sample.xml"))
                .replace("jdbc:postgresql://localhost:5432/stratal", CLOSED_PORT_URL)
                .replace("/var/lib/myapp/log-spool", spool.toString())
                .replace("<registerShutdownHook>true</registerShutdownHook>", "<registerShutdownHook>false</registerShutdownHook>")
                .replace("<shutdownGracePeriod>10 seconds</shutdownGracePeriod>", "<shutdownGracePeriod>0 seconds</shutdownGracePeriod>");
        context = LogbackContexts.fromXml(sample, Map.of("STRATAL_DB_PASSWORD", "secret"));
        UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        assertThat(appender.isStarted()).isTrue();
        assertThat(errors()).isEmpty();
        assertThat(warnings()).as("a setting logback does not know is only a warning").isEmpty();
    }

    @Test
    void aValidConfigurationStartsWithoutADatabase() {
        UnifiedLogAppender appender = configure("<url>" + CLOSED_PORT_URL + "</url>");
        assertThat(appender.isStarted()).isTrue();
        assertThat(errors()).isEmpty();
    }

    @Test
    void withoutAnyDatabaseTheAppenderStaysStoppedAndSaysWhatToAdd() {
        UnifiedLogAppender appender = configure("<batchSize>10</batchSize>");
        assertThat(appender.isStarted()).isFalse();
        assertThat(errors()).anySatisfy(e -> assertThat(e).contains("not started").contains("<url>jdbc:postgresql://")
                .contains("<jndiName>").contains("<dataSource"));
    }

    @Test
    void severalWritersStartAndSayHowMany() {
        UnifiedLogAppender appender = configure("<url>" + CLOSED_PORT_URL + "</url><writers>2</writers>");
        assertThat(appender.isStarted()).isTrue();
        assertThat(errors()).isEmpty();
        assertThat(LogbackContexts.statusMessages(context, Status.INFO)).anySatisfy(i -> assertThat(i).contains("2 writers"));
    }

    @Test
    void twoWritersByDefaultAndNoMoreThanThePoolHas() {
        configure("<url>" + CLOSED_PORT_URL + "</url>");
        assertThat(errors()).isEmpty();
        assertThat(LogbackContexts.statusMessages(context, Status.INFO)).anySatisfy(i -> assertThat(i).contains("2 writers"));
        context.stop();
        configure("<url>" + CLOSED_PORT_URL + "</url><poolSize>1</poolSize>");
        assertThat(errors()).isEmpty();
        assertThat(LogbackContexts.statusMessages(context, Status.INFO)).noneSatisfy(i -> assertThat(i).contains("writers"));
    }

    @Test
    void morePoolThanWritersIsNeededAndTheErrorSaysWhatToSet() {
        UnifiedLogAppender appender = configure("<url>" + CLOSED_PORT_URL + "</url><writers>4</writers>");
        assertThat(appender.isStarted()).isFalse();
        assertThat(errors()).anySatisfy(e -> assertThat(e).contains("poolSize 2 is below writers 4")
                .contains("<poolSize>4</poolSize>"));
    }

    @Test
    void severalWritersWithASpoolSpoolEachIntoADirectoryOfItsOwn(@TempDir Path spool) {
        UnifiedLogAppender appender = configure("<url>" + CLOSED_PORT_URL + "</url><writers>2</writers><spoolDirectory>"
                + spool + "</spoolDirectory>");
        assertThat(appender.isStarted()).isTrue();
        assertThat(errors()).isEmpty();
        assertThat(spool.resolve("writer-1")).isDirectory();
        assertThat(spool.resolve("writer-2")).isDirectory();
        assertThat(spool.resolve("writer-3")).doesNotExist();
    }

    @Test
    void aUrlThatIsNotPostgresIsRefused() {
        UnifiedLogAppender appender = configure("<url>jdbc:mysql://localhost/db</url>");
        assertThat(appender.isStarted()).isFalse();
        assertThat(errors()).anySatisfy(e -> assertThat(e).contains("jdbc:mysql://localhost/db")
                .contains("is not a PostgreSQL JDBC URL"));
    }

    @Test
    void twoDatabaseSourcesAreAmbiguous() {
        UnifiedLogAppender appender = configure("<url>" + CLOSED_PORT_URL + "</url><jndiName>java:comp/env/jdbc/x</jndiName>");
        assertThat(appender.isStarted()).isFalse();
        assertThat(errors()).anySatisfy(e -> assertThat(e).contains("only one of <url>, <jndiName> and <dataSource>"));
    }

    @Test
    void anUnsafeTableNameIsRefused() {
        UnifiedLogAppender appender = configure("<url>" + CLOSED_PORT_URL + "</url><table>logs; drop table x</table>");
        assertThat(appender.isStarted()).isFalse();
        assertThat(errors()).anySatisfy(e -> assertThat(e).contains("table").contains("<table>logs</table>"));
    }

    @Test
    void aNotifyChannelThatListenWouldFoldIsRefused() {
        UnifiedLogAppender appender = configure("<url>" + CLOSED_PORT_URL + "</url><notifyChannel>Stratal-Logs</notifyChannel>");
        assertThat(appender.isStarted()).isFalse();
        assertThat(errors()).anySatisfy(e -> assertThat(e).contains("notifyChannel \"Stratal-Logs\"")
                .contains("<notifyChannel>stratal_logs</notifyChannel>"));
    }

    @Test
    void logContextScopesFollowTheMdcKeysTheAppenderReadsUntilItStops() {
        configure("<url>" + CLOSED_PORT_URL + "</url><jobRunIdKey>run</jobRunIdKey><taskRunIdKey>step</taskRunIdKey>"
                + "<streamKey>out</streamKey>");
        UUID job = UUID.randomUUID();
        try (LogContext.Scope scope = LogContext.job(job)) {
            assertThat(MDC.get("run")).isEqualTo(job.toString());
            assertThat(MDC.get("job_run_id")).isNull();
        }
        context.stop();
        try (LogContext.Scope scope = LogContext.job(job)) {
            assertThat(MDC.get("job_run_id")).as("back to the defaults").isEqualTo(job.toString());
        }
    }

    @Test
    void aSecondAppenderWithOtherMdcKeysWarnsThatTheScopesCannotFollowIt() {
        String xml = "<configuration>\n"
                + "  <appender name=\"A\" class=\"io.stratal.logs.logback.UnifiedLogAppender\"><url>" + CLOSED_PORT_URL
                + "</url><jobRunIdKey>run</jobRunIdKey><shutdownGracePeriod>0 seconds</shutdownGracePeriod>"
                + "<registerShutdownHook>false</registerShutdownHook></appender>\n"
                + "  <appender name=\"B\" class=\"io.stratal.logs.logback.UnifiedLogAppender\"><url>" + CLOSED_PORT_URL
                + "</url><jobRunIdKey>other</jobRunIdKey><shutdownGracePeriod>0 seconds</shutdownGracePeriod>"
                + "<registerShutdownHook>false</registerShutdownHook></appender>\n"
                + "  <root level=\"INFO\"><appender-ref ref=\"A\"/><appender-ref ref=\"B\"/></root>\n"
                + "</configuration>";
        context = LogbackContexts.fromXml(xml, Map.of());
        assertThat(warnings()).anySatisfy(w -> assertThat(w).contains("Appender [B]").contains("LogContext scopes set other MDC keys"));
    }

    @Test
    void clashingMdcKeysAreRefused() {
        UnifiedLogAppender appender = configure("<url>" + CLOSED_PORT_URL + "</url><taskRunIdKey>job_run_id</taskRunIdKey>");
        assertThat(appender.isStarted()).isFalse();
        assertThat(errors()).anySatisfy(e -> assertThat(e).contains("three different MDC keys"));
    }

    @Test
    void fixableValuesAreCorrectedWithAWarningThatStatesTheCorrection() {
        UnifiedLogAppender appender = configure("<url>" + CLOSED_PORT_URL + "</url>"
                + "<batchSize>0</batchSize><poolSize>-1</poolSize><flushInterval>0 milliseconds</flushInterval>"
                + "<maxQueueBytes>10 KB</maxQueueBytes><maxMessageLength>5</maxMessageLength>");
        assertThat(appender.isStarted()).isTrue();
        assertThat(warnings()).anySatisfy(w -> assertThat(w).contains("batchSize 0 is below 1, using 5000"))
                .anySatisfy(w -> assertThat(w).contains("poolSize -1 is below 1, using 2"))
                .anySatisfy(w -> assertThat(w).contains("flushInterval").contains("using 250 milliseconds"))
                .anySatisfy(w -> assertThat(w).contains("maxQueueBytes 10240 is below 1048576, using 50331648"))
                .anySatisfy(w -> assertThat(w).contains("maxMessageLength 5 is below 1024, using 262144"));
    }

    @Test
    void aValueLogbackCannotConvertIsReportedWithTheSettingNameAndTheDefaultStays() {
        UnifiedLogAppender appender = configure("<url>" + CLOSED_PORT_URL + "</url><batchSize>lots</batchSize>");
        assertThat(appender.isStarted()).isTrue();
        assertThat(warnings()).anySatisfy(w -> assertThat(w).contains("[batchSize]").contains("lots"));
    }

    @Test
    void stoppingWithAnUnreachableDatabaseReturnsPromptly() {
        UnifiedLogAppender appender = configure("<url>" + CLOSED_PORT_URL + "</url>");
        context.getLogger("x").info("one line that cannot be written");
        long started = System.nanoTime();
        context.stop();
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(3_000);
        assertThat(appender.isStarted()).isFalse();
        assertThat(warnings()).anySatisfy(w -> assertThat(w).contains("1 log record(s) unwritten"));
    }
}

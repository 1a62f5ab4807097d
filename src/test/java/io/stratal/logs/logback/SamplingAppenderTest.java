package io.stratal.logs.logback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.status.Status;
import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import io.stratal.logs.context.JobRunLogger;
import io.stratal.logs.context.LogContext;
import io.stratal.logs.context.UnifiedLogger;
import io.stratal.logs.pipeline.Batch;
import io.stratal.logs.pipeline.BatchSink;
import io.stratal.logs.pipeline.SinkFactory;
import io.stratal.logs.pipeline.StatusListener;
import io.stratal.logs.testing.LogbackContexts;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/**
 * Sampling through the appender as {@code logback.xml} configures it, into a sink that keeps what it is given:
 * what is stored of a burst, the summary rows and their fields, when they come (window end, scope end, stop),
 * the API and plain SLF4J under the same rules, the counters, and settings that cannot be used.
 */
@Timeout(60)
class SamplingAppenderTest {

    /** A sink factory logback can make from {@code <sinkFactory class="...">}: the records land in {@link #STORED}. */
    public static final class Capture implements SinkFactory {
        static final Map<String, List<LogRecord>> STORED = new ConcurrentHashMap<>();

        @Override
        public BatchSink create(String writerName, StatusListener status) {
            List<LogRecord> stored = STORED.computeIfAbsent(writerName, n -> new CopyOnWriteArrayList<>());
            return new BatchSink() {
                @Override
                public void write(Batch batch) {
                    stored.addAll(batch.records());
                }

                @Override
                public void close() {
                }
            };
        }
    }

    private LoggerContext context;
    private String name;

    private UnifiedLogAppender configure(String sampling) {
        name = "SAMPLED-" + UUID.randomUUID();
        Capture.STORED.remove(name);
        String xml = "<configuration>\n"
                + "  <appender name=\"" + name + "\" class=\"io.stratal.logs.logback.UnifiedLogAppender\">\n"
                + "    <sinkFactory class=\"" + Capture.class.getName() + "\"/>\n"
                + "    <flushInterval>20 millis</flushInterval>\n"
                + "    <registerShutdownHook>false</registerShutdownHook>\n"
                + "    <micrometer>false</micrometer>\n"
                + sampling
                + "  </appender>\n"
                + "  <root level=\"DEBUG\"><appender-ref ref=\"" + name + "\"/></root>\n"
                + "</configuration>";
        context = LogbackContexts.fromXml(xml, Map.of());
        return (UnifiedLogAppender) context.getLogger("ROOT").getAppender(name);
    }

    private List<LogRecord> stored() {
        return Capture.STORED.getOrDefault(name, List.of());
    }

    private List<LogRecord> summaries() {
        return stored().stream().filter(r -> log(r).containsKey("sampled")).collect(Collectors.toList());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> log(LogRecord record) {
        Map<String, Object> metadata = record.metadata();
        return metadata == null ? Map.of() : (Map<String, Object>) metadata.getOrDefault("log", Map.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sampled(LogRecord record) {
        return (Map<String, Object>) log(record).get("sampled");
    }

    @AfterEach
    void stop() {
        MDC.clear();
        if (context != null) {
            context.stop();
        }
    }

    @Test
    void aMillionCallsOfOneTemplateStoreTheFirstHundredThenOneInEveryThousandAndSayHowManyWereLeftOut() {
        UnifiedLogAppender appender = configure("<sampling><rule><name>items</name><logger>com.example.Importer</logger>"
                + "<first>100</first><thenEvery>1000</thenEvery><window>1 hour</window></rule></sampling>");
        Logger logger = context.getLogger("com.example.Importer");
        UUID task = UUID.randomUUID();
        try (LogContext.Scope scope = LogContext.task(UUID.randomUUID(), task)) {
            for (int i = 1; i <= 1_000_000; i++) {
                logger.info("item {} done", i);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> stored().size() == 1100);
            assertThat(summaries()).as("the window is open until the scope ends").isEmpty();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> summaries().size() == 1);
        List<LogRecord> lines = stored().stream().filter(r -> !log(r).containsKey("sampled")).collect(Collectors.toList());
        assertThat(lines).hasSize(1100);
        assertThat(lines.subList(0, 100)).extracting(LogRecord::message)
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 100).mapToObj(i -> "item " + i + " done").toList());
        assertThat(lines.get(100).message()).isEqualTo("item 101 done");
        assertThat(lines.get(101).message()).isEqualTo("item 1101 done");
        assertThat(lines.get(1099).message()).isEqualTo("item 999101 done");
        assertThat(log(lines.get(0)).get("sample")).isEqualTo(Map.of("rule", "items", "rate", 1L));
        assertThat(log(lines.get(100)).get("sample")).isEqualTo(Map.of("rule", "items", "rate", 1000L));

        LogRecord summary = summaries().get(0);
        assertThat(summary.message()).isEqualTo("998900 lines like \"item {} done\" left out by sampling (kept 1100 of 1000000)");
        assertThat(sampled(summary)).containsEntry("rule", "items").containsEntry("template", "item {} done")
                .containsEntry("kept", 1100L).containsEntry("left_out", 998_900L).containsEntry("window", "PT1H");
        assertThat(summary.type()).isEqualTo(LogType.TASK);
        assertThat(summary.taskRunId()).isEqualTo(task);
        assertThat(summary.stream()).isEqualTo(LogStream.STDOUT);
        assertThat(summary.level()).isEqualTo(LogLevel.INFO);
        assertThat(summary.logger()).isEqualTo("com.example.Importer");
        assertThat(summary.thread()).isEqualTo(Thread.currentThread().getName());
        assertThat(appender.getSampling().getLinesLeftOutByRule()).isEqualTo(Map.of("items", 998_900L));
        assertThat(appender.getSampling().getSummariesByRule()).isEqualTo(Map.of("items", 1L));
        assertThat(appender.getStats().enqueued()).as("nothing left out was queued").isEqualTo(1101);
    }

    @Test
    void warnAndErrorAreStoredWholeUnlessARuleNamesTheirLevel() {
        configure("<sampling><rule><logger>a</logger><first>0</first><thenEvery>0</thenEvery></rule>"
                + "<rule><logger>b</logger><level>WARN</level><first>0</first><thenEvery>0</thenEvery></rule></sampling>");
        for (int i = 0; i < 10; i++) {
            context.getLogger("a").debug("debug");
            context.getLogger("a").info("info");
            context.getLogger("a").warn("warn");
            context.getLogger("a").error("error");
            context.getLogger("b").warn("b warn");
            context.getLogger("b").error("b error");
        }
        context.stop();
        Map<String, Long> byMessage = stored().stream().collect(Collectors.groupingBy(LogRecord::message, Collectors.counting()));
        assertThat(byMessage).containsEntry("warn", 10L).containsEntry("error", 10L).containsEntry("b error", 10L)
                .doesNotContainKeys("debug", "info", "b warn");
        assertThat(summaries()).extracting(LogRecord::message).containsExactlyInAnyOrder(
                "10 lines like \"debug\" left out by sampling (kept 0 of 10)",
                "10 lines like \"info\" left out by sampling (kept 0 of 10)",
                "10 lines like \"b warn\" left out by sampling (kept 0 of 10)");
        assertThat(summaries()).filteredOn(r -> r.message().contains("b warn")).extracting(LogRecord::level).containsExactly(LogLevel.WARN);
        assertThat(summaries()).filteredOn(r -> r.message().contains("debug")).extracting(LogRecord::level).containsExactly(LogLevel.DEBUG);
    }

    @Test
    void aWindowThatRunsOutIsSummarisedWithoutAnotherLine() {
        configure("<sampling><rule><first>1</first><thenEvery>0</thenEvery><window>300 millis</window></rule></sampling>");
        Logger poller = context.getLogger("com.example.Poller");
        for (int i = 0; i < 5; i++) {
            poller.info("no new files in {}", "/inbox");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> summaries().size() == 1);
        LogRecord summary = summaries().get(0);
        assertThat(summary.type()).isEqualTo(LogType.SYSTEM);
        assertThat(summary.stream()).isEqualTo(LogStream.SYSTEM);
        assertThat(summary.message()).isEqualTo("4 lines like \"no new files in {}\" left out by sampling (kept 1 of 5)");
        assertThat(sampled(summary)).containsEntry("rule", "*").containsEntry("window", "PT0.3S");
        poller.info("no new files in {}", "/inbox");
        await().atMost(Duration.ofSeconds(5)).until(() -> stored().size() == 3);
        assertThat(stored().get(2).message()).as("a new window keeps its first line again").isEqualTo("no new files in /inbox");
    }

    @Test
    void theEndOfATaskScopeOrAJobRunLoggerStoresItsSummaryAtOnce() {
        configure("<sampling><rule><first>0</first><thenEvery>0</thenEvery><window>1 hour</window></rule></sampling>");
        Logger logger = context.getLogger("com.example.Job");
        UUID job = UUID.randomUUID();
        UUID task = UUID.randomUUID();
        try (LogContext.Scope jobScope = LogContext.job(job)) {
            try (LogContext.Scope taskScope = LogContext.task(task, LogStream.STDERR)) {
                logger.info("row {}", 1);
                logger.info("row {}", 2);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> summaries().size() == 1);
            LogRecord summary = summaries().get(0);
            assertThat(summary.jobRunId()).isEqualTo(job);
            assertThat(summary.taskRunId()).isEqualTo(task);
            assertThat(summary.stream()).isEqualTo(LogStream.STDERR);
            logger.info("job line");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> summaries().size() == 2);
        assertThat(summaries().get(1).type()).isEqualTo(LogType.JOB);

        UnifiedLogger api = UnifiedLogger.of(context.getLogger("com.example.Api"));
        UUID apiJob = UUID.randomUUID();
        JobRunLogger run = api.getJobRunLogger(apiJob);
        for (int i = 0; i < 3; i++) {
            run.logJob(LogLevel.INFO, "step done", null);
            run.logTask(task, LogLevel.INFO, "task step done", (String) null, null);
        }
        assertThat(summaries()).as("a single API call's own scope does not end the run").hasSize(2);
        run.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> summaries().size() == 4);
        assertThat(summaries().subList(2, 4)).extracting(LogRecord::message).containsExactlyInAnyOrder(
                "3 lines like \"step done\" left out by sampling (kept 0 of 3)",
                "3 lines like \"task step done\" left out by sampling (kept 0 of 3)");
        assertThat(summaries().subList(2, 4)).allSatisfy(s -> assertThat(s.jobRunId()).isEqualTo(apiJob));
    }

    @Test
    void theStopStoresTheSummaryOfEveryOpenWindowBeforeItDrains() {
        UnifiedLogAppender appender = configure("<sampling><rule><first>2</first><thenEvery>10</thenEvery><window>1 hour</window>"
                + "</rule></sampling>");
        for (int i = 0; i < 50; i++) {
            context.getLogger("x").info("one {}", i);
            context.getLogger("y").debug("two {}", i);
        }
        context.stop();
        assertThat(appender.isStarted()).isFalse();
        assertThat(summaries()).hasSize(2);
        assertThat(summaries().stream().mapToLong(s -> (Long) sampled(s).get("left_out")).sum())
                .isEqualTo(100 - (stored().size() - 2));
        assertThat(LogbackContexts.statusMessages(context, Status.WARN)).isEmpty();
    }

    @Test
    void theKeyIsTheTemplateSoArgumentsDoNotMakeNewKeys() {
        UnifiedLogAppender appender = configure("<sampling><rule><first>1</first><thenEvery>0</thenEvery></rule></sampling>");
        Logger logger = context.getLogger("k");
        for (int i = 0; i < 100; i++) {
            logger.info("item {} of {}", i, 100);
            logger.atInfo().setMessage("fluent {}").addArgument(i).addKeyValue("i", i).log();
        }
        assertThat(appender.getSampling().getOpenKeys()).isEqualTo(2);
        assertThat(appender.getSampling().getLinesLeftOutByRule()).isEqualTo(Map.of("*", 198L));
    }

    @Test
    void theCountersArePublishedAsAJmxBean() throws Exception {
        configure("<sampling><rule><name>poller</name><first>0</first><thenEvery>0</thenEvery></rule></sampling>");
        context.getLogger("p").info("poll");
        context.getLogger("p").info("poll");
        ObjectName bean = Observability.objectName(context.getName(), name, "Sampling");
        Object leftOut = ManagementFactory.getPlatformMBeanServer().getAttribute(bean, "LinesLeftOutByRule");
        assertThat(leftOut.toString()).contains("poller").contains("2");
        assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(bean, "OpenKeys")).isEqualTo(1);
        context.stop();
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(bean)).isFalse();
    }

    @Test
    void theCountersAreMicrometerMetersTaggedByRule() {
        UnifiedLogAppender appender = configure("<sampling><rule><name>poller</name><first>1</first><thenEvery>0</thenEvery>"
                + "<window>1 hour</window></rule></sampling>");
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        try (io.stratal.logs.micrometer.StratalLogMetrics metrics = new io.stratal.logs.micrometer.StratalLogMetrics(
                appender.getPipeline(), appender.getSampling(), name, context.getName())) {
            metrics.bindTo(registry);
            for (int i = 0; i < 5; i++) {
                context.getLogger("p").info("poll");
            }
            assertThat(registry.get("stratal.logs.sampling.left.out").tag("rule", "poller").functionCounter().count()).isEqualTo(4.0);
            assertThat(registry.get("stratal.logs.sampling.keys").gauge().value()).isEqualTo(1.0);
            context.stop();
            assertThat(registry.get("stratal.logs.sampling.summaries").tag("rule", "poller").tag("appender", name)
                    .functionCounter().count()).isEqualTo(1.0);
        }
        assertThat(registry.find("stratal.logs.sampling.left.out").meters()).as("closed: removed").isEmpty();
    }

    @Test
    void settingsThatCannotBeUsedAreNamedAndReplaced() {
        UnifiedLogAppender appender = configure("<sampling><maxKeys>0</maxKeys>"
                + "<rule><name>loud</name><level>LOUD</level></rule>"
                + "<rule><name>r</name><first>-1</first><thenEvery>-5</thenEvery><window>0 seconds</window></rule>"
                + "<rule><name>r</name></rule></sampling>");
        assertThat(appender.isStarted()).isTrue();
        List<String> warnings = LogbackContexts.statusMessages(context, Status.WARN);
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("sampling rule 1 (\"loud\"): level \"LOUD\" is not")
                .contains("left out and its lines are all stored"));
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("sampling rule 2 (\"r\") first -1 is below 0, using 10"));
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("sampling rule 2 (\"r\") thenEvery -5 is below 0, using 100"));
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("sampling rule 2 (\"r\") window"));
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("sampling rule 3 (\"r\"): another rule has the name \"r\"")
                .contains("\"r#2\""));
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("sampling maxKeys 0 is below 1, using 10000"));
        assertThat(appender.getSampling().getLinesLeftOutByRule().keySet()).containsExactly("r", "r#2");
    }

    @Test
    void withoutRulesEveryLineIsStoredAndNoSamplingThreadRuns() {
        UnifiedLogAppender appender = configure("");
        for (int i = 0; i < 100; i++) {
            context.getLogger("a").info("same {}", i);
        }
        assertThat(appender.getSampling()).isNull();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("stratal-sampling-" + name));
        context.stop();
        assertThat(stored()).hasSize(100).noneMatch(r -> log(r).containsKey("sample"));
    }
}

package io.stratal.logs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.util.FileSize;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.logback.UnifiedLogSettings;
import io.stratal.logs.spring.boot.sample.SampleApplication;
import java.beans.PropertyDescriptor;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.BeanUtils;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Every appender setting is a {@code stratal.logs.*} property that reaches the appender; the generated
 * metadata documents each one; a wrong value stops the application with Spring Boot's failure analysis,
 * naming the property.
 */
@ExtendWith(OutputCaptureExtension.class)
class PropertiesTest {

    /** Settings that take objects built in code, not values: no property can carry them. */
    private static final Set<String> CODE_ONLY = Set.of("dataSource", "sinkFactory");

    /** Settings that hold a group of values: a nested group of properties ({@code stratal.logs.sampling.*}). */
    private static final Set<String> GROUPS = Set.of("sampling");

    /** Properties of the starter itself, not the appender's. */
    private static final Set<String> STARTER_ONLY = Set.of("enabled", "propagateScopes");

    private static Set<String> appenderSettings() {
        return Arrays.stream(UnifiedLogSettings.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && m.getName().startsWith("set") && m.getParameterCount() == 1)
                .map(m -> Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4))
                .filter(name -> !CODE_ONLY.contains(name))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> properties() {
        return Arrays.stream(BeanUtils.getPropertyDescriptors(StratalLogsProperties.class))
                .filter(d -> d.getWriteMethod() != null)
                .map(PropertyDescriptor::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([A-Z])", "-$1").toLowerCase();
    }

    @Test
    void everyAppenderSettingIsAProperty() {
        Set<String> expected = new TreeSet<>(appenderSettings());
        expected.removeAll(GROUPS);
        expected.addAll(STARTER_ONLY);
        assertThat(properties()).isEqualTo(expected);
        for (String group : GROUPS) {
            assertThat(BeanUtils.getPropertyDescriptor(StratalLogsProperties.class, group).getReadMethod()).as(group).isNotNull();
        }
    }

    @Test
    void everyPropertyReachesTheAppender() throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("stratal.logs.url", "jdbc:postgresql://db.example:5432/logs");
        values.put("stratal.logs.username", "logger");
        values.put("stratal.logs.password", "s3cret");
        values.put("stratal.logs.table", "audit.logs");
        values.put("stratal.logs.create-schema", "false");
        values.put("stratal.logs.notify", "false");
        values.put("stratal.logs.notify-channel", "audit_logs");
        values.put("stratal.logs.pool-size", "3");
        values.put("stratal.logs.writers", "2");
        values.put("stratal.logs.batch-size", "700");
        values.put("stratal.logs.flush-interval", "1s");
        values.put("stratal.logs.max-queue-bytes", "16MB");
        values.put("stratal.logs.max-block-time", "2s");
        values.put("stratal.logs.shutdown-grace-period", "30s");
        values.put("stratal.logs.register-shutdown-hook", "true");
        values.put("stratal.logs.foreign-key-grace-period", "5s");
        values.put("stratal.logs.spool-directory", "/var/spool/app-logs");
        values.put("stratal.logs.max-spool-bytes", "2GB");
        values.put("stratal.logs.spool-sync-interval", "3s");
        values.put("stratal.logs.overflow-policy", "drop");
        values.put("stratal.logs.jmx", "false");
        values.put("stratal.logs.max-message-length", "4096");
        values.put("stratal.logs.redact-keys", "pin,otp");
        values.put("stratal.logs.redact-messages", "true");
        values.put("stratal.logs.job-run-id-key", "job");
        values.put("stratal.logs.task-run-id-key", "task");
        values.put("stratal.logs.stream-key", "out");
        values.put("stratal.logs.sampling.max-keys", "500");
        values.put("stratal.logs.sampling.rules[0].name", "poller");
        values.put("stratal.logs.sampling.rules[0].logger", "com.example.Poller");
        values.put("stratal.logs.sampling.rules[0].level", "debug");
        values.put("stratal.logs.sampling.rules[0].first", "5");
        values.put("stratal.logs.sampling.rules[0].then-every", "60");
        values.put("stratal.logs.sampling.rules[0].window", "30s");
        values.put("stratal.logs.sampling.rules[1].logger", "com.example.Importer");
        Binder binder = new Binder(new MapConfigurationPropertySource(values));
        StratalLogsProperties bound = binder.bindOrCreate(StratalLogsProperties.PREFIX, StratalLogsProperties.class);
        UnifiedLogAppender appender = StratalLogsLoggingListener.configure(new LoggerContext(), bound,
                StratalLogsLoggingListener.Database.of(bound, binder), bound.getRegisterShutdownHook());

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("url", "jdbc:postgresql://db.example:5432/logs");
        expected.put("username", "logger");
        expected.put("password", "s3cret");
        expected.put("table", "audit.logs");
        expected.put("createSchema", false);
        expected.put("notify", false);
        expected.put("notifyChannel", "audit_logs");
        expected.put("poolSize", 3);
        expected.put("writers", 2);
        expected.put("batchSize", 700);
        expected.put("flushInterval", 1000L);
        expected.put("maxQueueBytes", 16L * 1024 * 1024);
        expected.put("maxBlockTime", 2000L);
        expected.put("shutdownGracePeriod", 30_000L);
        expected.put("registerShutdownHook", true);
        expected.put("foreignKeyGracePeriod", 5000L);
        expected.put("spoolDirectory", "/var/spool/app-logs");
        expected.put("maxSpoolBytes", 2L * 1024 * 1024 * 1024);
        expected.put("spoolSyncInterval", 3000L);
        expected.put("overflowPolicy", "DROP");
        expected.put("jmx", false);
        expected.put("micrometer", false); // the starter binds the meters to the application's registry itself
        expected.put("maxMessageLength", 4096);
        expected.put("redactKeys", "pin,otp");
        expected.put("redactMessages", true);
        expected.put("jobRunIdKey", "job");
        expected.put("taskRunIdKey", "task");
        expected.put("streamKey", "out");
        expected.put("jndiName", null);
        expected.put("sampling", "500: poller com.example.Poller DEBUG 5 60 30000; null com.example.Importer INFO 10 100 60000");
        assertThat(expected.keySet()).containsAll(appenderSettings());

        Map<String, Object> actual = new LinkedHashMap<>();
        for (String name : expected.keySet()) {
            Field field = UnifiedLogSettings.class.getDeclaredField(name);
            field.setAccessible(true);
            Object value = field.get(appender);
            if (value instanceof ch.qos.logback.core.util.Duration d) {
                value = d.getMilliseconds();
            } else if (value instanceof FileSize size) {
                value = size.getSize();
            } else if (value instanceof io.stratal.logs.logback.Sampling sampling) {
                value = sampling.getMaxKeys() + ": " + sampling.getRules().stream()
                        .map(r -> r.getName() + " " + r.getLogger() + " " + r.getLevel() + " " + r.getFirst() + " "
                                + r.getThenEvery() + " " + r.getWindow().getMilliseconds())
                        .collect(Collectors.joining("; "));
            }
            actual.put(name, value);
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void theDatabaseDefaultsToTheApplicationsOwn() {
        Binder binder = new Binder(new MapConfigurationPropertySource(Map.of(
                "spring.datasource.url", "jdbc:postgresql://app.example:5432/app",
                "spring.datasource.username", "app",
                "spring.datasource.password", "pw",
                "stratal.logs.username", "logs-only")));
        StratalLogsProperties bound = binder.bindOrCreate(StratalLogsProperties.PREFIX, StratalLogsProperties.class);
        assertThat(StratalLogsLoggingListener.Database.of(bound, binder))
                .isEqualTo(new StratalLogsLoggingListener.Database("jdbc:postgresql://app.example:5432/app", "logs-only", "pw", null));
    }

    @Test
    void theMetadataDocumentsEveryPropertyWithItsDefault() throws Exception {
        JsonNode metadata = null;
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                JsonNode candidate = new ObjectMapper().readTree(in);
                for (JsonNode group : candidate.path("groups")) {
                    if (StratalLogsProperties.PREFIX.equals(group.path("name").asText())) {
                        metadata = candidate;
                    }
                }
            }
        }
        assertThat(metadata).as("the starter's spring-configuration-metadata.json").isNotNull();
        Map<String, JsonNode> documented = new LinkedHashMap<>();
        for (JsonNode property : metadata.path("properties")) {
            documented.put(property.path("name").asText(), property);
        }
        for (String name : List.of("sampling.max-keys", "sampling.rules")) {
            JsonNode property = documented.get(StratalLogsProperties.PREFIX + "." + name);
            assertThat(property).as(name).isNotNull();
            assertThat(property.path("description").asText()).as(name + "'s description").isNotBlank();
        }
        for (String name : properties()) {
            JsonNode property = documented.get(StratalLogsProperties.PREFIX + "." + kebab(name));
            assertThat(property).as(name).isNotNull();
            assertThat(property.path("description").asText()).as(name + "'s description").isNotBlank();
        }
        assertThat(documented.get("stratal.logs.batch-size").path("defaultValue").asInt()).isEqualTo(5000);
        assertThat(documented.get("stratal.logs.flush-interval").path("defaultValue").asText()).isEqualTo("250ms");
        assertThat(documented.get("stratal.logs.max-queue-bytes").path("defaultValue").asText()).isEqualTo("48MB");
        assertThat(documented.get("stratal.logs.enabled").path("defaultValue").asBoolean()).isTrue();
        assertThat(documented.get("stratal.logs.table").path("defaultValue").asText()).isEqualTo("logs");
        assertThat(documented.get("stratal.logs.redact-keys").path("defaultValue")).hasSize(10);
        for (String name : Arrays.stream(BeanUtils.getPropertyDescriptors(StratalLogsProperties.Server.class))
                .filter(d -> d.getWriteMethod() != null).map(PropertyDescriptor::getName).toList()) {
            JsonNode property = documented.get("stratal.logs.server." + kebab(name));
            assertThat(property).as("server." + name).isNotNull();
            assertThat(property.path("description").asText()).as("server." + name + "'s description").isNotBlank();
        }
        assertThat(documented.get("stratal.logs.server.enabled").path("defaultValue").asBoolean()).isFalse();
        assertThat(documented.get("stratal.logs.server.bind").path("defaultValue").asText()).isEqualTo("127.0.0.1");
    }

    @Test
    void theDefaultsAreTheLibrarysDefaults() throws Exception {
        StratalLogsProperties defaults = new StratalLogsProperties();
        Binder empty = new Binder(new MapConfigurationPropertySource(Map.of(
                "spring.datasource.url", "jdbc:postgresql://app.example:5432/app")));
        UnifiedLogAppender fromStarter = StratalLogsLoggingListener.configure(new LoggerContext(), defaults,
                StratalLogsLoggingListener.Database.of(defaults, empty), true);
        UnifiedLogAppender plain = new UnifiedLogAppender();
        for (String name : appenderSettings()) {
            if (Set.of("url", "micrometer").contains(name)) {
                continue; // the database is the application's; the meters go to its registry
            }
            Field field = UnifiedLogSettings.class.getDeclaredField(name);
            field.setAccessible(true);
            Object starter = field.get(fromStarter);
            Object library = field.get(plain);
            if (starter instanceof ch.qos.logback.core.util.Duration d) {
                starter = d.getMilliseconds();
                library = ((ch.qos.logback.core.util.Duration) library).getMilliseconds();
            } else if (starter instanceof FileSize size) {
                starter = size.getSize();
                library = ((FileSize) library).getSize();
            }
            assertThat(starter).as(name).isEqualTo(library);
        }
    }

    @Test
    void aValueOutOfRangeStopsTheApplicationNamingItsProperty(CapturedOutput output) {
        assertThatThrownBy(() -> start("stratal.logs.batch-size=0")).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("stratal.logs.batch-size").contains("batch-size must be at least 1, got 0");
    }

    @Test
    void aValueOfTheWrongKindStopsTheApplicationNamingItsProperty(CapturedOutput output) {
        assertThatThrownBy(() -> start("stratal.logs.flush-interval=soon")).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START").contains("stratal.logs.flush-interval");
    }

    @Test
    void clashingKeysStopTheApplicationNamingTheProperty(CapturedOutput output) {
        assertThatThrownBy(() -> start("stratal.logs.task-run-id-key=job_run_id")).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START").contains("stratal.logs.job-run-id-key")
                .contains("three different MDC keys");
    }

    @Test
    void aSamplingRuleWithALevelThatIsNoneStopsTheApplicationNamingItsProperty(CapturedOutput output) {
        assertThatThrownBy(() -> start("stratal.logs.sampling.rules[0].level=LOUD")).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START").contains("stratal.logs.sampling.rules[0].level")
                .contains("level must be TRACE, DEBUG, INFO, WARN or ERROR, got LOUD");
    }

    private static void start(String property) {
        new SpringApplicationBuilder(SampleApplication.class)
                .properties("spring.datasource.url=jdbc:postgresql://127.0.0.1:1/none", "spring.main.web-application-type=none",
                        property)
                .run().close();
    }
}

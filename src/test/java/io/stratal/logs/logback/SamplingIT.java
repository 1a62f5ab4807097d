package io.stratal.logs.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.context.LogContext;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TestDatabase;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sampled lines and their summary rows as PostgreSQL stores them, through the sample configuration's rules. */
@Timeout(120)
class SamplingIT {

    @RegisterExtension
    static final DatabaseExtension database = new DatabaseExtension();
    private static TestDatabase db;

    @BeforeAll
    static void database() {
        db = database.get();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> log(Map<String, Object> row) {
        return (Map<String, Object>) ((Map<String, Object>) row.get("metadata")).get("log");
    }

    @Test
    void aPerItemLoopIsStoredAsItsFirstLinesEveryThousandthAndOneSummaryRow() {
        db.execute("DROP TABLE IF EXISTS logs");
        String xml = "<configuration>\n"
                + "  <appender name=\"UNIFIED\" class=\"io.stratal.logs.logback.UnifiedLogAppender\">\n"
                + "    <url>" + db.url() + "</url>\n"
                + "    <registerShutdownHook>false</registerShutdownHook>\n"
                + "    <sampling>\n"
                + "      <rule><name>items</name><logger>com.example.ingest.Importer</logger>\n"
                + "        <first>100</first><thenEvery>1000</thenEvery><window>10 minutes</window></rule>\n"
                + "    </sampling>\n"
                + "  </appender>\n"
                + "  <root level=\"INFO\"><appender-ref ref=\"UNIFIED\"/></root>\n"
                + "</configuration>";
        LoggerContext context = LogbackContexts.fromXml(xml, Map.of());
        Logger importer = context.getLogger("com.example.ingest.Importer");
        UUID job = UUID.randomUUID();
        UUID task = UUID.randomUUID();
        try (LogContext.Scope jobScope = LogContext.job(job); LogContext.Scope taskScope = LogContext.task(task)) {
            for (int i = 1; i <= 20_000; i++) {
                importer.info("imported item {} of {}", i, 20_000);
            }
            importer.warn("item {} had no price", 7);
        }
        context.stop();

        List<Map<String, Object>> rows = db.query("SELECT * FROM logs ORDER BY id");
        assertThat(rows).hasSize(100 + 20 + 1 + 1);
        assertThat(rows.get(99)).containsEntry("message", "imported item 100 of 20000");
        assertThat(log(rows.get(99))).containsEntry("sample", Map.of("rule", "items", "rate", 1));
        assertThat(rows.get(100)).containsEntry("message", "imported item 101 of 20000");
        assertThat(log(rows.get(100))).containsEntry("sample", Map.of("rule", "items", "rate", 1000));
        assertThat(rows).filteredOn(r -> "warn".equals(r.get("level"))).extracting(r -> r.get("message"))
                .containsExactly("item 7 had no price");

        Map<String, Object> summary = rows.get(rows.size() - 1);
        assertThat(summary).containsEntry("type", "task").containsEntry("job_run_id", job).containsEntry("task_run_id", task)
                .containsEntry("level", "info").containsEntry("stream", "stdout")
                .containsEntry("message", "19880 lines like \"imported item {} of {}\" left out by sampling (kept 120 of 20000)");
        assertThat(log(summary)).containsEntry("logger", "com.example.ingest.Importer");
        @SuppressWarnings("unchecked")
        Map<String, Object> sampled = (Map<String, Object>) log(summary).get("sampled");
        assertThat(sampled).containsEntry("rule", "items").containsEntry("template", "imported item {} of {}")
                .containsEntry("kept", 120).containsEntry("left_out", 19880).containsEntry("window", "PT10M")
                .containsKeys("from", "to");
    }
}

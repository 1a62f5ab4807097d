package io.stratal.logs.server;

import io.stratal.logs.query.Cursor;
import io.stratal.logs.query.LogPage;
import io.stratal.logs.query.StoredLog;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.LocalDateTime;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LogJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final UUID job = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");

    @Test
    void aLogIsItsColumnsAndIdWithMetadataAsAnObject() throws Exception {
        StoredLog log = new StoredLog(7, "job", job, null, LocalDateTime.of(2026, 11, 29, 8, 5, 3, 120_000),
                "info", "system", "Job \"x\" started\n", "{\"total_tasks\": 5, \"nested\": {\"a\": [1, null]}}");
        JsonNode json = mapper.readTree(LogJson.toJson(log));

        assertThat(json.get("id").asLong()).isEqualTo(7);
        assertThat(json.get("type").asText()).isEqualTo("job");
        assertThat(json.get("job_run_id").asText()).isEqualTo(job.toString());
        assertThat(json.get("task_run_id").isNull()).isTrue();
        assertThat(json.get("timestamp").asText()).isEqualTo("2026-11-29T08:05:03.000120Z");
        assertThat(json.get("message").asText()).isEqualTo("Job \"x\" started\n");
        assertThat(json.get("metadata").isObject()).isTrue();
        assertThat(json.get("metadata").get("total_tasks").isInt()).isTrue();
        assertThat(json.get("metadata").get("nested").get("a").get(1).isNull()).isTrue();
    }

    @Test
    void absentMetadataAndTimestampAreNull() throws Exception {
        JsonNode json = mapper.readTree(LogJson.toJson(new StoredLog(1, "system", null, null, null, "warn", "system", "m", null)));
        assertThat(json.get("metadata").isNull()).isTrue();
        assertThat(json.get("timestamp").isNull()).isTrue();
    }

    @Test
    void aPageCarriesItsPagingFieldsAndTheNextCursor() throws Exception {
        StoredLog log = new StoredLog(9, "task", job, job, LocalDateTime.of(2026, 1, 1, 0, 0), "error", "stderr", "boom", "{}");
        JsonNode json = mapper.readTree(LogJson.toJson(new LogPage(List.of(log), 1, 40, true, Cursor.after(log), null)));

        assertThat(json.get("logs")).hasSize(1);
        assertThat(json.get("limit").asInt()).isEqualTo(1);
        assertThat(json.get("offset").asLong()).isEqualTo(40);
        assertThat(json.get("has_more").asBoolean()).isTrue();
        assertThat(Cursor.decode("cursor", json.get("next_cursor").asText())).isEqualTo(Cursor.after(log));

        JsonNode last = mapper.readTree(LogJson.toJson(new LogPage(List.of(), 100, 0, false, null, null)));
        assertThat(last.get("logs")).isEmpty();
        assertThat(last.get("next_cursor").isNull()).isTrue();
    }
}

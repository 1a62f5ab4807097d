package io.stratal.logs.schema;

import io.stratal.logs.names.TableName;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The migration file and the code's DDL are one source: this keeps them equal. */
class LogsSchemaTest {

    private static List<String> statementsOf(String sql) {
        String withoutComments = Arrays.stream(sql.split("\n"))
                .filter(line -> !line.trim().startsWith("--"))
                .collect(Collectors.joining("\n"));
        return Arrays.stream(withoutComments.split(";"))
                .map(s -> s.trim().replaceAll("\\s+", " "))
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toList());
    }

    @Test
    void migrationCreatesExactlyWhatLogsSchemaCreates() {
        String up = Migrations.read(Migrations.DIRECTORY + "/000002_column-job-run-logs.up.sql");
        List<String> fromCode = LogsSchema.createStatements(TableName.parseOrNull("logs"), false, true, true).stream()
                .map(s -> s.trim().replaceAll("\\s+", " "))
                .collect(Collectors.toList());

        List<String> fromFile = statementsOf(up);
        assertThat(fromFile.get(0)).isEqualTo("DROP TABLE IF EXISTS task_logs");
        assertThat(fromFile.subList(1, fromFile.size())).isEqualTo(fromCode);
    }

    @Test
    void theShippedMigrationsAreTheBaselineAndTheUnifiedTablesUpgrade() {
        assertThat(Migrations.available()).extracting(Migrations.Migration::version, Migrations.Migration::name)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "job-and-task-runs"),
                        org.assertj.core.groups.Tuple.tuple(2L, "column-job-run-logs"));
    }

    @Test
    void tableNamesAreValidatedAndFolded() {
        assertThat(TableName.parseOrNull("Logs").qualified()).isEqualTo("logs");
        assertThat(TableName.parseOrNull("app.logs").sibling("job_runs")).isEqualTo("app.job_runs");
        assertThat(TableName.parseOrNull("logs; DROP TABLE x")).isNull();
        assertThat(TableName.parseOrNull("a.b.c")).isNull();
        assertThat(TableName.parseOrNull("")).isNull();
    }
}

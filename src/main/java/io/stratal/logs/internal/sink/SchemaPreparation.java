package io.stratal.logs.internal.sink;

import io.stratal.logs.names.TableName;
import io.stratal.logs.pipeline.StatusListener;
import io.stratal.logs.schema.LogsSchema;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What the writer does once, on its first connection: creates the logs table and the batch ledger when
 * {@code createSchema} allows (never dropping or altering), and learns what the database offers: the foreign
 * keys of the table, and whether task runs name their job run.
 */
final class SchemaPreparation {

    private final TableName table;
    private final boolean createSchema;
    private final StatusListener reporter;
    private boolean done;

    SchemaPreparation(TableName table, boolean createSchema, StatusListener reporter) {
        this.table = table;
        this.createSchema = createSchema;
        this.reporter = reporter;
    }

    /** Prepares on the first call that succeeds; later calls do nothing. */
    void once(Connection connection, BatchLedger ledger, ParentTables parents, JobRunResolver jobRuns) throws SQLException {
        if (done) {
            return;
        }
        if (createSchema && LogsSchema.createIfMissing(connection, table)) {
            reporter.info("Created table " + table + " and its indexes");
        }
        if (!ledger.prepare(connection, createSchema)) {
            reporter.warn("Table " + table.sibling(BatchLedger.TABLE) + " is missing and createSchema is off: a batch "
                    + "retried after the connection died during COMMIT may be stored twice. Create it with: "
                    + BatchLedger.createStatement(table.sibling(BatchLedger.TABLE)));
        }
        jobRuns.prepare(connection);
        parents.read(connection, table);
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
        done = true;
    }
}

package io.stratal.logs.cli;

import io.stratal.logs.names.Names;
import io.stratal.logs.names.TableName;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The database flags every command shares ({@code --url}, {@code --username}, {@code --password},
 * {@code --table}), each with its environment variable, checked before anything connects.
 */
final class DatabaseArgs {

    private DatabaseArgs() {
    }

    /** The {@code --table} flag or {@code STRATAL_TABLE}, {@code logs} by default, checked to be a plain name. */
    static TableName table(Args args) throws Args.UsageException {
        String tableText = args.valueOrEnv("--table", "STRATAL_TABLE");
        TableName table = TableName.parseOrNull(tableText == null ? Names.DEFAULT_TABLE : tableText);
        if (table == null) {
            throw new Args.UsageException("--table: '" + tableText + "' is not a plain table name");
        }
        return table;
    }

    static Connection connect(Args args) throws Args.UsageException, SQLException {
        return DriverManager.getConnection(url(args), credentials(args));
    }

    /** The {@code --url} flag or {@code STRATAL_DB_URL}, checked to be a PostgreSQL JDBC URL. */
    static String url(Args args) throws Args.UsageException {
        String url = args.valueOrEnv("--url", "STRATAL_DB_URL");
        if (url == null) {
            throw new Args.UsageException("--url (or STRATAL_DB_URL) is required");
        }
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new Args.UsageException("--url must be a PostgreSQL JDBC URL like jdbc:postgresql://localhost:5432/stratal");
        }
        return url;
    }

    /** {@code user} and {@code password} from the flags or the environment, where given. */
    static Properties credentials(Args args) {
        Properties properties = new Properties();
        String username = args.valueOrEnv("--username", "STRATAL_DB_USERNAME");
        String password = args.valueOrEnv("--password", "STRATAL_DB_PASSWORD");
        if (username != null) {
            properties.setProperty("user", username);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        return properties;
    }
}

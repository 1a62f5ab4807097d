-- Opt-in (not in db/migration): a trigram index of the messages, so that q= (a substring of the message)
-- finds its rows through the index instead of reading every row of the selection: on the system and type
-- views of a large table, and within a large run. It needs the pg_trgm extension (in PostgreSQL's contrib,
-- trusted: a database owner may create it) and costs writes noticeably; see docs/PERFORMANCE.md. Apply it
-- with your other migrations, or with `java -jar stratal-logback-<version>-cli.jar migrate up
-- --message-search-index --url ...`. On a large table, build it yourself with CREATE INDEX CONCURRENTLY
-- instead, which does not block writers.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS idx_logs_message_trgm ON logs USING gin (message gin_trgm_ops);

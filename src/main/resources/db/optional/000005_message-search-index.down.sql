DROP INDEX IF EXISTS idx_logs_message_trgm;

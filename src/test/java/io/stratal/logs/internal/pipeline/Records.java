package io.stratal.logs.internal.pipeline;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import java.time.Instant;

final class Records {

    private Records() {
    }

    static LogRecord record(String message) {
        return new LogRecord(LogType.SYSTEM, null, null, Instant.now(), LogLevel.INFO, LogStream.SYSTEM, message, null);
    }
}

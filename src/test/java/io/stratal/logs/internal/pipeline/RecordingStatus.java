package io.stratal.logs.internal.pipeline;

import io.stratal.logs.pipeline.StatusListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps what the pipeline reported, for assertions on the text users will read. */
final class RecordingStatus implements StatusListener {

    final List<String> infos = new CopyOnWriteArrayList<>();
    final List<String> warnings = new CopyOnWriteArrayList<>();
    final List<String> errors = new CopyOnWriteArrayList<>();

    @Override
    public void info(String message) {
        infos.add(message);
    }

    @Override
    public void warn(String message) {
        warnings.add(message);
    }

    @Override
    public void error(String message, Throwable cause) {
        errors.add(message);
    }
}

package io.stratal.logs.spring.boot;

import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.pipeline.SamplingMXBean;
import java.util.Map;
import java.util.function.Function;

/**
 * The sampling counters of whichever {@link UnifiedLogAppender} is attached at the moment of each call, as
 * {@link AttachedPipeline} does for the pipeline's: the meters follow a new appender after Spring Boot configured
 * logging again. With none attached, or one without rules: zeros.
 */
final class AttachedSampling implements SamplingMXBean {

    private static <T> T read(Function<SamplingMXBean, T> attribute, T none) {
        UnifiedLogAppender appender = AttachedPipeline.appender();
        SamplingMXBean sampling = appender == null ? null : appender.getSampling();
        return sampling == null ? none : attribute.apply(sampling);
    }

    @Override
    public Map<String, Long> getLinesLeftOutByRule() {
        return read(SamplingMXBean::getLinesLeftOutByRule, Map.of());
    }

    @Override
    public Map<String, Long> getSummariesByRule() {
        return read(SamplingMXBean::getSummariesByRule, Map.of());
    }

    @Override
    public int getOpenKeys() {
        return read(SamplingMXBean::getOpenKeys, 0);
    }

    @Override
    public long getKeysClosedEarly() {
        return read(SamplingMXBean::getKeysClosedEarly, 0L);
    }
}

package io.stratal.logs.spring.boot;

import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.micrometer.StratalLogMetrics;
import io.stratal.logs.pipeline.PipelineMXBean;
import io.stratal.logs.pipeline.SamplingMXBean;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.task.SimpleAsyncTaskExecutorCustomizer;
import org.springframework.boot.task.SimpleAsyncTaskSchedulerCustomizer;
import org.springframework.boot.task.ThreadPoolTaskExecutorCustomizer;
import org.springframework.boot.task.ThreadPoolTaskSchedulerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.CompositeTaskDecorator;

/**
 * What the starter adds to the application context; the appender itself is attached to logback earlier, by
 * {@link StratalLogsLoggingListener}, so that the startup lines are stored too:
 * <ul>
 *   <li>the appender's meters ({@code stratal.logs.*}) in the application's {@code MeterRegistry};
 *   <li>the {@code stratalLogs} health contributor, on Spring Boot 3 and 4;
 *   <li>job and task scopes that follow work handed to the executors and schedulers Spring Boot builds;
 *   <li>on request, the read API, the live streams and the log viewer on a port of their own.
 * </ul>
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = StratalLogsProperties.PREFIX, name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(StratalLogsProperties.class)
public class StratalLogsAutoConfiguration {

    /** Created by Spring Boot. */
    public StratalLogsAutoConfiguration() {
    }

    /** The appender's meters, in each of the application's registries, when the starter attached the appender. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    @ConditionalOnProperty(prefix = StratalLogsProperties.PREFIX, name = "micrometer", matchIfMissing = true)
    @Conditional(StratalLogsLoggingListener.AttachedByStarter.class)
    static class Metrics {

        @Bean
        StratalLogMetrics stratalLogsMetrics() {
            String context = LoggerFactory.getILoggerFactory() instanceof LoggerContext logback ? logback.getName() : "default";
            UnifiedLogAppender attached = AttachedPipeline.appender();
            SamplingMXBean sampling = attached == null || attached.getSampling() == null ? null : new AttachedSampling();
            // with several writers, each writer's meters too (tagged writer=<k>), as many as the appender has now
            int writers = attached == null ? 1 : attached.getWriterPipelines().size();
            List<PipelineMXBean> perWriter = new ArrayList<>();
            for (int k = 0; writers > 1 && k < writers; k++) {
                perWriter.add(new AttachedPipeline(k));
            }
            return new StratalLogMetrics(new AttachedPipeline(), perWriter, sampling, StratalLogsLoggingListener.APPENDER_NAME,
                    context);
        }
    }

    /** The read API and the viewer beside the application, when asked for ({@code stratal.logs.server.enabled}). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = StratalLogsProperties.PREFIX + ".server", name = "enabled", havingValue = "true")
    static class ReadApi {

        @Bean
        StratalLogsServer stratalLogsServer(StratalLogsProperties properties, Environment environment) {
            return new StratalLogsServer(properties, StratalLogsLoggingListener.Database.of(properties, Binder.get(environment)));
        }
    }

    /** The health contributor on Spring Boot 4, whose health types live in their own package. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    @ConditionalOnProperty(prefix = "management.health.stratal-logs", name = "enabled", matchIfMissing = true)
    static class Boot4Health {

        @Bean
        Boot4HealthIndicator stratalLogsHealthIndicator() {
            return new Boot4HealthIndicator();
        }
    }

    /** The health contributor on Spring Boot 3. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
    @ConditionalOnProperty(prefix = "management.health.stratal-logs", name = "enabled", matchIfMissing = true)
    static class Boot3Health {

        @Bean
        Boot3HealthIndicator stratalLogsHealthIndicator() {
            return new Boot3HealthIndicator();
        }
    }

    /**
     * The scope of the thread that hands work over, carried into {@code @Async} methods and tasks given to the
     * application's {@code TaskExecutor} and {@code TaskScheduler}, around the application's own task decorators.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = StratalLogsProperties.PREFIX, name = "propagate-scopes", matchIfMissing = true)
    static class ScopePropagation {

        @Bean
        ThreadPoolTaskExecutorCustomizer stratalLogsThreadPoolTaskExecutorCustomizer(ObjectProvider<TaskDecorator> decorators) {
            return executor -> executor.setTaskDecorator(decorator(decorators));
        }

        @Bean
        SimpleAsyncTaskExecutorCustomizer stratalLogsSimpleAsyncTaskExecutorCustomizer(ObjectProvider<TaskDecorator> decorators) {
            return executor -> executor.setTaskDecorator(decorator(decorators));
        }

        @Bean
        ThreadPoolTaskSchedulerCustomizer stratalLogsThreadPoolTaskSchedulerCustomizer(ObjectProvider<TaskDecorator> decorators) {
            return scheduler -> scheduler.setTaskDecorator(decorator(decorators));
        }

        @Bean
        SimpleAsyncTaskSchedulerCustomizer stratalLogsSimpleAsyncTaskSchedulerCustomizer(ObjectProvider<TaskDecorator> decorators) {
            return scheduler -> scheduler.setTaskDecorator(decorator(decorators));
        }

        /** Ours around the application's task decorators, which Spring Boot set before these customizers run. */
        private static TaskDecorator decorator(ObjectProvider<TaskDecorator> decorators) {
            List<TaskDecorator> theirs = decorators.orderedStream().toList();
            return new StratalTaskDecorator(theirs.isEmpty() ? null
                    : theirs.size() == 1 ? theirs.get(0) : new CompositeTaskDecorator(theirs));
        }
    }
}

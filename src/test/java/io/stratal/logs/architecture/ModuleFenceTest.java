package io.stratal.logs.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fence as the compiler keeps it: an application module that requires {@code io.stratal.logs} compiles
 * against the public API, and one that reaches into an internal package does not.
 */
class ModuleFenceTest {

    /** The jars of the modules the library requires, by their place in a Maven repository. */
    private static final List<String> REQUIRED_JARS = List.of("/ch/qos/logback/logback-classic/", "/ch/qos/logback/logback-core/",
            "/org/slf4j/slf4j-api/", "/org/postgresql/postgresql/", "/com/zaxxer/HikariCP/",
            "/com/fasterxml/jackson/core/jackson-core/", "/org/jctools/jctools-core/");

    @TempDir
    Path work;

    @Test
    void anApplicationModuleCompilesAgainstThePublicApi() throws Exception {
        String errors = compile(Map.of("app/App.java", """
                package app;

                import io.stratal.logs.LogLevel;
                import io.stratal.logs.context.LogContext;
                import io.stratal.logs.logback.UnifiedLogAppender;
                import io.stratal.logs.pipeline.OverflowPolicy;
                import io.stratal.logs.writer.LogWriterConfig;

                public class App {
                    Object config = LogWriterConfig.builder("app").overflowPolicy(OverflowPolicy.BLOCK).build();
                    Object appender = new UnifiedLogAppender();
                    Object level = LogLevel.INFO;
                    Object scope = LogContext.class;
                }
                """));
        assertThat(errors).isEmpty();
    }

    @Test
    void anApplicationModuleCannotReachAnInternalPackage() throws Exception {
        String errors = compile(Map.of("app/App.java", """
                package app;

                public class App {
                    Object pipeline = io.stratal.logs.internal.pipeline.Pipeline.class;
                    Object command = io.stratal.logs.cli.Main.class;
                }
                """));
        assertThat(errors).contains("package io.stratal.logs.internal.pipeline is not visible")
                .contains("package io.stratal.logs.cli is not visible");
    }

    /** Compiles module {@code app} with {@code sources}; returns the compiler's errors, empty when it compiled. */
    private String compile(Map<String, String> sources) throws IOException {
        Path src = work.resolve("src");
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("module-info.java"), "module app { requires io.stratal.logs; }\n");
        List<String> files = new ArrayList<>(List.of(src.resolve("module-info.java").toString()));
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = src.resolve(source.getKey());
            Files.writeString(file, source.getValue());
            files.add(file.toString());
        }
        List<String> args = new ArrayList<>(List.of("-d", work.resolve("out").toString(), "--module-path", modulePath()));
        args.addAll(files);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        int status = javac.run(null, messages, messages, args.toArray(String[]::new));
        String text = messages.toString(StandardCharsets.UTF_8);
        return status == 0 ? "" : text.isEmpty() ? "failed without a message" : text;
    }

    /** The library's classes and the jars of the modules it requires, taken from this test's class path. */
    private static String modulePath() {
        List<String> path = new ArrayList<>();
        try {
            path.add(ApiFenceTest.classesDirectory().toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String where = entry.replace(File.separatorChar, '/');
            if (where.endsWith(".jar") && REQUIRED_JARS.stream().anyMatch(where::contains)) {
                path.add(entry);
            }
        }
        assertThat(path.stream().skip(1).map(p -> Path.of(p).getFileName().toString()).collect(Collectors.toList()))
                .as("the required modules' jars on the class path").hasSize(REQUIRED_JARS.size());
        return String.join(File.pathSeparator, path);
    }
}

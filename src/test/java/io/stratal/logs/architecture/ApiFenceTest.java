package io.stratal.logs.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API is what the module exports, and nothing else leaks through it: every public or protected
 * signature of an exported type (supertypes, fields, constructors, methods, type bounds) names only exported
 * types of this library, the JDK, or the libraries the module passes on to its users ({@code requires
 * transitive}); Micrometer's types only in {@code io.stratal.logs.micrometer}, the binding an application
 * with Micrometer uses. An internal type in a public signature, or a type of a library the user never asked
 * for, fails here.
 */
class ApiFenceTest {

    static final Set<String> PUBLIC_PACKAGES = Set.of("io.stratal.logs", "io.stratal.logs.names", "io.stratal.logs.pipeline",
            "io.stratal.logs.writer", "io.stratal.logs.logback", "io.stratal.logs.context", "io.stratal.logs.query",
            "io.stratal.logs.schema", "io.stratal.logs.archive", "io.stratal.logs.server", "io.stratal.logs.micrometer");

    /** Packages of other libraries that public signatures may name: the module requires them transitively. */
    private static final List<String> PASSED_ON = List.of("java.", "javax.sql.", "ch.qos.logback.", "org.slf4j.");
    /**
     * The one exception: the Micrometer binding, which only an application that has Micrometer uses, names
     * Micrometer's types (the module requires it statically, so nobody else needs it to compile).
     */
    private static final String OPTIONAL_PACKAGE = "io.stratal.logs.micrometer";
    private static final String OPTIONAL_LIBRARY = "io.micrometer.core.instrument.";

    @Test
    void theModuleExportsThePublicPackagesAndNoOther() throws IOException {
        ModuleDescriptor module = descriptor();
        assertThat(module.name()).isEqualTo("io.stratal.logs");
        Set<String> exported = module.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertThat(exported).isEqualTo(PUBLIC_PACKAGES);
        assertThat(module.exports()).allSatisfy(e -> assertThat(e.isQualified()).as(e.source() + " exported to all").isFalse());
        assertThat(module.opens()).as("no package is open to reflection").isEmpty();
    }

    @Test
    void everyPackageThatIsNotExportedIsInternalOrTheCommandLine() throws IOException {
        Set<String> hidden = new TreeSet<>(descriptor().packages());
        hidden.removeAll(PUBLIC_PACKAGES);
        assertThat(hidden).allSatisfy(p -> assertThat(p.startsWith("io.stratal.logs.internal") || p.equals("io.stratal.logs.cli")
                || !p.startsWith("io.stratal.logs")).as(p).isTrue());
    }

    @Test
    void noPublicSignatureNamesAnInternalTypeOrALibraryThatIsNotPassedOn() throws Exception {
        List<String> leaks = new ArrayList<>();
        for (Class<?> type : publicTypes()) {
            String owner = type.getName();
            List<String> allowed = type.getPackageName().equals(OPTIONAL_PACKAGE)
                    ? Stream.concat(PASSED_ON.stream(), Stream.of(OPTIONAL_LIBRARY)).collect(Collectors.toList()) : PASSED_ON;
            check(leaks, owner + " extends", type.getGenericSuperclass(), allowed);
            for (Type implemented : type.getGenericInterfaces()) {
                check(leaks, owner + " implements", implemented, allowed);
            }
            for (TypeVariable<?> variable : type.getTypeParameters()) {
                check(leaks, owner + "<" + variable.getName() + ">", variable, allowed);
            }
            for (Field field : type.getDeclaredFields()) {
                if (visible(field) && !field.isSynthetic()) {
                    check(leaks, owner + "." + field.getName(), field.getGenericType(), allowed);
                }
            }
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                if (visible(constructor) && !constructor.isSynthetic()) {
                    checkExecutable(leaks, owner + "(...)", constructor, allowed);
                }
            }
            for (Method method : type.getDeclaredMethods()) {
                if (visible(method) && !method.isSynthetic() && !method.isBridge()) {
                    check(leaks, owner + "." + method.getName() + "() returns", method.getGenericReturnType(), allowed);
                    checkExecutable(leaks, owner + "." + method.getName() + "()", method, allowed);
                }
            }
        }
        assertThat(leaks).as("public signatures that reach past the API").isEmpty();
    }

    @Test
    void theFenceCatchesALeak() {
        List<String> leaks = new ArrayList<>();
        check(leaks, "example", io.stratal.logs.internal.util.Durations.class, PASSED_ON);
        check(leaks, "example", com.zaxxer.hikari.HikariDataSource.class, PASSED_ON);
        check(leaks, "example", io.micrometer.core.instrument.MeterRegistry.class, PASSED_ON);
        check(leaks, "example", java.time.Duration.class, PASSED_ON);
        assertThat(leaks).hasSize(3);
    }

    private static void checkExecutable(List<String> leaks, String where, Executable executable, List<String> allowed) {
        for (Type parameter : executable.getGenericParameterTypes()) {
            check(leaks, where + " takes", parameter, allowed);
        }
        for (Type thrown : executable.getGenericExceptionTypes()) {
            check(leaks, where + " throws", thrown, allowed);
        }
        for (TypeVariable<?> variable : executable.getTypeParameters()) {
            check(leaks, where + " <" + variable.getName() + ">", variable, allowed);
        }
    }

    private static void check(List<String> leaks, String where, Type type, List<String> allowed) {
        check(leaks, where, type, allowed, new HashSet<>());
    }

    private static void check(List<String> leaks, String where, Type type, List<String> allowed, Set<Type> seen) {
        if (type == null || !seen.add(type)) {
            return;
        }
        if (type instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (c.isPrimitive()) {
                return;
            }
            String name = c.getName();
            if (name.startsWith("io.stratal.logs.")) {
                if (!PUBLIC_PACKAGES.contains(c.getPackageName()) || !publicChain(c)) {
                    leaks.add(where + " " + name + " (not public API)");
                }
            } else if (allowed.stream().noneMatch(name::startsWith)) {
                leaks.add(where + " " + name + " (a library the module does not pass on)");
            }
        } else if (type instanceof ParameterizedType p) {
            check(leaks, where, p.getRawType(), allowed, seen);
            for (Type argument : p.getActualTypeArguments()) {
                check(leaks, where, argument, allowed, seen);
            }
        } else if (type instanceof WildcardType w) {
            Stream.concat(Stream.of(w.getUpperBounds()), Stream.of(w.getLowerBounds())).forEach(b -> check(leaks, where, b, allowed, seen));
        } else if (type instanceof TypeVariable<?> v) {
            for (Type bound : v.getBounds()) {
                check(leaks, where, bound, allowed, seen);
            }
        } else if (type instanceof GenericArrayType a) {
            check(leaks, where, a.getGenericComponentType(), allowed, seen);
        }
    }

    /** Public or protected, in a type its users can reach. */
    private static boolean visible(Member member) {
        int modifiers = member.getModifiers();
        if (Modifier.isPublic(modifiers)) {
            return true;
        }
        // protected members of a final class cannot be reached from outside its package
        return Modifier.isProtected(modifiers) && !Modifier.isFinal(member.getDeclaringClass().getModifiers());
    }

    private static boolean publicChain(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
            if (!Modifier.isPublic(c.getModifiers()) && !Modifier.isProtected(c.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    /** The public and protected types, nested ones included, of the exported packages. */
    static List<Class<?>> publicTypes() throws Exception {
        List<Class<?>> types = new ArrayList<>();
        Path classes = classesDirectory();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).collect(Collectors.toList())) {
                String name = classes.relativize(file).toString().replace('/', '.').replace(".class", "");
                if (name.equals("module-info")) {
                    continue;
                }
                Class<?> type = Class.forName(name, false, ApiFenceTest.class.getClassLoader());
                if (PUBLIC_PACKAGES.contains(type.getPackageName()) && publicChain(type) && !type.isAnonymousClass()
                        && !type.isSynthetic() && !type.isLocalClass()) {
                    types.add(type);
                }
            }
        }
        return types;
    }

    static Path classesDirectory() throws Exception {
        return Path.of(io.stratal.logs.LogRecord.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    static ModuleDescriptor descriptor() throws IOException {
        try (InputStream in = Files.newInputStream(classesDirectoryUnchecked().resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    private static Path classesDirectoryUnchecked() {
        try {
            return classesDirectory();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

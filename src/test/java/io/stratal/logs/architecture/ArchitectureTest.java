package io.stratal.logs.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/ARCHITECTURE.md's package table, held to the compiled code: the table says which packages and
 * libraries each package imports, so the build checks it. A package that starts to import something its row
 * does not name fails here, and so does a row that names what the code no longer imports.
 */
class ArchitectureTest {

    private static final String BASE = "io.stratal.logs";
    /** The libraries a row may name, by the packages that are theirs. The JDK is always allowed. */
    private static final Map<String, List<String>> LIBRARIES = Map.of(
            "logback", List.of("ch.qos.logback."),
            "slf4j", List.of("org.slf4j."),
            "pgjdbc", List.of("org.postgresql."),
            "HikariCP", List.of("com.zaxxer.hikari."),
            "Jackson", List.of("com.fasterxml.jackson."),
            "JCTools", List.of("org.jctools."),
            "Javalin", List.of("io.javalin."),
            "Jetty", List.of("org.eclipse.jetty.", "jakarta.servlet."),
            "Micrometer", List.of("io.micrometer."));
    private static final List<String> JDK = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.");

    private static JavaClasses classes;
    private static Map<String, Set<String>> actual;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(BASE);
        actual = dependencies(classes);
    }

    @Test
    void eachPackageImportsWhatItsRowInTheArchitectureTableSays() throws IOException {
        Map<String, Set<String>> documented = documentedImports();
        assertThat(documented.keySet()).as("packages in the table").isEqualTo(actual.keySet());
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Set<String>> row : documented.entrySet()) {
            Set<String> code = actual.get(row.getKey());
            Set<String> undocumented = new TreeSet<>(code);
            undocumented.removeAll(row.getValue());
            Set<String> unused = new TreeSet<>(row.getValue());
            unused.removeAll(code);
            if (!undocumented.isEmpty()) {
                wrong.add(row.getKey() + " imports " + undocumented + ", which its row does not name");
            }
            if (!unused.isEmpty()) {
                wrong.add(row.getKey() + "'s row names " + unused + ", which it does not import");
            }
        }
        assertThat(wrong).as("docs/ARCHITECTURE.md against the code").isEmpty();
    }

    @Test
    void noPackagesDependOnEachOtherInACircle() {
        assertThat(cycles(actual, Function.identity())).isEmpty();
    }

    @Test
    void noGroupsDependOnEachOtherInACircleWithTheInternalPackagesTakenAsOne() {
        assertThat(cycles(actual, p -> p.startsWith("internal") ? "internal" : p)).isEmpty();
    }

    @Test
    void onlyTheAdapterAndTheCommandLineSeeLogback() {
        actual.forEach((pkg, imports) -> {
            if (!pkg.equals("logback") && !pkg.equals("cli")) {
                assertThat(imports).as(pkg).doesNotContain("logback");
            }
        });
    }

    /** Each package of ours (relative to io.stratal.logs, the root as itself) and what its classes use. */
    private static Map<String, Set<String>> dependencies(JavaClasses imported) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (JavaClass type : imported) {
            String from = relative(type.getPackageName());
            Set<String> targets = out.computeIfAbsent(from, k -> new TreeSet<>());
            for (Dependency dependency : type.getDirectDependenciesFromSelf()) {
                JavaClass target = dependency.getTargetClass();
                while (target.isArray()) {
                    target = target.getComponentType();
                }
                if (target.isPrimitive()) {
                    continue;
                }
                String name = target.getName();
                String pkg = target.getPackageName();
                if (pkg.equals(BASE) || pkg.startsWith(BASE + ".")) {
                    if (!relative(pkg).equals(from)) {
                        targets.add(relative(pkg));
                    }
                } else if (JDK.stream().noneMatch(name::startsWith)) {
                    targets.add(LIBRARIES.entrySet().stream()
                            .filter(e -> e.getValue().stream().anyMatch(name::startsWith))
                            .map(Map.Entry::getKey).findFirst().orElse("unknown library " + pkg));
                }
            }
        }
        return out;
    }

    private static String relative(String pkg) {
        return pkg.equals(BASE) ? BASE : pkg.substring(BASE.length() + 1);
    }

    /** The table's rows: package → the packages and libraries of its imports column. */
    private static Map<String, Set<String>> documentedImports() throws IOException {
        Path doc = Path.of("docs/ARCHITECTURE.md");
        Pattern row = Pattern.compile("^\\| `(io\\.stratal\\.logs(?:\\.[a-z.]+)?)` \\|.*\\| ([^|]*) \\|$");
        Pattern name = Pattern.compile("`([a-z.]+)`|\\b(" + String.join("|", LIBRARIES.keySet()) + ")\\b");
        Map<String, Set<String>> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(doc)) {
            Matcher m = row.matcher(line);
            if (!m.matches()) {
                continue;
            }
            Set<String> imports = new TreeSet<>();
            // an import named in the column, without what a parenthesis says about it
            Matcher names = name.matcher(m.group(2).replaceAll("\\([^)]*\\)", ""));
            while (names.find()) {
                imports.add(names.group(1) != null ? names.group(1) : names.group(2));
            }
            rows.put(relative(m.group(1)), imports);
        }
        return new TreeMap<>(rows);
    }

    /** Every circle in the graph of {@code deps} after {@code group} merges nodes, as "a -> b -> a". */
    private static List<String> cycles(Map<String, Set<String>> deps, Function<String, String> group) {
        Map<String, Set<String>> graph = new TreeMap<>();
        deps.forEach((from, targets) -> {
            Set<String> edges = graph.computeIfAbsent(group.apply(from), k -> new TreeSet<>());
            for (String target : targets) {
                if (actual.containsKey(target) && !group.apply(target).equals(group.apply(from))) {
                    edges.add(group.apply(target));
                }
            }
        });
        List<String> found = new ArrayList<>();
        for (String start : graph.keySet()) {
            walk(graph, start, start, new ArrayList<>(List.of(start)), found);
        }
        return found;
    }

    private static void walk(Map<String, Set<String>> graph, String start, String at, List<String> path, List<String> found) {
        for (String next : graph.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                found.add(String.join(" -> ", path) + " -> " + start);
            } else if (!path.contains(next) && next.compareTo(start) > 0) {
                path.add(next);
                walk(graph, start, next, path, found);
                path.remove(path.size() - 1);
            }
        }
    }
}

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Checks a release as Maven Central would receive it, in the local repository a dry run deployed to:
 * {@code java .ci/check-release.java <repository> <groupId> <artifactId> <version> [--signed] [--no-cli]}
 * ({@code --no-cli}: an artifact without a runnable {@code -cli} jar, such as the Spring Boot starter).
 *
 * <p>What Central refuses an upload without (central.sonatype.org/publish/requirements): the POM with name,
 * description, URL, licence, developers and SCM and a release version; a sources and a javadoc jar beside
 * the jar; an MD5 and a SHA-1 checksum of every file; a gpg signature of every file (only with
 * {@code --signed}: the dry run has no key). And what a company's review looks for: the licence inside every
 * jar, javadoc of the public API only, a module name, a runnable {@code -cli} jar.
 */
public final class CheckRelease {

    private final List<String> failures = new ArrayList<>();
    private final List<String> passed = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: java .ci/check-release.java <repository> <groupId> <artifactId> <version> [--signed] [--no-cli]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).resolve(args[1].replace('.', '/')).resolve(args[2]).resolve(args[3]);
        List<String> flags = List.of(args).subList(4, args.length);
        boolean signed = flags.contains("--signed");
        boolean cli = !flags.contains("--no-cli");
        CheckRelease check = new CheckRelease();
        check.run(dir, args[2] + "-" + args[3], args[3], signed, cli);
        check.passed.forEach(p -> System.out.println("  ok    " + p));
        check.failures.forEach(f -> System.out.println("  FAIL  " + f));
        if (!signed) {
            System.out.println("  skip  gpg signatures (.asc): a dry run has no key; the release itself signs every file");
        }
        if (!check.failures.isEmpty()) {
            System.out.println(check.failures.size() + " problem(s): Maven Central or a reviewer would refuse this release");
            System.exit(1);
        }
        System.out.println("the release in " + dir + " has what Maven Central requires");
    }

    private void run(Path dir, String base, String version, boolean signed, boolean cli) throws Exception {
        List<String> files = new ArrayList<>(List.of(base + ".pom", base + ".jar", base + "-sources.jar", base + "-javadoc.jar"));
        if (cli) {
            files.add(base + "-cli.jar");
        }
        for (String name : files) {
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file) || Files.size(file) == 0) {
                fail(name + " is missing or empty");
                continue;
            }
            checksum(file, "MD5", ".md5");
            checksum(file, "SHA-1", ".sha1");
            if (signed) {
                expect(Files.isRegularFile(dir.resolve(name + ".asc")), name + ".asc (gpg signature)");
            }
        }
        expect(!version.endsWith("-SNAPSHOT"), "version " + version + " is a release version");
        pom(dir.resolve(base + ".pom"));
        mainJar(dir.resolve(base + ".jar"));
        sourcesJar(dir.resolve(base + "-sources.jar"), dir.resolve(base + ".jar"));
        javadocJar(dir.resolve(base + "-javadoc.jar"));
        if (cli) {
            cliJar(dir.resolve(base + "-cli.jar"));
        }
    }

    private void checksum(Path file, String algorithm, String suffix) throws IOException, NoSuchAlgorithmException {
        Path sum = file.resolveSibling(file.getFileName() + suffix);
        if (!Files.isRegularFile(sum)) {
            fail(sum.getFileName() + " is missing");
            return;
        }
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(Files.readAllBytes(file)));
        String stated = Files.readString(sum).trim().split("\\s+")[0];
        expect(stated.equalsIgnoreCase(expected), sum.getFileName() + " matches the file");
    }

    private void pom(Path pom) throws Exception {
        if (!Files.isRegularFile(pom)) {
            return;
        }
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        Document doc;
        try {
            doc = factory.newDocumentBuilder().parse(pom.toFile());
        } catch (org.xml.sax.SAXException e) {
            fail(pom.getFileName() + " is not well-formed XML: " + e.getMessage());
            return;
        }
        Element project = doc.getDocumentElement();
        for (String field : List.of("groupId", "artifactId", "version", "name", "description", "url")) {
            expect(!text(project, field).isBlank(), "POM <" + field + ">");
        }
        Element license = child(child(project, "licenses"), "license");
        expect(!text(license, "name").isBlank() && !text(license, "url").isBlank(), "POM <licenses> with a name and a URL");
        Element developer = child(child(project, "developers"), "developer");
        expect(!text(developer, "name").isBlank() || !text(developer, "id").isBlank(), "POM <developers>");
        Element scm = child(project, "scm");
        expect(!text(scm, "url").isBlank() && !text(scm, "connection").isBlank(), "POM <scm> with a url and a connection");
    }

    private void mainJar(Path jar) throws IOException {
        if (!Files.isRegularFile(jar)) {
            return;
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            expect(file.getEntry("META-INF/LICENSE") != null, jar.getFileName() + " holds META-INF/LICENSE");
            Manifest manifest = file.getManifest();
            boolean named = file.getEntry("module-info.class") != null
                    || manifest != null && manifest.getMainAttributes().getValue("Automatic-Module-Name") != null;
            expect(named, jar.getFileName() + " has a module name");
            expect(file.stream().anyMatch(e -> e.getName().endsWith(".class")), jar.getFileName() + " holds classes");
        }
    }

    /** Every top-level class of the jar has its source file. */
    private void sourcesJar(Path sources, Path jar) throws IOException {
        if (!Files.isRegularFile(sources) || !Files.isRegularFile(jar)) {
            return;
        }
        try (JarFile src = new JarFile(sources.toFile()); JarFile classes = new JarFile(jar.toFile())) {
            expect(src.getEntry("META-INF/LICENSE") != null, sources.getFileName() + " holds META-INF/LICENSE");
            List<String> missing = classes.stream().map(ZipEntry::getName)
                    .filter(n -> n.endsWith(".class") && !n.contains("$"))
                    .map(n -> n.substring(0, n.length() - ".class".length()) + ".java")
                    .filter(n -> src.getEntry(n) == null)
                    .toList();
            expect(missing.isEmpty(), sources.getFileName() + " has the source of every class"
                    + (missing.isEmpty() ? "" : " (missing: " + missing + ")"));
        }
    }

    private void javadocJar(Path javadoc) throws IOException {
        if (!Files.isRegularFile(javadoc)) {
            return;
        }
        try (JarFile file = new JarFile(javadoc.toFile())) {
            expect(file.getEntry("index.html") != null, javadoc.getFileName() + " has index.html");
            List<String> internal = file.stream().map(ZipEntry::getName)
                    .filter(n -> n.contains("/internal/") || n.contains("/logs/cli/")).limit(5).toList();
            expect(internal.isEmpty(), javadoc.getFileName() + " documents the public API only"
                    + (internal.isEmpty() ? "" : " (found " + internal + ")"));
        }
    }

    private void cliJar(Path cli) throws IOException {
        if (!Files.isRegularFile(cli)) {
            return;
        }
        try (JarFile file = new JarFile(cli.toFile())) {
            Manifest manifest = file.getManifest();
            expect(manifest != null && manifest.getMainAttributes().getValue("Main-Class") != null,
                    cli.getFileName() + " names its Main-Class");
            expect(file.getEntry("META-INF/LICENSE") != null, cli.getFileName() + " holds META-INF/LICENSE");
            try (InputStream in = file.getInputStream(file.getEntry("META-INF/LICENSE"))) {
                expect(new String(in.readAllBytes()).contains("Apache License"), cli.getFileName() + "'s LICENSE is Apache-2.0");
            }
        }
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? "" : e.getTextContent().trim();
    }

    private void expect(boolean ok, String what) {
        if (ok) {
            passed.add(what);
        } else {
            fail(what);
        }
    }

    private void fail(String what) {
        failures.add(what);
    }
}

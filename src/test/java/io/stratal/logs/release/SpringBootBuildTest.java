package io.stratal.logs.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The Spring Boot build (spring-boot/) is a Maven build of its own that the library's build runs: each of its
 * POMs carries the library's version, so the starter is released with the library it depends on, and a
 * release that sets the version sets it everywhere (docs/RELEASING.md).
 */
class SpringBootBuildTest {

    private static final List<String> POMS = List.of("spring-boot/pom.xml", "spring-boot/starter/pom.xml",
            "spring-boot/tests-boot3/pom.xml", "spring-boot/tests-boot4/pom.xml");

    private static String projectVersion(Path pom) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder().parse(pom.toFile());
        for (Node child = document.getDocumentElement().getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element && element.getTagName().equals("version")) {
                return element.getTextContent().trim();
            }
        }
        throw new AssertionError(pom + " has no version of its own");
    }

    @Test
    void everyPomOfTheSpringBootBuildCarriesTheLibrarysVersion() throws Exception {
        String library = projectVersion(Path.of("pom.xml"));
        for (String pom : POMS) {
            assertThat(Files.exists(Path.of(pom))).as(pom).isTrue();
            assertThat(projectVersion(Path.of(pom))).as(pom).isEqualTo(library);
        }
    }

    @Test
    void theLibrarysBuildRunsTheSpringBootBuild() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        assertThat(pom).contains("<artifactId>maven-invoker-plugin</artifactId>").contains("<pomInclude>spring-boot/pom.xml</pomInclude>");
    }
}

package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** The BOM names every published module of the build, at the build's version. */
class BomTest {
    private static final Path ROOT = Path.of(System.getProperty("descent.readmeRoot", "..")).toAbsolutePath()
            .normalize();

    private static Document read(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    /** The text of the first child element {@code name} of {@code parent}. */
    private static String child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent().trim();
            }
        }
        return null;
    }

    @Test
    void theBomListsEveryPublishedModuleAtTheParentsVersion() throws Exception {
        Element root = read(ROOT.resolve("pom.xml")).getDocumentElement();
        String version = child(root, "version");
        TreeSet<String> published = new TreeSet<>();
        NodeList modules = root.getElementsByTagName("module");
        for (int i = 0; i < modules.getLength(); i++) {
            String dir = modules.item(i).getTextContent().trim();
            if (!dir.equals("bom") && !dir.equals("examples")) {
                published.add(child(read(ROOT.resolve(dir).resolve("pom.xml")).getDocumentElement(), "artifactId"));
            }
        }
        Element bom = read(ROOT.resolve("bom").resolve("pom.xml")).getDocumentElement();
        assertEquals(version, child(bom, "version"), "the BOM's version");
        TreeSet<String> listed = new TreeSet<>();
        List<String> versions = new ArrayList<>();
        NodeList deps = bom.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            listed.add(child(d, "artifactId"));
            versions.add(child(d, "version"));
        }
        assertEquals(published, listed, "modules of the build against the BOM's");
        versions.forEach(v -> assertEquals("${project.version}", v));
    }
}

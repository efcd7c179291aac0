package io.sluice.devstack.elasticsearch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The Elasticsearch node's own jars, put on the classpath by the build under {@value #RESOURCE}.
 * Run from a build tree they are used where they are; run from the standalone jar they are unpacked
 * once to the data directory (again only when the jar's copy changes).
 */
final class NodeClasspath {

    static final String RESOURCE = "devstack/elasticsearch/lib/";

    private NodeClasspath() {
    }

    static Path locate(Path unpackTo) {
        URL url = NodeClasspath.class.getClassLoader().getResource(RESOURCE);
        if (url == null) {
            throw new IllegalStateException("The Elasticsearch node's jars (" + RESOURCE
                    + ") are not on the classpath: build with `mvn package` (not -Dlean)");
        }
        try {
            if (url.getProtocol().equals("file")) {
                return Path.of(url.toURI());
            }
            JarURLConnection connection = (JarURLConnection) url.openConnection();
            connection.setUseCaches(false);
            try (JarFile jar = connection.getJarFile()) {
                return unpack(jar, unpackTo);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path unpack(JarFile jar, Path dir) throws IOException {
        List<JarEntry> entries = new ArrayList<>();
        jar.stream().filter(e -> !e.isDirectory() && e.getName().startsWith(RESOURCE)).forEach(entries::add);
        String stamp = entries.stream().map(e -> e.getName() + ":" + e.getSize() + ":" + e.getCrc())
                .sorted().reduce("", (a, b) -> a + b + "\n");
        Path stampFile = dir.resolve(".unpacked-from");
        if (Files.exists(stampFile) && Files.readString(stampFile).equals(stamp)) {
            return dir;
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        for (JarEntry e : entries) {
            try (InputStream in = jar.getInputStream(e)) {
                Files.copy(in, dir.resolve(e.getName().substring(RESOURCE.length())),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.writeString(stampFile, stamp);
        return dir;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

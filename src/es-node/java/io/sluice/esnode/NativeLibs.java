package io.sluice.esnode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Gives Elasticsearch's native-access layer a zstd library, so that it initialises instead of being
 * disabled.
 * <p>
 * Why: a real distribution ships {@code lib/platform/<os-arch>/libzstd.so} and {@code libvec.so}; Maven
 * Central has neither. Without them ES logs a WARN with a stack trace ("Unable to load native provider")
 * and, worse, every index using {@code index.codec: best_compression} (zstd stored fields) fails its
 * first refresh with an NPE and its shard goes unassigned. The system's libzstd (1.5.x, stable API) is
 * enough: we link it into {@code <home>/native} and point {@code es.nativelibs.path} there. libvec
 * (SIMD vector scoring) has no system equivalent, so that optional part is switched off; Lucene's Java
 * implementation is used instead.
 * <p>
 * Anything the parent set with {@code -D} wins. If no libzstd is found, ES falls back exactly as before.
 */
final class NativeLibs {

    static final String LIB_PATH_PROPERTY = "es.nativelibs.path";
    static final String VECTOR_LIBRARY_PROPERTY = "org.elasticsearch.nativeaccess.enableVectorLibrary";

    private static final List<String> SEARCH_DIRS = List.of(
        "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu",
        "/usr/lib64", "/lib64", "/usr/lib", "/usr/local/lib", "/opt/homebrew/lib"
    );
    private static final List<String> SEARCH_NAMES = List.of("libzstd.so.1", "libzstd.so", "libzstd.1.dylib", "libzstd.dylib");

    private NativeLibs() {}

    /** Must run before any Elasticsearch class touches NativeAccess, i.e. before the node is built. */
    static void prepare(Path home) {
        if (System.getProperty(VECTOR_LIBRARY_PROPERTY) == null) {
            System.setProperty(VECTOR_LIBRARY_PROPERTY, "false");
        }
        if (System.getProperty(LIB_PATH_PROPERTY) != null) {
            return;
        }
        Path dir = home.resolve("native");
        // Unset, ES derives the path from es.path.home and fails with an NPE; an empty dir fails cleanly.
        System.setProperty(LIB_PATH_PROPERTY, dir.toString());
        try {
            Files.createDirectories(dir);
            Path target = dir.resolve(System.mapLibraryName("zstd"));
            if (Files.exists(target)) {
                return; // linked by an earlier start on this home
            }
            Files.deleteIfExists(target); // a dangling link left behind, e.g. after an OS upgrade
            Path systemZstd = findSystemZstd();
            if (systemZstd == null) {
                return;
            }
            try {
                Files.createSymbolicLink(target, systemZstd);
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(systemZstd, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("es-node: could not prepare native libraries in " + dir + ": " + e);
        }
    }

    private static Path findSystemZstd() {
        for (String dir : SEARCH_DIRS) {
            for (String name : SEARCH_NAMES) {
                Path candidate = Path.of(dir, name);
                if (Files.isReadable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }
}

package io.sluice.esnode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code <home>/es-node.pid}: lets the parent (or a human) find and kill a node it lost track of.
 * Written as soon as the node holds its data-dir lock (well before READY), atomically so that a reader
 * never sees a half-written number. Removed on clean exit only: after kill -9 it stays behind, and the
 * next start simply overwrites it.
 */
final class PidFile {

    private final Path file;

    private PidFile(Path file) {
        this.file = file;
    }

    static PidFile write(Path home) throws IOException {
        Path file = home.resolve("es-node.pid");
        Path tmp = home.resolve("es-node.pid.tmp");
        Files.writeString(tmp, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new PidFile(file);
    }

    /** Deletes the file only if it still holds our pid: another node on the same home may have replaced it. */
    void delete() {
        try {
            String ours = Long.toString(ProcessHandle.current().pid());
            if (Files.exists(file) && Files.readString(file, StandardCharsets.US_ASCII).trim().equals(ours)) {
                Files.delete(file);
            }
        } catch (IOException e) {
            System.err.println("es-node: could not delete " + file + ": " + e);
        }
    }
}

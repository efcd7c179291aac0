package io.sluice.windows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * This instance's name in the windows' consumer groups (Kafka static membership): made once, kept in the windows'
 * state directory, so it is the same after a restart and different for every instance with a directory of its own.
 */
final class InstanceId {

    private InstanceId() {
    }

    static synchronized String of(Path stateDir) {
        Path file = stateDir.resolve("sluice-instance-id");
        try {
            if (Files.exists(file)) {
                String id = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!id.isEmpty()) {
                    return id;
                }
            }
            Files.createDirectories(stateDir);
            String id = UUID.randomUUID().toString().substring(0, 13);
            Path tmp = stateDir.resolve("sluice-instance-id.tmp");
            Files.writeString(tmp, id, StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("the windows' state directory " + stateDir + " cannot keep this instance's id", e);
        }
    }
}

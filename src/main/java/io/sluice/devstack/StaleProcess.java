package io.sluice.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a {@code kill -9} of Sluice, a child server (mariadbd) can outlive it and keep its locks and port.
 * Its pid file tells us; we stop it only if that pid still runs the expected program.
 */
public final class StaleProcess {

    private static final Logger LOG = LoggerFactory.getLogger(StaleProcess.class);

    private StaleProcess() {
    }

    public static void stopIfRunning(Path pidFile, String commandFragment) {
        readPid(pidFile).flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains(commandFragment)).orElse(false))
                .ifPresent(p -> {
                    LOG.warn("Stopping {} (pid {}) left running by an earlier Sluice", commandFragment, p.pid());
                    stop(p, Duration.ofSeconds(20));
                });
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot remove stale pid file " + pidFile, e);
        }
    }

    public static void stop(ProcessHandle process, Duration grace) {
        process.destroy();
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            process.onExit().join();
        }
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            return Files.isRegularFile(pidFile)
                    ? Optional.of(Long.parseLong(Files.readString(pidFile).trim()))
                    : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}

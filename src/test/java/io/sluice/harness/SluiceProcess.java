package io.sluice.harness;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.sluice.Sluice;

/**
 * Sluice in a JVM of its own (the test's classpath, the same property files), pointed at the harness's Kafka,
 * MariaDB and Elasticsearch — so that {@link #kill()} (SIGKILL: no shutdown hook, no graceful stop) kills only
 * Sluice, as a crash would. Its log goes to {@code <dir>/sluice-<n>.log}, one file per start.
 */
public final class SluiceProcess implements AutoCloseable {

    private final Path dir;
    private final Path propertiesFile;
    private Process process;
    private int starts;

    public SluiceProcess(RunningSluice config) throws IOException {
        this.dir = Path.of("target", "flow-tests", config.prefix()).toAbsolutePath();
        Files.createDirectories(dir);
        this.propertiesFile = dir.resolve("overrides.properties");
        try (Writer w = Files.newBufferedWriter(propertiesFile)) {
            config.properties().store(w, "Sluice process overrides");
        }
    }

    public SluiceProcess start() throws IOException {
        starts++;
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), propertiesFile.toString()));
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("sluice-" + starts + ".log").toFile())
                .start();
        return this;
    }

    /** SIGKILL, then waits until the process is gone. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            process = null;
        }
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public int starts() {
        return starts;
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    /** The child's main: Sluice as the jar runs it, with the parent's overrides. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Properties overrides = new Properties();
            try (var in = Files.newInputStream(Path.of(args[0]))) {
                overrides.load(in);
            }
            Sluice.create("dev", overrides).main().run();
        }
    }
}

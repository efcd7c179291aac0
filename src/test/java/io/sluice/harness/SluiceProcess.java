package io.sluice.harness;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.sluice.Sluice;
import io.sluice.devstack.Ports;

/**
 * Sluice in a JVM of its own (the test's classpath, the same property files), pointed at the harness's Kafka,
 * MariaDB and Elasticsearch — so that {@link #kill()} (SIGKILL: no shutdown hook, no graceful stop) kills only
 * Sluice, as a crash would. Its log goes to {@code <dir>/<name>-<n>.log}, one file per start.
 */
public final class SluiceProcess implements AutoCloseable {

    private final Path dir;
    private final String name;
    private final Path propertiesFile;
    private final Properties properties;
    private Process process;
    private int starts;
    private String heap = "384m";

    public SluiceProcess(RunningSluice config) throws IOException {
        this(config, "sluice", config.properties());
    }

    /**
     * One of several instances sharing {@code config} (same topics, consumer groups, tables), as if each ran on a
     * machine of its own: its own HTTP and management ports and its own local data directory.
     */
    public static SluiceProcess instance(RunningSluice config, String name) throws IOException {
        Properties p = config.properties();
        p.setProperty("sluice.http.port", Integer.toString(Ports.free()));
        p.setProperty("camel.management.port", Integer.toString(Ports.free()));
        p.setProperty("sluice.devstack.data-dir", Path.of(p.getProperty("sluice.devstack.data-dir"), name).toString());
        return new SluiceProcess(config, name, p);
    }

    /**
     * Sluice with an embedded dev stack of its own, as {@code java -jar} runs it: no harness services, only
     * {@code overrides} on top of the files (free ports, a data directory, ...). Logs in target/flow-tests/{@code dir}.
     */
    public static SluiceProcess withOwnStack(String dir, Properties overrides) throws IOException {
        return new SluiceProcess(dir, "sluice", overrides);
    }

    private SluiceProcess(RunningSluice config, String name, Properties properties) throws IOException {
        this(config.prefix(), name, properties);
    }

    private SluiceProcess(String prefix, String name, Properties properties) throws IOException {
        this.dir = Path.of("target", "flow-tests", prefix).toAbsolutePath();
        this.name = name;
        Files.createDirectories(dir);
        this.propertiesFile = dir.resolve(name + "-overrides.properties");
        this.properties = properties;
        try (Writer w = Files.newBufferedWriter(propertiesFile)) {
            properties.store(w, "Sluice process overrides");
        }
    }

    public String name() {
        return name;
    }

    /** A property this process was given on top of the files, e.g. its {@code camel.management.port}. */
    public String property(String key) {
        return properties.getProperty(key);
    }

    /**
     * Whether this instance leads CDC, as its {@code sluice_cdc_leader} gauge on /observe/metrics says; null while
     * it does not answer (starting, killed).
     */
    public Boolean leadsCdc() {
        Double leader = gauge("sluice_cdc_leader");
        return leader == null ? null : leader == 1.0;
    }

    /**
     * A gauge's value as this instance's /observe/metrics (Prometheus text) gives it; null while it does not answer
     * (starting, killed) or does not have the gauge.
     */
    public Double gauge(String name) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(
                    "http://localhost:" + property("camel.management.port") + "/observe/metrics"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})?\\s+(-?[0-9.E]+)").matcher(r.body());
            return r.statusCode() == 200 && m.find() ? Double.parseDouble(m.group(1)) : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The log of the latest start. */
    public Path log() {
        return dir.resolve(name + "-" + starts + ".log");
    }

    public SluiceProcess start() throws IOException {
        starts++;
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), propertiesFile.toString()));
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log().toFile())
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

    /**
     * The process's threads as {@code jcmd Thread.print} gives them, written to {@code <name>-<start>-threads.txt}
     * beside its log; empty when it is not running or the JDK's jcmd cannot reach it.
     */
    public Optional<Path> threadDump() {
        if (!alive()) {
            return Optional.empty();
        }
        Path out = dir.resolve(name + "-" + starts + "-threads.txt");
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** SIGTERM, as a service manager stops it, then waits up to {@code atMost} for the process to end; its exit code. */
    public int stop(Duration atMost) throws InterruptedException {
        Process p = process;
        if (p == null) {
            return -1;
        }
        p.destroy();
        if (!p.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " did not stop within " + atMost.toSeconds() + " s of SIGTERM");
        }
        process = null;
        return p.exitValue();
    }

    /** Sets this process's heap for its next start (default 384 MB); an instance that runs its own stack needs more. */
    public SluiceProcess heap(String xmx) {
        this.heap = xmx;
        return this;
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
            // Kafka Streams' own account of rebalances, task moves and restores, which the shipped WARN level
            // leaves out: what a fault run that does not complete needs to say where a window stuck
            org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.kafka.streams",
                    org.apache.logging.log4j.Level.INFO);
            // and the windows' beats and watermarks (io.sluice.windows at DEBUG: a line per beat, one per fold task every 10 s)
            org.apache.logging.log4j.core.config.Configurator.setLevel("io.sluice.windows", org.apache.logging.log4j.Level.DEBUG);
            // as the jar's main runs it, so SIGTERM stops it (and an embedded stack it started) in order
            Sluice.runAsProcess(Sluice.create("dev", overrides), new String[0]);
        }
    }
}

package io.sluice.devstack.elasticsearch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.sluice.devstack.StaleProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Elasticsearch 9.2 node in a child JVM with a classpath of its own (see src/es-node). The child
 * watches this process and exits when it dies, so even a kill -9 of Sluice leaves no orphan; a pid file
 * covers the rest.
 */
public final class EmbeddedElasticsearch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedElasticsearch.class);
    static final String READY_LINE = "ES_NODE_READY ";
    static final String MAIN_CLASS = "io.sluice.esnode.EsNodeMain";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final CompletableFuture<String> ready = new CompletableFuture<>();

    private EmbeddedElasticsearch(Process process) {
        this.process = process;
    }

    /** Launches the node and returns at once; {@link #awaitReady()} waits for its HTTP port. */
    public static EmbeddedElasticsearch launch(Path home, int httpPort, String heap) throws IOException {
        Path nodeHome = home.resolve("home");
        Files.createDirectories(nodeHome);
        Path lib = NodeClasspath.locate(home.resolve("lib"));
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = List.of(java,
                "-Xms" + heap, "-Xmx" + heap,
                "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED",
                "-Dfile.encoding=UTF-8",
                "-cp", lib + "/*",
                MAIN_CLASS,
                "--http-port=" + httpPort,
                "--home=" + nodeHome,
                "--data=" + home.resolve("data"),
                "--cluster-name=sluice-dev",
                "--parent-pid=" + ProcessHandle.current().pid());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        EmbeddedElasticsearch es = new EmbeddedElasticsearch(process);
        es.pumpOutput();
        process.onExit().thenRun(() -> es.ready.completeExceptionally(new IllegalStateException(
                "The Elasticsearch node exited with status " + process.exitValue() + " (see log above)")));
        return es;
    }

    /**
     * The node exits by itself when Sluice dies, within a second or so; this covers the moment in between
     * and a node whose watchdog could not run.
     */
    public static void stopLeftover(Path home) {
        StaleProcess.stopIfRunning(home.resolve("home").resolve("es-node.pid"), "java");
    }

    private void pumpOutput() {
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith(READY_LINE)) {
                        ready.complete(line.substring(READY_LINE.length()).trim());
                    } else {
                        LOG.info("[es] {}", line);
                    }
                }
            } catch (IOException e) {
                LOG.debug("Elasticsearch output closed", e);
            }
        }, "es-node-output");
        pump.setDaemon(true);
        pump.start();
    }

    /** @return the node's HTTP address once it answers */
    public String awaitReady() throws Exception {
        try {
            return ready.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            close();
            throw new IllegalStateException("Elasticsearch did not start within " + START_TIMEOUT.toSeconds() + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            StaleProcess.stop(process.toHandle(), Duration.ofSeconds(20));
        }
    }
}

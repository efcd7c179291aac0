package io.sluice.esnode;

import org.elasticsearch.node.Node;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Owns the running node and the one way it stops: the JVM shutdown hook. SIGTERM, {@code System.exit}
 * (parent gone, start failure) and a normal exit all go through {@link #shutdown()}, so the node is closed
 * exactly once and the pid file is removed.
 */
final class NodeLifecycle {

    /** How long Node.awaitClose may wait for thread pools to drain. */
    private static final long CLOSE_TIMEOUT_SECONDS = 10;
    /** If closing hangs anyway, halt: a child that ignores SIGTERM is worse than an unclean close. */
    private static final long HALT_AFTER_SECONDS = 20;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Node node;
    private volatile PidFile pidFile;

    /** Registered before the node is built, so that even a half-started node gets closed. */
    void installShutdownHook() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "es-node-shutdown"));
    }

    void manage(Node node, PidFile pidFile) {
        this.node = node;
        this.pidFile = pidFile;
    }

    /**
     * Keeps the JVM alive while the node runs: every Elasticsearch thread is a daemon thread, so without
     * this the JVM would exit as soon as main returns. Never returns normally; the JVM ends in the hook.
     */
    void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    private void shutdown() {
        startHaltGuard();
        Node running = node;
        if (running != null) {
            try {
                running.prepareForClose(); // stop accepting HTTP, let in-flight requests finish
                running.close();
                if (running.awaitClose(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS) == false) {
                    System.err.println("es-node: node did not finish closing within " + CLOSE_TIMEOUT_SECONDS + "s");
                }
            } catch (Exception | AssertionError e) {
                System.err.println("es-node: error while closing the node: " + e);
            }
        }
        PidFile written = pidFile;
        if (written != null) {
            written.delete();
        }
        stopped.countDown();
    }

    private static void startHaltGuard() {
        Thread guard = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(HALT_AFTER_SECONDS));
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("es-node: closing took longer than " + HALT_AFTER_SECONDS + "s, halting");
            Runtime.getRuntime().halt(1);
        }, "es-node-halt-guard");
        guard.setDaemon(true);
        guard.start();
    }
}

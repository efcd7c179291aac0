package io.sluice.esnode;

import java.time.Instant;
import java.util.Optional;

/**
 * Exits this JVM when the parent process is gone, so that a kill -9 of the parent (which runs no
 * cleanup) never leaves an orphaned Elasticsearch node holding the port and the data-dir lock.
 * <p>
 * It polls instead of waiting on {@code ProcessHandle.onExit()} because onExit of a process that is not
 * our child is itself implemented by polling; an explicit loop makes the delay (~1 s) obvious. The
 * parent's start time is remembered so that a recycled pid is not mistaken for the parent.
 * {@code System.exit} runs the shutdown hook, which closes the node.
 */
final class ParentWatcher {

    /** Exit status when the parent died: the node was still closed cleanly, nobody is left to read it. */
    static final int EXIT_PARENT_GONE = 0;

    private ParentWatcher() {}

    static void start(long parentPid) {
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid).filter(ProcessHandle::isAlive);
        if (parent.isEmpty()) {
            System.err.println("es-node: parent process " + parentPid + " is not running, exiting");
            System.exit(EXIT_PARENT_GONE);
        }
        Optional<Instant> startedAt = parent.get().info().startInstant();
        Thread watcher = new Thread(() -> watch(parentPid, startedAt), "es-node-parent-watcher");
        watcher.setDaemon(true); // must never keep the JVM alive by itself
        watcher.start();
    }

    private static void watch(long parentPid, Optional<Instant> startedAt) {
        while (isSameProcessAlive(parentPid, startedAt)) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
        System.err.println("es-node: parent process " + parentPid + " is gone, closing the node");
        System.exit(EXIT_PARENT_GONE);
    }

    private static boolean isSameProcessAlive(long pid, Optional<Instant> startedAt) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || handle.get().isAlive() == false) {
            return false;
        }
        // Same pid but a different start time: the parent died and the pid was reused.
        return startedAt.isEmpty() || startedAt.equals(handle.get().info().startInstant());
    }
}

package io.sluice.esnode;

import org.elasticsearch.action.admin.cluster.health.ClusterHealthResponse;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.BindHttpException;
import org.elasticsearch.node.EmbeddedNode;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * Runs one real Elasticsearch 9.2 node in this JVM, for Sluice's dev stack. Started by the parent
 * process as a child JVM with its own classpath ({@code target/lib/*}) so that Elasticsearch's Lucene,
 * Jackson and log4j never meet Sluice's.
 * <p>
 * Contract with the parent:
 * <ul>
 *   <li>args {@code --http-port=N --home=DIR --data=DIR --cluster-name=NAME [--parent-pid=PID]}</li>
 *   <li>{@code <home>/es-node.pid} holds our pid while we run</li>
 *   <li>stdout gets exactly one line, {@code ES_NODE_READY http://127.0.0.1:<port>}, once HTTP is up and
 *       the indices already on disk are readable again</li>
 *   <li>we exit when the parent pid dies, and close cleanly on SIGTERM</li>
 *   <li>exit status 3 (with one line on stderr) when the HTTP port is taken, 2 on bad arguments,
 *       1 on any other start failure; 0 after the parent died; 143 after SIGTERM (the JVM's usual)</li>
 * </ul>
 * Run with {@code -Xmx512m --enable-native-access=ALL-UNNAMED} on Java 21+.
 */
public final class EsNodeMain {

    static final int EXIT_START_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_PORT_IN_USE = 3;

    static final String HOST = "127.0.0.1";
    static final String NODE_NAME = "sluice-es-node";
    static final long PRIMARIES_TIMEOUT_SECONDS = 60;

    private EsNodeMain() {}

    public static void main(String[] argv) throws Exception {
        Logging.preInit();
        nettyDefaults();
        LaunchArgs args;
        try {
            args = LaunchArgs.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("es-node: " + e.getMessage());
            System.err.println(LaunchArgs.USAGE);
            System.exit(EXIT_USAGE);
            return;
        }
        run(args);
    }

    private static void run(LaunchArgs args) throws Exception {
        // ES only needs path.home to exist (config/ is where it would look for elasticsearch.yml and
        // operator settings; empty is fine) and creates the node layout inside path.data itself.
        Files.createDirectories(args.home().resolve("config"));
        Files.createDirectories(args.data());

        // Checked up front: it takes a fraction of a second instead of a full node start. The
        // BindHttpException catch below covers the race with another process taking the port meanwhile.
        if (isPortFree(args.httpPort()) == false) {
            exitPortInUse(args.httpPort());
        }

        NodeLifecycle lifecycle = new NodeLifecycle();
        NativeLibs.prepare(args.home());
        Settings settings = nodeSettings(args);
        Logging.configure(settings);
        lifecycle.installShutdownHook();
        if (args.parentPid().isPresent()) {
            ParentWatcher.start(args.parentPid().getAsLong());
        }

        try {
            Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> NODE_NAME);
            Node node = new EmbeddedNode(
                environment,
                List.of(new Netty4Plugin(), new RootEndpointPlugin(), new SingleNodeDefaultsPlugin())
            );
            // Written only now that the node holds the lock on the data dir: a second launch on the same
            // dirs fails before this point and so cannot overwrite (or delete) the running node's pid file.
            lifecycle.manage(node, PidFile.write(args.home()));
            node.start(); // returns once the node is elected master of its one-node cluster and HTTP is bound
            awaitPrimaryShards(node);
        } catch (Throwable t) {
            if (hasCause(t, BindHttpException.class)) {
                exitPortInUse(args.httpPort());
            }
            System.err.println("es-node: failed to start: " + t);
            t.printStackTrace();
            System.exit(EXIT_START_FAILED); // the shutdown hook closes whatever was built
        }

        System.out.println("ES_NODE_READY http://" + HOST + ":" + args.httpPort());
        System.out.flush();
        lifecycle.awaitShutdown();
    }

    /**
     * {@code node.start()} returns while the shards of indices already in the data dir are still
     * recovering: for a second or so the cluster is red and requests to those indices get 503
     * ("no shard available"). The parent treats READY as "usable", so wait until every primary is active
     * (yellow; green in practice, see SingleNodeDefaultsPlugin). A fresh data dir passes at once. If an
     * index cannot recover, READY still follows after the timeout, with a warning, rather than blocking
     * the whole dev stack on one broken index.
     */
    private static void awaitPrimaryShards(Node node) {
        TimeValue timeout = TimeValue.timeValueSeconds(PRIMARIES_TIMEOUT_SECONDS);
        ClusterHealthResponse health = node.client().admin().cluster()
            .prepareHealth(timeout)
            .setWaitForYellowStatus()
            .setTimeout(timeout)
            .get();
        if (health.isTimedOut()) {
            System.err.println("es-node: cluster health is still " + health.getStatus() + " after "
                + PRIMARIES_TIMEOUT_SECONDS + "s; some indices are unavailable");
        }
    }

    /**
     * The settings a one-node dev cluster needs; everything else is Elasticsearch's default.
     */
    static Settings nodeSettings(LaunchArgs args) {
        return Settings.builder()
            .put("cluster.name", args.clusterName())
            .put("node.name", NODE_NAME)
            .put("path.home", args.home().toString())
            .put("path.data", args.data().toString())
            // no discovery, no bootstrap-cluster negotiation: elect ourselves at once
            .put("discovery.type", "single-node")
            .put("network.host", HOST)
            // one port, not ES's default range 9200-9300: the parent must know exactly where we are
            .put("http.port", args.httpPort())
            // the transport port is only for node-to-node traffic; any free one will do
            .put("transport.port", 0)
            // dev disks are often nearly full; ES would otherwise stop allocating shards at 85% use and
            // make indices read-only at 95%
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            // the node runs on the serial collector (small, one JVM among several on a dev machine), whose used heap
            // counts garbage until the next collection: the parent breaker's real-memory check then refused bulk
            // requests (429 "Data too large", 474 of 512 MB) in the search benchmark. Without it the parent breaker adds
            // up what its child breakers reserved (the setting's documented alternative)
            .put("indices.breaker.total.use_real_memory", false)
            .build();
    }

    /**
     * The Netty tuning a real Elasticsearch JVM gets from its launcher's system JVM options. Set here so
     * the parent's command line stays short; a value given with -D wins. They must be set before any
     * Netty class loads. noUnsafe also spares stderr the JDK's "sun.misc.Unsafe ... will be removed"
     * warnings.
     */
    private static void nettyDefaults() {
        defaultProperty("io.netty.noUnsafe", "true");
        defaultProperty("io.netty.noKeySetOptimization", "true");
        defaultProperty("io.netty.recycler.maxCapacityPerThread", "0");
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static boolean isPortFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // like ES: a port in TIME_WAIT is usable, do not report it as taken
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (BindException e) {
            return false;
        } catch (IOException e) {
            return true; // not a "port taken" problem; let the node report the real one
        }
    }

    private static void exitPortInUse(int port) {
        System.err.println("es-node: HTTP port " + port + " on " + HOST + " is already in use");
        System.exit(EXIT_PORT_IN_USE);
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}

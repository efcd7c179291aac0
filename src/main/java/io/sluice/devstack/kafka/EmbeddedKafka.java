package io.sluice.devstack.kafka;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft, broker + controller) inside this JVM. Its log directory is
 * formatted once and reused, so topics and offsets survive restarts of Sluice.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final KafkaRaftServer server;
    private final int port;

    private EmbeddedKafka(KafkaRaftServer server, int port) {
        this.server = server;
        this.port = port;
    }

    public static EmbeddedKafka start(Path logDir, int port, int controllerPort, int partitions) throws Exception {
        Files.createDirectories(logDir);
        String dir = logDir.toString();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        p.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir);
        p.put("num.partitions", Integer.toString(partitions));
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "10");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        // the windows' exactly-once transactions: 10 coordinator partitions load faster than the default 50, and the
        // broker's check that a partition was added to its transaction (KIP-890) kept answering NOT_COORDINATOR for
        // 40 s at a time on this one node under load, stalling a window's producer; it guards against hanging
        // transactions from requests delayed across brokers, which a single node does not have
        p.put("transaction.state.log.num.partitions", "10");
        p.put("transaction.partition.verification.enable", "false");
        p.put("group.initial.rebalance.delay.ms", "0");
        // as many production clusters: a topic exists only when someone created it (Sluice does, with its settings,
        // before the routes start), never because a client asked for it
        p.put("auto.create.topics.enable", "false");
        // after a kill -9 the controller waits out the dead broker's session before the new one may register:
        // 9 s by default; one node has nobody to be fair to
        p.put("broker.session.timeout.ms", "2000");
        p.put("broker.heartbeat.interval.ms", "500");
        KafkaConfig config = KafkaConfig.fromProps(p, false);

        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(dir);
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return new EmbeddedKafka(server, port);
    }

    /** Only on first start: the cluster id written here must stay the same for the life of the data. */
    private static void format(String dir) throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setClusterId(Uuid.randomUuid().toString())
                .setNodeId(1)
                .setDirectories(List.of(dir))
                .setMetadataLogDirectory(dir)
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .run();
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}

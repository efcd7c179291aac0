package io.sluice.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.camel.Service;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The one Kafka admin client the flows share (topics at start-up, consumer lag, window closing), created on first use and closed
 * when Camel stops (added to the context as a service). Calls give up after 5 s rather than hang a timer.
 */
public final class KafkaAdmin implements Service {

    private static final long TIMEOUT_MS = 5000;
    private final String brokers;
    private Admin admin;

    public KafkaAdmin(String brokers) {
        this.brokers = brokers;
    }

    public String brokers() {
        return brokers;
    }

    public synchronized Admin client() {
        if (admin == null) {
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS));
        }
        return admin;
    }

    /** The end offset of every partition of {@code topic} now; throws if the topic is unknown or Kafka away. */
    public Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        Admin a = client();
        List<TopicPartition> partitions = a.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, OffsetSpec> latest = partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        a.listOffsets(latest).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /** The offsets {@code group} has committed, per partition. */
    public Map<TopicPartition, Long> committed(String group) throws Exception {
        Map<TopicPartition, Long> out = new HashMap<>();
        client().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .forEach((tp, done) -> {
                    if (done != null) {
                        out.put(tp, done.offset());
                    }
                });
        return out;
    }

    /** Creates the missing ones of {@code topics} and checks the others: see {@link KafkaTopics#ensure}. */
    public KafkaTopics.Outcome ensureTopics(Collection<TopicSpec> topics, boolean create, Duration timeout) {
        return KafkaTopics.ensure(client(), topics, create, timeout);
    }

    @Override
    public void start() {
    }

    @Override
    public synchronized void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }
}

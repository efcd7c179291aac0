package io.sluice.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import static org.awaitility.Awaitility.await;

/** Topics the benchmark parts create and preload. */
final class BenchTopics {

    private BenchTopics() {
    }

    static void create(String brokers, String topic, int partitions) throws Exception {
        create(brokers, List.of(new NewTopic(topic, partitions, (short) 1)));
    }

    /**
     * Creates topics and waits until every partition has a leader: an idempotent producer writing to a topic a
     * moment old can get NOT_LEADER_OR_FOLLOWER and then loop on OUT_OF_ORDER_SEQUENCE_NUMBER (seen here while
     * preloading, which then took two minutes instead of two seconds).
     */
    static void create(String brokers, List<NewTopic> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokers))) {
            admin.createTopics(topics).all().get();
            List<String> names = topics.stream().map(NewTopic::name).toList();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> haveLeaders(admin, names));
        }
    }

    private static boolean haveLeaders(Admin admin, List<String> names) throws InterruptedException {
        try {
            return admin.describeTopics(names).allTopicNames().get().values().stream()
                    .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        } catch (java.util.concurrent.ExecutionException e) {
            return false; // not known to the metadata yet
        }
    }

    /** For preloading: large batches, default acknowledgements. */
    static KafkaProducer<String, byte[]> producer(String brokers) {
        Properties p = new Properties();
        p.put("bootstrap.servers", brokers);
        p.put("linger.ms", 20);
        p.put("batch.size", 262144);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
}

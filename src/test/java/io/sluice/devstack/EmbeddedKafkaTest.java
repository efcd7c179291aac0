package io.sluice.devstack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.sluice.harness.SluiceStack;
import io.sluice.kafka.KafkaTopics;
import io.sluice.kafka.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The embedded broker: in order per key, and like many production clusters it creates no topic on first use. */
@ExtendWith(SluiceStack.class)
class EmbeddedKafkaTest {

    @Test
    void recordsProducedAreConsumedInOrderPerKey(DevStack stack) throws Exception {
        String topic = "harness-" + UUID.randomUUID();
        try (Admin admin = admin(stack)) {
            KafkaTopics.ensure(admin, List.of(TopicSpec.of(topic)), true, Duration.ofSeconds(30));
        }
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.config().kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 500; i++) {
                String value = "{\"n\":" + i + "}";
                producer.send(new ProducerRecord<>(topic, "k", value)).get();
                sent.add(value);
            }
        }
        List<String> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.config().kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "harness-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    received.add(r.value());
                }
                return received.size() >= sent.size();
            });
        }
        assertThat(received).containsExactlyElementsOf(sent);
    }

    @Test
    void aTopicNobodyCreatedIsNotCreatedOnFirstUse(DevStack stack) throws Exception {
        String topic = "harness-uncreated-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.config().kafkaBootstrap(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000), new StringSerializer(), new StringSerializer());
             Admin admin = admin(stack)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "k", "v")).get())
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class)
                    .hasMessageContaining("not present in metadata");
            assertThat(admin.listTopics().names().get()).doesNotContain(topic);
        }
    }

    @Test
    void newTopicsGetTheConfiguredPartitionCount(DevStack stack) throws Exception {
        String topic = "harness-partitions-" + UUID.randomUUID();
        try (Admin admin = admin(stack)) {
            KafkaTopics.ensure(admin, List.of(TopicSpec.of(topic)), true, Duration.ofSeconds(30));
            assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions())
                    .hasSize(stack.config().kafkaPartitions());
        }
    }

    private static Admin admin(DevStack stack) {
        return Admin.create(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.config().kafkaBootstrap()));
    }
}

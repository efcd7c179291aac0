package io.sluice.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import io.sluice.devstack.DevStack;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceStack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded broker creates no topic on first use (auto.create.topics.enable=false), so a topic that exists was
 * created by someone: after Sluice has started, before any record is produced, every topic of every flow is there
 * with the configured partitions, the customers topic compacted — also those of a window and a sink added by
 * properties alone.
 */
@ExtendWith(SluiceStack.class)
class TopicsAtStartupTest {

    @Test
    void everyTopicOfEveryFlowExistsWithItsSettingsBeforeAnyRecord(DevStack stack) throws Exception {
        try (RunningSluice sluice = RunningSluice.on(stack, "topics");
             Admin admin = admin(stack)) {
            String p = sluice.prefix();
            sluice.with("sluice.topics.partitions", "2")
                    .with("sluice.topics[" + p + "-sales].partitions", "5")
                    // a window and a sink added by properties alone
                    .with("camel.routeTemplate[extra-window].templateId", "window")
                    .with("camel.routeTemplate[extra-window].name", p + "-extra-window")
                    .with("camel.routeTemplate[extra-window].topic", p + "-extra-in")
                    .with("camel.routeTemplate[extra-window].outputTopic", p + "-extra-out")
                    .with("camel.routeTemplate[extra-window].timeField", "time")
                    .with("camel.routeTemplate[extra-window].size", "10")
                    .with("camel.routeTemplate[extra-window].groupBy", "item")
                    .with("camel.routeTemplate[extra-sink].templateId", "topic-sink")
                    .with("camel.routeTemplate[extra-sink].name", p + "-extra-sink")
                    .with("camel.routeTemplate[extra-sink].topic", p + "-extra-sink-in")
                    .with("camel.routeTemplate[extra-sink].uri", "file:target/flow-tests/" + p + "/extra-sink");
            Map<String, Integer> expected = new HashMap<>();
            for (String stream : List.of("ratings", "ratings-test", "ratings-enriched", "ratings-unmatched", "unhappy",
                    "loan-request", "loan-approval", "disbursement", "sales-summary",
                    "ratings-by-club-status", "ratings-per-customer-15m", "extra-in", "extra-out", "extra-sink-in")) {
                expected.put(p + "-" + stream, 2);
            }
            expected.put(p + "-sales", 5);
            for (String deadLetters : List.of("ratings-dlq", "loan-dlq", "search-dlq", "alerts-dlq", "sales-dlq",
                    "sales-summary-late", "sales-summary-dlq", "ratings-by-club-status-late", "ratings-by-club-status-dlq",
                    "ratings-per-customer-15m-late", "ratings-per-customer-15m-dlq", "extra-out-late", "extra-out-dlq")) {
                expected.put(p + "-" + deadLetters, 1); // application.properties: sluice.topics.dead-letter.partitions
            }
            String customers = p + ".demo.CUSTOMERS";
            expected.put(customers, 2);
            assertThat(admin.listTopics().names().get()).doesNotContainAnyElementsOf(expected.keySet());

            sluice.start();

            Map<String, TopicDescription> topics = admin.describeTopics(expected.keySet()).allTopicNames().get();
            assertThat(topics.values().stream().collect(Collectors.toMap(TopicDescription::name, d -> d.partitions().size())))
                    .isEqualTo(expected);
            ConfigResource customersConfig = new ConfigResource(ConfigResource.Type.TOPIC, customers);
            assertThat(admin.describeConfigs(List.of(customersConfig)).all().get().get(customersConfig)
                    .get("cleanup.policy").value()).isEqualTo("compact");
            ConfigResource ratingsConfig = new ConfigResource(ConfigResource.Type.TOPIC, p + "-ratings");
            assertThat(admin.describeConfigs(List.of(ratingsConfig)).all().get().get(ratingsConfig)
                    .get("cleanup.policy").value()).isEqualTo("delete");
            // nothing was produced to them by anyone (the inputs), so nothing but Sluice's start-up made them
            for (String input : List.of(p + "-ratings", p + "-sales", p + "-loan-request", p + "-extra-in")) {
                assertThat(endOffsets(admin, topics.get(input)).values()).containsOnly(0L);
            }
        }
    }

    @Test
    void anExistingTopicIsLeftAsItIsAndItsDifferencesReported(DevStack stack) throws Exception {
        String topic = "topics-existing-" + UUID.randomUUID();
        try (Admin admin = admin(stack)) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
            TopicSpec wanted = new TopicSpec(topic, TopicSpec.Kind.TABLE, 1, (short) 1, Map.of("cleanup.policy", "compact"));

            KafkaTopics.Outcome outcome = KafkaTopics.ensure(admin, List.of(wanted), true, Duration.ofSeconds(30));

            assertThat(outcome.created()).isEmpty();
            assertThat(outcome.existing()).containsExactly(topic);
            assertThat(outcome.differing()).containsOnlyKeys(topic);
            assertThat(outcome.differing().get(topic)).contains("partitions 3 (configured 1)")
                    .contains("cleanup.policy=delete (configured compact)").contains("left as it is");
            assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()).hasSize(3);
            ConfigResource config = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            assertThat(admin.describeConfigs(List.of(config)).all().get().get(config).get("cleanup.policy").value())
                    .isEqualTo("delete");

            // the same settings as it has: nothing to say
            TopicSpec same = new TopicSpec(topic, TopicSpec.Kind.STREAM, 3, (short) 1, Map.of("cleanup.policy", "delete"));
            assertThat(KafkaTopics.ensure(admin, List.of(same), true, Duration.ofSeconds(30)).differing()).isEmpty();
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, TopicDescription topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = topic.partitions().stream().collect(Collectors.toMap(
                pi -> new TopicPartition(topic.name(), pi.partition()), pi -> OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private static Admin admin(DevStack stack) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.config().kafkaBootstrap()));
    }
}

package io.sluice.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.sluice.kafka.TopicSpec.Kind;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which topics the properties name, of which kind and with which settings (no Kafka needed). */
class TopicCatalogTest {

    private final Map<String, String> props = new LinkedHashMap<>();

    private Map<String, TopicSpec> topics() {
        Function<String, Optional<String>> resolve = k -> Optional.ofNullable(props.get(k));
        return new TopicCatalog(resolve, props.keySet()).topics().stream()
                .collect(Collectors.toMap(TopicSpec::name, t -> t, (a, b) -> a, LinkedHashMap::new));
    }

    @Test
    void flowPropertiesAndTemplateInstancesNameTheTopics() {
        props.put("sluice.ratings.topic", "ratings");
        props.put("sluice.ratings.dlq-topic", "ratings-dlq");
        props.put("sluice.customers.topic", "asgard.demo.CUSTOMERS");
        props.put("sluice.cdc.offset-topic-replication-factor", "1"); // not a topic
        props.put("sluice.topics.tables", "asgard.demo.CUSTOMERS");
        props.put("sluice.topics.table.config.cleanup.policy", "compact");
        props.put("sluice.topics.dead-letter.partitions", "1");
        props.put("sluice.topics.partitions", "4");
        props.put("sluice.topics[ratings].partitions", "6");
        props.put("sluice.topics.replication-factor", "-1");
        props.put("camel.routeTemplate[w].templateId", "window");
        props.put("camel.routeTemplate[w].topic", "sales");
        props.put("camel.routeTemplate[w].outputTopic", "sales-summary");
        props.put("camel.routeTemplate[w].size", "5");
        props.put("camel.routeTemplate[lake].templateId", "topic-sink");
        props.put("camel.routeTemplate[lake].topic", "ratings-enriched");
        props.put("camel.routeTemplate[lake].uri", "file:x");
        // Debezium's state in files: no topics for it
        props.put("sluice.cdc.offset-storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        props.put("sluice.cdc.offset-topic", "sluice-cdc-offsets");

        Map<String, TopicSpec> t = topics();

        assertThat(t.keySet()).containsExactlyInAnyOrder("ratings", "ratings-dlq", "asgard.demo.CUSTOMERS", "sales",
                "sales-summary", "sales-summary-late", "sales-summary-dlq", "ratings-enriched");
        assertThat(t.get("asgard.demo.CUSTOMERS").kind()).isEqualTo(Kind.TABLE);
        assertThat(t.get("asgard.demo.CUSTOMERS").configs()).containsEntry("cleanup.policy", "compact");
        assertThat(t.get("asgard.demo.CUSTOMERS").partitions()).isEqualTo(4);
        assertThat(t.get("ratings").partitions()).isEqualTo(6);
        assertThat(t.get("ratings").configs()).isEmpty();
        assertThat(t.get("sales").partitions()).isEqualTo(4);
        assertThat(t.get("ratings-dlq").kind()).isEqualTo(Kind.DEAD_LETTER);
        assertThat(t.get("sales-summary-late").partitions()).isEqualTo(1);
        assertThat(t.get("sales-summary-dlq").partitions()).isEqualTo(1);
        assertThat(t.get("sales-summary").kind()).isEqualTo(Kind.STREAM);
        assertThat(t.get("sales").replicationFactor()).isEqualTo((short) -1);
    }

    @Test
    void debeziumStateInKafkaGetsTheSettingsDebeziumNeeds() {
        props.put("sluice.cdc.offset-storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
        props.put("sluice.cdc.offset-topic", "sluice-cdc-offsets");
        props.put("sluice.cdc.schema-history", "io.debezium.storage.kafka.history.KafkaSchemaHistory");
        props.put("sluice.cdc.schema-history-topic", "sluice-cdc-schema-history");
        props.put("sluice.cdc.offset-topic-replication-factor", "3");
        props.put("sluice.topics.partitions", "6");

        Map<String, TopicSpec> t = topics();

        assertThat(t.keySet()).containsExactlyInAnyOrder("sluice-cdc-offsets", "sluice-cdc-schema-history");
        assertThat(t.get("sluice-cdc-offsets").configs()).containsEntry("cleanup.policy", "compact");
        assertThat(t.get("sluice-cdc-offsets").partitions()).isEqualTo(1);
        assertThat(t.get("sluice-cdc-offsets").replicationFactor()).isEqualTo((short) 3);
        assertThat(t.get("sluice-cdc-schema-history").partitions()).isEqualTo(1);
        assertThat(t.get("sluice-cdc-schema-history").configs()).containsEntry("retention.ms", "-1")
                .containsEntry("cleanup.policy", "delete");
    }

    @Test
    void aMissingPermissionNamesTheTopicAndTheAcl() {
        String line = KafkaTopics.createFailure("ratings-dlq",
                new TopicAuthorizationException("Authorization failed."));
        assertThat(line).contains("'ratings-dlq'").contains("CREATE on Topic:ratings-dlq");
    }
}

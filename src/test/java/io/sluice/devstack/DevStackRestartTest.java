package io.sluice.devstack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.sluice.kafka.KafkaTopics;
import io.sluice.kafka.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A stack of its own, started twice on one data directory: what was written before is there after. */
class DevStackRestartTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void secondStartOnTheSameDataKeepsTopicsRowsAndDocuments() throws Exception {
        Path dir = Path.of("target", "restart-stack");
        io.sluice.harness.SluiceStack.deleteTree(dir);
        DevStackConfig config = DevStackConfig.onFreePorts(dir);
        String topic = "restart-" + UUID.randomUUID();

        try (DevStack first = DevStack.start(config)) {
            // the broker creates no topic on first use
            try (Admin admin = Admin.create(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap()))) {
                assertThat(KafkaTopics.ensure(admin, List.of(TopicSpec.of(topic)), true, Duration.ofSeconds(30)).created())
                        .containsExactly(topic);
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap()), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(topic, "k", "before restart")).get();
            }
            sql(config, "DELETE FROM customers WHERE id = 20");
            http.send(HttpRequest.newBuilder(URI.create(config.elasticsearchUrl() + "/restart/_doc/1?refresh=true"))
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"x\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        try (DevStack second = DevStack.start(config)) {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap(),
                    ConsumerConfig.GROUP_ID_CONFIG, "restart-check",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                    return records.count() == 1 && records.iterator().next().value().equals("before restart");
                });
            }
            // the deleted demo customer stays deleted: seeding happens only when the table is created
            assertThat(count(config, "SELECT COUNT(*) FROM customers")).isEqualTo(19);
            HttpResponse<String> doc = http.send(HttpRequest.newBuilder(URI.create(config.elasticsearchUrl() + "/restart/_doc/1")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(doc.statusCode()).isEqualTo(200);
            assertThat(doc.body()).contains("\"found\":true");
        }
    }

    private static void sql(DevStackConfig c, String sql) throws Exception {
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.accounts().appUser(), c.accounts().appPassword());
             Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    private static long count(DevStackConfig c, String sql) throws Exception {
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.accounts().appUser(), c.accounts().appPassword());
             Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

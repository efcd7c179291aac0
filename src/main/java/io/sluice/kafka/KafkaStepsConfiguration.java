package io.sluice.kafka;

import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.ops.ConsumerLag;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * The record-handling steps every Kafka flow's routes share: {@code kafkaRecords} (unwrap a record),
 * {@code deadLetters} (one letter shape for all flows) and {@code outbox} (batch outputs); and the topics they use,
 * created before the routes start ({@link TopicCatalog}, {@link KafkaTopics}).
 */
public final class KafkaStepsConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        ObjectMapper json = new ObjectMapper();
        FlowMetrics metrics = FlowMetrics.of(context);
        KafkaAdmin kafka = new KafkaAdmin(
                context.getPropertiesComponent().resolveProperty("sluice.kafka.brokers").orElse("localhost:9092"));
        context.getRegistry().bind("kafkaAdmin", kafka);
        context.addService(kafka); // closes the admin client when Camel stops
        metrics.useLag(new ConsumerLag(context, kafka));
        // before any route exists: every topic a flow reads or writes, created with its settings (auto-creation is
        // often off in production, and the broker's defaults would not compact the customers topic)
        TopicCatalog topics = TopicCatalog.of(context.getPropertiesComponent());
        kafka.ensureTopics(topics.topics(), topics.create(), Duration.ofMillis(Long.parseLong(
                context.getPropertiesComponent().resolveProperty("sluice.topics.timeout-ms").orElse("30000"))));
        DeadLetters deadLetters = new DeadLetters(json, metrics);
        context.getRegistry().bind("kafkaRecords", new KafkaRecords(metrics));
        context.getRegistry().bind("deadLetters", deadLetters);
        context.getRegistry().bind("outbox", new Outbox(deadLetters, metrics));
        // the kafkaClientFactory of batch routes whose last step returns before its work is acknowledged
        // (AckedBatchSend, the search sinks): their consumers commit each batch once it is
        context.getRegistry().bind("ackedBatchConsumers", new AckedBatchConsumer.Factory());
        // the console's dead letters (routes/console-api.yaml): the catalog's dead-letter topics, replayed only to its topics
        java.util.Set<String> deadLetterTopics = new java.util.TreeSet<>();
        java.util.Set<String> all = new java.util.HashSet<>();
        for (TopicSpec t : topics.topics()) {
            all.add(t.name());
            if (t.kind() == TopicSpec.Kind.DEAD_LETTER) {
                deadLetterTopics.add(t.name());
            }
        }
        TopicTail tail = new TopicTail(kafka.brokers());
        context.getRegistry().bind("topicTail", tail);
        context.addService(tail);
        DeadLetterConsole console = new DeadLetterConsole(context,
                () -> context.getRegistry().lookupByNameAndType("dataSource", javax.sql.DataSource.class),
                tail, java.util.Collections.unmodifiableSet(deadLetterTopics), all, json);
        context.getRegistry().bind("deadLetterConsole", console);
        context.addService(console); // closes its producer when Camel stops
    }
}

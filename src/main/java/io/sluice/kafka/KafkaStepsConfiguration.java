package io.sluice.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.ops.ConsumerLag;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * The record-handling steps every Kafka flow's routes share: {@code kafkaRecords} (unwrap a record),
 * {@code deadLetters} (one letter shape for all flows) and {@code outbox} (batch outputs).
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
        DeadLetters deadLetters = new DeadLetters(json, metrics);
        context.getRegistry().bind("kafkaRecords", new KafkaRecords(metrics));
        context.getRegistry().bind("deadLetters", deadLetters);
        context.getRegistry().bind("outbox", new Outbox(deadLetters, metrics));
    }
}

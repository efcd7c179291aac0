package io.sluice.kafka;

import org.apache.camel.component.kafka.KafkaHeaderFilterStrategy;

/**
 * Which headers cross Kafka: Camel's defaults, minus Sluice's own working headers ({@code sluice*}, e.g.
 * {@code sluiceRejected}) in both directions. Out, because a header set for one record of a batch would otherwise
 * ride along on records produced from it and mean something downstream (the fault suite saw valid VIP alerts
 * dead-lettered with the reason of a malformed rating); in, so that no producer can steer a flow by setting one.
 */
public final class SluiceKafkaHeaders extends KafkaHeaderFilterStrategy {

    @Override
    protected void initialize() {
        super.initialize();
        setOutFilterStartsWith("Camel", "camel", "org.apache.camel.", "kafka.", "sluice");
        setInFilterStartsWith("Camel", "camel", "org.apache.camel.", "kafka.", "sluice");
    }
}

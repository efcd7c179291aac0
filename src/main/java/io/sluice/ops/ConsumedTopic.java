package io.sluice.ops;

/**
 * A route that reads a Kafka topic without a camel-kafka consumer (a window, run by Kafka Streams), attached to the
 * route as its route policy: its consumer group and topic, so its lag is shown like every other flow's.
 */
public interface ConsumedTopic {

    String consumerGroup();

    String consumedTopic();
}

package io.sluice.kafka;

import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.admin.NewTopic;

/**
 * A topic as Sluice would create it: name, what kind of topic it is (which defaults it takes), partitions and
 * replicas ({@code -1} = the broker's own default) and topic configs such as {@code cleanup.policy}.
 */
public record TopicSpec(String name, Kind kind, int partitions, short replicationFactor, Map<String, String> configs) {

    /** What a topic is used for: each kind has defaults of its own (sluice.topics.<kind>.*); later kinds ask more. */
    public enum Kind {
        /** inputs and outputs of the flows */
        STREAM("stream"),
        /** dead letters and late events: few, kept for people to look at */
        DEAD_LETTER("dead-letter"),
        /** state of a library Sluice runs (Debezium's offsets and schema history) with settings that library needs */
        INTERNAL("internal"),
        /** read whole, from offset 0, at every start (the customer table): compacted, the latest record per key */
        TABLE("table");

        public final String property;

        Kind(String property) {
            this.property = property;
        }
    }

    public TopicSpec {
        configs = Map.copyOf(configs);
    }

    /** A topic with the broker's defaults for everything. */
    public static TopicSpec of(String name) {
        return new TopicSpec(name, Kind.STREAM, -1, (short) -1, Map.of());
    }

    NewTopic newTopic() {
        return new NewTopic(name,
                partitions > 0 ? Optional.of(partitions) : Optional.empty(),
                replicationFactor > 0 ? Optional.of(replicationFactor) : Optional.empty())
                .configs(configs);
    }
}

package io.sluice.windows;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.DeadLetters;
import io.sluice.ops.FlowMetrics;

/**
 * Everything the two steps of one configured window share: what it computes, where its records go, how letters are
 * written, and how far its input topic goes (as {@link Windows} keeps asking Kafka).
 */
final class Window {

    private final WindowSpec spec;
    private final String topic;
    private final String outputTopic;
    private final String flow;
    private final String idField;
    private final long beatMs;
    private final long emitIntervalMs;
    private final Windows windows;
    private final String overallKey;

    Window(WindowSpec spec, String topic, String outputTopic, String flow, String idField, long beatMs, long emitIntervalMs,
           Windows windows) {
        this.spec = spec;
        this.topic = topic;
        this.outputTopic = outputTopic;
        this.flow = flow;
        this.idField = idField;
        this.beatMs = beatMs;
        this.emitIntervalMs = emitIntervalMs;
        this.windows = windows;
        try {
            this.overallKey = spec.overallKey() == null ? null : windows.json().writeValueAsString(spec.overallKey());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("window " + spec.name() + ": overall key " + spec.overallKey(), e);
        }
    }

    WindowSpec spec() {
        return spec;
    }

    EventReader reader() {
        return new EventReader(spec, windows.json(), idField);
    }

    String topic() {
        return topic;
    }

    String outputTopic() {
        return outputTopic;
    }

    String lateTopic() {
        return outputTopic + "-late";
    }

    String dlqTopic() {
        return outputTopic + "-dlq";
    }

    String flow() {
        return flow;
    }

    /** The overall key as JSON text, as records are keyed between the steps (null when there is none). */
    String overallKey() {
        return overallKey;
    }

    long beatMs() {
        return beatMs;
    }

    long emitIntervalMs() {
        return emitIntervalMs;
    }

    ObjectMapper json() {
        return windows.json();
    }

    FlowMetrics metrics() {
        return windows.metrics();
    }

    /** A dead letter (or late letter) for record {@code partition}@{@code offset} of the input topic. */
    Shuffled.Out letter(String toTopic, String reason, int partition, long offset, byte[] original) {
        try {
            return new Shuffled.Out(toTopic, windows.deadLetters().letter(flow, reason, topic, partition, offset, original));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A result's key from the group value's JSON text: the value as text ({@code "a"} → a, {@code 12} → 12). */
    String resultKey(String jsonKey) {
        if (jsonKey.length() >= 2 && jsonKey.charAt(0) == '"' && jsonKey.indexOf('\\') < 0) {
            return jsonKey.substring(1, jsonKey.length() - 1);
        }
        try {
            return windows.json().readTree(jsonKey).asText();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable group value " + jsonKey, e);
        }
    }

    /**
     * The end offset of every partition of the input topic as {@link Windows} last heard from Kafka (null: it has not
     * recently) — one map, read as it is: a second cache here would only make it staler.
     */
    Map<Integer, Long> endOffsets() {
        return windows.endOffsets(topic);
    }
}

package io.sluice.kafka;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.sluice.kafka.TopicSpec.Kind;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Every topic Sluice reads or writes, found in its properties, so that a topic added by properties (a new sink, a new
 * window) is created like the shipped ones:
 * <ul>
 *   <li>{@code sluice.<flow>.topic} and {@code sluice.<flow>.<what>-topic}: a stream, or a dead-letter topic when the
 *       key ends in {@code dlq-topic}; a table when its name is listed in {@code sluice.topics.tables};</li>
 *   <li>route-template instances ({@code camel.routeTemplate[<id>].templateId}): the parameter {@code topic} and any
 *       ending in {@code Topic}; a {@code window} also writes {@code <outputTopic>-late} and {@code <outputTopic>-dlq};</li>
 *   <li>Debezium's offset and schema-history topics, when its state is kept in Kafka (the prod profile), with the
 *       settings Debezium needs (one partition; offsets compacted, history kept for ever).</li>
 * </ul>
 * Settings, strongest first: {@code sluice.topics[<name>].*}, {@code sluice.topics.<kind>.*}, {@code sluice.topics.*}
 * — {@code partitions}, {@code replication-factor} ({@code -1} = the broker's default) and {@code config.<name>}.
 */
public final class TopicCatalog {

    static final String PREFIX = "sluice.topics";
    private static final Pattern TOPIC_KEY = Pattern.compile("sluice\\.[a-z0-9-]+\\.(?:[a-z0-9-]+-)?topic");
    private static final Pattern TEMPLATE_KEY = Pattern.compile("camel\\.routeTemplate\\[([^\\]]+)]\\.([A-Za-z0-9_-]+)");
    private static final String CDC_OFFSETS = "sluice.cdc.offset-topic";
    private static final String CDC_HISTORY = "sluice.cdc.schema-history-topic";
    /** Topics a template writes beside the ones its parameters name: suffixes of its output topic. */
    private static final Map<String, List<String>> DERIVED = Map.of("window", List.of("-late", "-dlq"));

    private final Function<String, Optional<String>> resolve;
    private final Set<String> keys;

    TopicCatalog(Function<String, Optional<String>> resolve, Set<String> keys) {
        this.resolve = resolve;
        this.keys = keys;
    }

    public static TopicCatalog of(PropertiesComponent pc) {
        Predicate<String> ours = k -> k.startsWith("sluice.") || k.startsWith("camel.routeTemplate[");
        return new TopicCatalog(pc::resolveProperty, new LinkedHashSet<>(pc.loadProperties(ours).stringPropertyNames()));
    }

    /** Whether Sluice creates missing topics at start-up ({@code sluice.topics.create}, default true). */
    public boolean create() {
        return Boolean.parseBoolean(resolve.apply(PREFIX + ".create").orElse("true"));
    }

    /** Every topic with its settings, in a stable order (by name). */
    public List<TopicSpec> topics() {
        Map<String, Kind> kinds = new TreeMap<>();
        Set<String> tables = new LinkedHashSet<>(list(PREFIX + ".tables"));
        for (String key : keys) {
            if (TOPIC_KEY.matcher(key).matches() && !key.equals(CDC_OFFSETS) && !key.equals(CDC_HISTORY)) {
                value(key).ifPresent(name -> add(kinds, name, key.endsWith("dlq-topic") ? Kind.DEAD_LETTER : Kind.STREAM));
            }
        }
        templateInstances().forEach((id, params) -> {
            String template = params.getOrDefault("templateId", "");
            params.forEach((param, value) -> {
                if (param.equals("topic") || param.endsWith("Topic")) {
                    add(kinds, value, Kind.STREAM);
                }
            });
            String output = params.get("outputTopic");
            if (output != null) {
                DERIVED.getOrDefault(template, List.of()).forEach(suffix -> add(kinds, output + suffix, Kind.DEAD_LETTER));
            }
        });
        tables.forEach(name -> add(kinds, name, Kind.TABLE));

        List<TopicSpec> specs = new ArrayList<>();
        kinds.forEach((name, kind) -> specs.add(spec(name, kind, Map.of(), -1)));
        specs.addAll(cdcTopics());
        return specs;
    }

    /** Kafka-kept Debezium state: created here with the settings Debezium checks for, before its engine starts. */
    private List<TopicSpec> cdcTopics() {
        List<TopicSpec> out = new ArrayList<>();
        short replicas = Short.parseShort(resolve.apply("sluice.cdc.offset-topic-replication-factor").orElse("-1"));
        if (resolve.apply("sluice.cdc.offset-storage").orElse("").contains("Kafka")) {
            value(CDC_OFFSETS).ifPresent(n -> out.add(spec(n, Kind.INTERNAL, Map.of("cleanup.policy", "compact"), replicas)));
        }
        if (resolve.apply("sluice.cdc.schema-history").orElse("").contains(".kafka.")) {
            value(CDC_HISTORY).ifPresent(n -> out.add(spec(n, Kind.INTERNAL,
                    Map.of("cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "-1"), replicas)));
        }
        return out;
    }

    /** A topic's settings from the properties; {@code required} configs win over them (what a library insists on). */
    private TopicSpec spec(String name, Kind kind, Map<String, String> required, int requiredReplicas) {
        String one = PREFIX + "[" + name + "]";
        String ofKind = PREFIX + "." + kind.property;
        int partitions = kind == Kind.INTERNAL ? 1 : Integer.parseInt(first(one + ".partitions", ofKind + ".partitions",
                PREFIX + ".partitions").orElse("-1"));
        short replicas = (short) (requiredReplicas > 0 ? requiredReplicas : Integer.parseInt(first(one + ".replication-factor",
                ofKind + ".replication-factor", PREFIX + ".replication-factor").orElse("-1")));
        Map<String, String> configs = new LinkedHashMap<>();
        for (String prefix : List.of(PREFIX + ".config.", ofKind + ".config.", one + ".config.")) {
            keys.stream().filter(k -> k.startsWith(prefix))
                    .forEach(k -> value(k).ifPresent(v -> configs.put(k.substring(prefix.length()), v)));
        }
        configs.putAll(required);
        return new TopicSpec(name, kind, partitions, replicas, configs);
    }

    /** A name seen twice keeps the kind that asks most of it: table over internal over dead letter over stream. */
    private static void add(Map<String, Kind> kinds, String name, Kind kind) {
        if (!name.isBlank()) {
            kinds.merge(name.trim(), kind, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }
    }

    /** Parameters of each route-template instance given by properties, by instance id (values resolved). */
    private Map<String, Map<String, String>> templateInstances() {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (String key : keys) {
            Matcher m = TEMPLATE_KEY.matcher(key);
            if (m.matches()) {
                value(key).ifPresent(v -> out.computeIfAbsent(m.group(1), id -> new HashMap<>()).put(m.group(2), v));
            }
        }
        return out;
    }

    private Optional<String> first(String... keys) {
        return Arrays.stream(keys).map(this::value).flatMap(Optional::stream).findFirst();
    }

    private Optional<String> value(String key) {
        return resolve.apply(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    private Collection<String> list(String key) {
        return value(key).map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }
}

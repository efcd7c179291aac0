package io.sluice.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure topics exist before anything reads or writes them: creates the missing ones with their settings, leaves
 * existing ones as they are and says once which of their settings differ. Many production clusters turn
 * {@code auto.create.topics.enable} off (and the embedded broker does too), so a topic nobody created would stall its
 * flow; where it is on, the broker's defaults would give a table topic {@code cleanup.policy=delete}.
 *
 * <p>Static and small so any part of Sluice can call it with its own topics, e.g. a window engine:
 * {@code KafkaTopics.ensure(admin, List.of(spec), Duration.ofSeconds(30))}.
 */
public final class KafkaTopics {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);
    private static final long CALL_MS = 5000;

    private KafkaTopics() {
    }

    /** What {@link #ensure} found and did, per topic name. */
    public record Outcome(List<String> created, List<String> existing, Map<String, String> differing,
                          Map<String, String> unchecked, Map<String, String> failed, boolean kafkaAnswered) {
    }

    /**
     * Creates every topic of {@code topics} that does not exist (when {@code create}), compares the others with their
     * spec and logs: one INFO line of what was done; one WARN per existing topic whose settings differ, and per topic
     * it could not check; one ERROR per topic that could not be created (naming the ACL when permission was missing).
     * Never throws: a topic it could not make is left to its flow, which then waits for it. Waits at most
     * {@code timeout} for Kafka to answer.
     */
    public static Outcome ensure(Admin admin, Collection<TopicSpec> topics, boolean create, Duration timeout) {
        Map<String, TopicSpec> wanted = new LinkedHashMap<>();
        topics.forEach(t -> wanted.putIfAbsent(t.name(), t));
        List<String> created = new ArrayList<>();
        List<String> existing = new ArrayList<>();
        Map<String, String> differing = new LinkedHashMap<>();
        Map<String, String> unchecked = new LinkedHashMap<>();
        Map<String, String> failed = new LinkedHashMap<>();
        if (wanted.isEmpty()) {
            return new Outcome(created, existing, differing, unchecked, failed, true);
        }
        Set<String> names = listTopics(admin, timeout);
        if (names == null) {
            LOG.warn("Kafka did not answer within {} ms: {} topics not checked or created; a flow whose topic is missing"
                    + " waits for it", timeout.toMillis(), wanted.size());
            return new Outcome(created, existing, differing, unchecked, failed, false);
        }
        List<TopicSpec> missing = wanted.values().stream().filter(t -> !names.contains(t.name())).toList();
        wanted.keySet().stream().filter(names::contains).forEach(existing::add);
        if (create && !missing.isEmpty()) {
            Map<String, KafkaFuture<Void>> results = admin.createTopics(missing.stream().map(TopicSpec::newTopic).toList())
                    .values();
            for (TopicSpec t : missing) {
                try {
                    results.get(t.name()).get(CALL_MS, TimeUnit.MILLISECONDS);
                    created.add(t.name());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TopicExistsException) {
                        existing.add(t.name()); // another instance created it a moment ago
                    } else {
                        failed.put(t.name(), createFailure(t.name(), e.getCause()));
                    }
                } catch (TimeoutException e) {
                    failed.put(t.name(), "Kafka did not confirm creating topic '" + t.name() + "' within " + CALL_MS + " ms");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new Outcome(created, existing, differing, unchecked, failed, true);
                }
            }
        } else if (!missing.isEmpty()) {
            missing.forEach(t -> failed.put(t.name(), "Kafka topic '" + t.name() + "' does not exist and"
                    + " sluice.topics.create is false: create it, or its flow waits for it"));
        }
        awaitLeaders(admin, created);
        compare(admin, existing.stream().map(wanted::get).toList(), differing, unchecked);

        LOG.info("Kafka topics: {} wanted, {} created{}, {} already there", wanted.size(), created.size(),
                created.isEmpty() ? "" : " " + created, existing.size());
        differing.values().forEach(LOG::warn);
        unchecked.values().forEach(LOG::warn);
        failed.values().forEach(LOG::error);
        return new Outcome(created, existing, differing, unchecked, failed, true);
    }

    /** The topic names this principal may see, or null when Kafka did not answer in time. */
    private static Set<String> listTopics(Admin admin, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return admin.listTopics().names().get(CALL_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException | TimeoutException e) {
                if (System.nanoTime() >= deadline) {
                    return null;
                }
                LOG.debug("Kafka not answering yet: {}", e.toString());
            }
        }
    }

    /**
     * A topic just created answers NOT_LEADER_OR_FOLLOWER until its partitions have leaders; a flow's first records
     * would then be retried (and with several requests in flight could loop, KAFKA-14359). Waits a few seconds at most.
     */
    private static void awaitLeaders(Admin admin, List<String> topics) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CALL_MS);
        while (!topics.isEmpty() && System.nanoTime() < deadline) {
            try {
                boolean led = admin.describeTopics(topics).allTopicNames().get(CALL_MS, TimeUnit.MILLISECONDS).values().stream()
                        .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (led) {
                    return;
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                return; // the flows' own retries cover the rest
            }
        }
    }

    /** A line that says which ACL is missing, or what else went wrong. */
    static String createFailure(String topic, Throwable cause) {
        if (cause instanceof AuthorizationException) {
            return "Sluice may not create Kafka topic '" + topic + "' (" + cause.getMessage() + "): create it beforehand,"
                    + " or grant Sluice's principal the ACL CREATE on Topic:" + topic + " (or on the Cluster); its flow"
                    + " waits for it";
        }
        return "Could not create Kafka topic '" + topic + "': " + cause.getMessage() + "; its flow waits for it";
    }

    /** Existing topics against their specs: what differs goes to {@code differing}, one line per topic. */
    private static void compare(Admin admin, List<TopicSpec> topics, Map<String, String> differing,
                                Map<String, String> unchecked) {
        if (topics.isEmpty()) {
            return;
        }
        Map<String, KafkaFuture<TopicDescription>> descriptions = admin.describeTopics(
                topics.stream().map(TopicSpec::name).toList()).topicNameValues();
        List<ConfigResource> withConfigs = topics.stream().filter(t -> !t.configs().isEmpty())
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name())).toList();
        Map<ConfigResource, KafkaFuture<Config>> configs = withConfigs.isEmpty() ? Map.of()
                : admin.describeConfigs(withConfigs).values();
        for (TopicSpec t : topics) {
            List<String> diffs = new ArrayList<>();
            try {
                TopicDescription d = descriptions.get(t.name()).get(CALL_MS, TimeUnit.MILLISECONDS);
                if (t.partitions() > 0 && d.partitions().size() != t.partitions()) {
                    diffs.add("partitions " + d.partitions().size() + " (configured " + t.partitions() + ")");
                }
                int replicas = d.partitions().isEmpty() ? 0 : d.partitions().get(0).replicas().size();
                if (t.replicationFactor() > 0 && replicas != t.replicationFactor()) {
                    diffs.add("replication factor " + replicas + " (configured " + t.replicationFactor() + ")");
                }
                KafkaFuture<Config> config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name()));
                if (config != null) {
                    Config c = config.get(CALL_MS, TimeUnit.MILLISECONDS);
                    t.configs().forEach((key, value) -> {
                        ConfigEntry e = c.get(key);
                        String actual = e == null ? null : e.value();
                        if (!value.equals(actual)) {
                            diffs.add(key + "=" + actual + " (configured " + value + ")");
                        }
                    });
                }
            } catch (ExecutionException e) {
                unchecked.put(t.name(), e.getCause() instanceof AuthorizationException
                        ? "Sluice may not read the settings of Kafka topic '" + t.name() + "' (" + e.getCause().getMessage()
                                + "): grant Sluice's principal the ACLs DESCRIBE and DESCRIBE_CONFIGS on Topic:" + t.name()
                                + " to have them checked"
                        : "Could not read the settings of Kafka topic '" + t.name() + "': " + e.getCause().getMessage());
                continue;
            } catch (TimeoutException e) {
                unchecked.put(t.name(), "Kafka did not describe topic '" + t.name() + "' within " + CALL_MS + " ms");
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (!diffs.isEmpty()) {
                differing.put(t.name(), "Kafka topic '" + t.name() + "' exists with " + String.join(", ", diffs)
                        + ": left as it is (change it with kafka-topics.sh / kafka-configs.sh, or set"
                        + " sluice.topics.* to what it has)");
            }
        }
    }
}

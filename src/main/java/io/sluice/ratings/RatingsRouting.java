package io.sluice.ratings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.customers.Customer;
import io.sluice.customers.CustomerTable;
import io.sluice.kafka.DeadLetters;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Predicate;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The ratings flow's routing table and the step that applies it to a whole Kafka batch. Declared as a bean in
 * routes/ratings-enrichment.yaml, so its rules and topics are edited there (and an edited file takes effect while
 * Sluice runs). Every record ends in exactly one of: the dead-letter topic (not a valid rating), the test topic
 * ({@link #setTest rule}), the unmatched topic (user_id not a customer), the enriched topic (+ the VIP topic when
 * the {@link #setUnhappyVip rule} holds).
 * <p>
 * Rules are Simple predicates over the rating's fields, which they see as variables ({@code ${variable.stars}}; after
 * the join also {@code ${variable.club_status}}, …). Variables rather than {@code ${body[stars]}}: Simple reads a map
 * body through its OGNL bean machinery, ~0.7 µs per field, while a variable is a plain lookup (~0.05 µs).
 * <p>
 * Why one Java step per batch and not a Camel choice per record: the flow is Sluice's hot path. Split into one
 * exchange per record, with a bean call per step, it ran at 40 000 ratings/s against 199 000 for the same work in a
 * plain kafka-clients loop (issue 8 benchmark); here the per-record work is the loop's, plus the two predicates.
 */
public final class RatingsRouting implements CamelContextAware {

    /** How a rule names a field: {@code ${variable.stars}}, {@code ${variables.stars}}, {@code ${variableAs('stars', …)}}. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{variable(?:s?\\.|As\\(\\s*'?)(\\w+)");
    private final Map<String, Rule> compiled = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private CamelContext context;
    private String deadLetterTopic;
    private String test = "false";
    private String testTopic;
    private String unmatchedTopic;
    private String enrichedTopic;
    private String unhappyVip = "false";
    private String vipTopic;
    private List<String> vipFields = List.of();
    private String keyField = "rating_id";

    /**
     * Route step on a batch (body: the consumer's list of record exchanges): the body becomes every output record,
     * each a Kafka record with its topic and key, ready for one Kafka producer call.
     */
    public void route(Exchange batch) throws JsonProcessingException {
        List<?> records = batch.getMessage().getBody(List.class);
        String flow = batch.getFromRouteId();
        RatingValidator validator = context.getRegistry().lookupByNameAndType("ratingValidator", RatingValidator.class);
        CustomerTable customers = context.getRegistry().lookupByNameAndType("customerTable", CustomerTable.class);
        DeadLetters deadLetters = context.getRegistry().lookupByNameAndType("deadLetters", DeadLetters.class);
        Rule isTest = compiled(test);
        Rule isUnhappyVip = compiled(unhappyVip);
        // each rule's view of one rating: its fields as variables (one view per rule, so a view only ever holds that
        // rule's fields and each is overwritten or removed per rating: no clearing of the map)
        Exchange testView = new DefaultExchange(context);
        Exchange vipView = new DefaultExchange(context);
        Outputs out = new Outputs(records.size());
        for (Object item : records) {
            // Kafka's headers are read only for a dead letter: a Camel header lookup is a case-insensitive tree
            // search, 10% of the flow's time when done for every record (issue 8 profile)
            Message in = ((Exchange) item).getMessage();
            byte[] value = in.getBody(byte[].class);
            switch (validator.validate(value)) {
                case RatingValidator.Rejected r -> {
                    Object key = in.getHeader(KafkaConstants.KEY);
                    out.add(deadLetterTopic, key == null ? null : key.toString(), deadLetters.letter(flow, r.reason(), in, value));
                }
                case RatingValidator.Valid v -> {
                    Map<String, Object> rating = v.rating();
                    String key = String.valueOf(rating.get(keyField));
                    if (isTest.matches(testView, rating)) {
                        out.add(testTopic, key, JSON.writeValueAsBytes(rating));
                        continue;
                    }
                    Customer c = rating.get("user_id") instanceof Number n ? customers.get(n.intValue()) : null;
                    if (c == null) {
                        out.add(unmatchedTopic, key, JSON.writeValueAsBytes(rating));
                        continue;
                    }
                    c.addTo(rating);
                    out.add(enrichedTopic, key, JSON.writeValueAsBytes(rating));
                    if (isUnhappyVip.matches(vipView, rating)) {
                        out.add(vipTopic, key, JSON.writeValueAsBytes(project(rating)));
                    }
                }
            }
        }
        FlowMetrics metrics = FlowMetrics.of(context);
        if (!records.isEmpty()) {
            metrics.in(flow, ((Exchange) records.get(0)).getMessage().getHeader(KafkaConstants.TOPIC), records.size());
        }
        out.counts.forEach((topic, n) -> metrics.out(flow, topic, n));
        batch.getMessage().setBody(out.records);
    }

    private Map<String, Object> project(Map<String, Object> enriched) {
        Map<String, Object> projected = new LinkedHashMap<>();
        for (String f : vipFields) {
            projected.put(f, enriched.get(f));
        }
        return projected;
    }

    /** Each rule text is compiled once, for this bean's Camel context (an edited file makes a new bean). */
    private Rule compiled(String rule) {
        return compiled.computeIfAbsent(rule, r -> {
            Predicate p = context.resolveLanguage("simple").createPredicate(r);
            p.init(context);
            Set<String> fields = new LinkedHashSet<>();
            VARIABLE.matcher(r).results().forEach(m -> fields.add(m.group(1)));
            return new Rule(p, List.copyOf(fields), readsOnlyVariables(r) ? new ConcurrentHashMap<>() : null);
        });
    }

    /**
     * Whether a rule is a function of the variables it names and nothing else: no other Simple function
     * ({@code ${body}}, {@code ${header.x}}, {@code ${date:now}}, {@code ${random(…)}}, {@code ${bean:…}}, …) is left once
     * its variables are taken out. Only such a rule's answers are remembered.
     */
    static boolean readsOnlyVariables(String rule) {
        String rest = VARIABLE.matcher(rule).replaceAll("");
        return !rest.contains("${") && !rest.contains("$simple{");
    }

    /**
     * A compiled rule and the fields it reads. Only those are copied into variables for each rating: copying every
     * field was 7% of the flow's time (issue 8 profile).
     * <p>
     * A rule that reads only its variables gives the same answer for the same values, and the values a rule names
     * are few (channels, star counts, club statuses), so its answer is remembered per combination of values: the
     * Simple evaluation was ~11% of the consumer thread's samples, a lookup is a hash of one or two short values
     * (issue 21 JFR). Only scalar values (text, numbers, booleans, none) are remembered, up to {@link #MEMO_LIMIT}
     * combinations; past that, or for any other value, the rule is evaluated as before.
     */
    private record Rule(Predicate predicate, List<String> fields, Map<Object, Boolean> memo) {

        static final int MEMO_LIMIT = 4096;
        /** Stands for "no value" in a memo key (ConcurrentHashMap holds no null keys). */
        static final Object NONE = new Object();

        boolean matches(Exchange view, Map<String, Object> rating) {
            Object key = memo == null ? null : memoKey(rating);
            if (key != null) {
                Boolean known = memo.get(key);
                if (known != null) {
                    return known;
                }
            }
            boolean result = evaluate(view, rating);
            if (key != null && memo.size() < MEMO_LIMIT) {
                memo.putIfAbsent(key, result);
            }
            return result;
        }

        /** The rule's values for this rating as one key, or null when one of them is not a scalar. */
        private Object memoKey(Map<String, Object> rating) {
            if (fields.size() == 1) {
                Object v = rating.get(fields.get(0));
                return v == null ? NONE : scalar(v) ? v : null;
            }
            Object[] values = new Object[fields.size()];
            for (int i = 0; i < values.length; i++) {
                Object v = rating.get(fields.get(i));
                if (v != null && !scalar(v)) {
                    return null;
                }
                values[i] = v;
            }
            return java.util.Arrays.asList(values);
        }

        private static boolean scalar(Object v) {
            return v instanceof String || v instanceof Number || v instanceof Boolean;
        }

        /**
         * {@code view} is this rule's own (it holds no other rule's fields), so each field is set or removed and the
         * variables are not cleared first: clearing and refilling them was a third of the rules' time (issue 21 JFR).
         */
        private boolean evaluate(Exchange view, Map<String, Object> rating) {
            Map<String, Object> variables = view.getVariables();
            for (String f : fields) {
                Object v = rating.get(f);
                if (v != null) {
                    variables.put(f, v);
                } else { // variables cannot hold null; a missing one reads as null anyway
                    variables.remove(f);
                }
            }
            view.getMessage().setBody(rating); // ${body[stars]} works too, only slower
            return predicate.matches(view);
        }
    }

    /**
     * The batch's output records, in input order, and how many went to each topic (for the metrics). Kafka records,
     * not Camel messages with topic and key headers: the send step hands them to the client as they are (see
     * {@link io.sluice.kafka.AckedBatchSend}).
     */
    private static final class Outputs {
        final List<ProducerRecord<String, byte[]>> records;
        final Map<String, Integer> counts = new LinkedHashMap<>();

        Outputs(int inputs) {
            records = new ArrayList<>(inputs + inputs / 8);
        }

        void add(String topic, String key, byte[] value) {
            records.add(new ProducerRecord<>(topic, key, value));
            counts.merge(topic, 1, Integer::sum);
        }
    }

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    /** Where a record that is not a valid rating goes, with the reason (see {@link DeadLetters}). */
    public void setDeadLetterTopic(String topic) {
        this.deadLetterTopic = topic;
    }

    /** Rule: a test rating — goes to the test topic only, neither joined nor alerted. */
    public void setTest(String rule) {
        this.test = rule;
    }

    public void setTestTopic(String topic) {
        this.testTopic = topic;
    }

    /** Where a live rating whose user_id is not a known customer goes. */
    public void setUnmatchedTopic(String topic) {
        this.unmatchedTopic = topic;
    }

    /** Where a live rating of a known customer goes, with the customer's fields added. */
    public void setEnrichedTopic(String topic) {
        this.enrichedTopic = topic;
    }

    /** Rule: an unhappy VIP — an enriched rating that also goes to the VIP topic (and so to Slack). */
    public void setUnhappyVip(String rule) {
        this.unhappyVip = rule;
    }

    public void setVipTopic(String topic) {
        this.vipTopic = topic;
    }

    /** The fields the VIP topic carries (comma-separated), in that order. */
    public void setVipFields(String fields) {
        this.vipFields = java.util.Arrays.stream(fields.split(",")).map(String::trim).filter(f -> !f.isEmpty()).toList();
    }

    /** The field every output is keyed by. */
    public void setKeyField(String field) {
        this.keyField = field;
    }
}

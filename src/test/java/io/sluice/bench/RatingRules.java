package io.sluice.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.customers.Customer;
import io.sluice.ratings.RatingValidator;

/**
 * The ratings flow's rules written as plain Java, for the raw-client contender and the ground truth. Same
 * validator as Sluice; the routing mirrors routes/ratings-enrichment.yaml with the default properties
 * (test marker "test", unhappy = stars &lt; 3 from a platinum customer, the VIP topic's fields).
 */
final class RatingRules {

    enum Output { ENRICHED, TEST, UNMATCHED, DLQ, UNHAPPY }

    interface Emitter {
        void emit(Output output, String key, byte[] value);
    }

    static final List<String> VIP_FIELDS = List.of("full_name", "club_status", "email", "stars", "message", "rating_id", "rating_time");
    static final int MAX_BYTES = 65536;

    private final ObjectMapper json;
    private final RatingValidator validator;
    private final Map<Integer, Customer> customers;

    RatingRules(ObjectMapper json, Map<Integer, Customer> customers) {
        this.json = json;
        this.validator = new RatingValidator(json, MAX_BYTES);
        this.customers = customers;
    }

    void route(String key, byte[] value, String source, Emitter out) throws JsonProcessingException {
        switch (validator.validate(value)) {
            case RatingValidator.Rejected r -> out.emit(Output.DLQ, key, deadLetter(r.reason(), source, value));
            case RatingValidator.Valid v -> routeValid(v.rating(), out);
        }
    }

    private void routeValid(Map<String, Object> rating, Emitter out) throws JsonProcessingException {
        String id = String.valueOf(rating.get("rating_id"));
        Object channel = rating.get("channel");
        if (channel != null && channel.toString().toLowerCase(Locale.ROOT).contains("test")) {
            out.emit(Output.TEST, id, json.writeValueAsBytes(rating));
            return;
        }
        Customer c = rating.get("user_id") instanceof Number n ? customers.get(n.intValue()) : null;
        if (c == null) {
            out.emit(Output.UNMATCHED, id, json.writeValueAsBytes(rating));
            return;
        }
        c.addTo(rating);
        out.emit(Output.ENRICHED, id, json.writeValueAsBytes(rating));
        if (isUnhappyVip(rating)) {
            out.emit(Output.UNHAPPY, id, json.writeValueAsBytes(vipFields(rating)));
        }
    }

    static boolean isUnhappyVip(Map<String, Object> enriched) {
        return enriched.get("stars") instanceof Number s && s.intValue() < 3 && "platinum".equals(enriched.get("club_status"));
    }

    static Map<String, Object> vipFields(Map<String, Object> enriched) {
        Map<String, Object> projected = new LinkedHashMap<>();
        for (String f : VIP_FIELDS) {
            projected.put(f, enriched.get(f));
        }
        return projected;
    }

    byte[] deadLetter(String reason, String source, byte[] value) throws JsonProcessingException {
        Map<String, Object> letter = new LinkedHashMap<>();
        letter.put("reason", reason);
        letter.put("source", source);
        letter.put("payload", value == null ? null : new String(value, java.nio.charset.StandardCharsets.UTF_8));
        return json.writeValueAsBytes(letter);
    }

    RatingValidator validator() {
        return validator;
    }
}

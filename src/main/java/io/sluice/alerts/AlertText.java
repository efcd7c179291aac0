package io.sluice.alerts;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.DeadLetters;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The text of a VIP alert: the template ({@code sluice.slack.template}) with {@code {field}} replaced by the
 * unhappy-VIP event's fields. Every value is escaped for Slack mrkdwn ({@code & < >}), so a review containing
 * {@code <!channel>}, {@code <@U123>} or {@code <http://x|click>} shows as that text and cannot ping anyone
 * or make a link. A value on a quoted line ({@code > {message}}) stays quoted over all its lines.
 */
public final class AlertText {

    /** Header: "webhook" (incoming webhook, body = JSON) or "token" (Web API via camel-slack, body = text). */
    public static final String MODE = "sluiceSlackMode";
    /** Header: the event's rating_id, the alert's identity in the ledger. */
    public static final String RATING_ID = "sluiceRatingId";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");
    private final ObjectMapper json;
    private final String template;
    private final boolean token;
    private final String webhookUrl;

    /** @param webhookUrl the incoming webhook (a secret: set per message, never in an endpoint URI or the log) */
    public AlertText(ObjectMapper json, String template, boolean token, String webhookUrl) {
        this.json = json;
        this.template = template;
        this.token = token;
        this.webhookUrl = webhookUrl;
    }

    /** Body: the event's bytes → a Map; or the reason it cannot be an alert in the {@link DeadLetters#REASON} header. */
    public void parse(Exchange exchange) {
        Message m = exchange.getMessage();
        byte[] value = m.getBody(byte[].class);
        Map<String, Object> event;
        try {
            event = value == null ? null : json.readValue(value, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            m.setHeader(DeadLetters.REASON, "not a JSON object: " + e.getOriginalMessage());
            return;
        } catch (IOException e) {
            m.setHeader(DeadLetters.REASON, "not a JSON object: " + e.getMessage());
            return;
        }
        if (event == null) {
            m.setHeader(DeadLetters.REASON, "an empty record (tombstone) is not an alert");
        } else if (event.get("rating_id") == null || event.get("rating_id") instanceof Map
                || event.get("rating_id") instanceof Iterable) {
            m.setHeader(DeadLetters.REASON, "rating_id is missing: an alert needs it to be sent only once");
        } else {
            m.setBody(event);
            m.setHeader(RATING_ID, event.get("rating_id").toString());
        }
    }

    /** Body: the event (a Map) → what the Slack endpoint takes; the {@link #MODE} header says which endpoint. */
    public void render(Exchange exchange) throws IOException {
        Message m = exchange.getMessage();
        String text = render(template, m.getBody(Map.class));
        m.setHeader(MODE, token ? "token" : "webhook");
        if (token) {
            m.setBody(text);
        } else {
            m.setHeader(Exchange.HTTP_URI, webhookUrl);
            m.setHeader(Exchange.CONTENT_TYPE, "application/json");
            m.setBody(json.writeValueAsString(Map.of("text", text)));
        }
    }

    static String render(String template, Map<?, ?> fields) {
        StringBuilder out = new StringBuilder();
        Matcher matcher = PLACEHOLDER.matcher(template);
        int last = 0;
        while (matcher.find()) {
            out.append(template, last, matcher.start());
            Object value = fields.get(matcher.group(1));
            String escaped = escape(value == null ? "" : value.toString());
            int lineStart = template.lastIndexOf('\n', matcher.start()) + 1;
            if (template.startsWith(">", lineStart)) {
                escaped = escaped.replace("\n", "\n> ");
            }
            out.append(escaped);
            last = matcher.end();
        }
        return out.append(template.substring(last)).toString();
    }

    /** Slack's three control characters in mrkdwn, as Slack documents them. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

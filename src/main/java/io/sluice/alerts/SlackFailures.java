package io.sluice.alerts;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Map;

import com.slack.api.methods.SlackApiException;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * What a failed Slack call means (route step in a doCatch of routes/vip-alerts.yaml): it throws
 * {@link SlackRateLimitedException} on 429 (retried after {@code Retry-After}, told to the error handler through
 * the {@code CamelRedeliveryDelay} header, for as long as Slack asks), {@link SlackUnavailableException} when
 * trying again a few times can help — 5xx, no connection — and
 * {@link SlackRejectedException} when it cannot (400 invalid_payload, 403, 404 no_service, ...). The messages
 * never include the webhook URL (it is a secret) — they end up in the log and the dead-letter topic.
 */
public final class SlackFailures {

    private final AlertLedger ledger;
    private final long maxRetryAfterMs;

    public SlackFailures(AlertLedger ledger, long maxRetryAfterMs) {
        this.ledger = ledger;
        this.maxRetryAfterMs = maxRetryAfterMs;
    }

    public void rethrow(Exchange exchange) throws SQLException {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        exchange.getMessage().removeHeader(Exchange.REDELIVERY_DELAY);
        int status = 0;
        String retryAfter = null;
        String detail;
        if (caught instanceof HttpOperationFailedException http) {
            status = http.getStatusCode();
            retryAfter = header(http.getResponseHeaders(), "Retry-After");
            detail = trim(http.getResponseBody());
        } else if (slackApi(caught) instanceof SlackApiException api) {
            status = api.getResponse().code();
            retryAfter = api.getResponse().header("Retry-After");
            detail = api.getError() == null ? trim(api.getResponseBody()) : api.getError().getError();
        } else if (caught instanceof IOException || (caught != null && caught.getCause() instanceof IOException)) {
            ledger.pending(exchange);
            throw new SlackUnavailableException("Slack could not be reached: " + caught.getClass().getSimpleName());
        } else {
            // e.g. camel-slack's "ok=false" answer from the Web API: channel_not_found, invalid_auth, ...
            throw new SlackRejectedException("Slack refused the alert: " + (caught == null ? "unknown" : trim(caught.getMessage())));
        }
        if (status == 429) {
            ledger.pending(exchange);
            // a missing Retry-After is waited like the first back-off step would, within max-retry-after-ms
            exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, retryAfterMs(retryAfter == null ? "1" : retryAfter));
            throw new SlackRateLimitedException("Slack answered HTTP 429 (rate limited, Retry-After " + retryAfter + " s): " + detail);
        }
        if (status >= 500) {
            ledger.pending(exchange);
            throw new SlackUnavailableException("Slack answered HTTP " + status + ": " + detail);
        }
        throw new SlackRejectedException("Slack refused the alert with HTTP " + status + ": " + detail);
    }

    /** The Web API's HTTP failure, thrown by camel-slack as it is or wrapped once. */
    private static SlackApiException slackApi(Throwable caught) {
        if (caught instanceof SlackApiException api) {
            return api;
        }
        return caught != null && caught.getCause() instanceof SlackApiException api ? api : null;
    }

    long retryAfterMs(String retryAfter) {
        try {
            return Math.min(maxRetryAfterMs, Math.max(0, Long.parseLong(retryAfter.trim()) * 1000));
        } catch (NumberFormatException e) {
            return Math.min(maxRetryAfterMs, 1000); // an HTTP date or garbage: a second, then see
        }
    }

    private static String header(Map<String, String> headers, String name) {
        if (headers == null) {
            return null;
        }
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    private static String trim(String text) {
        if (text == null) {
            return "";
        }
        // the URL of a webhook is its secret: never repeat it
        String safe = text.replaceAll("https?://\\S+", "<url>");
        return safe.length() > 300 ? safe.substring(0, 300) + "..." : safe;
    }
}

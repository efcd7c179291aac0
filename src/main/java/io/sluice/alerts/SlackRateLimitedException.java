package io.sluice.alerts;

/**
 * Slack answered 429: not a failure but Slack saying when to come back. Retried after each {@code Retry-After}
 * for as long as Slack keeps asking — never dead-lettered for it, unlike {@link SlackUnavailableException}.
 */
public final class SlackRateLimitedException extends RuntimeException {

    public SlackRateLimitedException(String message) {
        super(message, null, false, false);
    }
}

package io.sluice.alerts;

/** Slack will never take this alert as it is (bad payload, unknown channel, revoked webhook): dead-lettered at once. */
public final class SlackRejectedException extends RuntimeException {

    public SlackRejectedException(String message) {
        super(message, null, false, false);
    }
}

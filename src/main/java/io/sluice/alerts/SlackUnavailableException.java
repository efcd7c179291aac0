package io.sluice.alerts;

/** Slack could not take the alert now (429, 5xx, no connection): retried with back-off, then dead-lettered. */
public final class SlackUnavailableException extends RuntimeException {

    public SlackUnavailableException(String message) {
        super(message, null, false, false);
    }
}

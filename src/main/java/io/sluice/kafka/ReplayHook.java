package io.sluice.kafka;

/**
 * What a flow must do before one of its dead letters goes back to its source topic (bound in Camel's registry; the
 * console finds every one). The alerts flow reopens the alert in its ledger, or the replayed alert would be skipped
 * as already handled.
 */
public interface ReplayHook {

    boolean appliesTo(String deadLetterTopic);

    /** Null to go on; else why this letter may not be replayed now (the claim is withdrawn, nothing is published). */
    String beforeReplay(DeadLetter letter) throws Exception;

    /** Kafka did not take the replay that {@link #beforeReplay} let go: undo what it did, so the letter can be replayed again. */
    default void replayFailed(DeadLetter letter) throws Exception {
    }
}

package io.sluice.kafka;

/**
 * What the last steps of an {@link AckedBatchConsumer}'s route share ({@link AckedBatchSend}, {@link AckedBatchCall}):
 * the endpoint a batch's remaining work goes to, how many batches may be in flight, and the back-off between
 * attempts of a batch that failed (set from the route file's bean properties).
 */
public abstract class AckedBatchStep {

    private String uri;
    private long redeliveryDelay = 500;
    private long maximumRedeliveryDelay = 10_000;
    private int batchesInFlight;

    protected AckedBatchStep(int batchesInFlight) {
        this.batchesInFlight = batchesInFlight;
    }

    /** The endpoint the batch's remaining work goes to, its options included. */
    public void setUri(String uri) {
        this.uri = uri;
    }

    /** Batches of one consumer handed over and not yet committed, at most (the next waits for the oldest). */
    public void setBatchesInFlight(int batches) {
        if (batches < 1) {
            throw new IllegalArgumentException("batchesInFlight must be at least 1, not " + batches);
        }
        this.batchesInFlight = batches;
    }

    public void setRedeliveryDelay(long ms) {
        this.redeliveryDelay = ms;
    }

    public void setMaximumRedeliveryDelay(long ms) {
        this.maximumRedeliveryDelay = ms;
    }

    protected final String uri() {
        return uri;
    }

    protected final int batchesInFlight() {
        return batchesInFlight;
    }

    protected final long redeliveryDelay() {
        return redeliveryDelay;
    }

    protected final long maximumRedeliveryDelay() {
        return maximumRedeliveryDelay;
    }
}

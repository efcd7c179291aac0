package io.sluice;

/** Test access to how Sluice words a start-up failure. */
public final class SluiceFailures {

    private SluiceFailures() {
    }

    public static String explain(Throwable failure) {
        return Sluice.explain(failure);
    }
}

package io.sluice.cluster;

/**
 * Whether this instance leads something (the CDC stream): what health, metrics and the customer table's readiness
 * gate ask, without holding a reference to the cluster view (which would keep it running).
 */
public interface Leadership {

    /** True while this instance leads. */
    boolean isLeader();

    /** True once it is known whether this instance leads (the first attempt was answered). */
    boolean isDecided();

    /** Nothing to elect: this instance always leads (a single instance, or election turned off). */
    static Leadership always() {
        return fixed(true);
    }

    /** This instance never leads (it may not run the thing at all). */
    static Leadership never() {
        return fixed(false);
    }

    private static Leadership fixed(boolean leads) {
        return new Leadership() {
            @Override
            public boolean isLeader() {
                return leads;
            }

            @Override
            public boolean isDecided() {
                return true;
            }
        };
    }
}

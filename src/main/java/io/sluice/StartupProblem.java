package io.sluice;

/** A start-up failure the user can fix from its message alone (a taken port, a missing part): shown as one line. */
public class StartupProblem extends RuntimeException {

    public StartupProblem(String message) {
        super(message);
    }
}

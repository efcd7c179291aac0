package io.sluice.devstack;

import io.sluice.StartupProblem;

/** A port the dev stack needs is taken; the message names the property that moves it. */
public class PortInUseException extends StartupProblem {

    public PortInUseException(String service, int port, String property) {
        super("Port " + port + " for the embedded " + service + " is already in use: stop what holds it or set "
                + property + " to a free port");
    }
}

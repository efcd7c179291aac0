package io.sluice.devstack;

/** A port the dev stack needs is taken; the message names the property that moves it. */
public class PortInUseException extends RuntimeException {

    public PortInUseException(String service, int port, String property) {
        super("Port " + port + " for the embedded " + service + " is already in use: stop what holds it or set "
                + property + " to a free port");
    }
}

package io.sluice.devstack;

import java.net.InetAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PortsTest {

    @Test
    void takenPortNamesThePropertyToChange() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> Ports.requireFree("Kafka broker", taken.getLocalPort(), "sluice.devstack.kafka.port"))
                    .isInstanceOf(PortInUseException.class)
                    .hasMessage("Port " + taken.getLocalPort() + " for the embedded Kafka broker is already in use: "
                            + "stop what holds it or set sluice.devstack.kafka.port to a free port");
        }
    }

    @Test
    void freePortPasses() {
        int port = Ports.free();
        assertThatCode(() -> Ports.requireFree("Kafka broker", port, "sluice.devstack.kafka.port")).doesNotThrowAnyException();
    }
}

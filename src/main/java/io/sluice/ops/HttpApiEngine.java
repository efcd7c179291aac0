package io.sluice.ops;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * The platform-http engine for the HTTP API, told which server it serves. Camel's engine finds "the" HTTP
 * server by type; with the management server on a second port there are two, and it falls back to port 8080,
 * so the API only worked when it happened to listen there. Bound as {@code platform-http-engine}.
 */
public class HttpApiEngine extends VertxPlatformHttpEngine {

    private int port;

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    @Override
    public int getServerPort() {
        return port;
    }
}

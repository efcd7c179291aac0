package io.sluice.ops;

import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * The platform-http engine for the HTTP API, told which server it serves. Camel's engine finds "the" HTTP
 * server by type; with the management server on a second port there are two, and it falls back to port 8080,
 * so the API only worked when it happened to listen there. Bound as {@code platform-http-engine}.
 *
 * <p>It also gives the API's paths ({@code apiPaths}, those Camel's server authenticates) a JSON answer for a
 * failed authentication, once, on the server's router, before the first route is added; and the operator console's
 * pages ({@link ConsoleStatic}).
 */
public class HttpApiEngine extends VertxPlatformHttpEngine {

    private int port;
    private String apiPaths = "/api/*";
    private String usersFile;
    private String realm = "sluice";
    private UserRoles roles;
    private final AtomicBoolean errorsInstalled = new AtomicBoolean();

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public void setApiPaths(String apiPaths) {
        this.apiPaths = apiPaths;
    }

    /** The console's pages are served, behind this users file and realm, once there is one (camel.server.enabled). */
    void setConsole(String usersFile, String realm, UserRoles roles) {
        this.usersFile = usersFile;
        this.realm = realm;
        this.roles = roles;
    }

    @Override
    public int getServerPort() {
        return port;
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        if (errorsInstalled.compareAndSet(false, true)) {
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(getCamelContext(),
                    VertxPlatformHttpRouter.getRouterNameFromPort(port));
            if (router != null) {
                router.route(apiPaths).failureHandler(ApiErrors.unauthorizedAsJson());
                if (usersFile != null) {
                    ConsoleStatic.install(router, router.vertx(), usersFile, realm, roles);
                }
            }
        }
        return super.createConsumer(endpoint, processor);
    }
}

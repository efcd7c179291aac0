package io.sluice.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.sluice.StartupProblem;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * The HTTP API's wiring: binds {@link HttpApiEngine} under the exact name platform-http looks up ({@code camel.beans}
 * would camel-case it), and the role policies the API routes name. Fails closed: without a users file (the
 * credentials Camel's Basic authentication checks), or with authentication switched off, Sluice does not start —
 * one line says which property to set. Runs before Camel creates its HTTP server from {@code camel.server.*}.
 */
public final class HttpApiConfiguration implements CamelConfiguration {

    static final String USERS_FILE = "sluice.http.users-file";
    /** The dev profile's demo users (in the jar); the banner names them as demo-only. */
    static final String DEMO_USERS = "http/demo-users.properties";

    @Override
    public void configure(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        HttpApiEngine engine = new HttpApiEngine();
        engine.setPort(Integer.parseInt(pc.resolveProperty("sluice.http.port").orElse("8080")));
        String apiPaths = pc.resolveProperty("camel.server.authenticationPath").orElse("/api/*");
        engine.setApiPaths(apiPaths);
        if (Boolean.parseBoolean(pc.resolveProperty("camel.server.enabled").orElse("false"))) {
            if (!Boolean.parseBoolean(pc.resolveProperty("camel.server.authenticationEnabled").orElse("false"))) {
                throw new StartupProblem("the HTTP API would accept anyone: camel.server.authenticationEnabled must be true"
                        + " (set " + USERS_FILE + " to a users file instead)");
            }
            String usersFile = pc.resolveProperty(USERS_FILE).map(String::trim).orElse("");
            if (usersFile.isEmpty()) {
                throw new StartupProblem("the HTTP API has no credentials: set " + USERS_FILE
                        + " (env SLUICE_HTTP_USERS_FILE) to a users file with lines 'user.<name> = <password>,<role>'"
                        + " (roles viewer, submitter, approver); the dev profile ships demo users");
            }
            if (!readable(context, usersFile)) {
                throw new StartupProblem("the HTTP API's users file " + usersFile + " (" + USERS_FILE + ") cannot be read");
            }
            UserRoles roles = new UserRoles(usersFile);
            engine.setHandlers(List.of(roles));
            engine.setConsole(usersFile, pc.resolveProperty("camel.server.authenticationRealm").orElse("sluice"), roles);
        }
        context.getRegistry().bind("platform-http-engine", engine);
        // the role checks the API routes name in their policy step; an approver may also read
        context.getRegistry().bind("apiReader", new ApiRole("viewer", "approver"));
        context.getRegistry().bind("apiSubmitter", new ApiRole("submitter"));
        context.getRegistry().bind("apiApprover", new ApiRole("approver"));
        // the console's routes (routes/console-api.yaml) keep their own parameters only
        context.getRegistry().bind("consoleReader", new ApiRole(List.of("topic", "reason"), "viewer", "approver"));
        context.getRegistry().bind("consoleApprover", new ApiRole(List.of("ratingId"), "approver"));
        // the console's flows page (routes/console-api.yaml): route states, rates, lag, last errors, dependency health
        LastErrors errors = new LastErrors();
        context.getManagementStrategy().addEventNotifier(errors);
        context.getRegistry().bind("consoleFlows", new ConsoleFlows(context, errors));
    }

    /** Vert.x reads the file from disk, else from the classpath (the dev profile's demo users are in the jar). */
    private static boolean readable(CamelContext context, String file) {
        if (Files.isReadable(Path.of(file))) {
            return true;
        }
        ClassLoader loader = context.getApplicationContextClassLoader() != null
                ? context.getApplicationContextClassLoader() : HttpApiConfiguration.class.getClassLoader();
        return loader.getResource(file) != null;
    }
}

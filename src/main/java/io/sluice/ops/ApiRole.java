package io.sluice.ops;

import java.util.List;

import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authorization.RoleBasedAuthorization;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import org.apache.camel.spi.AuthorizationPolicy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;

/**
 * Which roles may run an API route's steps: a Camel authorization policy, used as the route's {@code policy} step
 * (as camel-spring-security's and camel-shiro's are). Who the caller is, Camel's embedded server has already
 * established (Basic authentication against the users file, {@code camel.server.*}); {@link UserRoles} has read
 * the caller's roles from the same file. A caller without one of {@code roles} gets 403 and the steps never run.
 */
public final class ApiRole implements AuthorizationPolicy {

    /** Header: the authenticated user's name, for the steps (an approval records it as approved_by). */
    public static final String USER = "sluiceApiUser";

    private final List<String> roles;
    private final String[] kept;

    /** The loans API's policy: the path's parameters {@code custId}, {@code loanId} are kept. */
    public ApiRole(String... roles) {
        this(List.of("custId", "loanId"), roles);
    }

    /** A policy keeping the request parameters {@code parameters} (path and query) and Camel's own headers. */
    public ApiRole(List<String> parameters, String... roles) {
        this.roles = List.of(roles);
        List<String> keep = new java.util.ArrayList<>(parameters);
        keep.add("Camel*");
        this.kept = keep.toArray(String[]::new);
    }

    @Override
    public void beforeWrap(Route route, NamedNode definition) {
    }

    @Override
    public Processor wrap(Route route, Processor processor) {
        return new DelegateAsyncProcessor(processor) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                User user = exchange.getMessage().getHeader(VertxPlatformHttpConstants.AUTHENTICATED_USER, User.class);
                // The request's own headers go no further than this check. They would become headers of the Kafka
                // records the steps send (the Authorization header among them), and some would steer a step: a
                // kafka.OVERRIDE_TOPIC sends a submission to any topic, a sluice* header fakes a step's result.
                // Kept: the route's own parameters, and Camel's own headers (which no Kafka record carries).
                exchange.getMessage().removeHeaders("*", kept);
                if (user == null) {
                    // the server authenticates every /api path first; reaching here unauthenticated is a misconfiguration
                    ApiErrors.respond(exchange, 401, "authentication required");
                } else if (roles.stream().noneMatch(r -> RoleBasedAuthorization.create(r).match(user))) {
                    ApiErrors.respond(exchange, 403, "user " + user.principal().getString("username")
                            + " may not do this: it needs the role " + String.join(" or ", roles));
                } else {
                    exchange.getMessage().setHeader(USER, user.principal().getString("username"));
                    return super.process(exchange, callback);
                }
                callback.done(true);
                return true;
            }
        };
    }

    @Override
    public String toString() {
        return "ApiRole" + roles;
    }
}

package io.sluice.ops;

import io.vertx.core.Handler;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.properties.PropertyFileAuthorization;
import io.vertx.ext.web.RoutingContext;

/**
 * Loads the authenticated caller's roles from the users file that Camel's Basic authentication checked the password
 * against ({@code user.<name> = <password>,<role>,...}), with Vert.x's own reader of that format, before the Camel
 * route runs; {@link ApiRole} then only asks whether the user has a role. Runs on every API request (a map lookup).
 */
final class UserRoles implements Handler<RoutingContext> {

    private final String usersFile;
    private volatile PropertyFileAuthorization roles;

    UserRoles(String usersFile) {
        this.usersFile = usersFile;
    }

    @Override
    public void handle(RoutingContext ctx) {
        User user = ctx.user();
        if (user == null) {
            ctx.next();
            return;
        }
        if (roles == null) {
            roles = PropertyFileAuthorization.create(ctx.vertx(), usersFile);
        }
        // an unknown user has no roles: the route's policy answers 403
        roles.getAuthorizations(user).onComplete(done -> ctx.next());
    }
}

package io.sluice.ops;

import io.vertx.core.Handler;
import io.vertx.ext.auth.authorization.RoleBasedAuthorization;
import io.vertx.ext.auth.properties.PropertyFileAuthentication;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BasicAuthHandler;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The operator console's pages ({@code /console/}: HTML, JS and CSS from the classpath folder {@code console/}),
 * on the API's server, behind the same HTTP Basic authentication against the same users file and realm as
 * {@code /api/*}, and only for a viewer or an approver. The pages hold no data: they call {@code /api/console/*}
 * and the loans API, which check the role of every call again (a viewer's buttons get the API's 403).
 */
final class ConsoleStatic {

    static final String PATH = "/console";

    private ConsoleStatic() {
    }

    static void install(Router router, io.vertx.core.Vertx vertx, String usersFile, String realm, UserRoles roles) {
        // Vert.x matches "/console" with and without the trailing slash: only the bare path is sent on to the folder
        router.route(PATH).handler(ctx -> {
            if (ctx.request().path().equals(PATH)) {
                ctx.response().setStatusCode(302).putHeader("Location", PATH + "/").end();
            } else {
                ctx.next();
            }
        });
        router.route(PATH + "/*")
                .handler(BasicAuthHandler.create(PropertyFileAuthentication.create(vertx, usersFile), realm))
                .handler(roles)
                .handler(viewerOrApprover())
                // no caching: a page from an older Sluice must not talk to a newer API
                .handler(StaticHandler.create("console").setCachingEnabled(false).setMaxAgeSeconds(0)
                        .setIndexPage("index.html").setDefaultContentEncoding("UTF-8"))
                .failureHandler(ApiErrors.unauthorizedAsJson());
    }

    private static Handler<RoutingContext> viewerOrApprover() {
        return ctx -> {
            if (ctx.user() != null && (RoleBasedAuthorization.create("viewer").match(ctx.user())
                    || RoleBasedAuthorization.create("approver").match(ctx.user()))) {
                ctx.response().putHeader("Cache-Control", "no-store")
                        // the pages load nothing from anywhere else, and no data is ever HTML (textContent only)
                        .putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
                        .putHeader("X-Content-Type-Options", "nosniff");
                ctx.next();
            } else {
                ctx.response().setStatusCode(403).putHeader("Content-Type", "application/json")
                        .end(ApiErrors.json("user " + (ctx.user() == null ? "?" : ctx.user().principal().getString("username"))
                                + " may not do this: it needs the role viewer or approver"));
            }
        };
    }
}

package io.sluice.ops;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/** Binds {@link HttpApiEngine} under the exact name platform-http looks up ({@code camel.beans} would camel-case it). */
public final class HttpApiConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        HttpApiEngine engine = new HttpApiEngine();
        engine.setPort(Integer.parseInt(context.getPropertiesComponent().resolveProperty("sluice.http.port").orElse("8080")));
        context.getRegistry().bind("platform-http-engine", engine);
    }
}

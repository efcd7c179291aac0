package io.sluice.ratings;

import java.time.Clock;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/** The ratings beans routes/ratings-enrichment.yaml and routes/demo-ratings.yaml call (the shared steps: KafkaStepsConfiguration). */
public final class RatingsConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        ObjectMapper json = new ObjectMapper();
        int maxBytes = Integer.parseInt(pc.resolveProperty("sluice.ratings.max-bytes").orElse("65536"));
        context.getRegistry().bind("ratingValidator", new RatingValidator(json, maxBytes));
        context.getRegistry().bind("ratingsGenerator", new RatingsGenerator(
                System.nanoTime(),
                Integer.parseInt(pc.resolveProperty("sluice.generators.known-customers").orElse("20")),
                Double.parseDouble(pc.resolveProperty("sluice.generators.unknown-user-share").orElse("0.05")),
                Double.parseDouble(pc.resolveProperty("sluice.generators.test-channel-share").orElse("0.1")),
                Clock.systemUTC()));
    }
}

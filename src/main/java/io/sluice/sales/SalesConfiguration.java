package io.sluice.sales;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.db.RowsByName;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/** The beans routes/sales.yaml calls. */
public final class SalesConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        context.getRegistry().bind("saleChecks", new SaleChecks(new ObjectMapper()));
        context.getRegistry().bind("rowsByName", new RowsByName()); // camel-sql's batches of map rows, see there
        context.getRegistry().bind("salesGenerator", new SalesGenerator(System.nanoTime(),
                Double.parseDouble(pc.resolveProperty("sluice.generators.sales-share-of-a").orElse("0.7")),
                () -> System.currentTimeMillis() / 1000));
    }
}

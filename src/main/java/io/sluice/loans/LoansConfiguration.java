package io.sluice.loans;

import java.math.BigDecimal;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/** The beans routes/loan-requests.yaml, routes/loan-approvals.yaml and routes/loans-api.yaml call. */
public final class LoansConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        ObjectMapper json = new ObjectMapper();
        Installment installment = new Installment(
                new BigDecimal(pc.resolveProperty("sluice.loans.interest-factor").orElse("1.17")),
                Integer.parseInt(pc.resolveProperty("sluice.loans.months").orElse("12")));
        context.getRegistry().bind("loanChecks", new LoanChecks(json));
        DisbursementTopic published = new DisbursementTopic(pc.resolveProperty("sluice.kafka.brokers").orElseThrow(),
                pc.resolveProperty("sluice.loans.disbursement-topic").orElseThrow(), json);
        context.getRegistry().bind("loanApprovals", new LoanApprovals(
                () -> context.getRegistry().lookupByNameAndType("dataSource", DataSource.class),
                io.sluice.db.SqlDialect.of(context), installment, published));
        context.getRegistry().bind("loanApi", new LoanApi(
                () -> context.getRegistry().lookupByNameAndType("dataSource", DataSource.class),
                io.sluice.db.SqlDialect.of(context), json));
        context.getRegistry().bind("loansConsole", new LoansConsole(
                () -> context.getRegistry().lookupByNameAndType("dataSource", DataSource.class)));
        context.getRegistry().bind("loanRequestsGenerator", new LoanRequestsGenerator(System.nanoTime()));
    }
}

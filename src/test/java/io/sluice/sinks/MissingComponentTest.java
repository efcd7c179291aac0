package io.sluice.sinks;

import io.sluice.SluiceFailures;
import io.sluice.devstack.DevStack;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A sink to a component the jar does not carry stops start-up with a line naming the artifact to add. */
@ExtendWith(SluiceStack.class)
class MissingComponentTest {

    @Test
    void startUpErrorNamesTheDependencyToAdd(DevStack stack) throws Exception {
        RunningSluice sluice = RunningSluice.on(stack, "missing")
                .with("camel.routeTemplate[to-mongo].templateId", "topic-sink")
                .with("camel.routeTemplate[to-mongo].name", "to-mongo")
                .with("camel.routeTemplate[to-mongo].topic", "anything")
                .with("camel.routeTemplate[to-mongo].uri", "mongodb:conn?database=lake&collection=ratings&operation=insert");
        Throwable failure = catchThrowable(sluice::start);
        sluice.stop();
        assertThat(failure).isNotNull();
        assertThat(SluiceFailures.explain(failure)).isEqualTo("no Camel component in this jar handles 'mongodb:' endpoints; "
                + "add the dependency org.apache.camel:camel-mongodb to pom.xml and rebuild (sink to-mongo)");
    }
}

package io.sluice.alerts;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AlertTextTest {

    private static final String DEFAULT =
            "`{email}` just left a bad review :disappointed:\n> {message}\nPlease contact them now and put it right.";

    @Test
    void theDefaultTextNamesTheEmailInCodeStyleAndQuotesTheReview() {
        String text = AlertText.render(DEFAULT, Map.of("email", "ann@example.com", "message", "Cold coffee again"));
        assertThat(text).isEqualTo("`ann@example.com` just left a bad review :disappointed:\n"
                + "> Cold coffee again\nPlease contact them now and put it right.");
    }

    @Test
    void mentionsAndLinksInUserTextAreEscapedSoTheyCannotPingOrLink() {
        assertThat(AlertText.render("> {message}", Map.of("message", "<!channel> look"))).isEqualTo("> &lt;!channel&gt; look");
        assertThat(AlertText.render("> {message}", Map.of("message", "hey <@U123>"))).isEqualTo("> hey &lt;@U123&gt;");
        assertThat(AlertText.render("> {message}", Map.of("message", "<http://x|click>")))
                .isEqualTo("> &lt;http://x|click&gt;");
        // & first, so an already-escaped entity cannot turn back into a control character
        assertThat(AlertText.render("{message}", Map.of("message", "&lt;!here&gt; & co"))).isEqualTo("&amp;lt;!here&amp;gt; &amp; co");
    }

    @Test
    void everyFieldIsEscapedAndAMultiLineReviewStaysQuoted() {
        String text = AlertText.render("`{email}` ({full_name}):\n> {message}\nend",
                Map.of("email", "<!everyone>@x.com", "full_name", "Bo <b>", "message", "line one\nline two"));
        assertThat(text).isEqualTo("`&lt;!everyone&gt;@x.com` (Bo &lt;b&gt;):\n> line one\n> line two\nend");
    }

    @Test
    void missingFieldsBecomeEmptyAndUnknownBracesStay() {
        assertThat(AlertText.render("{stars} stars {nope} {Not a field}", Map.of("stars", 1))).isEqualTo("1 stars  {Not a field}");
    }
}

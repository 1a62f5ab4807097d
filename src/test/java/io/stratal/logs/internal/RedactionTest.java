package io.stratal.logs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedactionTest {

    private final Redaction defaults = Redaction.of(Redaction.DEFAULT_WORDS);

    @Test
    void keysContainingASecretWordMatchIgnoringCaseAndPunctuation() {
        assertThat(defaults.isSecret("password")).isTrue();
        assertThat(defaults.isSecret("db_password")).isTrue();
        assertThat(defaults.isSecret("X-Api-Key")).isTrue();
        assertThat(defaults.isSecret("refreshToken")).isTrue();
        assertThat(defaults.isSecret("Authorization")).isTrue();
        assertThat(defaults.isSecret("client.secret")).isTrue();
    }

    @Test
    void ordinaryKeysDoNotMatch() {
        assertThat(defaults.isSecret("port")).isFalse();
        assertThat(defaults.isSecret("user")).isFalse();
        assertThat(defaults.isSecret("job_name")).isFalse();
    }

    @Test
    void aConfiguredListReplacesTheDefaultsAndAnEmptyOneRedactsNothing() {
        Redaction custom = Redaction.of(List.of(" ssn ", "pin"));
        assertThat(custom.isSecret("customer_SSN")).isTrue();
        assertThat(custom.isSecret("password")).isFalse();
        assertThat(Redaction.of(List.of("")).isSecret("password")).isFalse();
    }

    @Test
    void secretPairsInTextAreMaskedAndTheRestIsLeftAsItWas() {
        assertThat(defaults.scrubPairs("login failed, password=hunter2 for ann")).isEqualTo("login failed, password=[REDACTED] for ann");
        assertThat(defaults.scrubPairs("db_password: hunter2, port: 5432")).isEqualTo("db_password: [REDACTED], port: 5432");
        assertThat(defaults.scrubPairs("{\"apiKey\": \"abc def\", \"user\": \"ann\"}"))
                .isEqualTo("{\"apiKey\": \"[REDACTED]\", \"user\": \"ann\"}");
        assertThat(defaults.scrubPairs("Authorization: Bearer eyJhbGciOi.x.y sent")).isEqualTo("Authorization: [REDACTED] sent");
        assertThat(defaults.scrubPairs("GET /cb?code=1&access_token=abc&state=2")).isEqualTo("GET /cb?code=1&access_token=[REDACTED]&state=2");
        assertThat(defaults.scrubPairs("secret='open sesame")).isEqualTo("secret='[REDACTED]");
    }

    @Test
    void textWithoutSecretPairsIsReturnedAsTheSameInstance() {
        String text = "Job finished at 12:30, see http://example.com:8080/x?a=b (token count: 5 words)";
        assertThat(defaults.scrubPairs(text)).isSameAs(text);
        String plain = "nothing to see";
        assertThat(defaults.scrubPairs(plain)).isSameAs(plain);
        assertThat(Redaction.of(List.of()).scrubPairs("password=x")).isEqualTo("password=x");
    }
}

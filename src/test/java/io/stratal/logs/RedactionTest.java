package io.stratal.logs;

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
}

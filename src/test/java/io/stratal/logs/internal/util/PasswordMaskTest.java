package io.stratal.logs.internal.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PasswordMaskTest {

    @Test
    void maskesPasswordParametersAndUserInfoInAnyText() {
        PasswordMask mask = PasswordMask.patternsOnly();
        assertThat(mask.apply("Unable to parse URL jdbc:postgresql://db:99999/x?user=u&password=s3cr%40t&ssl=true"))
                .isEqualTo("Unable to parse URL jdbc:postgresql://db:99999/x?user=u&password=****&ssl=true");
        assertThat(mask.apply("jdbcUrl=jdbc:postgresql://bob:hunter2@db/x")).isEqualTo("jdbcUrl=jdbc:postgresql://bob:****@db/x");
        assertThat(mask.apply("PASSWORD = abc; next")).isEqualTo("PASSWORD = ****; next");
        assertThat(mask.apply(null)).isNull();
        assertThat(mask.apply("Connection refused")).isEqualTo("Connection refused");
    }

    @Test
    void masksKnownPasswordsWhereverTheyAppearAsWrittenOrDecoded() {
        PasswordMask mask = PasswordMask.of(Arrays.asList("flagSecret", null, "ab"),
                List.of("jdbc:postgresql://db/x?password=p%40ssword1"));
        assertThat(mask.apply("FATAL: password for 'flagSecret' and p@ssword1 and p%40ssword1"))
                .isEqualTo("FATAL: password for '****' and **** and ****");
        assertThat(mask.apply("ab stays: too short to mask outside a pattern")).startsWith("ab stays");
    }

    @Test
    void aPasswordWithCharactersThePatternStopsAtIsMaskedWhole() {
        PasswordMask mask = PasswordMask.of(List.of("with space and;semi"), List.of("jdbc:postgresql://db/x?user=u&password=Pa55;wo,rd&ssl=true"));
        assertThat(mask.apply("URL jdbc:postgresql://db/x?user=u&password=Pa55;wo,rd&ssl=true refused"))
                .isEqualTo("URL jdbc:postgresql://db/x?user=u&password=****&ssl=true refused");
        assertThat(mask.apply("auth failed for 'with space and;semi'")).isEqualTo("auth failed for '****'");
    }
}

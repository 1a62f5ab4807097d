package io.stratal.logs.internal.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UuidsTest {

    @Test
    void canonicalFormParsesInEitherCase() {
        UUID id = UUID.randomUUID();
        assertThat(Uuids.parseOrNull(id.toString())).isEqualTo(id);
        assertThat(Uuids.parseOrNull(id.toString().toUpperCase())).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1-2-3-4-5", "job-42", "123e4567e89b12d3a456426614174000",
            "123e4567-e89b-12d3-a456-42661417400g", "123e4567-e89b-12d3-a456-4266141740000",
            "{123e4567-e89b-12d3-a456-426614174000}", "123e4567+e89b-12d3-a456-426614174000",
            "١٢٣e4567-e89b-12d3-a456-426614174000"})
    void anythingElseIsRefused(String text) {
        assertThat(Uuids.parseOrNull(text)).isNull();
    }
}
